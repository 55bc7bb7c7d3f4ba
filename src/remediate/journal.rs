//! The write-ahead journal: JSON lines, each record flushed and fsync'd before the call it
//! announces is made (and again once it answered). A crash leaves at worst a `begin`
//! without its `done`; rollback reads the live state for those, so it does not matter whether
//! the call happened.

use super::model::{Aspect, Op};
use super::plan::Action;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// Which command wrote a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Apply,
    Rollback,
}

/// Why an action was not called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The aspect already had the `after` value.
    AlreadyDone,
    /// The aspect had neither the `before` nor the `after` value: changed since planning.
    Drift,
    /// A resource the action needs does not exist (an earlier action was skipped or failed).
    Unresolved,
    /// Rollback: the aspect already has the recorded value.
    AlreadyRestored,
    /// Rollback: the aspect changed since the apply and `--force` was not given.
    ChangedSince,
    /// Rollback: the aspect cannot be put back (a deleted resource).
    NotRestorable,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::AlreadyDone => "already done",
            SkipReason::Drift => "drift",
            SkipReason::Unresolved => "unresolved reference",
            SkipReason::AlreadyRestored => "already restored",
            SkipReason::ChangedSince => "changed since",
            SkipReason::NotRestorable => "not restorable",
        }
    }
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    /// The first line: what ran, for which account.
    Start {
        time: String,
        phase: Phase,
        account_id: String,
        tool_version: String,
        /// `remediate`, `harden` or `teardown`.
        plan_kind: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stack: Option<String>,
    },
    /// Written (and synced) before the call. `action` has every placeholder resolved;
    /// `observed` is the aspect's live value just before the call: what rollback restores.
    Begin {
        time: String,
        phase: Phase,
        action: Box<Action>,
        observed: Value,
    },
    /// The call answered; `result` holds what it created (`{"id": ...}`).
    Done {
        time: String,
        phase: Phase,
        action_id: String,
        result: Value,
    },
    /// The call failed: AWS's error.
    Failed {
        time: String,
        phase: Phase,
        action_id: String,
        error: String,
    },
    /// The action was not called.
    Skipped {
        time: String,
        phase: Phase,
        action_id: String,
        reason: SkipReason,
        #[serde(default)]
        observed: Value,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        detail: String,
    },
    /// The last line of a run that finished (a crashed run has none).
    End {
        time: String,
        phase: Phase,
        summary: Value,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("journal {} already exists", path.display())]
    Exists { path: PathBuf },
    #[error("cannot write journal {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read journal {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}: not a journal record: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{}: empty journal (no start record)", path.display())]
    Empty { path: PathBuf },
}

impl JournalError {
    pub fn hint(&self) -> String {
        match self {
            JournalError::Exists { .. } => {
                "journals are never overwritten: pass another --journal FILE".into()
            }
            JournalError::Write { .. } => {
                "nothing was changed: the journal must be written before any call; check the directory".into()
            }
            JournalError::Read { .. } | JournalError::Empty { .. } => {
                "pass the journal `mlguard remediate --apply` (or harden, teardown) wrote".into()
            }
            JournalError::Invalid { .. } => {
                "the journal was edited or is not an mlguard journal".into()
            }
        }
    }
}

/// An open journal, appended to record by record.
pub struct Journal {
    path: PathBuf,
    file: File,
}

