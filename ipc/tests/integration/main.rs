//! Integration tests: real `ipc-server`/`ipc-client` processes over real sockets.
#![cfg(unix)]

mod common;

mod access;
mod client_cli;
mod disconnects;
mod legacy;
mod limits;
mod methods;
mod socket_file;
