//! `ipc-server`: the JSON-RPC server (ipc/README.md); see `ipc::cli::server`.

fn main() -> std::process::ExitCode {
    ipc::cli::server::main()
}
