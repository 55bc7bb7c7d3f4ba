//! The org-wide reports, each written as the accounts stream past: one account's report is
//! in memory at a time; what a writer keeps across accounts is O(1) per account (a summary)
//! or bounded (the SARIF runs kept, at most GitHub's limit).

use super::account::{State, Summary};
use super::output::{OutputError, Spool, StagedDir, StagedFile, Target};
use crate::audit::AuditReport;
use crate::engine::Rule;
use crate::findings::{Pillar, Severity};
use crate::report::json::v1;
use crate::report::{self, Ctx, sarif};
use comfy_table::{
    Cell, Color, ColumnConstraint, ContentArrangement, Table as Grid, Width, presets,
};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

/// GitHub code scanning rejects a SARIF file with more runs than this.
pub const GITHUB_MAX_RUNS: usize = 20;

/// Org-wide counts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub accounts: usize,
    pub ok: usize,
    pub partial: usize,
    pub failed_accounts: usize,
    pub missing_accounts: usize,
    pub failed: usize,
    pub not_assessed: usize,
    pub suppressed: usize,
    pub by_severity: [usize; 5],
    pub gating: usize,
}

impl Totals {
    pub fn add(&mut self, s: &Summary) {
        self.accounts += 1;
        match s.state {
            State::Ok => self.ok += 1,
            State::Partial => self.partial += 1,
            State::Failed { .. } => self.failed_accounts += 1,
            State::Missing => self.missing_accounts += 1,
        }
        self.failed += s.failed;
        self.not_assessed += s.not_assessed;
        self.suppressed += s.suppressed;
        for (t, n) in self.by_severity.iter_mut().zip(s.by_severity) {
            *t += n;
        }
        self.gating += s.gating;
    }
}

/// What every writer knows about the run.
pub struct RunInfo {
    pub ctx: Ctx,
    /// `--in`, as given.
    pub input: String,
    pub manifest_sha256: Option<String>,
    pub organization_id: Option<String>,
    /// Whether `OUT/manifest.json` was there (else missing = started, never committed).
    pub manifest_read: bool,
    pub max_runs: usize,
}

/// A report being built.
pub enum Staged {
    File(StagedFile),
    Dir(StagedDir),
}

pub trait OrgWriter {
    /// One account, in account-id order; `report` is `None` for a failed or missing account.
    fn account(
        &mut self,
        summary: &Summary,
        report: Option<&AuditReport>,
        info: &RunInfo,
    ) -> Result<(), OutputError>;
    /// The report, complete but not yet in place. `worst_first` holds every account;
    /// `notes` collects what the report had to leave out (printed on stderr).
    fn finish(
        self: Box<Self>,
        worst_first: &[Summary],
        totals: &Totals,
        info: &RunInfo,
        notes: &mut Vec<String>,
    ) -> Result<Staged, OutputError>;
}

fn io_err(target: &Target) -> impl Fn(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Write {
        target: target.display(),
        source,
    }
}

/// Pretty JSON indented as an element `depth` spaces deep in an enclosing pretty document.
fn pretty_at<T: Serialize>(value: &T, depth: usize) -> Result<String, serde_json::Error> {
    let text = serde_json::to_string_pretty(value)?;
    // serde_json escapes newlines inside strings, so every raw newline is structural.
    Ok(text.replace('\n', &format!("\n{}", " ".repeat(depth))))
}

fn json_err(target: &Target) -> impl Fn(serde_json::Error) -> OutputError + '_ {
    move |e| OutputError::Write {
        target: target.display(),
        source: std::io::Error::other(e),
    }
}

fn severity_map(counts: &[usize; 5]) -> BTreeMap<&'static str, usize> {
    Severity::ALL
        .iter()
        .zip(counts)
        .map(|(s, n)| (s.as_str(), *n))
        .collect()
}

fn rules_by_id(report: &AuditReport) -> BTreeMap<&str, &Rule> {
    report
        .rules
        .iter()
        .map(|r| (r.meta.id.as_str(), r))
        .collect()
}

// --- JSON ---------------------------------------------------------------------------------

/// The org-wide JSON report (docs/organizations.md, "Merging"): the summary and every account
/// first, then every finding, each with `account_id`.
pub struct Json {
    out: StagedFile,
    findings: Spool,
}

