//! Compiles the echo service, the baseline every load figure is measured
//! against (a bare tonic server doing no work), without a system `protoc`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    let echo = protox::compile(["newscorpus/bench/v1/echo.proto"], ["proto"])?;
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .compile_fds(echo)?;
    Ok(())
}
