//! Which accounts of a manifest one part of a run scans: deterministic, so any engine may run
//! (and retry) the parts in any order, on any machine, without coordination.

use super::model::{Manifest, ManifestAccount, valid_account_id};
use std::fmt;

/// The environment variables an engine sets to a part's 0-based index, in the order read.
pub const INDEX_VARS: [&str; 2] = ["JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"];

/// One part of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shard {
    /// Every account of the manifest.
    All,
    /// Shard `k` of `n` (1-based): the accounts whose 0-based index `i` in the manifest
    /// satisfies `i % n == k - 1`.
    Part { k: usize, n: usize },
    /// One account (engines that hand out one item at a time).
    Account(String),
}

/// A shard specification that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    #[error("--shard `{0}`: expected K/N with 1 <= K <= N, e.g. --shard 2/8")]
    Syntax(String),
    #[error("--shard-count {n}: neither JOB_COMPLETION_INDEX nor AWS_BATCH_JOB_ARRAY_INDEX is set")]
    NoIndex { n: usize },
    #[error("{var}=`{value}`: expected a 0-based index below --shard-count {n}")]
    BadIndex {
        var: &'static str,
        value: String,
        n: usize,
    },
    #[error("--shard-count must be at least 1")]
    ZeroCount,
    #[error("--account `{0}` is not an AWS account id (12 digits)")]
    BadAccount(String),
    #[error("--account {id} is not in the manifest {manifest}")]
    NotInManifest { id: String, manifest: String },
}

impl ShardError {
    pub fn hint(&self) -> String {
        match self {
            ShardError::NoIndex { .. } | ShardError::BadIndex { .. } => {
                "--shard-count is for Kubernetes Indexed Jobs and AWS Batch array jobs, which set the index; elsewhere give --shard K/N".into()
            }
            ShardError::NotInManifest { .. } => {
                "give an id from the manifest's `accounts`, or run `mlguard org plan` again".into()
            }
            _ => "see `mlguard org scan --help`".into(),
        }
    }
}

impl Shard {
    /// `K/N`, 1-based.
    pub fn parse_part(text: &str) -> Result<Shard, ShardError> {
        let bad = || ShardError::Syntax(text.to_string());
        let (k, n) = text.trim().split_once('/').ok_or_else(bad)?;
        let k: usize = k.trim().parse().map_err(|_| bad())?;
        let n: usize = n.trim().parse().map_err(|_| bad())?;
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard::Part { k, n })
    }

    /// `--shard-count N` with the index from the first of [`INDEX_VARS`] that is set
    /// (through `env`, so tests need not touch the process environment).
    pub fn from_index_env(
        n: usize,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Shard, ShardError> {
        if n == 0 {
            return Err(ShardError::ZeroCount);
        }
        for var in INDEX_VARS {
            if let Some(value) = env(var).filter(|v| !v.trim().is_empty()) {
                let index: usize = value.trim().parse().map_err(|_| ShardError::BadIndex {
                    var,
                    value: value.clone(),
                    n,
                })?;
                if index >= n {
                    return Err(ShardError::BadIndex { var, value, n });
                }
                return Ok(Shard::Part { k: index + 1, n });
            }
        }
        Err(ShardError::NoIndex { n })
    }

    /// `--account ID`.
    pub fn account(id: &str) -> Result<Shard, ShardError> {
        if !valid_account_id(id) {
            return Err(ShardError::BadAccount(id.to_string()));
        }
        Ok(Shard::Account(id.to_string()))
    }

    /// This part's accounts, in manifest order. `--account` must name a manifest account.
    pub fn select<'m>(
        &self,
        manifest: &'m Manifest,
        manifest_name: &str,
    ) -> Result<Vec<&'m ManifestAccount>, ShardError> {
        Ok(match self {
            Shard::All => manifest.accounts.iter().collect(),
            Shard::Part { k, n } => manifest
                .accounts
                .iter()
                .enumerate()
                .filter(|(i, _)| i % n == k - 1)
                .map(|(_, a)| a)
                .collect(),
            Shard::Account(id) => {
                vec![
                    manifest
                        .account(id)
                        .ok_or_else(|| ShardError::NotInManifest {
                            id: id.clone(),
                            manifest: manifest_name.to_string(),
                        })?,
                ]
            }
        })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shard::All => f.write_str("all accounts"),
            Shard::Part { k, n } => write!(f, "shard {k}/{n}"),
            Shard::Account(id) => write!(f, "account {id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::model::{ManifestAccount, ManifestSource};

    fn manifest(n: usize) -> Manifest {
        Manifest::new(
            ManifestSource::Accounts,
            None,
            (0..n)
                .map(|i| ManifestAccount::new(format!("{:012}", 100_000_000_000u64 + i as u64)))
                .collect(),
            chrono::DateTime::UNIX_EPOCH,
        )
        .expect("valid")
    }

    #[test]
    fn parts_cover_every_account_exactly_once() {
        let m = manifest(41);
        for n in 1..=7 {
            let mut seen: Vec<&str> = Vec::new();
            for k in 1..=n {
                let part = Shard::parse_part(&format!("{k}/{n}")).expect("valid");
                let ids = part.select(&m, "m").expect("selects");
                assert!(ids.len().abs_diff(41 / n) <= 1, "{k}/{n}: {}", ids.len());
                seen.extend(ids.iter().map(|a| a.id.as_str()));
            }
            seen.sort_unstable();
            let all: Vec<&str> = m.accounts.iter().map(|a| a.id.as_str()).collect();
            assert_eq!(seen, all, "n = {n}");
        }
    }

    #[test]
    fn assignment_is_index_modulo_n() {
        let m = manifest(5);
        let ids: Vec<&str> = Shard::Part { k: 2, n: 2 }
            .select(&m, "m")
            .expect("selects")
            .iter()
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(ids, [m.accounts[1].id.as_str(), m.accounts[3].id.as_str()]);
    }

    #[test]
    fn bad_parts_are_refused() {
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", ""] {
            assert!(Shard::parse_part(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn index_from_the_engines_variables() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            Shard::from_index_env(4, env(&[("JOB_COMPLETION_INDEX", "0")])),
            Ok(Shard::Part { k: 1, n: 4 })
        );
        assert_eq!(
            Shard::from_index_env(4, env(&[("AWS_BATCH_JOB_ARRAY_INDEX", "3")])),
            Ok(Shard::Part { k: 4, n: 4 })
        );
        assert!(matches!(
            Shard::from_index_env(4, env(&[("AWS_BATCH_JOB_ARRAY_INDEX", "4")])),
            Err(ShardError::BadIndex { .. })
        ));
        assert_eq!(
            Shard::from_index_env(4, env(&[])),
            Err(ShardError::NoIndex { n: 4 })
        );
        assert_eq!(
            Shard::from_index_env(0, env(&[])),
            Err(ShardError::ZeroCount)
        );
    }

    #[test]
    fn one_account_must_be_in_the_manifest() {
        let m = manifest(3);
        let id = m.accounts[2].id.clone();
        let one = Shard::account(&id).expect("valid");
        assert_eq!(one.select(&m, "m").expect("in it")[0].id, id);
        assert!(matches!(
            Shard::account("999999999999")
                .expect("valid")
                .select(&m, "m"),
            Err(ShardError::NotInManifest { .. })
        ));
        assert!(Shard::account("12").is_err());
    }
}
