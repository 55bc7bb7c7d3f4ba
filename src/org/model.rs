//! The files `mlguard org` reads and writes: the manifest (which accounts), and per account the
//! `status.json` commit marker, with the output layout that places them.
//!
//! Pure: no AWS, no I/O beyond what the caller hands in, so `org merge` and the tests use it
//! without the `aws` feature.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The manifest's schema id.
pub const MANIFEST_SCHEMA: &str = "mlguard-org-manifest/v1";
/// The status file's schema id.
pub const STATUS_SCHEMA: &str = "mlguard-org-status/v1";

/// Where each file lives under an output location (a directory or `s3://bucket/prefix`).
/// Keys are relative and always use `/`.
pub mod layout {
    /// The copy of the manifest every part of a run writes (the same bytes; `org merge` reads
    /// it to know which accounts are missing).
    pub const MANIFEST: &str = "manifest.json";
    /// The directory of per-account outputs.
    pub const ACCOUNTS: &str = "accounts";
    pub const SNAPSHOT: &str = "snapshot.json";
    pub const REPORT: &str = "report.json";
    pub const STATUS: &str = "status.json";

    /// `accounts/<id>`.
    pub fn account_dir(id: &str) -> String {
        format!("{ACCOUNTS}/{id}")
    }
    /// `accounts/<id>/snapshot.json`: the snapshot as `collect` writes it.
    pub fn snapshot(id: &str) -> String {
        format!("{ACCOUNTS}/{id}/{SNAPSHOT}")
    }
    /// `accounts/<id>/report.json`: the JSON report as `audit --format json` writes it.
    pub fn report(id: &str) -> String {
        format!("{ACCOUNTS}/{id}/{REPORT}")
    }
    /// `accounts/<id>/status.json`: written last, the commit marker.
    pub fn status(id: &str) -> String {
        format!("{ACCOUNTS}/{id}/{STATUS}")
    }
    /// `accounts/<id>/<name>`: another per-account file (an extra `--format` report).
    pub fn account_file(id: &str, name: &str) -> String {
        format!("{ACCOUNTS}/{id}/{name}")
    }
}

/// What is wrong with a manifest or status file.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{name}: not a valid {what}: {source}")]
    Json {
        name: String,
        what: &'static str,
        source: serde_path_to_error::Error<serde_json::Error>,
    },
    #[error("{name}: schema is `{found}`, expected `{expected}`")]
    Schema {
        name: String,
        found: String,
        expected: &'static str,
    },
    #[error("{name}: `{id}` is not an AWS account id (12 digits)")]
    BadAccountId { name: String, id: String },
    #[error("{name}: accounts are not sorted by id and unique (at `{id}`)")]
    Unsorted { name: String, id: String },
    #[error("{name}: sha256 is {found}, but the accounts hash to {computed}: the file was edited")]
    Hash {
        name: String,
        found: String,
        computed: String,
    },
    #[error("{name}: the manifest lists no account")]
    Empty { name: String },
}

impl ModelError {
    pub fn hint(&self) -> String {
        match self {
            ModelError::Json { .. } | ModelError::Schema { .. } => {
                "write the manifest with `mlguard org plan`; `mlguard schema org-manifest` prints its JSON Schema".into()
            }
            ModelError::BadAccountId { .. } => {
                "account ids are the 12 digits of the account, e.g. 111122223333".into()
            }
            ModelError::Unsorted { .. } | ModelError::Hash { .. } => {
                "do not edit a manifest by hand: run `mlguard org plan` again (with --accounts, --exclude or --ou to change the list)".into()
            }
            ModelError::Empty { .. } => {
                "check --ou/--exclude, or give the accounts with --accounts/--accounts-file".into()
            }
        }
    }
}

/// Whether `id` is an AWS account id: exactly 12 ASCII digits.
pub fn valid_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// Where the manifest's accounts came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ManifestSource {
    /// organizations:ListAccounts (or ListAccountsForParent under `--ou`).
    Organizations,
    /// `--accounts` / `--accounts-file`.
    Accounts,
}

