use std::process::ExitCode;

use clap::Parser;

use cargo_portable::cli::{normalize_args, Cli};
use cargo_portable::commands;

fn main() -> ExitCode {
    let args = normalize_args(std::env::args_os().collect());
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            // help and version are successes; everything else is a usage error
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(commands::Outcome::InputError.code()),
            };
        }
    };
    ExitCode::from(commands::run(cli).code())
}