impl Json {
    pub fn new(target: &Target) -> Result<Json, OutputError> {
        Ok(Json {
            out: StagedFile::create(target)?,
            findings: Spool::new().map_err(io_err(target))?,
        })
    }
}

#[derive(Serialize)]
struct OrgFinding<'a> {
    /// The account scanned (the part of the run the finding comes from).
    account_id: &'a str,
    #[serde(flatten)]
    finding: v1::Finding<'a>,
}

#[derive(Serialize)]
pub struct AccountDto<'a> {
    pub account_id: &'a str,
    pub name: Option<&'a str>,
    /// `ok`, `partial`, `failed` or `missing`.
    pub status: &'static str,
    /// `null` when the account has no report (failed or missing): unknown, not a pass.
    pub score: Option<f64>,
    pub pillars: BTreeMap<Pillar, PillarDto>,
    pub failed: usize,
    pub not_assessed: usize,
    pub suppressed: usize,
    pub by_severity: BTreeMap<&'static str, usize>,
    pub gating: usize,
    pub gaps: usize,
    pub regions: &'a [String],
    pub collected_at: Option<&'a str>,
    pub error: Option<ErrorDto<'a>>,
}

#[derive(Serialize)]
pub struct PillarDto {
    pub score: f64,
    pub coverage: f64,
}

#[derive(Serialize)]
pub struct ErrorDto<'a> {
    pub class: &'a str,
    pub message: &'a str,
    pub help: &'a str,
}

impl<'a> From<&'a Summary> for AccountDto<'a> {
    fn from(s: &'a Summary) -> Self {
        AccountDto {
            account_id: &s.id,
            name: s.name.as_deref(),
            status: s.state.as_str(),
            score: s.overall,
            pillars: Pillar::ALL
                .iter()
                .filter_map(|p| {
                    s.pillar(*p)
                        .map(|(score, coverage)| (*p, PillarDto { score, coverage }))
                })
                .collect(),
            failed: s.failed,
            not_assessed: s.not_assessed,
            suppressed: s.suppressed,
            by_severity: severity_map(&s.by_severity),
            gating: s.gating,
            gaps: s.gaps,
            regions: &s.regions,
            collected_at: s.collected_at.as_deref(),
            error: match &s.state {
                State::Failed {
                    class,
                    message,
                    help,
                } => Some(ErrorDto {
                    class,
                    message,
                    help,
                }),
                State::Missing => Some(ErrorDto {
                    class: "missing",
                    message: "no status.json: the account was never scanned, or its scan did not finish",
                    help: "run `mlguard org scan` again with --resume (or --account ID) to scan it",
                }),
                _ => None,
            },
        }
    }
}

#[derive(Serialize)]
struct JsonHead<'a> {
    report_version: u32,
    kind: &'static str,
    tool: v1::Tool,
    input: &'a str,
    manifest: ManifestDto<'a>,
    summary: JsonSummary<'a>,
}

#[derive(Serialize)]
struct ManifestDto<'a> {
    sha256: Option<&'a str>,
    organization_id: Option<&'a str>,
    /// Whether OUT/manifest.json was read (missing accounts are then the manifest's
    /// accounts without a status.json).
    read: bool,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    accounts: AccountCounts,
    failed_accounts: Vec<&'a str>,
    missing_accounts: Vec<&'a str>,
    /// Failing findings, across every account.
    failed: usize,
    not_assessed: usize,
    suppressed: usize,
    by_severity: BTreeMap<&'static str, usize>,
    fail_on: String,
    /// Failing findings at or above `fail_on`: non-zero means exit code 1 (unless 5 or 2).
    gating: usize,
}

#[derive(Serialize)]
struct AccountCounts {
    total: usize,
    ok: usize,
    partial: usize,
    failed: usize,
    missing: usize,
}

impl OrgWriter for Json {
    fn account(
        &mut self,
        summary: &Summary,
        report: Option<&AuditReport>,
        _info: &RunInfo,
    ) -> Result<(), OutputError> {
        let Some(report) = report else {
            return Ok(());
        };
        let target = self.out.target().clone();
        for f in &report.findings {
            let item = pretty_at(
                &OrgFinding {
                    account_id: &summary.id,
                    finding: v1::Finding::from(f),
                },
                4,
            )
            .map_err(json_err(&target))?;
            let sep: &[u8] = if self.findings.empty {
                b"\n    "
            } else {
                b",\n    "
            };
            let w = self.findings.writer();
            w.write_all(sep).map_err(io_err(&target))?;
            w.write_all(item.as_bytes()).map_err(io_err(&target))?;
        }
        Ok(())
    }