/// One account to scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManifestAccount {
    /// The 12-digit account id.
    pub id: String,
    /// The account's name in the organization.
    pub name: Option<String>,
    /// The account's root email address.
    pub email: Option<String>,
    /// The organizational unit (or root) the account was listed under with `--ou`.
    pub ou: Option<String>,
}

impl ManifestAccount {
    pub fn new(id: impl Into<String>) -> ManifestAccount {
        ManifestAccount {
            id: id.into(),
            name: None,
            email: None,
            ou: None,
        }
    }
}

/// The accounts a run scans: written once by `org plan`, read by every shard (which never
/// list the organization again). `sha256` identifies the list: every shard's `status.json`
/// carries it, and `org merge` refuses parts of different manifests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always `mlguard-org-manifest/v1`.
    pub schema: String,
    /// When `org plan` wrote it (RFC 3339, UTC).
    pub created_at: String,
    pub source: ManifestSource,
    /// The organization's id (`o-...`) when listed from AWS Organizations.
    pub organization_id: Option<String>,
    /// Sorted by id, unique, active accounts only.
    pub accounts: Vec<ManifestAccount>,
    /// Hex sha256 of the canonical JSON of `accounts` (compact, fields in the order above).
    pub sha256: String,
}

impl Manifest {
    /// A manifest of these accounts: sorted by id, duplicates dropped (the first kept),
    /// hashed. Ids are checked.
    pub fn new(
        source: ManifestSource,
        organization_id: Option<String>,
        mut accounts: Vec<ManifestAccount>,
        created_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Manifest, ModelError> {
        for a in &accounts {
            if !valid_account_id(&a.id) {
                return Err(ModelError::BadAccountId {
                    name: "manifest".into(),
                    id: a.id.clone(),
                });
            }
        }
        accounts.sort_by(|a, b| a.id.cmp(&b.id));
        accounts.dedup_by(|later, first| later.id == first.id);
        let sha256 = accounts_sha256(&accounts);
        Ok(Manifest {
            schema: MANIFEST_SCHEMA.to_string(),
            created_at: created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            source,
            organization_id,
            accounts,
            sha256,
        })
    }

    /// Parses and checks a manifest: schema id, account ids, order, and the hash. `name`
    /// names the file in errors.
    pub fn from_slice(bytes: &[u8], name: &str) -> Result<Manifest, ModelError> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let manifest: Manifest =
            serde_path_to_error::deserialize(&mut de).map_err(|source| ModelError::Json {
                name: name.to_string(),
                what: "mlguard manifest",
                source,
            })?;
        manifest.check(name)?;
        Ok(manifest)
    }

    /// The checks [`Manifest::from_slice`] makes after parsing.
    pub fn check(&self, name: &str) -> Result<(), ModelError> {
        if self.schema != MANIFEST_SCHEMA {
            return Err(ModelError::Schema {
                name: name.to_string(),
                found: self.schema.clone(),
                expected: MANIFEST_SCHEMA,
            });
        }
        let mut previous: Option<&str> = None;
        for a in &self.accounts {
            if !valid_account_id(&a.id) {
                return Err(ModelError::BadAccountId {
                    name: name.to_string(),
                    id: a.id.clone(),
                });
            }
            if previous.is_some_and(|p| p >= a.id.as_str()) {
                return Err(ModelError::Unsorted {
                    name: name.to_string(),
                    id: a.id.clone(),
                });
            }
            previous = Some(&a.id);
        }
        let computed = accounts_sha256(&self.accounts);
        if computed != self.sha256 {
            return Err(ModelError::Hash {
                name: name.to_string(),
                found: self.sha256.clone(),
                computed,
            });
        }
        if self.accounts.is_empty() {
            return Err(ModelError::Empty {
                name: name.to_string(),
            });
        }
        Ok(())
    }

    /// Pretty JSON with a final newline: the bytes `org plan` writes.
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// The account with this id.
    pub fn account(&self, id: &str) -> Option<&ManifestAccount> {
        self.accounts
            .binary_search_by(|a| a.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.accounts[i])
    }
}

