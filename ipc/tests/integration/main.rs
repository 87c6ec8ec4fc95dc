//! Integration tests: real `ipc-server`/`ipc-client` processes over real sockets.
#![cfg(unix)]

mod common;

mod access;
mod client_cli;
mod client_library;
#[cfg(target_os = "linux")] // counts /proc/<pid>/fd
mod disconnects;
mod legacy;
#[cfg(target_os = "linux")] // reads /proc/<pid>/status
mod limits;
mod methods;
mod socket_file;
mod spec_examples;