    fn finish(
        mut self: Box<Self>,
        worst_first: &[Summary],
        totals: &Totals,
        info: &RunInfo,
        _notes: &mut Vec<String>,
    ) -> Result<Staged, OutputError> {
        let target = self.out.target().clone();
        let head = JsonHead {
            report_version: v1::REPORT_VERSION,
            kind: "organization",
            tool: v1::Tool {
                name: "mlguard",
                version: info.ctx.tool_version,
            },
            input: &info.input,
            manifest: ManifestDto {
                sha256: info.manifest_sha256.as_deref(),
                organization_id: info.organization_id.as_deref(),
                read: info.manifest_read,
            },
            summary: JsonSummary {
                accounts: AccountCounts {
                    total: totals.accounts,
                    ok: totals.ok,
                    partial: totals.partial,
                    failed: totals.failed_accounts,
                    missing: totals.missing_accounts,
                },
                failed_accounts: worst_first
                    .iter()
                    .filter(|s| matches!(s.state, State::Failed { .. }))
                    .map(|s| s.id.as_str())
                    .collect(),
                missing_accounts: worst_first
                    .iter()
                    .filter(|s| s.state == State::Missing)
                    .map(|s| s.id.as_str())
                    .collect(),
                failed: totals.failed,
                not_assessed: totals.not_assessed,
                suppressed: totals.suppressed,
                by_severity: severity_map(&totals.by_severity),
                fail_on: info
                    .ctx
                    .fail_on
                    .map_or("none".to_string(), |s| s.to_string()),
                gating: totals.gating,
            },
        };
        let text = serde_json::to_string_pretty(&head).map_err(json_err(&target))?;
        let open = text
            .trim_end()
            .strip_suffix('}')
            .unwrap_or(&text)
            .trim_end();
        let out = &mut self.out;
        let e = io_err(&target);
        out.write_all(open.as_bytes()).map_err(&e)?;
        // Worst first, one account at a time.
        out.write_all(b",\n  \"accounts\": [").map_err(&e)?;
        for (i, s) in worst_first.iter().enumerate() {
            let item = pretty_at(&AccountDto::from(s), 4).map_err(json_err(&target))?;
            out.write_all(if i == 0 { b"\n    " } else { b",\n    " })
                .map_err(&e)?;
            out.write_all(item.as_bytes()).map_err(&e)?;
        }
        out.write_all(if worst_first.is_empty() {
            b"]"
        } else {
            b"\n  ]"
        })
        .map_err(&e)?;
        out.write_all(b",\n  \"findings\": [").map_err(&e)?;
        let empty = self.findings.empty;
        self.findings.copy_to(out).map_err(&e)?;
        out.write_all(if empty { b"]\n}\n" } else { b"\n  ]\n}\n" })
            .map_err(&e)?;
        Ok(Staged::File(self.out))
    }
}

// --- ASFF ---------------------------------------------------------------------------------

/// One JSON array of every account's ASFF findings (each with its own `AwsAccountId` and
/// `ProductArn`: Security Hub imports a finding only in the account it belongs to).
pub struct Asff {
    out: StagedFile,
    first: bool,
}

impl Asff {
    pub fn new(target: &Target) -> Result<Asff, OutputError> {
        let mut out = StagedFile::create(target)?;
        out.write_all(b"[").map_err(io_err(target))?;
        Ok(Asff { out, first: true })
    }
}

impl OrgWriter for Asff {
    fn account(
        &mut self,
        _summary: &Summary,
        report: Option<&AuditReport>,
        info: &RunInfo,
    ) -> Result<(), OutputError> {
        let Some(report) = report else {
            return Ok(());
        };
        let target = self.out.target().clone();
        let rules = rules_by_id(report);
        for f in &report.findings {
            let value =
                report::asff::finding(report, rules.get(f.rule_id.as_str()).copied(), f, &info.ctx);
            let item = pretty_at(&value, 2).map_err(json_err(&target))?;
            let sep: &[u8] = if self.first { b"\n  " } else { b",\n  " };
            self.first = false;
            self.out.write_all(sep).map_err(io_err(&target))?;
            self.out
                .write_all(item.as_bytes())
                .map_err(io_err(&target))?;
        }
        Ok(())
    }