/// Hex sha256 of the canonical JSON of the accounts: compact, each object's fields in the
/// order `id, name, email, ou`, `null` for absent ones.
pub fn accounts_sha256(accounts: &[ManifestAccount]) -> String {
    let canonical = serde_json::to_vec(accounts).unwrap_or_default();
    sha256_hex(&canonical)
}

/// Hex sha256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for b in &digest {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

/// The JSON Schema of the manifest (`mlguard schema org-manifest`).
pub fn manifest_json_schema() -> serde_json::Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(Manifest)).unwrap_or_default();
    if let Some(obj) = schema.as_object_mut() {
        obj.insert(
            "$id".into(),
            "https://mlguard.dev/schemas/org-manifest-v1.json".into(),
        );
        obj.insert(
            "title".into(),
            format!("mlguard organization manifest, schema {MANIFEST_SCHEMA}").into(),
        );
        if let Some(props) = obj.get_mut("properties").and_then(|p| p.as_object_mut()) {
            props.insert(
                "schema".into(),
                serde_json::json!({"const": MANIFEST_SCHEMA, "description": "Always mlguard-org-manifest/v1."}),
            );
            props.insert(
                "sha256".into(),
                serde_json::json!({"type": "string", "pattern": "^[0-9a-f]{64}$",
                    "description": "Hex sha256 of the canonical JSON of `accounts` (compact, fields in the order id, name, email, ou)."}),
            );
        }
        if let Some(account) = obj
            .get_mut("$defs")
            .and_then(|d| d.get_mut("ManifestAccount"))
            .and_then(|a| a.get_mut("properties"))
            .and_then(|p| p.as_object_mut())
        {
            account.insert(
                "id".into(),
                serde_json::json!({"type": "string", "pattern": "^[0-9]{12}$", "description": "The 12-digit account id."}),
            );
        }
    }
    schema
}

/// How an account's scan ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatusKind {
    /// Collected completely and audited.
    Ok,
    /// Audited, but some calls failed (`gaps` > 0): rules that needed them are not_assessed.
    Partial,
    /// Not audited: `error` says why. No report.json.
    Failed,
}

impl StatusKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusKind::Ok => "ok",
            StatusKind::Partial => "partial",
            StatusKind::Failed => "failed",
        }
    }
}

impl fmt::Display for StatusKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an account failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// AssumeRole into the member role was refused (AccessDenied).
    AssumeRoleDenied,
    /// AssumeRole failed otherwise (network, region, expired hub credentials).
    AssumeRoleFailed,
    /// Throttled past every retry.
    Throttled,
    /// A region to collect is not enabled in the account.
    RegionDisabled,
    /// Collection could not start or finish (credentials rejected, a task failed).
    CollectFailed,
    /// The snapshot could not be audited.
    AuditFailed,
    /// The account's outputs could not be written.
    WriteFailed,
}

impl ErrorClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::AssumeRoleDenied => "assume_role_denied",
            ErrorClass::AssumeRoleFailed => "assume_role_failed",
            ErrorClass::Throttled => "throttled",
            ErrorClass::RegionDisabled => "region_disabled",
            ErrorClass::CollectFailed => "collect_failed",
            ErrorClass::AuditFailed => "audit_failed",
            ErrorClass::WriteFailed => "write_failed",
        }
    }
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed account's error: its class, the message, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StatusError {
    pub class: ErrorClass,
    pub message: String,
    pub help: String,
}

/// Failing, unsuppressed findings per severity.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct SeverityCounts {
    pub critical: u64,
    pub high: u64,
    pub medium: u64,
    pub low: u64,
    pub info: u64,
}

impl SeverityCounts {
    pub fn total(&self) -> u64 {
        self.critical + self.high + self.medium + self.low + self.info
    }

