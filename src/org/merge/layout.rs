//! Reading an `org scan` output (a directory or `s3://bucket/prefix`): the manifest copy,
//! every account's `status.json` (the commit marker) and `report.json`.
//!
//! ```text
//! OUT/manifest.json                          the manifest the scan ran (org-contract.md)
//! OUT/accounts/<account-id>/status.json      written last by the scan
//! OUT/accounts/<account-id>/report.json      absent for a failed account
//! ```

pub use crate::org::model::layout::{MANIFEST, report as report_path, status as status_path};

/// Where the parts are read from.
pub trait Input {
    /// `rel` as the user would find it (`OUT/accounts/1/status.json`, `s3://b/p/...`).
    fn display(&self, rel: &str) -> String;
    /// The bytes of `rel`, or `None` when it does not exist.
    fn read(&self, rel: &str) -> Result<Option<Vec<u8>>, String>;
    /// The names directly under `accounts/` (one per account that started).
    fn account_dirs(&self) -> Result<Vec<String>, String>;
}

/// A directory or S3 prefix, through the `org` store.
impl Input for crate::org::Store {
    fn display(&self, rel: &str) -> String {
        self.describe(rel)
    }

    fn read(&self, rel: &str) -> Result<Option<Vec<u8>>, String> {
        self.get(rel).map_err(|e| e.to_string())
    }

    fn account_dirs(&self) -> Result<Vec<String>, String> {
        self.list_accounts().map_err(|e| e.to_string())
    }
}

/// A 12-digit AWS account id.
pub fn is_account_id(id: &str) -> bool {
    crate::org::model::valid_account_id(id)
}
