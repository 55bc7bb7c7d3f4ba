//! Live collection: reads an AWS account through the AWS SDK for Rust and produces a
//! schema-1 snapshot (`mlguard collect`, `mlguard scan`).
//!
//! This is the only async code in mlguard (with the apply step of remediation). One module
//! per service: [`iam`] (global), [`s3`] (global listing, regional buckets), and per region
//! [`kms`], [`ec2`] and [`sagemaker`]. Services and regions are collected concurrently; a
//! semaphore shared by all of them bounds the requests in flight (`--concurrency`). The SDK
//! retries with adaptive backoff and a per-attempt timeout. A call that still fails is
//! recorded in the snapshot's `gaps` and collection goes on; only a missing credential or an
//! unreachable region stops it, with one error.
//!
//! [`operations::OPERATIONS`] lists every call the collector can make; `docs/collection.md`
//! gives the number of calls a scan makes.

pub mod operations;

// The remediator (`remediate::apply`) reuses the SDK configuration, clients and error
// handling.
#[cfg(feature = "aws")]
pub(crate) mod client;
#[cfg(feature = "aws")]
pub(crate) mod ctx;
#[cfg(feature = "aws")]
mod ec2;
#[cfg(feature = "aws")]
mod iam;
#[cfg(feature = "aws")]
pub(crate) mod json;
#[cfg(feature = "aws")]
mod kms;
#[cfg(feature = "aws")]
pub(crate) mod live;
#[cfg(feature = "aws")]
mod progress;
#[cfg(feature = "aws")]
mod s3;
#[cfg(feature = "aws")]
mod sagemaker;

#[cfg(feature = "aws")]
pub use ctx::OpStats;
#[cfg(feature = "aws")]
pub use live::{CollectError, Collected, Options, RegionChoice, Summary, collect, render};
pub use operations::Needs;
