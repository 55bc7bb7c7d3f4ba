//! The JSON report. Versioned DTOs, separate from the internal types, so the format changes
//! only on purpose (`report_version`).

pub mod v1;

pub use v1::JsonV1;
