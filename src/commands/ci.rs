//! `cargo portable ci github|gitlab`: the pipeline generated from the matrix, printed,
//! written (`-o`), or compared with the committed file (`--check`, exit 1 with a
//! unified diff when it is out of date).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::{load_matrix, selected, workspace_root, Outcome};
use crate::ci::{self, Options, Provider, Runners};
use crate::cli::{CiArgs, CiProvider, GlobalOpts};
use crate::output::write_output;
use crate::render::escape::shell_word;
use crate::toolchain::Toolchain;

pub(super) fn run(args: CiArgs, global: &GlobalOpts) -> Result<Outcome> {
    let provider = match args.provider {
        CiProvider::Github => Provider::Github,
        CiProvider::Gitlab => Provider::Gitlab,
    };
    if provider == Provider::Gitlab && (args.reusable || args.matrix_json) {
        anyhow::bail!("--reusable and --matrix-json are for `ci github`");
    }
    let tc = Toolchain::detect();
    let root = workspace_root(&tc, args.matrix.manifest_path.as_deref());
    let mut opts = Options::new(&command_line(&args), "");
    opts.baseline = args.baseline.clone();
    opts.git = args.install_git.clone();
    opts.version = args.install_version.clone();
    opts.macos_native = args.macos_native;
    opts.windows_msvc = args.windows_msvc;
    opts.matrix_arg = args.matrix.matrix.as_ref().map(|m| m.display().to_string());
    let d = Runners::github();
    opts.runners = Runners {
        linux: args.linux_runner.clone().unwrap_or(d.linux),
        macos: args.macos_runner.clone().unwrap_or(d.macos),
        windows: args.windows_runner.clone().unwrap_or(d.windows),
    };
    let text = if args.reusable {
        opts.source = "the caller names at run time (input `matrix`)".into();
        ci::github_reusable(&opts)
    } else {
        let m = load_matrix(&args.matrix, root.as_deref(), &tc)?;
        opts.source = m.source.clone();
        let variants = selected(&m, &args.matrix.variants);
        if args.matrix_json {
            let jobs = ci::jobs(&variants, &opts).with_context(|| m.source.clone())?;
            format!("{}\n", ci::matrix_json(&jobs))
        } else {
            ci::generate(provider, &variants, &opts).with_context(|| m.source.clone())?
        }
    };
    if args.check {
        let path = args
            .output
            .clone()
            .unwrap_or_else(|| default_path(provider, root.as_deref()));
        let regenerate = format!(
            "{} -o {}",
            opts.command,
            shell_word(&path.display().to_string())
        );
        return check(&path, &text, &regenerate, global.quiet);
    }
    write_output(args.output.as_deref(), |w| w.write_all(text.as_bytes()))?;
    Ok(Outcome::Success)
}

/// Where the pipeline is committed when `-o` does not say.
fn default_path(provider: Provider, root: Option<&Path>) -> PathBuf {
    let rel = match provider {
        Provider::Github => ".github/workflows/portable.yml",
        Provider::Gitlab => ".gitlab-ci.yml",
    };
    root.map_or_else(|| PathBuf::from(rel), |r| r.join(rel))
}

/// `--check`: the committed file against the generated text.
fn check(path: &Path, generated: &str, command: &str, quiet: bool) -> Result<Outcome> {
    let committed = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!(
                "error: {} does not exist; generate it with `{command}`",
                path.display()
            );
            return Ok(Outcome::Failure);
        }
        Err(e) => {
            return Err(e).with_context(|| format!("reading {}", path.display()));
        }
    };
    let name = path.display().to_string();
    match ci::diff::unified(&committed, generated, &name, "generated") {
        None => {
            if !quiet {
                eprintln!("{name} is up to date");
            }
            Ok(Outcome::Success)
        }
        Some(d) => {
            print!("{d}");
            eprintln!(
                "error: {name} is out of date with the matrix; regenerate it with `{command}`"
            );
            Ok(Outcome::Failure)
        }
    }
}

/// The command that generates the file, for its header and messages: every option
/// that changes the output; not `-o` (where it goes changes nothing in it, so a file
/// checked without `-o` at its default path matches) and never `--check`.
fn command_line(a: &CiArgs) -> String {
    let mut c = vec![
        "cargo portable ci".to_owned(),
        match a.provider {
            CiProvider::Github => "github",
            CiProvider::Gitlab => "gitlab",
        }
        .to_owned(),
    ];
    let mut opt = |flag: &str, v: Option<String>| {
        if let Some(v) = v {
            c.push(flag.to_owned());
            c.push(shell_word(&v));
        }
    };
    opt(
        "--matrix",
        a.matrix.matrix.as_ref().map(|p| p.display().to_string()),
    );
    opt(
        "--manifest-path",
        a.matrix
            .manifest_path
            .as_ref()
            .map(|p| p.display().to_string()),
    );
    for v in &a.matrix.variants {
        opt("--variant", Some(v.clone()));
    }
    opt(
        "--baseline",
        (a.baseline != ci::DEFAULT_BASELINE).then(|| a.baseline.clone()),
    );
    opt(
        "--install-git",
        (a.install_git != ci::DEFAULT_GIT).then(|| a.install_git.clone()),
    );
    opt("--install-version", a.install_version.clone());
    opt("--linux-runner", a.linux_runner.clone());
    opt("--macos-runner", a.macos_runner.clone());
    opt("--windows-runner", a.windows_runner.clone());
    for (on, flag) in [
        (a.macos_native, "--macos-native"),
        (a.windows_msvc, "--windows-msvc"),
        (a.reusable, "--reusable"),
    ] {
        if on {
            c.push(flag.to_owned());
        }
    }
    c.join(" ")
}
