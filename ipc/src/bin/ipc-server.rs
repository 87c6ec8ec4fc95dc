//! `ipc-server`: the JSON-RPC server (SPEC section 7); see `ipc::cli::server`.

fn main() -> std::process::ExitCode {
    ipc::cli::server::main()
}
