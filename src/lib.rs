//! newscorpus: a gRPC service that serves a news corpus as structured data —
//! article metadata, named entities with every mention, and attributed quotes.
//!
//! Data flows one way: [`parse`] (raw text → metadata and clean body) →
//! [`extract`] (entities, mentions, quotes) → [`resolve`] (corpus-wide identity,
//! inside the store) → [`store`] → [`grpc`]. [`corpus`] runs that pipeline;
//! [`app`] wires it to a server.
//!
//! Modules are crate-private unless something outside the crate uses them:
//! the binaries (`src/main.rs`, `tools/loadgen`), the benches, the fuzz
//! targets and the integration tests. What stays `pub` is that surface, so
//! the compiler reports whatever the server itself no longer uses.

pub(crate) mod analyze;
pub mod app;
pub mod config;
pub mod corpus;
pub mod error;
pub(crate) mod extract;
pub mod gen;
pub mod grpc;
pub(crate) mod loader;
pub mod model;
pub(crate) mod parse;
pub mod query;
pub mod resolve;
pub mod store;
pub mod telemetry;
mod words;
