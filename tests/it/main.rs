//! mlguard's integration tests, built as one test binary: one module per area, helpers in
//! `common`. They drive the real `mlguard` binary (`CARGO_BIN_EXE_mlguard`) or call the
//! library, and read fixtures, policies and docs from the repository root.
//!
//! Modules marked `feature = "aws"` need the AWS build; most of them run against moto's
//! emulator (`common::moto`), one server per test on its own port, and fail (never skip)
//! when it is missing. The others are the offline core and also run in
//! `cargo test --no-default-features`.
//!
//!   cargo test --test it                      # every integration test
//!   cargo test --test it org_merge::          # one module
//!   cargo test --no-default-features --test it
//!
//! Tests in one binary run in parallel threads of one process: a test must not change the
//! process's environment or current directory (give them to the `Command` it runs), and
//! must use its own temporary directory and ports.

mod common;

mod baseline;
mod cli;
#[cfg(feature = "aws")]
mod collect_faults;
#[cfg(feature = "aws")]
mod collect_lab;
#[cfg(feature = "aws")]
mod collect_least_privilege;
#[cfg(feature = "aws")]
mod collect_options;
#[cfg(feature = "aws")]
mod collect_paging;
mod config;
mod deploy;
mod differential;
#[cfg(feature = "aws")]
mod error_hints;
#[cfg(unix)]
mod file_modes;
mod formats;
mod frameworks;
mod generate;
mod github_actions;
mod html;
mod lab;
mod module_graph;
#[cfg(feature = "aws")]
mod org;
mod org_merge;
#[cfg(feature = "aws")]
mod org_merge_s3;
mod remediate_cost;
#[cfg(feature = "aws")]
mod remediate_crash;
#[cfg(feature = "aws")]
mod remediate_input;
#[cfg(feature = "aws")]
mod remediate_least_privilege;
#[cfg(feature = "aws")]
mod remediate_live;
mod remediate_plan;
mod reports;
mod rules;
mod rust_version;
mod sarif;
mod strategies;
mod suppress;
