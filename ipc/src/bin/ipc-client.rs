//! `ipc-client`: calls the server, speaks the legacy mode, and generates load; see
//! `ipc::cli::client`.

fn main() -> std::process::ExitCode {
    ipc::cli::client::main()
}
