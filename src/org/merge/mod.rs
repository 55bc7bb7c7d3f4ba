//! `mlguard org merge`: the parts an `org scan` wrote (one directory or S3 prefix, any number
//! of shards) into org-wide reports.
//!
//! 1. Every `status.json` is read (small): all must name the same manifest (the one in
//!    `OUT/manifest.json` when it is there); accounts are classified ok, partial, failed or
//!    missing. Mixed manifests or a malformed file stop the merge before anything is written
//!    (exit 2, naming the file).
//! 2. The reports stream: one account's `report.json` is read, handed to every writer, and
//!    dropped before the next. Writers keep O(1) per account (a summary) or a bounded set
//!    (SARIF's runs), so memory does not grow with the number of accounts' findings.
//! 3. Every report is finished in a staging file, then all are moved into place (or
//!    uploaded): a failure midway leaves no half-written report.
//!
//! Exit codes: 2 input error > 5 accounts failed or missing > 1 findings at or above
//! `--fail-on` > 0.

pub mod account;
pub mod html;
pub mod layout;
pub mod output;
pub mod writers;

use crate::app::cli::{FailOn, FormatSpec};
use crate::app::{CliError, Io};
use crate::org::StatusKind;
use crate::report::{Ctx, Format};
use account::{Catalog, State, Summary};
use layout::Input;
use output::{OutputError, Target, Upload};
use std::io::Write;
use std::path::PathBuf;
use writers::{OrgWriter, RunInfo, Staged, Totals};

/// Exit code: some accounts failed or are missing (org-contract.md).
pub const ACCOUNTS_INCOMPLETE: u8 = crate::app::exit::ACCOUNTS_INCOMPLETE;

