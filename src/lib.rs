//! mlguard audits and hardens the AWS infrastructure machine-learning workloads run on:
//! least-privilege IAM execution roles, network isolation, and encryption at rest with
//! customer-managed KMS keys.
//!
//! The pipeline is pure from snapshot to report: [`snapshot`] loads and normalizes a
//! versioned JSON snapshot, [`engine`] evaluates the Rego policies with regorus, [`audit`]
//! turns the results into findings and scores, and [`report`] renders them. Only `collect`
//! and the apply step of `remediate` talk to AWS.
//!
//! [`app`] is the application layer: the command line ([`app::cli`]) and the command
//! handlers. It is the only layer that knows clap, and nothing below it imports it
//! (`org` is the other application module: whole-organization commands).

pub mod app;
pub mod audit;
pub mod baseline;
pub mod cidr;
pub mod collect;
pub mod config;
pub mod docgen;
pub mod engine;
pub mod findings;
pub mod generate;
pub mod io;
pub mod org;
pub mod remediate;
pub mod report;
pub mod snapshot;
pub mod suppress;
