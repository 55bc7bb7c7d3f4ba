//! Every account of an AWS Organization (`mlguard org`).
//!
//! The account is the unit of work and of failure. `org plan` writes a manifest (the
//! accounts, sorted and hashed); `org scan` assumes a read-only member role in each account
//! of its share, collects and audits exactly as `scan` does, and writes
//! `OUT/accounts/<id>/{snapshot,report,status}.json`, `status.json` last as the commit
//! marker; `org merge` streams the parts into org-wide reports.
//!
//! [`model`], [`shard`] and the local half of [`store`] are pure and build without the `aws`
//! feature.

pub mod merge;
pub mod model;
#[cfg(feature = "aws")]
pub mod plan;
#[cfg(feature = "aws")]
pub mod scan;
#[cfg(feature = "aws")]
pub mod securityhub;
pub mod shard;
pub mod store;

pub use model::{
    AccountStatus, ErrorClass, Manifest, ManifestAccount, ManifestSource, SeverityCounts,
    StatusError, StatusKind, layout,
};
pub use shard::{Shard, ShardError};
pub use store::{Location, Store, StoreError};

/// What stops an `org` command as a whole (exit 2). What goes wrong in one account is
/// recorded in its `status.json` instead, and never stops the others.
#[derive(Debug, thiserror::Error)]
pub enum OrgError {
    #[error(transparent)]
    Model(#[from] model::ModelError),
    #[error(transparent)]
    Shard(#[from] ShardError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot read the accounts file {path}: {source}")]
    AccountsFile {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: `{text}` is not an AWS account id (12 digits)")]
    AccountsFileLine {
        path: String,
        line: usize,
        text: String,
    },
    #[error("--{flag} `{id}` is not an AWS account id (12 digits)")]
    BadAccountArg { flag: &'static str, id: String },
    #[error("organizations:{operation} failed ({code}): {message}")]
    Organizations {
        operation: &'static str,
        code: String,
        message: String,
    },
    #[error("--ou `{0}` is not an organizational unit or root id (ou-xxxx-xxxxxxxx or r-xxxx)")]
    BadOu(String),
    #[error("no account left to scan: {0}")]
    NoAccounts(String),
    #[error(
        "{location} holds the output of another manifest (sha256 {found}, this one is {expected})"
    )]
    OtherManifest {
        location: String,
        found: String,
        expected: String,
    },
    #[error("--member-role `{0}` is not an IAM role name (or path/name)")]
    BadRoleName(String),
}

impl OrgError {
    pub fn hint(&self) -> String {
        match self {
            OrgError::Model(e) => e.hint(),
            OrgError::Shard(e) => e.hint(),
            OrgError::Store(e) => e.hint(),
            OrgError::AccountsFile { .. } => "check the path given to --accounts-file".into(),
            OrgError::AccountsFileLine { .. } | OrgError::BadAccountArg { .. } => {
                "account ids are the 12 digits of the account, e.g. 111122223333".into()
            }
            OrgError::Organizations { code, .. }
                if code.contains("AccessDenied") || code == "AWSOrganizationsNotInUseException" =>
            {
                "run `org plan` in the management account or a delegated administrator account (organizations:ListAccounts, ListAccountsForParent, ListOrganizationalUnitsForParent, DescribeOrganization), or give the accounts with --accounts/--accounts-file".into()
            }
            OrgError::Organizations { code, .. } if code.contains("ParentNotFound") => {
                "`aws organizations list-roots` and `list-organizational-units-for-parent` show the ids".into()
            }
            OrgError::Organizations { .. } => {
                "check the credentials and the region, or give the accounts with --accounts/--accounts-file".into()
            }
            OrgError::BadOu(_) => {
                "`aws organizations list-organizational-units-for-parent` shows the ids".into()
            }
            OrgError::NoAccounts(_) => {
                "check --ou and --exclude; suspended and closed accounts are never listed".into()
            }
            OrgError::OtherManifest { .. } => {
                "give every part of a run the same manifest; start a new run in a new --out".into()
            }
            OrgError::BadRoleName(_) => {
                "give the role's name (mlguard-scan), not its ARN: mlguard builds arn:aws:iam::<id>:role/NAME per account".into()
            }
        }
    }
}

/// Reads and checks a manifest (a file or `s3://bucket/key`).
pub fn parse_manifest(bytes: &[u8], location: &Location) -> Result<Manifest, OrgError> {
    Ok(Manifest::from_slice(bytes, &location.to_string())?)
}
