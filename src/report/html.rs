//! One self-contained HTML page: per-pillar score gauges, findings grouped by pillar and
//! severity with filters (severity, pillar, status, text search), and each rule's
//! remediation.
//!
//! Everything from the snapshot (names, tags, messages, ARNs) is attacker-controlled text
//! and is escaped. The page loads nothing: CSS and JavaScript are inline, fonts are the
//! system's, and a Content-Security-Policy allows only this page's own style and script (by
//! hash), so even markup that slipped through escaping could neither run nor fetch.

use super::compliance::{self, ControlStatus, Evidence, RowIndex};
use super::escape::{base64, href, html};
use super::{Ctx, Emitter, ReportError};
use crate::audit::AuditReport;
use crate::engine::frameworks;
use crate::findings::{Finding, Pillar, PillarScore, Severity, Status};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::io::Write;

pub struct Html;

pub(crate) const STYLE: &str = r#"
:root { --fg: #1d2330; --muted: #5b6475; --bg: #f5f6f8; --card: #fff; --line: #dde1e8;
  --critical: #8e1b1b; --high: #c62828; --medium: #b26a00; --low: #1f6fb2; --info: #5b6475;
  --good: #2e7d32; --warn: #b26a00; --bad: #c62828; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--fg); background: var(--bg); }
header { background: #172033; color: #fff; padding: 20px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: #c8cfdb; }
header code { color: #fff; }
main { padding: 20px 32px 48px; max-width: 1400px; margin: 0 auto; }
h2 { font-size: 18px; margin: 28px 0 10px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-all; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(230px, 1fr)); gap: 14px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px;
  display: flex; gap: 14px; align-items: center; }
.card h2 { margin: 0 0 4px; font-size: 15px; }
.card p { margin: 0; color: var(--muted); font-size: 12px; }
.gauge { width: 92px; height: 92px; flex: none; }
.gauge .track { fill: none; stroke: #e6e9ef; stroke-width: 12; }
.gauge .value { fill: none; stroke-width: 12; stroke-linecap: round; }
.gauge text { font-size: 22px; font-weight: 700; fill: var(--fg); }
.good .value { stroke: var(--good); } .warn .value { stroke: var(--warn); } .bad .value { stroke: var(--bad); }
.summary { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; margin-top: 14px; }
.summary p { margin: 4px 0; }
.verdict-fail { color: var(--bad); font-weight: 700; } .verdict-pass { color: var(--good); font-weight: 700; }
.filters { position: sticky; top: 0; z-index: 1; background: var(--bg); padding: 10px 0; display: flex;
  flex-wrap: wrap; gap: 10px 18px; align-items: center; border-bottom: 1px solid var(--line); }
.filters fieldset { border: 1px solid var(--line); border-radius: 6px; padding: 4px 10px; margin: 0; background: var(--card); }
.filters legend { font-size: 11px; color: var(--muted); padding: 0 4px; }
.filters label { margin-right: 8px; white-space: nowrap; }
.filters input[type=search] { width: 260px; padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; }
#shown { color: var(--muted); margin-left: auto; }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); }
th, td { text-align: left; vertical-align: top; padding: 8px 10px; border-bottom: 1px solid var(--line); }
th { font-size: 12px; color: var(--muted); font-weight: 600; background: #fafbfc; }
td.rule { white-space: nowrap; }
.badge { display: inline-block; border-radius: 10px; padding: 1px 8px; font-size: 12px; font-weight: 600; color: #fff; }
.badge.critical { background: var(--critical); } .badge.high { background: var(--high); }
.badge.medium { background: var(--medium); } .badge.low { background: var(--low); } .badge.info { background: var(--info); }
.status { font-size: 12px; font-weight: 600; }
.status.suppressed { color: var(--muted); } .status.fail { color: var(--bad); } .status.not_assessed { color: var(--warn); }
tr.suppressed td { color: var(--muted); }
.note { margin-top: 4px; font-size: 12px; color: var(--muted); }
details summary { cursor: pointer; color: var(--low); font-size: 12px; margin-top: 4px; }
.empty { color: var(--muted); font-style: italic; }
.rules td:first-child { white-space: nowrap; }
.rules td:nth-child(n+4) { text-align: right; white-space: nowrap; }
footer { color: var(--muted); font-size: 12px; margin-top: 32px; }
nav.frameworks-nav a { margin-right: 14px; }
.framework { margin-top: 18px; }
.framework .meta { color: var(--muted); font-size: 12px; margin: 4px 0; }
.evidence { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; }
.evidence code { font-size: 11px; }
.controls td { vertical-align: top; }
.controls td.cid { white-space: nowrap; font-weight: 600; }
.cstatus { font-size: 12px; font-weight: 700; white-space: nowrap; }
.cstatus.fail { color: var(--bad); } .cstatus.pass { color: var(--good); } .cstatus.not_assessed { color: var(--warn); }
.cstatus.no_resources, .cstatus.not_evidenced { color: var(--muted); }
tr.control.not_evidenced td { color: var(--muted); }
.coverage { font-size: 12px; border: 1px solid var(--line); border-radius: 10px; padding: 0 6px; white-space: nowrap; }
.coverage.full { border-color: var(--good); color: var(--good); }
.coverage.partial { border-color: var(--warn); color: var(--warn); }
table.resources { margin-top: 6px; font-size: 12px; }
table.resources td, table.resources th { padding: 4px 6px; }
.control-filter { margin: 6px 0; }
"#;

pub(crate) const SCRIPT: &str = r#"
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var search = document.getElementById("q");
  var shown = document.getElementById("shown");
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.finding"));
  function values(name) {
    return Array.prototype.slice.call(form.querySelectorAll('input[name="' + name + '"]:checked'))
      .map(function (input) { return input.value; });
  }
  function apply() {
    var severities = values("severity");
    var statuses = values("status");
    var pillar = form.elements.pillar.value;
    var query = search.value.trim().toLowerCase();
    var visible = 0;
    rows.forEach(function (row) {
      var match = severities.indexOf(row.dataset.severity) >= 0 &&
        statuses.indexOf(row.dataset.status) >= 0 &&
        (pillar === "" || row.dataset.pillar === pillar) &&
        (query === "" || row.textContent.toLowerCase().indexOf(query) >= 0);
      row.hidden = !match;
      if (match) { visible += 1; }
    });
    document.querySelectorAll(".group").forEach(function (group) {
      group.hidden = !group.querySelector("tr.finding:not([hidden])");
    });
    document.querySelectorAll("section.pillar").forEach(function (section) {
      var any = section.querySelector("tr.finding:not([hidden])");
      var none = section.querySelector(".nomatch");
      if (none) { none.hidden = !!any || section.querySelectorAll("tr.finding").length === 0; }
      section.hidden = pillar !== "" && section.dataset.pillar !== pillar;
    });
    shown.textContent = visible + " of " + rows.length + " findings shown";
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  apply();
}());
(function () {
  "use strict";
  document.querySelectorAll("select.control-filter").forEach(function (select) {
    var section = document.getElementById(select.dataset.section);
    function apply() {
      var want = select.value;
      var shown = 0;
      section.querySelectorAll("tr.control").forEach(function (row) {
        var match = want === "" || row.dataset.status === want;
        row.hidden = !match;
        if (match) { shown += 1; }
      });
      var count = section.querySelector(".controls-shown");
      if (count) { count.textContent = shown + " controls shown"; }
    }
    select.addEventListener("change", apply);
    apply();
  });
}());
"#;

pub(crate) fn csp_hash(text: &str) -> String {
    format!("'sha256-{}'", base64(&Sha256::digest(text.as_bytes())))
}

pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub(crate) fn grade(score: f64) -> &'static str {
    if score >= 90.0 {
        "good"
    } else if score >= 70.0 {
        "warn"
    } else {
        "bad"
    }
}

/// An SVG ring filled to `score` percent.
pub(crate) fn gauge(score: f64, label: &str) -> String {
    let circumference = 2.0 * std::f64::consts::PI * 48.0;
    let filled = circumference * score.clamp(0.0, 100.0) / 100.0;
    format!(
        r#"<svg class="gauge {grade}" viewBox="0 0 120 120" role="img" aria-label="{label} score {score:.1}%"><circle class="track" cx="60" cy="60" r="48"/><circle class="value" cx="60" cy="60" r="48" stroke-dasharray="{filled:.2} {circumference:.2}" transform="rotate(-90 60 60)"/><text x="60" y="68" text-anchor="middle">{score:.0}%</text></svg>"#,
        grade = grade(score),
        label = html(label),
    )
}

pub(crate) fn pillar_card(pillar: Pillar, s: &PillarScore) -> String {
    let mut details = format!("{} of {} checks pass", s.passed, s.passed + s.failed);
    if s.suppressed > 0 {
        let _ = write!(details, " · {} suppressed", s.suppressed);
    }
    if s.not_assessed > 0 {
        let _ = write!(details, " · {} not assessed", s.not_assessed);
    }
    format!(
        r#"<div class="card" data-pillar="{id}" data-score="{score:.1}">{gauge}<div><h2>{title}</h2><p class="score-value">{score:.1}%</p><p>{details}</p><p>coverage {coverage:.1}% · {rules}</p></div></div>"#,
        id = pillar.as_str(),
        gauge = gauge(s.score, pillar.title()),
        title = html(pillar.title()),
        score = s.score,
        details = html(&details),
        coverage = s.coverage,
        rules = html(&plural(s.rules, "rule", "rules")),
    )
}

pub(crate) fn finding_row(f: &Finding) -> String {
    let status_label = match f.status {
        Status::Fail => "failing",
        Status::Suppressed => "suppressed",
        Status::NotAssessed => "not assessed",
    };
    let rule = match href(&f.help_uri) {
        Some(url) => format!(r#"<a href="{url}">{}</a>"#, html(&f.rule_id)),
        None => html(&f.rule_id),
    };
    let mut note = String::new();
    if let Some(sup) = &f.suppression {
        let _ = write!(
            note,
            r#"<div class="note suppression">Suppressed by {}: {}{}</div>"#,
            html(&sup.source),
            html(&sup.reason),
            sup.expires
                .as_deref()
                .map(|e| format!(" (until {})", html(e)))
                .unwrap_or_default()
        );
    }
    if let Some(loc) = &f.location {
        let _ = write!(
            note,
            r#"<div class="note">{}:{}</div>"#,
            html(&loc.file),
            loc.line
        );
    }
    format!(
        r#"<tr class="finding {status}" data-severity="{sev}" data-pillar="{pillar}" data-status="{status}" data-rule="{rule_id}" data-fingerprint="{fp}"><td><span class="badge {sev}">{sev}</span></td><td class="rule">{rule}<div class="note">{title}</div></td><td><code>{arn}</code><div class="note">{kind} · {region}</div></td><td>{message}{note}<details><summary>Remediation</summary><p>{remediation}</p></details></td><td><span class="status {status}">{status_label}</span></td></tr>"#,
        status = f.status.as_str(),
        sev = f.severity.as_str(),
        pillar = f.pillar.as_str(),
        rule_id = html(&f.rule_id),
        fp = html(&f.fingerprint),
        title = html(&f.title),
        arn = html(&f.resource.arn),
        kind = html(&f.resource.kind),
        region = html(&f.resource.region),
        message = html(&f.message),
        remediation = html(&f.remediation),
    )
}

pub(crate) fn checkbox(name: &str, value: &str, label: &str, count: usize) -> String {
    format!(
        r#"<label><input type="checkbox" name="{name}" value="{value}" checked> {} <span class="count">({count})</span></label>"#,
        html(label)
    )
}

/// The page is written as it is built, in pieces of about this size.
const FLUSH_AT: usize = 1 << 16;

impl Html {
    /// Writes the page. Findings are written as they are rendered: a page with hundreds of
    /// thousands of findings is never in memory as a whole.
    pub fn write(out: &mut dyn Write, report: &AuditReport, ctx: &Ctx) -> std::io::Result<()> {
        let m = &report.metadata;
        let csp = format!(
            "default-src 'none'; style-src {}; script-src {}; img-src 'none'; base-uri 'none'; form-action 'none'",
            csp_hash(STYLE),
            csp_hash(SCRIPT)
        );
        write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<title>mlguard report: account {account}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
            csp = html(&csp),
            account = html(&m.account_id),
        )?;
        let mut body = String::new();
        let regions = if m.regions.is_empty() {
            "no regions".to_string()
        } else {
            m.regions.join(", ")
        };
        let _ = write!(
            body,
            r"<header><h1>mlguard audit of account {account}</h1><p>{regions} · snapshot <code>{source}</code>{collected} · mlguard {version}</p></header><main>",
            account = html(&m.account_id),
            regions = html(&regions),
            source = html(&report.source),
            collected = m
                .collected_at
                .as_deref()
                .map(|c| format!(" · collected {}", html(c)))
                .unwrap_or_default(),
            version = html(ctx.tool_version),
        );

        // Scores.
        let _ = write!(
            body,
            r#"<section class="cards" aria-label="Scores"><div class="card" data-pillar="overall" data-score="{score:.1}">{gauge}<div><h2>Overall</h2><p class="score-value">{score:.1}%</p><p>severity-weighted share of checks that pass</p></div></div>"#,
            score = report.scores.overall,
            gauge = gauge(report.scores.overall, "Overall"),
        );
        for pillar in Pillar::ALL {
            if let Some(s) = report.scores.pillars.get(&pillar) {
                body.push_str(&pillar_card(pillar, s));
            }
        }
        body.push_str("</section>");

        // Summary.
        let failed = report.count(Status::Fail);
        let gating = report.gating(ctx.fail_on);
        let _ = write!(
            body,
            r#"<section class="summary" aria-label="Summary"><p>{} failed, {} suppressed, {} not assessed across {}. Findings: {}.</p>"#,
            plural(failed, "finding", "findings"),
            report.count(Status::Suppressed),
            report.count(Status::NotAssessed),
            plural(report.rules.len(), "rule", "rules"),
            html(&report.registry().to_string()),
        );
        match ctx.fail_on {
            Some(t) if gating > 0 => {
                let _ = write!(
                    body,
                    r#"<p class="verdict-fail">{} at or above {t}: failing (exit 1).</p>"#,
                    plural(gating, "finding", "findings")
                );
            }
            Some(t) => {
                let _ = write!(
                    body,
                    r#"<p class="verdict-pass">Nothing at or above {t}: passing.</p>"#
                );
            }
            None => body.push_str("<p>Findings do not fail the run (--fail-on none).</p>"),
        }
        if let Some(b) = &report.baseline {
            let _ = write!(
                body,
                "<p>Compared with baseline <code>{}</code>: {} new (shown), {} unchanged, {} fixed.</p>",
                html(&b.file),
                b.new,
                b.unchanged,
                b.fixed
            );
        }
        if !report.gaps.is_empty() {
            let _ = write!(
                body,
                "<p>Snapshot incomplete: {} (resources behind them are reported not assessed).</p><ul>",
                plural(report.gaps.len(), "gap", "gaps")
            );
            for g in &report.gaps {
                let _ = write!(
                    body,
                    "<li><code>{}:{}</code> in {}: {} {}</li>",
                    html(&g.service),
                    html(&g.operation),
                    html(&g.region),
                    html(&g.error_code),
                    html(&g.message)
                );
            }
            body.push_str("</ul>");
        }
        body.push_str("</section>");

        // Filters.
        let count =
            |pred: &dyn Fn(&Finding) -> bool| report.findings.iter().filter(|f| pred(f)).count();
        body.push_str(r#"<h2>Findings</h2><form id="filters" class="filters" role="search"><fieldset><legend>Severity</legend>"#);
        for sev in Severity::ALL {
            body.push_str(&checkbox(
                "severity",
                sev.as_str(),
                sev.as_str(),
                count(&|f| f.severity == sev),
            ));
        }
        body.push_str(r"</fieldset><fieldset><legend>Status</legend>");
        for (status, label) in [
            (Status::Fail, "failing"),
            (Status::Suppressed, "suppressed"),
            (Status::NotAssessed, "not assessed"),
        ] {
            body.push_str(&checkbox(
                "status",
                status.as_str(),
                label,
                count(&|f| f.status == status),
            ));
        }
        body.push_str(r#"</fieldset><fieldset><legend>Pillar</legend><select name="pillar" id="pillar"><option value="">All pillars</option>"#);
        for pillar in Pillar::ALL {
            let _ = write!(
                body,
                r#"<option value="{}">{}</option>"#,
                pillar.as_str(),
                html(pillar.title())
            );
        }
        let _ = write!(
            body,
            r#"</select></fieldset><label>Search <input type="search" id="q" name="q" placeholder="rule, ARN, message…" autocomplete="off"></label><span id="shown" aria-live="polite">{n} of {n} findings shown</span></form>"#,
            n = report.findings.len()
        );

        // Findings by pillar, then severity.
        for pillar in Pillar::ALL {
            let in_pillar: Vec<&Finding> = report
                .findings
                .iter()
                .filter(|f| f.pillar == pillar)
                .collect();
            let score = report
                .scores
                .pillars
                .get(&pillar)
                .map(|s| format!(" — score {:.1}%", s.score))
                .unwrap_or_default();
            let _ = write!(
                body,
                r#"<section class="pillar" data-pillar="{}"><h2>{}{}</h2>"#,
                pillar.as_str(),
                html(pillar.title()),
                html(&score)
            );
            if in_pillar.is_empty() {
                body.push_str(r#"<p class="empty">No findings.</p></section>"#);
                continue;
            }
            body.push_str(r#"<p class="empty nomatch" hidden>No finding matches the filters.</p>"#);
            for sev in Severity::ALL {
                let group: Vec<&&Finding> =
                    in_pillar.iter().filter(|f| f.severity == sev).collect();
                if group.is_empty() {
                    continue;
                }
                let _ = write!(
                    body,
                    r#"<div class="group" data-pillar="{}" data-severity="{sev}"><h3><span class="badge {sev}">{sev}</span> {}</h3><table><thead><tr><th>Severity</th><th>Rule</th><th>Resource</th><th>Finding</th><th>Status</th></tr></thead><tbody>"#,
                    pillar.as_str(),
                    plural(group.len(), "finding", "findings"),
                );
                for f in group {
                    body.push_str(&finding_row(f));
                    if body.len() >= FLUSH_AT {
                        out.write_all(body.as_bytes())?;
                        body.clear();
                    }
                }
                body.push_str("</tbody></table></div>");
            }
            body.push_str("</section>");
        }

        // Rules and their remediation.
        body.push_str(r#"<section class="rules-section"><h2>Rules evaluated</h2>"#);
        if report.rules.is_empty() {
            body.push_str(r#"<p class="empty">No rule ran.</p>"#);
        } else {
            body.push_str(r#"<table class="rules"><thead><tr><th>Rule</th><th>Title</th><th>Remediation</th><th>Severity</th><th>Judged</th><th>Failed</th><th>Suppressed</th></tr></thead><tbody>"#);
            for rule in &report.rules {
                let t = report.tallies.iter().find(|t| t.rule_id == rule.meta.id);
                let id = match href(&rule.meta.help_uri()) {
                    Some(url) => format!(r#"<a href="{url}">{}</a>"#, html(&rule.meta.id)),
                    None => html(&rule.meta.id),
                };
                let _ = write!(
                    body,
                    r#"<tr id="rule-{anchor}"><td>{id}</td><td>{title}</td><td>{remediation}</td><td><span class="badge {sev}">{sev}</span></td><td>{judged}</td><td>{failed}</td><td>{suppressed}</td></tr>"#,
                    anchor = html(&rule.meta.id),
                    title = html(&rule.meta.title),
                    remediation = html(&rule.meta.remediation.text),
                    sev = rule.meta.severity.as_str(),
                    judged = t.map_or(0, |t| t.applicable),
                    failed = t.map_or(0, |t| t.failed),
                    suppressed = t.map_or(0, |t| t.suppressed),
                );
            }
            body.push_str("</tbody></table>");
        }
        body.push_str("</section>");
        if let Some(fix) = ctx.fix_cost.as_deref() {
            let _ = write!(
                body,
                r#"<section class="fix-cost" aria-label="Cost of fixing"><h2>Cost of fixing</h2><p class="fix-cost-total" data-monthly-usd="{total}">{headline}</p><table class="fix-cost"><thead><tr><th>Monthly</th><th>Item</th><th>Actions</th></tr></thead><tbody>"#,
                total = fix.estimate.monthly_total_usd,
                headline = html(&fix.headline()),
            );
            for (item, n, usd) in fix.by_item() {
                let _ = write!(
                    body,
                    r"<tr><td>${usd:.2}</td><td>{item}</td><td>{n}</td></tr>",
                    item = html(&item),
                );
            }
            let free: Vec<&str> = fix.estimate.free.keys().map(String::as_str).collect();
            let _ = write!(
                body,
                r#"</tbody></table><p class="note">Free: {free}. Assumes: {assumes}. Prices from {origin}; details per action: <code>mlguard remediate --plan</code>.</p></section>"#,
                free = html(&free.join(", ")),
                assumes = html(&fix.estimate.assumptions.join("; ")),
                origin = html(&fix.estimate.price_data),
            );
        }
        if let Some(evidence) = ctx.evidence.as_deref().filter(|e| !e.frameworks.is_empty()) {
            write_frameworks(out, &mut body, report, evidence, ctx)?;
        }
        let _ = write!(
            body,
            "<footer>Generated by mlguard {} from <code>{}</code>. Scores are the severity-weighted share of (rule, resource) pairs that pass; suppressed and not-assessed pairs are left out.</footer></main>",
            html(ctx.tool_version),
            html(&report.source)
        );

        out.write_all(body.as_bytes())?;
        write!(out, "\n<script>{SCRIPT}</script>\n</body>\n</html>\n")
    }
}

fn status_class(status: &str) -> &str {
    match status {
        "fail" => "fail",
        "not_assessed" => "not_assessed",
        "suppressed" => "suppressed",
        _ => "pass",
    }
}

/// The framework pages: the evidence's provenance, then per framework its controls, each
/// with a drill-down to its rules and every resource behind its status.
fn write_frameworks(
    out: &mut dyn Write,
    body: &mut String,
    report: &AuditReport,
    evidence: &Evidence,
    ctx: &Ctx,
) -> std::io::Result<()> {
    let index = RowIndex::new(report, evidence);
    body.push_str(r#"<section class="frameworks" aria-label="Frameworks"><h2>Frameworks</h2><nav class="frameworks-nav">"#);
    for key in &evidence.frameworks {
        let _ = write!(
            body,
            r##"<a href="#framework-{key}">{name}</a>"##,
            key = html(key),
            name = html(&frameworks::name(key)),
        );
    }
    let _ = write!(
        body,
        r#"</nav><div class="evidence"><p>Evidence for account <code>{account}</code>, collected {collected}, audited on {audited}, by mlguard {version}.</p><p>Snapshot <code>{snapshot}</code> sha256 <code class="snapshot-sha256">{snap_hash}</code></p><p>Policy set sha256 <code class="policy-sha256">{policy_hash}</code></p><p>Reproduce with <code>{reproduce}</code></p></div>"#,
        account = html(&report.metadata.account_id),
        collected = html(
            report
                .metadata
                .collected_at
                .as_deref()
                .unwrap_or("(unknown)")
        ),
        audited = html(&evidence.audited_on),
        version = html(ctx.tool_version),
        snapshot = html(&report.source),
        snap_hash = html(&evidence.snapshot_sha256),
        policy_hash = html(&evidence.policy_set_sha256),
        reproduce = html(&evidence.reproduce(report)),
    );
    for key in &evidence.frameworks {
        let view = compliance::view(report, &index, key).map_err(std::io::Error::other)?;
        let f = view.framework;
        let sum = view.summary();
        let section = format!("framework-{}", f.key);
        let source = match href(&f.source) {
            Some(url) => format!(r#"<a href="{url}">{}</a>"#, html(&f.source)),
            None => html(&f.source),
        };
        let _ = write!(
            body,
            r#"<section class="framework" id="{section}" data-framework="{key}"><h3>{name} <span class="meta">{version}</span></h3><p class="meta">Source: {source}</p><p class="meta">Controls listed: {scope}</p><p class="meta">Mappings: {mappings}</p><p class="framework-summary" data-controls="{n}" data-fail="{fail}" data-pass="{pass}" data-not-evidenced="{ne}">{n} controls: {pass} pass, {fail} fail, {na} not assessed, {nr} without resources, {ne} not evidenced by mlguard; mlguard evidences {full} fully and {partial} partially.</p><label class="control-filter">Show <select class="control-filter" data-section="{section}"><option value="">all controls</option>"#,
            key = html(&f.key),
            name = html(&f.name),
            version = html(&f.version),
            scope = html(&f.scope),
            mappings = html(&f.mappings),
            n = sum.controls,
            pass = sum.pass,
            fail = sum.fail,
            na = sum.not_assessed,
            nr = sum.no_resources,
            ne = sum.not_evidenced,
            full = sum.full,
            partial = sum.partial,
        );
        for status in ControlStatus::ALL {
            let _ = write!(
                body,
                r#"<option value="{}">{}</option>"#,
                status.key(),
                status.as_str()
            );
        }
        let _ = write!(
            body,
            r#"</select></label> <span class="controls-shown">{} controls shown</span><table class="controls"><thead><tr><th>Control</th><th>Title</th><th>Status</th><th>Coverage</th><th>Rules and resources</th></tr></thead><tbody>"#,
            sum.controls
        );
        for control in &view.controls {
            let _ = write!(
                body,
                r#"<tr class="control {status}" data-control="{id}" data-status="{status}" data-coverage="{coverage}"><td class="cid">{id}</td><td>{title}</td><td><span class="cstatus {status}">{label}</span></td><td><span class="coverage {coverage}">{coverage}</span></td><td>"#,
                id = html(control.id),
                title = html(control.title),
                status = control.status.key(),
                label = control.status.as_str(),
                coverage = control.coverage.as_str(),
            );
            if control.rules.is_empty() {
                body.push_str(r#"<span class="empty">No rule of mlguard evidences this control.</span></td></tr>"#);
                continue;
            }
            let _ = write!(
                body,
                r#"<details class="drill"><summary>{} · {} pass, {} fail, {} not assessed, {} suppressed</summary><ul class="control-rules">"#,
                html(
                    &control
                        .rules
                        .iter()
                        .map(|r| format!("{} ({})", r.rule.meta.id, r.coverage.as_str()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                control.passed(),
                control.failed(),
                control.not_assessed(),
                control.suppressed(),
            );
            for r in &control.rules {
                let _ = write!(
                    body,
                    r##"<li data-rule="{id}" data-coverage="{coverage}"><a href="#rule-{id}">{id}</a> {title}: <span class="cstatus {status}">{label}</span> ({coverage})</li>"##,
                    id = html(&r.rule.meta.id),
                    title = html(&r.rule.meta.title),
                    status = r.status.key(),
                    label = r.status.as_str(),
                    coverage = r.coverage.as_str(),
                );
            }
            body.push_str(r#"</ul><table class="resources"><thead><tr><th>Rule</th><th>Status</th><th>Resource</th><th>Region</th><th>Message</th></tr></thead><tbody>"#);
            for row in control.rows() {
                let _ = write!(
                    body,
                    r#"<tr class="resource" data-rule="{rule}" data-status="{status}"><td>{rule}</td><td><span class="status {class}">{status}</span></td><td><code>{arn}</code><div class="note">{kind}</div></td><td>{region}</td><td>{message}</td></tr>"#,
                    rule = html(&row.rule.meta.id),
                    status = row.status,
                    class = status_class(row.status),
                    arn = html(row.arn),
                    kind = html(row.kind),
                    region = html(row.region),
                    message = html(row.message),
                );
                if body.len() >= FLUSH_AT {
                    out.write_all(body.as_bytes())?;
                    body.clear();
                }
            }
            body.push_str("</tbody></table></details></td></tr>");
        }
        body.push_str("</tbody></table></section>");
    }
    body.push_str("</section>");
    Ok(())
}

impl Emitter for Html {
    fn emit(
        &self,
        out: &mut dyn Write,
        report: &AuditReport,
        ctx: &Ctx,
    ) -> Result<(), ReportError> {
        Self::write(out, report, ctx)?;
        Ok(())
    }
}
