//! newscorpus: a gRPC service that serves a news corpus as structured data —
//! article metadata, named entities with every mention, and attributed quotes.
//!
//! Data flows one way: [`ingest`] (raw text → metadata and clean body) →
//! [`extract`] (entities, mentions, quotes) → [`resolve`] (corpus-wide identity,
//! inside the store) → [`store`] → [`grpc`]. [`corpus`] runs that pipeline;
//! [`app`] wires it to a server.

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
