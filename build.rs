//! Compiles `proto/` without a system `protoc`: protox parses the files into a
//! descriptor set, which is written to `OUT_DIR` (server reflection serves it)
//! and handed to tonic-prost-build for code generation.

use std::{env, fs, path::PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // tonic-prost-build 0.14 does not emit this itself when compiling from a
    // descriptor set, so changes to the protos would not trigger a rebuild.
    println!("cargo:rerun-if-changed=proto");
    let files = [
        "proto/newscorpus/v1/types.proto",
        "proto/newscorpus/v1/corpus_service.proto",
    ];
    let fds = protox::compile(files, ["proto"])?;
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    fs::write(
        out_dir.join("newscorpus_descriptor.bin"),
        prost::Message::encode_to_vec(&fds),
    )?;
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .compile_fds(fds)?;

    // The load generator's baseline service; not part of the public API.
    println!("cargo:rerun-if-changed=benches/proto");
    let echo = protox::compile(["newscorpus/bench/v1/echo.proto"], ["benches/proto"])?;
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .compile_fds(echo)?;
    Ok(())
}
