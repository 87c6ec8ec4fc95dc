//! The two programs' command lines. They live in the library, so the binaries are
//! thin entry points: relinking them for another linker compiles almost nothing.

pub mod client;
pub mod server;
