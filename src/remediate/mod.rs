//! Remediation: findings become a reviewable plan of actions; applying it keeps a journal
//! that rollback can replay backwards.

pub mod catalog;