    fn finish(
        mut self: Box<Self>,
        _worst_first: &[Summary],
        _totals: &Totals,
        _info: &RunInfo,
        _notes: &mut Vec<String>,
    ) -> Result<Staged, OutputError> {
        let target = self.out.target().clone();
        let end: &[u8] = if self.first { b"]\n" } else { b"\n]\n" };
        self.out.write_all(end).map_err(io_err(&target))?;
        Ok(Staged::File(self.out))
    }
}

// --- OCSF ---------------------------------------------------------------------------------

/// OCSF events as JSON lines: to a directory (or S3 prefix) partitioned the way Amazon
/// Security Lake lays out a custom source, `region=<r>/accountId=<id>/eventDay=<YYYYMMDD>/`,
/// which Athena and Glue read as Hive partitions; or, to one stream, all events.
pub enum Ocsf {
    Partitioned(StagedDir),
    Lines(StagedFile),
}

/// The file each partition holds.
pub const OCSF_FILE: &str = "findings.jsonl";

impl Ocsf {
    pub fn new(target: &Target, partitioned: bool) -> Result<Ocsf, OutputError> {
        Ok(if partitioned {
            Ocsf::Partitioned(StagedDir::create(target)?)
        } else {
            Ocsf::Lines(StagedFile::create(target)?)
        })
    }
}

/// `region=<r>/accountId=<id>/eventDay=<YYYYMMDD>/findings.jsonl`
pub fn ocsf_partition(region: &str, account: &str, day: &str) -> String {
    format!("region={region}/accountId={account}/eventDay={day}/{OCSF_FILE}")
}

impl OrgWriter for Ocsf {
    fn account(
        &mut self,
        summary: &Summary,
        report: Option<&AuditReport>,
        info: &RunInfo,
    ) -> Result<(), OutputError> {
        let Some(report) = report else {
            return Ok(());
        };
        let collected = report::collected_at(report);
        let time = collected.timestamp_millis();
        let day = collected.format("%Y%m%d").to_string();
        let rules = rules_by_id(report);
        // One open file per region of this account, closed before the next account.
        let mut files: BTreeMap<String, std::io::BufWriter<std::fs::File>> = BTreeMap::new();
        for f in &report.findings {
            let event = report::ocsf::event(
                report,
                rules.get(f.rule_id.as_str()).copied(),
                f,
                &info.ctx,
                time,
            );
            let mut line = serde_json::to_vec(&event).map_err(|e| OutputError::Write {
                target: "OCSF".into(),
                source: std::io::Error::other(e),
            })?;
            line.push(b'\n');
            match self {
                Ocsf::Lines(out) => {
                    let target = out.target().clone();
                    out.write_all(&line).map_err(io_err(&target))?;
                }
                Ocsf::Partitioned(dir) => {
                    let region = event["cloud"]["region"]
                        .as_str()
                        .unwrap_or("global")
                        .to_string();
                    let file = match files.entry(region) {
                        std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                        std::collections::btree_map::Entry::Vacant(e) => {
                            let rel = ocsf_partition(e.key(), &summary.id, &day);
                            e.insert(dir.create_file(&rel)?)
                        }
                    };
                    let target = dir.target().clone();
                    file.write_all(&line).map_err(io_err(&target))?;
                }
            }
        }
        for (_, mut file) in files {
            if let Ocsf::Partitioned(dir) = self {
                let target = dir.target().clone();
                file.flush().map_err(io_err(&target))?;
            }
        }
        Ok(())
    }

    fn finish(
        self: Box<Self>,
        _worst_first: &[Summary],
        _totals: &Totals,
        _info: &RunInfo,
        _notes: &mut Vec<String>,
    ) -> Result<Staged, OutputError> {
        Ok(match *self {
            Ocsf::Partitioned(dir) => Staged::Dir(dir),
            Ocsf::Lines(file) => Staged::File(file),
        })
    }
}

// --- SARIF --------------------------------------------------------------------------------