    /// Adds one finding of this severity.
    pub fn add(&mut self, severity: crate::findings::Severity) {
        use crate::findings::Severity;
        match severity {
            Severity::Critical => self.critical += 1,
            Severity::High => self.high += 1,
            Severity::Medium => self.medium += 1,
            Severity::Low => self.low += 1,
            Severity::Info => self.info += 1,
        }
    }

    /// Findings at or above `threshold` (none when `None`).
    pub fn at_or_above(&self, threshold: Option<crate::findings::Severity>) -> u64 {
        use crate::findings::Severity;
        let Some(t) = threshold else { return 0 };
        [
            (Severity::Critical, self.critical),
            (Severity::High, self.high),
            (Severity::Medium, self.medium),
            (Severity::Low, self.low),
            (Severity::Info, self.info),
        ]
        .iter()
        .filter(|(s, _)| *s >= t)
        .map(|(_, n)| n)
        .sum()
    }
}

/// `accounts/<id>/status.json`: written after the snapshot and report, so its presence means
/// the account's outputs are complete (`--resume` and `org merge` trust it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AccountStatus {
    /// Always `mlguard-org-status/v1`.
    pub schema: String,
    pub account_id: String,
    /// The manifest's `sha256`.
    pub manifest_sha256: String,
    /// The policy set and settings the audit ran with (the resume key, with the manifest's).
    pub policy_sha256: String,
    pub status: StatusKind,
    pub started_at: String,
    pub finished_at: String,
    /// Collection gaps (failed calls); `partial` when > 0.
    pub gaps: u64,
    /// Failing, unsuppressed findings per severity.
    pub findings: SeverityCounts,
    /// The overall score (percent), `null` when the account failed.
    pub score: Option<f64>,
    pub error: Option<StatusError>,
}

