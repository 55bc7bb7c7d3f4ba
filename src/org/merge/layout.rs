//! Reading an `org scan` output (a directory or `s3://bucket/prefix`): the manifest copy,
//! every account's `status.json` (the commit marker) and `report.json`.
//!
//! ```text
//! OUT/manifest.json                          the manifest the scan ran (org-contract.md)
//! OUT/accounts/<account-id>/status.json      written last by the scan
//! OUT/accounts/<account-id>/report.json      absent for a failed account
//! ```

use serde::Deserialize;
use std::path::PathBuf;

pub const MANIFEST: &str = "manifest.json";
pub const STATUS_SCHEMA: &str = "mlguard-org-status/v1";
pub const MANIFEST_SCHEMA: &str = "mlguard-org-manifest/v1";

pub fn status_path(id: &str) -> String {
    format!("accounts/{id}/status.json")
}

pub fn report_path(id: &str) -> String {
    format!("accounts/{id}/report.json")
}

/// Where the parts are read from.
pub trait Input {
    /// `rel` as the user would find it (`OUT/accounts/1/status.json`, `s3://b/p/...`).
    fn display(&self, rel: &str) -> String;
    /// The bytes of `rel`, or `None` when it does not exist.
    fn read(&self, rel: &str) -> Result<Option<Vec<u8>>, String>;
    /// The names directly under `accounts/` (one per account that started).
    fn account_dirs(&self) -> Result<Vec<String>, String>;
}

/// A directory on this machine.
pub struct LocalInput {
    pub root: PathBuf,
}

impl Input for LocalInput {
    fn display(&self, rel: &str) -> String {
        self.root.join(rel).display().to_string()
    }

    fn read(&self, rel: &str) -> Result<Option<Vec<u8>>, String> {
        match std::fs::read(self.root.join(rel)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    fn account_dirs(&self) -> Result<Vec<String>, String> {
        let dir = self.root.join("accounts");
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.to_string()),
        };
        let mut ids = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| e.to_string())?;
            if entry.file_type().map_err(|e| e.to_string())?.is_dir() {
                ids.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        ids.sort();
        Ok(ids)
    }
}

/// The fields of `status.json` the merge reads.
#[derive(Debug, Deserialize)]
pub struct StatusIn {
    pub schema: String,
    pub account_id: String,
    pub manifest_sha256: String,
    pub status: StatusKind,
    #[serde(default)]
    pub error: Option<StatusError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusKind {
    Ok,
    Partial,
    Failed,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StatusError {
    pub class: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub help: String,
}

/// The fields of the manifest the merge reads.
#[derive(Debug, Deserialize)]
pub struct ManifestIn {
    pub schema: String,
    #[serde(default)]
    pub organization_id: Option<String>,
    pub accounts: Vec<ManifestAccount>,
    pub sha256: String,
}

#[derive(Debug, Clone, serde::Serialize, Deserialize)]
pub struct ManifestAccount {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// Parses JSON, the error naming the field path.
pub fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path.is_empty() || path == "." {
            inner.to_string()
        } else {
            format!("at `{path}`: {inner}")
        }
    })
}

/// A 12-digit AWS account id.
pub fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}