/// One run per account (its own `automationDetails.id`, `mlguard/<account>/`, so code
/// scanning keeps each account's alerts apart), at most `max_runs` of them: the accounts the
/// table lists first. Each run is capped at GitHub's results limit like a single-account
/// report. What was left out is listed in the log's `properties` and on stderr.
pub struct Sarif {
    out: StagedFile,
    /// The runs kept so far, each spooled: at most `max_runs`.
    kept: Vec<(Summary, Spool)>,
    /// Accounts with a report whose run was not kept.
    cut: Vec<String>,
    results_cut: Vec<(String, usize, usize)>,
    warnings: Vec<String>,
}

impl Sarif {
    pub fn new(target: &Target) -> Result<Sarif, OutputError> {
        Ok(Sarif {
            out: StagedFile::create(target)?,
            kept: Vec::new(),
            cut: Vec::new(),
            results_cut: Vec::new(),
            warnings: Vec::new(),
        })
    }
}

impl OrgWriter for Sarif {
    fn account(
        &mut self,
        summary: &Summary,
        report: Option<&AuditReport>,
        info: &RunInfo,
    ) -> Result<(), OutputError> {
        let Some(report) = report else {
            return Ok(());
        };
        let target = self.out.target().clone();
        if self.kept.len() >= info.max_runs {
            // Replace the kept account that ranks last, if this one ranks before it.
            let last = self
                .kept
                .iter()
                .enumerate()
                .max_by(|a, b| Summary::worst_first(&a.1.0, &b.1.0))
                .map(|(i, _)| i);
            match last {
                Some(i) if Summary::worst_first(summary, &self.kept[i].0).is_lt() => {
                    let (evicted, _) = self.kept.swap_remove(i);
                    self.cut.push(evicted.id);
                }
                _ => {
                    self.cut.push(summary.id.clone());
                    return Ok(());
                }
            }
        }
        for w in sarif::limit_warnings(report, &info.ctx) {
            self.warnings.push(format!("account {}: {w}", summary.id));
        }
        if report.findings.len() > info.ctx.sarif_max_results {
            self.results_cut.push((
                summary.id.clone(),
                report.findings.len(),
                info.ctx.sarif_max_results,
            ));
        }
        let log = sarif::Sarif::build(report, &info.ctx);
        let mut spool = Spool::new().map_err(io_err(&target))?;
        for run in &log.runs {
            let text = pretty_at(run, 4).map_err(json_err(&target))?;
            spool
                .writer()
                .write_all(text.as_bytes())
                .map_err(io_err(&target))?;
        }
        self.kept.push((summary.clone(), spool));
        Ok(())
    }

    fn finish(
        mut self: Box<Self>,
        worst_first: &[Summary],
        _totals: &Totals,
        info: &RunInfo,
        notes: &mut Vec<String>,
    ) -> Result<Staged, OutputError> {
        let target = self.out.target().clone();
        let e = io_err(&target);
        self.kept.sort_by(|a, b| Summary::worst_first(&a.0, &b.0));
        self.cut.sort();
        let out = &mut self.out;
        write!(
            out,
            "{{\n  \"$schema\": {},\n  \"version\": \"2.1.0\",\n  \"runs\": [",
            serde_json::to_string(serde_sarif::sarif::SCHEMA_URL).map_err(json_err(&target))?
        )
        .map_err(&e)?;
        let n = self.kept.len();
        for (i, (_, spool)) in self.kept.into_iter().enumerate() {
            out.write_all(b"\n    ").map_err(&e)?;
            spool.copy_to(out).map_err(&e)?;
            if i + 1 < n {
                out.write_all(b",").map_err(&e)?;
            }
        }
        out.write_all(if n == 0 { b"]" } else { b"\n  ]" })
            .map_err(&e)?;
        // What the runs leave out, for people and tools reading the file.
        let without_run: Vec<serde_json::Value> = worst_first
            .iter()
            .filter_map(|s| {
                let reason = match &s.state {
                    State::Failed { class, .. } => format!("failed: {class}"),
                    State::Missing => "missing: no status.json".to_string(),
                    _ if self.cut.binary_search(&s.id).is_ok() => format!(
                        "cut: GitHub code scanning accepts at most {} runs per SARIF file",
                        info.max_runs
                    ),
                    _ => return None,
                };
                Some(serde_json::json!({"accountId": s.id, "reason": reason}))
            })
            .collect();
        let results_cut: Vec<serde_json::Value> = self
            .results_cut
            .iter()
            .map(|(id, total, kept)| {
                serde_json::json!({"accountId": id, "results": total, "kept": kept})
            })
            .collect();
        let properties = serde_json::json!({
            "mlguard": {
                "accounts": worst_first.len(),
                "runs": n,
                "maxRuns": info.max_runs,
                "accountsWithoutRun": without_run,
                "resultsCut": results_cut,
            }
        });
        let props = pretty_at(&properties, 2).map_err(json_err(&target))?;
        write!(out, ",\n  \"properties\": {props}\n}}\n").map_err(&e)?;
        if !self.cut.is_empty() {
            notes.push(format!(
                "SARIF: {} accounts have findings but no run: GitHub code scanning accepts at most {} runs per file, and the SARIF report keeps the {} accounts the table lists first (the other formats keep every account); left out: {}",
                self.cut.len(),
                info.max_runs,
                info.max_runs,
                abbreviate(&self.cut, 20)
            ));
        }
        notes.append(&mut self.warnings);
        Ok(Staged::File(self.out))
    }
}

