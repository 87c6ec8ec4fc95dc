//! One integration test binary (faster to link than one per file). Each module checks
//! the inspector against an oracle we did not write, on real binaries.

mod common;
mod fixtures;

mod auditable;
mod bad_input;
mod build;
mod ci;
mod commands;
mod elf_oracle;
mod freebsd;
mod go;
mod guide;
mod hazards;
mod html;
mod layout;
mod linkage;
mod macho;
mod pe;
mod platforms;
mod prove;
mod reports;
mod run;
mod runs_on;
mod sarif;
mod sbom;
mod schema;
mod setup;
mod sys_crates;
mod warm;
mod why;
mod wide;
