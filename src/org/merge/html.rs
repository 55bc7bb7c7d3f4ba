//! The org-wide HTML page: an overview of every account (worst first, with its pillar
//! scores) linking to a drill-down per account (its pillar cards and findings), with the
//! single-account report's filters, styles and Content-Security-Policy. The drill-downs are
//! spooled as the accounts stream past; the overview, written last, goes first.

use super::account::{State, Summary};
use super::output::{OutputError, Spool, StagedFile, Target};
use super::writers::{OrgWriter, RunInfo, Staged, Totals};
use crate::audit::AuditReport;
use crate::findings::{Pillar, Severity, Status};
use crate::report::escape::html;
use crate::report::html as single;
use std::fmt::Write as _;
use std::io::Write;

const ORG_STYLE: &str = r"
table.accounts td:nth-child(n+4) { text-align: right; white-space: nowrap; }
table.accounts td.state { font-weight: 600; }
table.accounts td.state.failed, table.accounts td.state.missing { color: var(--bad); }
table.accounts td.state.partial { color: var(--warn); }
.score.good { color: var(--good); } .score.warn { color: var(--warn); } .score.bad { color: var(--bad); }
section.account { margin-top: 10px; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 6px 14px; }
section.account > details > summary { font-size: 15px; color: var(--fg); margin: 6px 0; }
section.account .error { color: var(--bad); }
";

pub struct Html {
    out: StagedFile,
    accounts: Spool,
    /// Findings per severity and per status, for the filter counts.
    by_severity: [usize; 5],
    by_status: [usize; 3],
    findings: usize,
}

impl Html {
    pub fn new(target: &Target) -> Result<Html, OutputError> {
        Ok(Html {
            out: StagedFile::create(target)?,
            accounts: Spool::new().map_err(|source| OutputError::Write {
                target: target.display(),
                source,
            })?,
            by_severity: [0; 5],
            by_status: [0; 3],
            findings: 0,
        })
    }
}

