//! Compiles `proto/` without a system `protoc`: protox parses the files into a
//! descriptor set, which is written to `OUT_DIR` (server reflection serves it)
//! and handed to tonic-prost-build for code generation.

use std::{env, fs, path::PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // tonic-prost-build 0.14 does not emit this itself when compiling from a
    // descriptor set, so changes to the protos would not trigger a rebuild.
    println!("cargo:rerun-if-changed=proto");
    // The PostgreSQL integration tests are marked ignored ("skipped", with the
    // reason) when no test database is given, instead of passing without
    // running; under CI they always run (and fail without a database).
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    println!("cargo:rerun-if-env-changed=NEWSCORPUS_TEST_DATABASE_URL");
    println!("cargo:rerun-if-env-changed=CI");
    let database = env::var("NEWSCORPUS_TEST_DATABASE_URL").unwrap_or_default();
    if !database.is_empty() || env::var_os("CI").is_some() {
        println!("cargo:rustc-cfg=postgres_tests");
    }
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
        // prost's codec plus the oneof check (src/grpc/codec.rs).
        .codec_path("crate::grpc::codec::StrictCodec")
        .compile_fds(fds)?;
    Ok(())
}