/// `mlguard org merge`.
#[derive(Debug, Clone, clap::Args)]
pub struct MergeArgs {
    /// The `org scan` output: a directory or s3://bucket/prefix.
    #[arg(long = "in", value_name = "DIR|s3://BUCKET/PREFIX")]
    pub input: String,
    /// Report format, optionally with its own destination (a file or s3://bucket/key):
    /// `--format sarif=merged/mlguard.sarif`. Repeatable; at most one without `=`, which goes to
    /// --output or stdout. Formats: table (default), json, sarif (a run per account, at most
    /// 20), ocsf (`ocsf=DIR|s3://...`: JSON lines partitioned region=/accountId=/eventDay=;
    /// without `=`: all events as JSON lines), asff, html.
    #[arg(short, long = "format", value_name = "FORMAT[=FILE]")]
    pub formats: Vec<FormatSpec>,
    /// Write the report without `=FILE` to FILE (or s3://bucket/key) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a failing finding of any account is at or above this severity [default:
    /// high, or `fail_on` in mlguard.toml].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Read settings (`fail_on`) from FILE instead of ./mlguard.toml.
    #[arg(long, value_name = "FILE", env = "MLGUARD_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// `message` names the file (the store's error).
    #[error("{message}")]
    Read { file: String, message: String },
    #[error("{file} is not a valid {what}: {message}")]
    Malformed {
        file: String,
        what: &'static str,
        message: String,
    },
    #[error(
        "{file} was written for manifest {found}, but {expected_from} says manifest {expected}: the parts come from different runs"
    )]
    MixedManifests {
        file: String,
        found: String,
        expected: String,
        expected_from: String,
    },
    #[error("{file}: account {account} is not in the manifest ({manifest})")]
    NotInManifest {
        file: String,
        account: String,
        manifest: String,
    },
    #[error("{file} is missing, but {status} says the account was scanned ({state})")]
    NoReport {
        file: String,
        status: String,
        state: &'static str,
    },
    #[error("{file} is about account {found}, not {expected}")]
    WrongAccount {
        file: String,
        found: String,
        expected: String,
    },
    #[error("nothing to merge under {input}: no manifest.json and no accounts/<id>/ directories")]
    Empty { input: String },
    #[error(transparent)]
    Model(#[from] crate::org::model::ModelError),
    #[error(transparent)]
    Store(#[from] crate::org::StoreError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Policy(#[from] crate::engine::PolicyError),
    #[error("{0}")]
    Usage(String),
}

impl MergeError {
    pub fn hints(&self) -> Vec<String> {
        match self {
            MergeError::Read { .. } => {
                vec!["check --in and that the files are readable (for S3: s3:GetObject and s3:ListBucket)".into()]
            }
            MergeError::Malformed { .. } | MergeError::WrongAccount { .. } => vec![
                "the org scan output is written by `mlguard org scan`; rescan the account (`org scan --account ID`) to rewrite it".into(),
            ],
            MergeError::MixedManifests { .. } | MergeError::NotInManifest { .. } => vec![
                "merge the output of one manifest: give each `org plan` run its own --out directory or prefix".into(),
            ],
            MergeError::NoReport { .. } => vec![
                "rescan the account (`org scan --account ID`): its report was lost after its status was written".into(),
            ],
            MergeError::Empty { .. } => {
                vec!["--in is the --out of `mlguard org scan`".into()]
            }
            MergeError::Output(OutputError::NoS3 { .. }) => {
                vec!["use a release build of mlguard (it has S3 support)".into()]
            }
            MergeError::Output(_) => {
                vec!["check that the destination exists and is writable".into()]
            }
            MergeError::Policy(e) => vec![e.hint()],
            MergeError::Model(e) => vec![
                e.hint(),
                "the org scan output is written by `mlguard org scan`; rescan the account (`org scan --account ID`) to rewrite it".into(),
            ],
            MergeError::Store(e) => vec![e.hint()],
            MergeError::Usage(_) => vec![
                "give each extra format its own destination: `--format table --format sarif=merged/mlguard.sarif`".into(),
            ],
        }
    }
}

/// What to write, resolved from the command line.
pub struct Request {
    pub outputs: Vec<(Format, Target)>,
    pub ctx: Ctx,
    /// `--in`, as given.
    pub input: String,
    /// Most runs one SARIF file holds.
    pub max_runs: usize,
    /// OCSF went without `=DEST` (to `--output` or stdout): one JSON-lines stream, not the
    /// partitioned layout.
    pub ocsf_lines: bool,
}

/// The outputs of `--format`/`--output`: each format once; at most one without a
/// destination (to `--output`, or stdout); table when none is given.
pub fn resolve_outputs(
    formats: &[FormatSpec],
    output: Option<&std::path::Path>,
) -> Result<Vec<(Format, Target)>, MergeError> {
    let specs: Vec<FormatSpec> = if formats.is_empty() {
        vec![FormatSpec {
            format: Format::Table,
            path: None,
        }]
    } else {
        formats.to_vec()
    };
    let mut out: Vec<(Format, Target)> = Vec::new();
    let mut unnamed = 0;
    for spec in &specs {
        if spec.format == Format::Csv {
            return Err(MergeError::Usage(
                "csv (framework evidence) is a single-account format; `org merge` writes table, json, sarif, ocsf, asff and html".into(),
            ));
        }
        if out.iter().any(|(f, _)| *f == spec.format) {
            return Err(MergeError::Usage(format!(
                "--format {} is given twice",
                spec.format.as_str()
            )));
        }
        let target = match &spec.path {
            Some(p) => Target::parse(&p.to_string_lossy()),
            None => {
                unnamed += 1;
                match output {
                    Some(p) => Target::parse(&p.to_string_lossy()),
                    None => Target::Stdout,
                }
            }
        };
        out.push((spec.format, target));
    }
    if unnamed > 1 {
        return Err(MergeError::Usage(
            "more than one --format without =FILE: only one report can go to --output or stdout"
                .into(),
        ));
    }
    Ok(out)
}

fn writer(
    format: Format,
    target: &Target,
    ocsf_lines: bool,
) -> Result<Box<dyn OrgWriter>, OutputError> {
    Ok(match format {
        Format::Table => Box::new(writers::Table::new(target)?),
        Format::Json => Box::new(writers::Json::new(target)?),
        Format::Sarif => Box::new(writers::Sarif::new(target)?),
        Format::Asff => Box::new(writers::Asff::new(target)?),
        Format::Ocsf => Box::new(writers::Ocsf::new(
            target,
            !ocsf_lines && !is_file_like(target),
        )?),
        Format::Html => Box::new(html::Html::new(target)?),
        // Refused by `resolve_outputs`.
        Format::Csv => Box::new(writers::Table::new(target)?),
    })
}

/// An OCSF destination named like a file (`*.jsonl`, `*.json`) gets every event in one
/// file; any other destination is the root of the partitioned layout.
fn is_file_like(target: &Target) -> bool {
    let name = match target {
        Target::Local(p) => p.to_string_lossy().into_owned(),
        Target::S3(url) => url.clone(),
        Target::Stdout => return true,
    };
    name.ends_with(".jsonl") || name.ends_with(".json") || name.ends_with(".ndjson")
}

struct Classified {
    parts: Vec<Part>,
    manifest: Option<crate::org::Manifest>,
    /// The manifest hash every status.json names.
    agreed: Option<String>,
}

/// One account as the status files classify it.
struct Part {
    id: String,
    name: Option<String>,
    state: State,
}

/// Reads the manifest copy and every status.json: the accounts to merge, in id order.
fn classify(input: &dyn Input, err: &mut dyn Write) -> Result<Classified, MergeError> {
    let manifest = match input
        .read(layout::MANIFEST)
        .map_err(|message| MergeError::Read {
            file: input.display(layout::MANIFEST),
            message,
        })? {
        Some(bytes) => Some(crate::org::Manifest::from_slice(
            &bytes,
            &input.display(layout::MANIFEST),
        )?),
        None => None,
    };
    let dirs = input.account_dirs().map_err(|message| MergeError::Read {
        file: input.display("accounts/"),
        message,
    })?;
    let mut names: std::collections::BTreeMap<String, Option<String>> = Default::default();
    if let Some(m) = &manifest {
        for a in &m.accounts {
            names.insert(a.id.clone(), a.name.clone());
        }
    }
    for dir in dirs {
        if !layout::is_account_id(&dir) {
            let _ = writeln!(
                err,
                "warning: {} is not an account directory (not 12 digits): ignored",
                input.display(&format!("accounts/{dir}"))
            );
            continue;
        }
        if let Some(m) = &manifest
            && !names.contains_key(&dir)
        {
            return Err(MergeError::NotInManifest {
                file: input.display(&format!("accounts/{dir}")),
                account: dir,
                manifest: m.sha256.clone(),
            });
        }
        names.entry(dir).or_insert(None);
    }
    if manifest.is_none() && names.is_empty() {
        return Err(MergeError::Empty {
            input: input.display(""),
        });
    }
    // The manifest every part must name: the copy's, else the first status read.
    let mut expected: Option<(String, String)> = manifest
        .as_ref()
        .map(|m| (m.sha256.clone(), input.display(layout::MANIFEST)));
    let mut parts = Vec::with_capacity(names.len());
    for (id, name) in names {
        let rel = layout::status_path(&id);
        let file = input.display(&rel);
        let Some(bytes) = input.read(&rel).map_err(|message| MergeError::Read {
            file: file.clone(),
            message,
        })?
        else {
            parts.push(Part {
                id,
                name,
                state: State::Missing,
            });
            continue;
        };
        let status = crate::org::AccountStatus::from_slice(&bytes, &file)?;
        if status.account_id != id {
            return Err(MergeError::WrongAccount {
                file,
                found: status.account_id,
                expected: id,
            });
        }
        match &expected {
            Some((sha, from)) if *sha != status.manifest_sha256 => {
                return Err(MergeError::MixedManifests {
                    file,
                    found: status.manifest_sha256,
                    expected: sha.clone(),
                    expected_from: from.clone(),
                });
            }
            Some(_) => {}
            None => expected = Some((status.manifest_sha256.clone(), file.clone())),
        }
        let state = match status.status {
            StatusKind::Ok => State::Ok,
            StatusKind::Partial => State::Partial,
            StatusKind::Failed => match status.error {
                Some(e) => State::Failed {
                    class: e.class.as_str().to_string(),
                    message: e.message,
                    help: e.help,
                },
                None => State::Failed {
                    class: "unknown".into(),
                    message: "status.json says failed but gives no error".into(),
                    help: "rescan the account (`org scan --account ID`)".into(),
                },
            },
        };
        parts.push(Part { id, name, state });
    }
    let agreed = expected.map(|(sha, _)| sha);
    Ok(Classified {
        parts,
        manifest,
        agreed,
    })
}

/// Merges the parts under `input` into the requested reports; returns the exit code.
pub fn merge(
    input: &dyn Input,
    upload: Option<&dyn Upload>,
    req: &Request,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<u8, MergeError> {
    let Classified {
        parts,
        manifest,
        agreed,
    } = classify(input, stderr)?;
    let info = RunInfo {
        ctx: req.ctx.clone(),
        input: req.input.clone(),
        manifest_sha256: manifest.as_ref().map(|m| m.sha256.clone()).or(agreed),
        organization_id: manifest.as_ref().and_then(|m| m.organization_id.clone()),
        manifest_read: manifest.is_some(),
        max_runs: req.max_runs,
    };
    let catalog = Catalog::builtin()?;
    let mut writers: Vec<Box<dyn OrgWriter>> = req
        .outputs
        .iter()
        .map(|(format, target)| writer(*format, target, req.ocsf_lines))
        .collect::<Result<_, _>>()?;
    let mut summaries: Vec<Summary> = Vec::with_capacity(parts.len());
    let mut totals = Totals::default();
    for part in parts {
        let summary = if part.state.has_report() {
            let rel = layout::report_path(&part.id);
            let file = input.display(&rel);
            let bytes = input
                .read(&rel)
                .map_err(|message| MergeError::Read {
                    file: file.clone(),
                    message,
                })?
                .ok_or_else(|| MergeError::NoReport {
                    file: file.clone(),
                    status: input.display(&layout::status_path(&part.id)),
                    state: part.state.as_str(),
                })?;
            let report = account::parse_report(&bytes, &catalog).map_err(|message| {
                MergeError::Malformed {
                    file: file.clone(),
                    what: "mlguard JSON report",
                    message,
                }
            })?;
            drop(bytes);
            if report.metadata.account_id != part.id {
                return Err(MergeError::WrongAccount {
                    file,
                    found: report.metadata.account_id.clone(),
                    expected: part.id,
                });
            }
            let summary =
                Summary::of_report(&part.id, part.name, part.state, &report, req.ctx.fail_on);
            for w in &mut writers {
                w.account(&summary, Some(&report), &info)?;
            }
            summary
        } else {
            let summary = Summary::without_report(&part.id, part.name, part.state);
            for w in &mut writers {
                w.account(&summary, None, &info)?;
            }
            summary
        };
        totals.add(&summary);
        summaries.push(summary);
    }
    summaries.sort_by(Summary::worst_first);
    let mut notes = Vec::new();
    let staged: Vec<Staged> = writers
        .into_iter()
        .map(|w| w.finish(&summaries, &totals, &info, &mut notes))
        .collect::<Result<_, _>>()?;
    // Every report is complete: now put them in place.
    for s in staged {
        match s {
            Staged::File(f) => f.commit(stdout, upload)?,
            Staged::Dir(d) => d.commit(upload)?,
        }
    }
    for note in &notes {
        let _ = writeln!(stderr, "warning: {note}");
    }
    write_summary(stderr, &summaries, &totals, &info);
    Ok(exit_code(&totals))
}

/// 5 when an account failed or is missing, else 1 when findings gate, else 0.
pub fn exit_code(totals: &Totals) -> u8 {
    if totals.failed_accounts + totals.missing_accounts > 0 {
        ACCOUNTS_INCOMPLETE
    } else if totals.gating > 0 {
        crate::app::exit::FINDINGS
    } else {
        crate::app::exit::OK
    }
}

/// The run's outcome on stderr: counts, then every failed account with its reason and hint,
/// and the missing ones.
fn write_summary(err: &mut dyn Write, worst_first: &[Summary], totals: &Totals, info: &RunInfo) {
    let _ = writeln!(
        err,
        "mlguard org merge: {} accounts: {} ok, {} partial, {} failed, {} missing; {} failing findings{}",
        totals.accounts,
        totals.ok,
        totals.partial,
        totals.failed_accounts,
        totals.missing_accounts,
        totals.failed,
        match info.ctx.fail_on {
            Some(t) => format!(", {} at or above {t}", totals.gating),
            None => String::new(),
        }
    );
    for s in worst_first {
        match &s.state {
            State::Failed {
                class,
                message,
                help,
            } => {
                let _ = writeln!(err, "error: account {} failed: {class}: {message}", s.id);
                if !help.is_empty() {
                    let _ = writeln!(err, "  help: {help}");
                }
            }
            State::Missing => {
                let _ = writeln!(
                    err,
                    "error: account {} is missing: no status.json{}",
                    s.id,
                    if info.manifest_read {
                        ""
                    } else {
                        " (its directory exists but the scan never committed it)"
                    }
                );
            }
            _ => {}
        }
    }
    if totals.missing_accounts > 0 {
        let _ = writeln!(
            err,
            "  help: run `mlguard org scan` again with the same manifest and --resume (or --account ID)"
        );
    }
    if !info.manifest_read {
        let _ = writeln!(
            err,
            "note: {} has no manifest.json: missing accounts are only those that started and never committed",
            info.input
        );
    }
}

/// `mlguard org merge` from its arguments.
pub fn command(args: MergeArgs, color: bool, io: &mut Io<'_>) -> Result<u8, CliError> {
    let config = crate::app::load_config(&crate::app::cli::ConfigArgs {
        config: args.config.clone(),
        ..Default::default()
    })?;
    let fail_on = args
        .fail_on
        .or(config.as_ref().and_then(|c| c.config.fail_on))
        .unwrap_or(FailOn::High)
        .threshold();
    let outputs = resolve_outputs(&args.formats, args.output.as_deref()).map_err(to_cli)?;
    let req = Request {
        outputs,
        ctx: Ctx {
            color,
            fail_on,
            ..Ctx::default()
        },
        input: args.input.clone(),
        max_runs: writers::GITHUB_MAX_RUNS,
        ocsf_lines: args
            .formats
            .iter()
            .any(|f| f.format == Format::Ocsf && f.path.is_none()),
    };
    let result = (|| {
        let store = crate::org::Store::open(&crate::org::Location::parse(&args.input)?)?;
        let upload = StoreUpload::default();
        merge(&store, Some(&upload), &req, io.stdout, io.stderr)
    })();
    result.map_err(to_cli)
}

fn to_cli(e: MergeError) -> CliError {
    CliError::OrgMerge(Box::new(e))
}

/// Uploads finished reports to `s3://` destinations through the `org` store, one client
/// per bucket.
#[derive(Default)]
pub struct StoreUpload {
    stores: std::cell::RefCell<std::collections::BTreeMap<String, crate::org::Store>>,
}

impl Upload for StoreUpload {
    fn put_file(&self, url: &str, file: &std::path::Path) -> Result<(), String> {
        let crate::org::Location::S3 { bucket, prefix } =
            crate::org::Location::parse(url).map_err(|e| e.to_string())?
        else {
            return Err(format!("{url} is not an s3:// location"));
        };
        let mut stores = self.stores.borrow_mut();
        let store = match stores.entry(bucket.clone()) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => e.insert(
                crate::org::Store::open(&crate::org::Location::S3 {
                    bucket,
                    prefix: String::new(),
                })
                .map_err(|e| format!("{e} (help: {})", e.hint()))?,
            ),
        };
        store
            .put_file(&prefix, file)
            .map_err(|e| format!("{e} (help: {})", e.hint()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use account::Summary;

    fn spec(s: &str) -> FormatSpec {
        s.parse().expect("format spec")
    }

    #[test]
    fn outputs_resolve_like_audit() {
        let out = resolve_outputs(&[], None).expect("default");
        assert_eq!(out, vec![(Format::Table, Target::Stdout)]);
        let out = resolve_outputs(
            &[spec("sarif=s3://b/k/m.sarif"), spec("json")],
            Some(std::path::Path::new("org.json")),
        )
        .expect("resolves");
        assert_eq!(
            out,
            vec![
                (Format::Sarif, Target::S3("s3://b/k/m.sarif".into())),
                (Format::Json, Target::Local("org.json".into())),
            ]
        );
        for bad in [
            vec![spec("json"), spec("table")],
            vec![spec("csv=e.csv")],
            vec![spec("json=a"), spec("json=b")],
        ] {
            assert!(matches!(
                resolve_outputs(&bad, None),
                Err(MergeError::Usage(_))
            ));
        }
        assert!(is_file_like(&Target::Local("x/events.jsonl".into())));
        assert!(!is_file_like(&Target::S3("s3://b/run/merged/ocsf".into())));
    }

    fn summary(id: &str, state: State, overall: Option<f64>, gating: usize) -> Summary {
        let mut s = Summary::without_report(id, None, state);
        s.overall = overall;
        s.gating = gating;
        s
    }

    #[test]
    fn worst_first_puts_unknown_accounts_first() {
        let mut all = [
            summary("5", State::Ok, Some(95.0), 0),
            summary("4", State::Missing, None, 0),
            summary("3", State::Ok, Some(60.0), 1),
            summary("2", State::Ok, Some(60.0), 4),
            summary(
                "1",
                State::Failed {
                    class: "throttled".into(),
                    message: String::new(),
                    help: String::new(),
                },
                None,
                0,
            ),
        ];
        all.sort_by(Summary::worst_first);
        let ids: Vec<&str> = all.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["1", "4", "2", "3", "5"]);
    }

    #[test]
    fn exit_codes_follow_the_contract() {
        let mut t = Totals::default();
        assert_eq!(exit_code(&t), 0);
        t.gating = 3;
        assert_eq!(exit_code(&t), 1);
        t.missing_accounts = 1;
        assert_eq!(exit_code(&t), 5);
    }

    #[test]
    fn abbreviates_long_lists() {
        let ids: Vec<String> = (0..25).map(|n| n.to_string()).collect();
        assert!(writers::abbreviate(&ids, 20).ends_with("19 and 5 more"));
        assert_eq!(writers::abbreviate(&ids[..2], 20), "0, 1");
    }
}