/// Now, RFC 3339 UTC with milliseconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Journal {
    /// Creates a new journal; refuses to overwrite one. It records the account's resources
    /// and their values before and after each change: owner-only, like every file of account
    /// data (`crate::io::Access::AccountData`).
    pub fn create(path: &Path) -> Result<Journal, JournalError> {
        let file = crate::io::open_options(crate::io::Access::AccountData)
            .map_err(|source| JournalError::Write {
                path: path.to_path_buf(),
                source,
            })?
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|source| {
                if source.kind() == std::io::ErrorKind::AlreadyExists {
                    JournalError::Exists {
                        path: path.to_path_buf(),
                    }
                } else {
                    JournalError::Write {
                        path: path.to_path_buf(),
                        source,
                    }
                }
            })?;
        // The new directory entry must survive a crash too.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(d) = File::open(dir)
        {
            let _ = d.sync_all();
        }
        Ok(Journal {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Opens an existing journal to append to it (rollback records go after the apply's).
    pub fn append_to(path: &Path) -> Result<Journal, JournalError> {
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|source| JournalError::Write {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(Journal {
            path: path.to_path_buf(),
            file,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record and syncs it to disk before returning.
    pub fn write(&mut self, record: &Record) -> Result<(), JournalError> {
        let mut line = serde_json::to_vec(record).map_err(|e| JournalError::Write {
            path: self.path.clone(),
            source: std::io::Error::other(e),
        })?;
        line.push(b'\n');
        let err = |source| JournalError::Write {
            path: self.path.clone(),
            source,
        };
        self.file.write_all(&line).map_err(err)?;
        self.file.flush().map_err(err)?;
        self.file.sync_data().map_err(err)
    }
}

/// Reads every record. A last line cut short by a crash is left out; any other bad line is
/// an error.
pub fn read(path: &Path) -> Result<Vec<Record>, JournalError> {
    let file = File::open(path).map_err(|source| JournalError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let lines: Vec<String> = BufReader::new(file)
        .lines()
        .collect::<Result<_, _>>()
        .map_err(|source| JournalError::Read {
            path: path.to_path_buf(),
            source,
        })?;
    let mut out = Vec::new();
    let last = lines.len();
    for (n, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Record>(line) {
            Ok(r) => out.push(r),
            Err(_) if n + 1 == last => {
                tracing::warn!(
                    "{}: the last line is incomplete (a crash while writing it); ignored",
                    path.display()
                );
            }
            Err(e) => {
                return Err(JournalError::Invalid {
                    path: path.to_path_buf(),
                    line: n + 1,
                    message: e.to_string(),
                });
            }
        }
    }
    if !matches!(out.first(), Some(Record::Start { .. })) {
        return Err(JournalError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(out)
}

/// What rollback needs of an applied action: the action as called (placeholders resolved),
/// the value it found, and whether the call is known to have answered.
#[derive(Debug, Clone)]
pub struct Applied {
    pub action: Action,
    pub aspect: Aspect,
    pub op: Op,
    pub observed: Value,
    /// `Some(true)`: done; `Some(false)`: failed; `None`: no answer recorded (a crash).
    pub answered: Option<bool>,
}

/// The actions an apply began, in the order it began them.
pub fn applied(records: &[Record]) -> Vec<Applied> {
    let mut out: Vec<Applied> = Vec::new();
    for r in records {
        match r {
            Record::Begin {
                phase: Phase::Apply,
                action,
                observed,
                ..
            } => {
                if let (Some(aspect), Some(op)) = (&action.aspect, &action.op) {
                    out.push(Applied {
                        action: (**action).clone(),
                        aspect: aspect.clone(),
                        op: op.clone(),
                        observed: observed.clone(),
                        answered: None,
                    });
                }
            }
            Record::Done {
                phase: Phase::Apply,
                action_id,
                ..
            } => {
                if let Some(a) = out.iter_mut().rev().find(|a| &a.action.id == action_id) {
                    a.answered = Some(true);
                }
            }
            Record::Failed {
                phase: Phase::Apply,
                action_id,
                ..
            } => {
                if let Some(a) = out.iter_mut().rev().find(|a| &a.action.id == action_id) {
                    a.answered = Some(false);
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_a_torn_last_line_is_ignored() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("j.jsonl");
        let mut j = Journal::create(&path).expect("create");
        assert!(matches!(
            Journal::create(&path),
            Err(JournalError::Exists { .. })
        ));
        let start = Record::Start {
            time: now(),
            phase: Phase::Apply,
            account_id: "123456789012".into(),
            tool_version: "0".into(),
            plan_kind: "remediate".into(),
            stack: None,
        };
        j.write(&start).expect("write");
        j.write(&Record::Done {
            time: now(),
            phase: Phase::Apply,
            action_id: "a".into(),
            result: Value::Null,
        })
        .expect("write");
        drop(j);
        let mut text = std::fs::read_to_string(&path).expect("read");
        text.push_str("{\"record\": \"begin\", \"ti");
        std::fs::write(&path, text).expect("write");
        let records = read(&path).expect("read");
        assert_eq!(records.len(), 2);
        assert_eq!(records[0], start);
    }
}