fn score_span(score: Option<f64>) -> String {
    match score {
        Some(s) => format!(r#"<span class="score {}">{s:.1}%</span>"#, single::grade(s)),
        None => r#"<span class="empty">unknown</span>"#.to_string(),
    }
}

fn display_name(s: &Summary) -> String {
    match &s.name {
        Some(n) => format!("{} ({})", s.id, n),
        None => s.id.clone(),
    }
}

const STATUSES: [(Status, &str); 3] = [
    (Status::Fail, "failing"),
    (Status::Suppressed, "suppressed"),
    (Status::NotAssessed, "not assessed"),
];

impl OrgWriter for Html {
    fn account(
        &mut self,
        summary: &Summary,
        report: Option<&AuditReport>,
        _info: &RunInfo,
    ) -> Result<(), OutputError> {
        let target = self.out.target().clone();
        let mut body = String::new();
        let _ = write!(
            body,
            r#"<section class="account" id="account-{id}" data-account="{id}" data-status="{state}"><details><summary>{name} · {state} · score {score}"#,
            id = html(&summary.id),
            name = html(&display_name(summary)),
            state = summary.state.as_str(),
            score = score_span(summary.overall),
        );
        match report {
            None => {
                if let State::Failed { class, .. } = &summary.state {
                    let _ = write!(body, " · {}", html(class));
                }
                body.push_str("</summary>");
                match &summary.state {
                    State::Failed {
                        class,
                        message,
                        help,
                    } => {
                        let _ = write!(
                            body,
                            r#"<p class="error">Failed ({}): {}</p><p>help: {}</p>"#,
                            html(class),
                            html(message),
                            html(help)
                        );
                    }
                    _ => body.push_str(
                        r#"<p class="error">Missing: no status.json, the account was never scanned or its scan did not finish.</p><p>help: run <code>mlguard org scan</code> again with the same manifest and --resume (or --account ID).</p>"#,
                    ),
                }
            }
            Some(report) => {
                let _ = write!(
                    body,
                    " · {}</summary>",
                    html(&single::plural(
                        summary.failed,
                        "failing finding",
                        "failing findings"
                    ))
                );
                let _ = write!(
                    body,
                    r#"<p class="note">{regions} · snapshot <code>{source}</code>{collected}</p><div class="cards">"#,
                    regions = html(&report.metadata.regions.join(", ")),
                    source = html(&report.source),
                    collected = report
                        .metadata
                        .collected_at
                        .as_deref()
                        .map(|c| format!(" · collected {}", html(c)))
                        .unwrap_or_default(),
                );
                for pillar in Pillar::ALL {
                    if let Some(s) = report.scores.pillars.get(&pillar) {
                        body.push_str(&single::pillar_card(pillar, s));
                    }
                }
                body.push_str("</div>");
                if !report.gaps.is_empty() {
                    let _ = write!(
                        body,
                        "<p>Snapshot incomplete: {} (resources behind them are reported not assessed).</p>",
                        single::plural(report.gaps.len(), "gap", "gaps")
                    );
                }
                if report.findings.is_empty() {
                    body.push_str(r#"<p class="empty">No findings.</p>"#);
                } else {
                    body.push_str(r#"<div class="group"><table><thead><tr><th>Severity</th><th>Rule</th><th>Resource</th><th>Finding</th><th>Status</th></tr></thead><tbody>"#);
                    for f in &report.findings {
                        self.findings += 1;
                        if let Some(i) = Severity::ALL.iter().position(|s| *s == f.severity) {
                            self.by_severity[i] += 1;
                        }
                        if let Some(i) = STATUSES.iter().position(|(s, _)| *s == f.status) {
                            self.by_status[i] += 1;
                        }
                        body.push_str(&single::finding_row(f));
                        if body.len() >= 1 << 16 {
                            self.accounts.writer().write_all(body.as_bytes()).map_err(
                                |source| OutputError::Write {
                                    target: target.display(),
                                    source,
                                },
                            )?;
                            body.clear();
                        }
                    }
                    body.push_str("</tbody></table></div>");
                }
            }
        }
        body.push_str("</details></section>");
        self.accounts
            .writer()
            .write_all(body.as_bytes())
            .map_err(|source| OutputError::Write {
                target: target.display(),
                source,
            })
    }

    fn finish(
        mut self: Box<Self>,
        worst_first: &[Summary],
        totals: &Totals,
        info: &RunInfo,
        _notes: &mut Vec<String>,
    ) -> Result<Staged, OutputError> {
        let target = self.out.target().clone();
        let e = |source| OutputError::Write {
            target: target.display(),
            source,
        };
        let csp = format!(
            "default-src 'none'; style-src {} {}; script-src {}; img-src 'none'; base-uri 'none'; form-action 'none'",
            single::csp_hash(single::STYLE),
            single::csp_hash(ORG_STYLE),
            single::csp_hash(single::SCRIPT)
        );
        let mut head = String::new();
        let _ = write!(
            head,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<title>mlguard report: {n} accounts</title>\n<style>{style}</style>\n<style>{ORG_STYLE}</style>\n</head>\n<body>\n",
            csp = html(&csp),
            n = totals.accounts,
            style = single::STYLE,
        );
        let _ = write!(
            head,
            r"<header><h1>mlguard audit of {n}</h1><p><code>{input}</code>{manifest} · mlguard {version}</p></header><main>",
            n = html(&single::plural(totals.accounts, "account", "accounts")),
            input = html(&info.input),
            manifest = info
                .manifest_sha256
                .as_deref()
                .map(|h| format!(" · manifest <code>{}</code>", html(h)))
                .unwrap_or_default(),
            version = html(info.ctx.tool_version),
        );
        // Summary and verdict.
        let _ = write!(
            head,
            r#"<section class="summary" aria-label="Summary" data-accounts="{n}" data-failed-accounts="{fa}" data-missing-accounts="{ma}"><p>{n} accounts: {ok} ok, {partial} partial (collection gaps), {fa} failed, {ma} missing.</p><p>{failed} across the scanned accounts, {na} not assessed, {sup} suppressed.</p>"#,
            n = totals.accounts,
            ok = totals.ok,
            partial = totals.partial,
            fa = totals.failed_accounts,
            ma = totals.missing_accounts,
            failed = html(&single::plural(
                totals.failed,
                "failing finding",
                "failing findings"
            )),
            na = totals.not_assessed,
            sup = totals.suppressed,
        );
        if totals.failed_accounts + totals.missing_accounts > 0 {
            head.push_str(r#"<p class="verdict-fail">Some accounts have no report: the organization is not fully assessed (exit 5).</p>"#);
        }
        match info.ctx.fail_on {
            Some(t) if totals.gating > 0 => {
                let _ = write!(
                    head,
                    r#"<p class="verdict-fail">{} at or above {t}.</p>"#,
                    html(&single::plural(totals.gating, "finding", "findings"))
                );
            }
            Some(t) => {
                let _ = write!(
                    head,
                    r#"<p class="verdict-pass">Nothing at or above {t} in the scanned accounts.</p>"#
                );
            }
            None => head.push_str("<p>Findings do not fail the run (--fail-on none).</p>"),
        }
        head.push_str("</section>");
        // The overview, worst first.
        head.push_str(r#"<h2>Accounts</h2><table class="accounts"><thead><tr><th>Account</th><th>Name</th><th>Status</th><th>Score</th>"#);
        for p in Pillar::ALL {
            let _ = write!(head, "<th>{}</th>", html(p.title()));
        }
        head.push_str("<th>Failing</th><th>Critical</th><th>High</th><th>Not assessed</th></tr></thead><tbody>");
        for s in worst_first {
            let known = s.state.has_report();
            let n = |v: usize| {
                if known {
                    v.to_string()
                } else {
                    "—".to_string()
                }
            };
            let _ = write!(
                head,
                r##"<tr class="account-row" data-account="{id}" data-status="{state}"><td><a href="#account-{id}">{id}</a></td><td>{name}</td><td class="state {state}">{state_text}</td><td>{score}</td>"##,
                id = html(&s.id),
                name = html(s.name.as_deref().unwrap_or("")),
                state = s.state.as_str(),
                state_text = match &s.state {
                    State::Failed { class, .. } => format!("failed: {}", html(class)),
                    other => other.as_str().to_string(),
                },
                score = score_span(s.overall),
            );
            for p in Pillar::ALL {
                let _ = write!(
                    head,
                    "<td>{}</td>",
                    score_span(s.pillar(p).map(|(score, _)| score))
                );
            }
            let _ = write!(
                head,
                "<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                n(s.failed),
                n(s.by_severity[0]),
                n(s.by_severity[1]),
                n(s.not_assessed)
            );
            if head.len() >= 1 << 16 {
                self.out.write_all(head.as_bytes()).map_err(e)?;
                head.clear();
            }
        }
        head.push_str("</tbody></table>");
        // Filters over every account's findings.
        head.push_str(r#"<h2>Findings by account</h2><form id="filters" class="filters" role="search"><fieldset><legend>Severity</legend>"#);
        for (i, sev) in Severity::ALL.iter().enumerate() {
            head.push_str(&single::checkbox(
                "severity",
                sev.as_str(),
                sev.as_str(),
                self.by_severity[i],
            ));
        }
        head.push_str(r"</fieldset><fieldset><legend>Status</legend>");
        for (i, (status, label)) in STATUSES.iter().enumerate() {
            head.push_str(&single::checkbox(
                "status",
                status.as_str(),
                label,
                self.by_status[i],
            ));
        }
        head.push_str(r#"</fieldset><fieldset><legend>Pillar</legend><select name="pillar" id="pillar"><option value="">All pillars</option>"#);
        for pillar in Pillar::ALL {
            let _ = write!(
                head,
                r#"<option value="{}">{}</option>"#,
                pillar.as_str(),
                html(pillar.title())
            );
        }
        let _ = write!(
            head,
            r#"</select></fieldset><label>Search <input type="search" id="q" name="q" placeholder="account, rule, ARN, message…" autocomplete="off"></label><span id="shown" aria-live="polite">{n} of {n} findings shown</span></form>"#,
            n = self.findings
        );
        self.out.write_all(head.as_bytes()).map_err(e)?;
        self.accounts.copy_to(&mut self.out).map_err(e)?;
        write!(
            self.out,
            "<footer>Generated by mlguard {} by <code>mlguard org merge</code>. Scores are the severity-weighted share of (rule, resource) pairs that pass; an account without a report has no score (unknown, never a pass).</footer></main>\n<script>{}</script>\n</body>\n</html>\n",
            html(info.ctx.tool_version),
            single::SCRIPT
        )
        .map_err(e)?;
        Ok(Staged::File(self.out))
    }
}
