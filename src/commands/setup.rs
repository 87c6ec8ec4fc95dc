//! `cargo portable setup`: install what the selected variants need.

use anyhow::Result;

use super::{load_matrix, selected, workspace_root, Outcome};
use crate::cli::{GlobalOpts, SetupArgs};
use crate::matrix::Variant;
use crate::toolchain::setup;
use crate::toolchain::BuildTool;
use crate::toolchain::{needs, Machine, Toolchain};

pub(super) fn run(args: SetupArgs, global: &GlobalOpts) -> Result<Outcome> {
    let tc = Toolchain::detect();
    let root = workspace_root(&tc, args.matrix.manifest_path.as_deref());
    let m = load_matrix(&args.matrix, root.as_deref(), &tc)?;
    // C and C++ compilers for the build scripts, when the workspace's crates compile C
    // and the programs their build scripts run (cmake, perl, make)
    let (native, mut tools) =
        crate::engine::workspace_needs(&tc, args.matrix.manifest_path.as_deref());
    let variants = selected(&m, &args.matrix.variants);
    // the multiarch libraries of the package `build` would build with the same cargo
    // flags (`-p`, `--features`…, and each variant's own: its `features` key and the
    // matrix-wide one), and the programs those features add (perl and make for a
    // variant that vendors OpenSSL)
    let opts = crate::engine::BuildOptions {
        manifest_path: args.matrix.manifest_path.clone(),
        cargo: (&args.cargo).into(),
        bins: Vec::new(),
        variants: args.matrix.variants.clone(),
        jobs: 1,
        quiet: global.quiet,
        attribute: false,
        graph: false,
    };
    let multiarch = match crate::engine::resolve_workspace(&tc, &opts) {
        Ok(ws) => {
            let (multiarch, graph_tools) = crate::engine::graph_needs(&tc, &opts, &ws, &variants);
            crate::engine::merge_tools(&mut tools, graph_tools);
            multiarch
        }
        Err(_) => Vec::new(),
    };
    let (ok, _) = install(
        &tc,
        &variants,
        GraphNeeds {
            c: !native.is_empty(),
            tools: &tools,
            multiarch: &multiarch,
        },
        args.run,
        args.dry_run,
        global.quiet,
    );
    Ok(if ok {
        Outcome::Success
    } else {
        Outcome::Failure
    })
}

/// What the crate's dependency graph asks of setup.
pub(super) struct GraphNeeds<'a> {
    /// Its build scripts compile C: the variants' C and C++ compilers.
    pub c: bool,
    /// The host programs its build scripts run.
    pub tools: &'a [BuildTool],
    /// The multiarch packages of its system libraries (Debian architecture,
    /// `package:arch`).
    pub multiarch: &'a [(String, String)],
}

/// Plan and run setup for `variants` (or print the plan); whether everything needed
/// is now there, and what could not be done. What could not be done is printed with
/// its own error line and the command to run by hand.
pub(super) fn install(
    tc: &Toolchain,
    variants: &[&Variant],
    graph: GraphNeeds,
    runs: bool,
    dry_run: bool,
    quiet: bool,
) -> (bool, Vec<setup::NotDone>) {
    tc.prefetch_probes(variants.iter().filter_map(|v| needs(v, tc.host()).probe));
    let steps = setup::plan(variants, tc, graph.c, graph.tools, runs, graph.multiarch);
    let root = tc.is_root();
    if steps.is_empty() {
        if !quiet {
            eprintln!("setup: nothing to install");
        }
        return (true, Vec::new());
    }
    if dry_run {
        for s in &steps {
            println!("{}", s.command(root, &tc.zig_home));
        }
        return (true, Vec::new());
    }
    let left = setup::run(&steps, tc, quiet);
    for n in &left {
        eprintln!(
            "setup: not done: {}\n    {}\n  run: {}",
            n.command,
            n.why.replace('\n', "\n    "),
            n.command
        );
    }
    // what the variants still lack after the installs, by a new look at the machine
    let after = Toolchain::detect();
    after.prefetch_probes(variants.iter().filter_map(|v| needs(v, after.host()).probe));
    let mut ready = left.is_empty();
    for v in variants {
        if let Some((reason, fix)) = crate::engine::plan::unmet(&needs(v, after.host()), &after) {
            eprintln!(
                "setup: {} is still not ready: {reason}\n  fix: {fix}",
                v.id()
            );
            ready = false;
        }
    }
    if ready && !quiet {
        eprintln!("setup: every selected variant is ready");
    } else if !ready {
        // the exit code is 1; say why in one line after the details
        match left.len() {
            0 => eprintln!("setup: every step ran, but some variants are still not ready (above)"),
            1 => eprintln!("setup: 1 step could not be done (above)"),
            n => eprintln!("setup: {n} steps could not be done (above)"),
        }
    }
    (ready, left)
}