impl AccountStatus {
    /// Parses a status file; `name` names it in errors.
    pub fn from_slice(bytes: &[u8], name: &str) -> Result<AccountStatus, ModelError> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let status: AccountStatus =
            serde_path_to_error::deserialize(&mut de).map_err(|source| ModelError::Json {
                name: name.to_string(),
                what: "mlguard account status",
                source,
            })?;
        if status.schema != STATUS_SCHEMA {
            return Err(ModelError::Schema {
                name: name.to_string(),
                found: status.schema,
                expected: STATUS_SCHEMA,
            });
        }
        if !valid_account_id(&status.account_id) {
            return Err(ModelError::BadAccountId {
                name: name.to_string(),
                id: status.account_id,
            });
        }
        Ok(status)
    }

    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// Whether `--resume` may skip the account: committed for this manifest and policy set,
    /// and not failed (a failed account is tried again).
    pub fn is_done_for(&self, manifest_sha256: &str, policy_sha256: &str) -> bool {
        self.manifest_sha256 == manifest_sha256
            && self.policy_sha256 == policy_sha256
            && self.status != StatusKind::Failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339("2026-12-05T00:00:00Z")
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_default()
    }

    #[test]
    fn manifest_sorts_dedups_hashes_and_round_trips() {
        let m = Manifest::new(
            ManifestSource::Accounts,
            None,
            vec![
                ManifestAccount::new("222222222222"),
                ManifestAccount::new("111111111111"),
                ManifestAccount::new("222222222222"),
            ],
            at(),
        )
        .expect("valid");
        let ids: Vec<&str> = m.accounts.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["111111111111", "222222222222"]);
        assert_eq!(m.sha256, accounts_sha256(&m.accounts));
        assert_eq!(m.sha256.len(), 64);
        let back = Manifest::from_slice(&m.to_json(), "m.json").expect("reads");
        assert_eq!(back, m);
        assert!(m.account("222222222222").is_some());
        assert!(m.account("333333333333").is_none());
    }

    #[test]
    fn the_hash_is_of_the_canonical_accounts_json() {
        let accounts = vec![ManifestAccount {
            id: "111111111111".into(),
            name: Some("prod".into()),
            email: None,
            ou: Some("ou-ab12-cdef3456".into()),
        }];
        let canonical =
            r#"[{"id":"111111111111","name":"prod","email":null,"ou":"ou-ab12-cdef3456"}]"#;
        assert_eq!(accounts_sha256(&accounts), sha256_hex(canonical.as_bytes()));
    }

    #[test]
    fn an_edited_manifest_is_refused() {
        let m = Manifest::new(
            ManifestSource::Accounts,
            None,
            vec![ManifestAccount::new("111111111111")],
            at(),
        )
        .expect("valid");
        let text = String::from_utf8(m.to_json())
            .expect("utf-8")
            .replace("111111111111", "111111111112");
        let err = Manifest::from_slice(text.as_bytes(), "m.json").expect_err("edited");
        assert!(matches!(err, ModelError::Hash { .. }), "{err}");
        let mut bad = m.clone();
        bad.schema = "other/v9".into();
        let err = Manifest::from_slice(&bad.to_json(), "m.json").expect_err("schema");
        assert!(err.to_string().contains("other/v9"), "{err}");
        assert!(matches!(
            Manifest::new(
                ManifestSource::Accounts,
                None,
                vec![ManifestAccount::new("12345")],
                at()
            ),
            Err(ModelError::BadAccountId { .. })
        ));
        let unsorted = r#"{"schema":"mlguard-org-manifest/v1","created_at":"x","source":"accounts","organization_id":null,
            "accounts":[{"id":"222222222222","name":null,"email":null,"ou":null},{"id":"111111111111","name":null,"email":null,"ou":null}],"sha256":"0"}"#;
        assert!(matches!(
            Manifest::from_slice(unsorted.as_bytes(), "m.json"),
            Err(ModelError::Unsorted { .. })
        ));
    }

    #[test]
    fn status_round_trips_and_resume_needs_both_hashes() {
        let status = AccountStatus {
            schema: STATUS_SCHEMA.into(),
            account_id: "111111111111".into(),
            manifest_sha256: "m".into(),
            policy_sha256: "p".into(),
            status: StatusKind::Partial,
            started_at: "2026-12-05T00:00:00Z".into(),
            finished_at: "2026-12-05T00:00:01Z".into(),
            gaps: 2,
            findings: SeverityCounts {
                high: 1,
                ..SeverityCounts::default()
            },
            score: Some(87.5),
            error: None,
        };
        let back = AccountStatus::from_slice(&status.to_json(), "s.json").expect("reads");
        assert_eq!(back, status);
        assert!(status.is_done_for("m", "p"));
        assert!(!status.is_done_for("m", "other"));
        assert!(!status.is_done_for("other", "p"));
        let failed = AccountStatus {
            status: StatusKind::Failed,
            ..status
        };
        assert!(!failed.is_done_for("m", "p"));
        let json: serde_json::Value = serde_json::from_slice(&failed.to_json()).expect("json");
        assert_eq!(json["status"], "failed");
        assert_eq!(
            serde_json::to_value(ErrorClass::AssumeRoleDenied).expect("json"),
            "assume_role_denied"
        );
    }

    #[test]
    fn layout_paths() {
        assert_eq!(
            layout::snapshot("111111111111"),
            "accounts/111111111111/snapshot.json"
        );
        assert_eq!(
            layout::report("111111111111"),
            "accounts/111111111111/report.json"
        );
        assert_eq!(
            layout::status("111111111111"),
            "accounts/111111111111/status.json"
        );
        assert_eq!(layout::account_dir("111111111111"), "accounts/111111111111");
    }

    #[test]
    fn severity_counts_gate_like_fail_on() {
        use crate::findings::Severity;
        let mut c = SeverityCounts::default();
        c.add(Severity::High);
        c.add(Severity::Low);
        assert_eq!(c.total(), 2);
        assert_eq!(c.at_or_above(Some(Severity::Critical)), 0);
        assert_eq!(c.at_or_above(Some(Severity::High)), 1);
        assert_eq!(c.at_or_above(Some(Severity::Info)), 2);
        assert_eq!(c.at_or_above(None), 0);
    }
}
