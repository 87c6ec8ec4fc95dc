module cargo-portable/bench/go-server

go 1.19
