//! `mlguard org`: every account of an AWS Organization.

pub mod merge;
