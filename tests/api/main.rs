//! Integration tests: the real server on 127.0.0.1:0, the generated client.

// A test stops at the first thing that is not as it expects.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod analytics;
mod articles;
mod catalogue;
mod durable;
mod entities;
mod explorer;
mod fuzz_corpora;
mod fuzz_regressions;
mod helpers;
mod ingest_watch;
mod lifecycle;
mod offsets;
mod postgres;
mod pressure;
mod promises;
mod quotes;
mod reliability;
mod search;
mod security;