/// The first `max` ids, then how many more.
pub fn abbreviate(ids: &[String], max: usize) -> String {
    let mut text = ids
        .iter()
        .take(max)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > max {
        text.push_str(&format!(" and {} more", ids.len() - max));
    }
    text
}

// --- table --------------------------------------------------------------------------------

/// Per account: status, overall and pillar scores, failing findings; worst first. Then the
/// failed and missing accounts with their reasons, and the verdict.
pub struct Table {
    out: StagedFile,
}

impl Table {
    pub fn new(target: &Target) -> Result<Table, OutputError> {
        Ok(Table {
            out: StagedFile::create(target)?,
        })
    }
}

/// Rows rendered per comfy-table grid.
const TABLE_CHUNK: usize = 256;

/// The text of each cell of an account's row.
fn row_texts(s: &Summary) -> Vec<String> {
    let score = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.1}"));
    let known = s.state.has_report();
    let count = |n: usize| {
        if known {
            n.to_string()
        } else {
            "—".to_string()
        }
    };
    let mut row = vec![
        s.id.clone(),
        s.name.clone().unwrap_or_default(),
        s.state.as_str().to_string(),
        score(s.overall),
    ];
    for p in Pillar::ALL {
        row.push(score(s.pillar(p).map(|(score, _)| score)));
    }
    row.push(if known {
        s.by_severity
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("/")
    } else {
        "—".to_string()
    });
    row.push(count(s.gating));
    row.push(count(s.not_assessed));
    row.push(count(s.gaps));
    row
}

/// An account's row, coloured: status and scores.
fn row_cells(s: &Summary, color: bool) -> Vec<Cell> {
    let texts = row_texts(s);
    texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let cell = Cell::new(text);
            if !color {
                return cell;
            }
            match i {
                2 => match s.state {
                    State::Failed { .. } | State::Missing => cell.fg(Color::Red),
                    State::Partial => cell.fg(Color::Yellow),
                    State::Ok => cell,
                },
                3 => score_color(cell, s.overall),
                4..=6 => score_color(cell, s.pillar(Pillar::ALL[i - 4]).map(|(v, _)| v)),
                _ => cell,
            }
        })
        .collect()
}

fn score_color(cell: Cell, score: Option<f64>) -> Cell {
    match score {
        Some(s) if s >= 90.0 => cell.fg(Color::Green),
        Some(s) if s >= 70.0 => cell.fg(Color::Yellow),
        Some(_) => cell.fg(Color::Red),
        None => cell,
    }
}

