//! Fuzz target: see `fuzz/checks/request_decode.rs`, which holds the check (the
//! corpus replay test in `tests/api/fuzz_corpora.rs` runs the same file).

#![no_main]

#[path = "../checks/request_decode.rs"]
mod check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| check::check(data));