pub fn render_table(
    out: &mut dyn Write,
    worst_first: &[Summary],
    totals: &Totals,
    info: &RunInfo,
) -> std::io::Result<()> {
    let color = info.ctx.color;
    writeln!(
        out,
        "mlguard {} org merge of {}: {} accounts ({} ok, {} partial, {} failed, {} missing){}",
        info.ctx.tool_version,
        info.input,
        totals.accounts,
        totals.ok,
        totals.partial,
        totals.failed_accounts,
        totals.missing_accounts,
        info.manifest_sha256
            .as_deref()
            .map(|h| format!(", manifest {}", &h[..h.len().min(12)]))
            .unwrap_or_default()
    )?;
    let mut header = vec!["Account", "Name", "Status", "Score"];
    header.extend(Pillar::ALL.iter().map(|p| p.title()));
    header.extend([
        "Failing (C/H/M/L/I)",
        "At or above fail-on",
        "Not assessed",
        "Gaps",
    ]);
    // Every column as wide as its widest cell over all accounts, so the table can be
    // rendered a chunk of rows at a time (memory does not grow with the accounts).
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for s in worst_first {
        for (w, text) in widths.iter_mut().zip(row_texts(s)) {
            *w = (*w).max(text.chars().count());
        }
    }
    let chunks: Vec<&[Summary]> = if worst_first.is_empty() {
        vec![&[]]
    } else {
        worst_first.chunks(TABLE_CHUNK).collect()
    };
    let last = chunks.len() - 1;
    for (i, chunk) in chunks.into_iter().enumerate() {
        let mut grid = Grid::new();
        grid.load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled);
        if color {
            grid.enforce_styling();
        } else {
            grid.force_no_tty();
        }
        if i == 0 {
            grid.set_header(header.clone());
        }
        for s in chunk {
            grid.add_row(row_cells(s, color));
        }
        grid.set_constraints(widths.iter().map(|w| {
            ColumnConstraint::Absolute(Width::Fixed(u16::try_from(w + 2).unwrap_or(u16::MAX)))
        }));
        let text = grid.to_string();
        let lines: Vec<&str> = text.lines().collect();
        // Chunks after the first continue the table: no top border; all but the last leave
        // the bottom border to the next.
        let from = usize::from(i > 0);
        let to = if i < last {
            lines.len().saturating_sub(1)
        } else {
            lines.len()
        };
        for line in lines.get(from..to).unwrap_or(&[]) {
            writeln!(out, "{line}")?;
        }
    }
    let failed: Vec<&Summary> = worst_first
        .iter()
        .filter(|s| matches!(s.state, State::Failed { .. }))
        .collect();
    if !failed.is_empty() {
        writeln!(out, "\nFailed accounts ({}):", failed.len())?;
        for s in failed {
            if let State::Failed {
                class,
                message,
                help,
            } = &s.state
            {
                writeln!(out, "  {}{}: {class}: {message}", s.id, name_suffix(s))?;
                if !help.is_empty() {
                    writeln!(out, "    help: {help}")?;
                }
            }
        }
    }
    let missing: Vec<&Summary> = worst_first
        .iter()
        .filter(|s| s.state == State::Missing)
        .collect();
    if !missing.is_empty() {
        writeln!(
            out,
            "\nMissing accounts ({}): no status.json{}",
            missing.len(),
            if info.manifest_read {
                ""
            } else {
                " (no manifest.json under the input: only accounts that started are known)"
            }
        )?;
        for s in missing {
            writeln!(out, "  {}{}", s.id, name_suffix(s))?;
        }
        writeln!(
            out,
            "    help: run `mlguard org scan` again with the same manifest and --resume (or --account ID)"
        )?;
    }
    let by_sev: Vec<String> = Severity::ALL
        .iter()
        .zip(totals.by_severity)
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    write!(
        out,
        "\n{} failing findings{} across {} accounts; {} not assessed, {} suppressed.",
        totals.failed,
        if by_sev.is_empty() {
            String::new()
        } else {
            format!(" ({})", by_sev.join(", "))
        },
        totals.ok + totals.partial,
        totals.not_assessed,
        totals.suppressed
    )?;
    match info.ctx.fail_on {
        Some(t) if totals.gating > 0 => {
            writeln!(out, " {} at or above {t}: failing.", totals.gating)?;
        }
        Some(t) => writeln!(out, " Nothing at or above {t}.")?,
        None => writeln!(out, " Findings do not fail the run (--fail-on none).")?,
    }
    Ok(())
}

fn name_suffix(s: &Summary) -> String {
    s.name
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default()
}

impl OrgWriter for Table {
    fn account(
        &mut self,
        _summary: &Summary,
        _report: Option<&AuditReport>,
        _info: &RunInfo,
    ) -> Result<(), OutputError> {
        Ok(())
    }

    fn finish(
        mut self: Box<Self>,
        worst_first: &[Summary],
        totals: &Totals,
        info: &RunInfo,
        _notes: &mut Vec<String>,
    ) -> Result<Staged, OutputError> {
        let target = self.out.target().clone();
        render_table(&mut self.out, worst_first, totals, info).map_err(io_err(&target))?;
        Ok(Staged::File(self.out))
    }
}
