//! What a plan adds to or removes from the monthly AWS bill, before it is applied.
//!
//! Prices come from a versioned data file (`policies/pricing/aws-prices.json`, built in;
//! `--pricing FILE` replaces it): list prices per region, the date they were read and the
//! AWS pricing pages they were read from, and the usage the estimate assumes (flow-log
//! volume, endpoint traffic, KMS requests), which every estimate states. Only what the plan's
//! calls start or stop is counted; what is free is named, never silently left out.

use super::model::Op;
use super::operations::Price;
use super::plan::{Action, Plan};
use crate::findings::Applicability;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The price data mlguard ships.
pub const BUILT_IN: &str = include_str!("../../policies/pricing/aws-prices.json");
/// Where it lives in the repository.
pub const BUILT_IN_PATH: &str = "policies/pricing/aws-prices.json";
/// The price-data format this mlguard reads.
pub const PRICING_VERSION: u32 = 1;

/// List prices of one region (USD).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionPrices {
    /// A customer-managed KMS key, per month (prorated hourly).
    pub kms_key_month: f64,
    /// KMS requests, per 10,000.
    pub kms_requests_per_10k: f64,
    /// An interface VPC endpoint, per availability zone and hour.
    pub interface_endpoint_az_hour: f64,
    /// Data an interface endpoint processes, per GB.
    pub interface_endpoint_gb: f64,
    /// Flow logs delivered to S3 (CloudWatch vended logs), per GB.
    pub flow_logs_s3_gb: f64,
    /// S3 Standard storage, per GB-month.
    pub s3_standard_gb_month: f64,
    /// S3 PUT requests, per 1,000.
    pub s3_put_per_1k: f64,
    /// A NAT gateway, per hour.
    pub nat_gateway_hour: f64,
    /// Data a NAT gateway processes, per GB.
    pub nat_gateway_gb: f64,
}

/// The usage an estimate assumes; every estimate states the values it used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assumptions {
    pub kms_requests_per_key_month: f64,
    pub interface_endpoint_gb_month: f64,
    pub flow_logs_gb_month: f64,
    /// Objects flow logs write to S3 a month (one PUT each).
    pub flow_log_objects_month: f64,
    pub nat_gateway_gb_month: f64,
}

/// The price data file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pricing {
    pub pricing_version: u32,
    /// When the prices were read from the AWS pricing pages (YYYY-MM-DD).
    pub read_on: String,
    pub currency: String,
    pub hours_per_month: f64,
    /// Service -> the AWS pricing page the prices were read from.
    pub sources: BTreeMap<String, String>,
    #[serde(default)]
    pub notes: Vec<String>,
    pub assumptions: Assumptions,
    /// The region whose prices stand in for a region the file does not list.
    pub fallback_region: String,
    pub regions: BTreeMap<String, RegionPrices>,
    /// Where the data was read from (not in the file).
    #[serde(skip)]
    pub origin: String,
}

/// Why price data cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PricingError {
    #[error("cannot read price data {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{origin}: not valid mlguard price data: {message}")]
    Invalid { origin: String, message: String },
}

impl PricingError {
    pub fn hint(&self) -> String {
        format!(
            "start from the shipped price data ({BUILT_IN_PATH}); docs/remediation.md explains its fields and how to refresh them"
        )
    }
}

impl Pricing {
    /// The shipped price data.
    pub fn built_in() -> Pricing {
        // The shipped file is checked by a unit test, so this cannot fail in a release.
        Pricing::parse(BUILT_IN, BUILT_IN_PATH).unwrap_or_else(|e| panic!("{e} (please report)"))
    }

    /// `--pricing FILE`, else the shipped data.
    pub fn load(path: Option<&Path>) -> Result<Pricing, PricingError> {
        match path {
            None => Pricing::parse(BUILT_IN, BUILT_IN_PATH),
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| PricingError::Read {
                    path: p.to_path_buf(),
                    source,
                })?;
                Pricing::parse(&text, &p.display().to_string())
            }
        }
    }

    pub fn parse(text: &str, origin: &str) -> Result<Pricing, PricingError> {
        let invalid = |message: String| PricingError::Invalid {
            origin: origin.to_string(),
            message,
        };
        let mut p: Pricing = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        if p.pricing_version != PRICING_VERSION {
            return Err(invalid(format!(
                "pricing_version {} (this mlguard reads {PRICING_VERSION})",
                p.pricing_version
            )));
        }
        if !p.regions.contains_key(&p.fallback_region) {
            return Err(invalid(format!(
                "fallback_region `{}` has no prices in `regions`",
                p.fallback_region
            )));
        }
        if chrono::NaiveDate::parse_from_str(&p.read_on, "%Y-%m-%d").is_err() {
            return Err(invalid(format!("read_on `{}` is not a date", p.read_on)));
        }
        let a = &p.assumptions;
        let mut numbers = vec![
            ("hours_per_month".to_string(), p.hours_per_month),
            (
                "assumptions.kms_requests_per_key_month".into(),
                a.kms_requests_per_key_month,
            ),
            (
                "assumptions.interface_endpoint_gb_month".into(),
                a.interface_endpoint_gb_month,
            ),
            (
                "assumptions.flow_logs_gb_month".into(),
                a.flow_logs_gb_month,
            ),
            (
                "assumptions.flow_log_objects_month".into(),
                a.flow_log_objects_month,
            ),
            (
                "assumptions.nat_gateway_gb_month".into(),
                a.nat_gateway_gb_month,
            ),
        ];
        for (region, r) in &p.regions {
            for (field, v) in [
                ("kms_key_month", r.kms_key_month),
                ("kms_requests_per_10k", r.kms_requests_per_10k),
                ("interface_endpoint_az_hour", r.interface_endpoint_az_hour),
                ("interface_endpoint_gb", r.interface_endpoint_gb),
                ("flow_logs_s3_gb", r.flow_logs_s3_gb),
                ("s3_standard_gb_month", r.s3_standard_gb_month),
                ("s3_put_per_1k", r.s3_put_per_1k),
                ("nat_gateway_hour", r.nat_gateway_hour),
                ("nat_gateway_gb", r.nat_gateway_gb),
            ] {
                numbers.push((format!("regions.{region}.{field}"), v));
            }
        }
        if let Some((field, v)) = numbers.iter().find(|(_, v)| !v.is_finite() || *v < 0.0) {
            return Err(invalid(format!(
                "{field} is {v}: prices and assumptions are non-negative numbers"
            )));
        }
        p.origin = origin.to_string();
        Ok(p)
    }

    /// The prices of a region, and whether they are the fallback region's.
    pub fn region(&self, region: &str) -> (&RegionPrices, bool) {
        match self.regions.get(region) {
            Some(r) => (r, false),
            None => (&self.regions[&self.fallback_region], true),
        }
    }
}

/// The shape of an existing VPC endpoint (teardown prices what it stops).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointShape {
    /// `Interface` or `Gateway`.
    pub kind: String,
    /// Availability zones (subnets) an interface endpoint is in.
    pub zones: usize,
}

/// One priced action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostLine {
    /// The action's id.
    pub action: String,
    pub region: String,
    /// What is billed.
    pub item: String,
    /// Change of the monthly bill (negative: stops being billed).
    pub monthly_usd: f64,
    /// How the figure was computed, with the assumptions it rests on.
    pub basis: String,
}

/// What a plan does to the monthly bill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostEstimate {
    pub currency: String,
    /// When the prices were read.
    pub prices_read_on: String,
    /// Which price data (the shipped file or `--pricing FILE`).
    pub price_data: String,
    /// Change of the monthly bill, all actions together.
    pub monthly_total_usd: f64,
    /// Actions that add to the bill.
    pub lines: Vec<CostLine>,
    /// Actions that cost nothing, by kind, with their count.
    pub free: BTreeMap<String, usize>,
    /// What the figures assume.
    pub assumptions: Vec<String>,
    /// Other remarks (regions priced with another region's prices, waiting periods).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Rounds to a tenth of a cent, so the JSON holds no floating-point noise.
fn round(v: f64) -> f64 {
    let r = (v * 1000.0).round() / 1000.0;
    if r == 0.0 { 0.0 } else { r }
}

fn usd(v: f64) -> String {
    let sign = if v < 0.0 { "-" } else { "+" };
    format!("{sign}${:.2}", v.abs())
}

fn gb(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0} GB")
    } else {
        format!("{v} GB")
    }
}

/// What a call costs a month, per region: `None` when it is free (with its kind).
enum Priced {
    Line {
        item: String,
        monthly: f64,
        basis: String,
    },
    Free(&'static str),
}

/// Prices one call: what its declaration (`operations.rs`) calls free is free; the billed
/// ones are priced here. `endpoints` describes existing endpoints (for deletions).
fn price(
    op: &Op,
    p: &Pricing,
    r: &RegionPrices,
    endpoints: &BTreeMap<String, EndpointShape>,
) -> Priced {
    if let Price::Free(kind) = op.price() {
        return Priced::Free(kind);
    }
    let a = &p.assumptions;
    let hours = p.hours_per_month;
    let key_month =
        r.kms_key_month + a.kms_requests_per_key_month / 10_000.0 * r.kms_requests_per_10k;
    let key_basis = format!(
        "${:.2}/month per key, prorated hourly, + {:.0} requests/month at ${}/10,000 (assumed; the first 20,000 requests a month of the account are free)",
        r.kms_key_month, a.kms_requests_per_key_month, r.kms_requests_per_10k
    );
    let interface = |zones: usize| {
        let z = zones.max(1) as f64;
        z * hours * r.interface_endpoint_az_hour
            + a.interface_endpoint_gb_month * r.interface_endpoint_gb
    };
    let interface_basis = |zones: usize| {
        format!(
            "{} AZ x {hours:.0} h x ${}/AZ-hour + {} processed/month at ${}/GB (assumed)",
            zones.max(1),
            r.interface_endpoint_az_hour,
            gb(a.interface_endpoint_gb_month),
            r.interface_endpoint_gb
        )
    };
    let flow_logs = a.flow_logs_gb_month * r.flow_logs_s3_gb;
    let flow_basis = format!(
        "{} of flow-log records/month (assumed) delivered to S3 at ${}/GB",
        gb(a.flow_logs_gb_month),
        r.flow_logs_s3_gb
    );
    let bucket = a.flow_logs_gb_month * r.s3_standard_gb_month
        + a.flow_log_objects_month / 1000.0 * r.s3_put_per_1k;
    let bucket_basis = format!(
        "{} stored in the first month at ${}/GB-month (storage grows by that much every month it is kept) + {:.0} PUTs/month at ${}/1,000 (assumed)",
        gb(a.flow_logs_gb_month),
        r.s3_standard_gb_month,
        a.flow_log_objects_month,
        r.s3_put_per_1k
    );
    match op {
        Op::CreateKey { .. } => Priced::Line {
            item: "KMS customer-managed key".into(),
            monthly: key_month,
            basis: key_basis,
        },
        Op::CancelKeyDeletion { .. } => Priced::Line {
            item: "KMS key kept (deletion cancelled)".into(),
            monthly: key_month,
            basis: format!(
                "a key pending deletion is not billed; cancelling bills it again: {key_basis}"
            ),
        },
        Op::ScheduleKeyDeletion {
            pending_window_in_days,
            ..
        } => Priced::Line {
            item: "KMS customer-managed key".into(),
            monthly: -key_month,
            basis: format!(
                "billing stops when the deletion is scheduled: AWS does not bill a key during its {pending_window_in_days}-day waiting period, but cancelling the deletion in that window bills it as if it had never been scheduled ({key_basis})"
            ),
        },
        Op::EnableKeyRotation { .. } => Priced::Line {
            item: "KMS automatic rotation".into(),
            monthly: 0.0,
            basis: format!(
                "nothing this month: each rotation (the first one year after enabling) adds a backing key at ${:.2}/month",
                r.kms_key_month
            ),
        },
        Op::CreateVpcEndpoint {
            endpoint_type,
            subnet_ids,
            service_name,
            ..
        } if endpoint_type.eq_ignore_ascii_case("interface") => Priced::Line {
            item: format!("interface VPC endpoint {service_name}"),
            monthly: interface(subnet_ids.len()),
            basis: interface_basis(subnet_ids.len()),
        },
        Op::CreateVpcEndpoint { .. } => Priced::Free("gateway VPC endpoint"),
        Op::DeleteVpcEndpoints {
            vpc_endpoint_id, ..
        } => match endpoints.get(vpc_endpoint_id) {
            Some(s) if s.kind.eq_ignore_ascii_case("interface") => Priced::Line {
                item: format!("interface VPC endpoint {vpc_endpoint_id}"),
                monthly: -interface(s.zones),
                basis: interface_basis(s.zones),
            },
            Some(_) => Priced::Free("gateway VPC endpoint"),
            None => Priced::Line {
                item: format!("VPC endpoint {vpc_endpoint_id} (type unknown)"),
                monthly: 0.0,
                basis: "its type was not read: a gateway endpoint is free, an interface endpoint stops costing its AZ-hours and data".into(),
            },
        },
        Op::CreateFlowLogs {
            log_destination, ..
        } if log_destination.contains(":s3:::") => Priced::Line {
            item: "VPC flow logs delivered to S3".into(),
            monthly: flow_logs,
            basis: flow_basis,
        },
        Op::CreateFlowLogs { .. } => Priced::Line {
            item: "VPC flow logs".into(),
            monthly: flow_logs,
            basis: format!("{flow_basis} (priced as S3 delivery)"),
        },
        Op::DeleteFlowLogs { .. } => Priced::Line {
            item: "VPC flow logs delivered to S3".into(),
            monthly: -flow_logs,
            basis: flow_basis,
        },
        Op::CreateBucket { .. } => Priced::Line {
            item: "S3 bucket for flow logs".into(),
            monthly: bucket,
            basis: bucket_basis,
        },
        Op::DeleteBucket { .. } => Priced::Line {
            item: "S3 bucket for flow logs".into(),
            monthly: -bucket,
            basis: format!(
                "{bucket_basis}; S3 deletes only an empty bucket, and what it held was billed until emptied"
            ),
        },
        other => Priced::Line {
            item: format!("{} (not priced)", other.name()),
            monthly: 0.0,
            basis: "mlguard has no price for this call: this is a bug in mlguard, please report it"
                .into(),
        },
    }
}

/// The estimate of a plan: every change priced in its region.
pub fn estimate(
    plan: &Plan,
    pricing: &Pricing,
    endpoints: &BTreeMap<String, EndpointShape>,
) -> CostEstimate {
    let mut lines = Vec::new();
    let mut free: BTreeMap<String, usize> = BTreeMap::new();
    let mut fallback_regions: Vec<String> = Vec::new();
    let changes = plan.actions.iter().filter(|a| a.is_change());
    for action in changes {
        let Some(op) = &action.op else { continue };
        let region = action_region(action, plan);
        let (prices, fallback) = pricing.region(&region);
        if fallback && !fallback_regions.contains(&region) {
            fallback_regions.push(region.clone());
        }
        match price(op, pricing, prices, endpoints) {
            Priced::Line {
                item,
                monthly,
                basis,
            } => lines.push(CostLine {
                action: action.id.clone(),
                region,
                item,
                monthly_usd: round(monthly),
                basis,
            }),
            Priced::Free(kind) => *free.entry(kind.to_string()).or_default() += 1,
        }
    }
    let total = round(lines.iter().map(|l| l.monthly_usd).sum());
    let a = &pricing.assumptions;
    let assumptions = vec![
        format!(
            "a month is {:.0} hours; list prices (on-demand, first tier), before taxes, credits and free tiers",
            pricing.hours_per_month
        ),
        format!(
            "{:.0} KMS requests per key a month",
            a.kms_requests_per_key_month
        ),
        format!(
            "{} processed per interface endpoint a month",
            gb(a.interface_endpoint_gb_month)
        ),
        format!(
            "{} of flow-log records per VPC a month, written as {:.0} objects",
            gb(a.flow_logs_gb_month),
            a.flow_log_objects_month
        ),
    ];
    let mut notes = Vec::new();
    fallback_regions.sort();
    for region in fallback_regions {
        notes.push(format!(
            "the price data has no prices for {region}: {}'s are used",
            pricing.fallback_region
        ));
    }
    let (nat, _) = pricing.region(plan.regions.first().map_or("", String::as_str));
    notes.push(format!(
        "NAT gateways: the plan adds and removes none (each costs ${}/hour + ${}/GB processed, ${:.2}/month with {} of traffic); the S3 gateway endpoint carries S3 traffic a NAT gateway would otherwise process",
        nat.nat_gateway_hour,
        nat.nat_gateway_gb,
        pricing.hours_per_month * nat.nat_gateway_hour + a.nat_gateway_gb_month * nat.nat_gateway_gb,
        gb(a.nat_gateway_gb_month)
    ));
    CostEstimate {
        currency: pricing.currency.clone(),
        prices_read_on: pricing.read_on.clone(),
        price_data: pricing.origin.clone(),
        monthly_total_usd: total,
        lines,
        free,
        assumptions,
        notes,
    }
}

/// What applying the plan adds to the monthly bill: the cost lines of the actions that will
/// be applied (unsafe ones only with `allow_unsafe`; manual ones never).
pub fn applied_monthly_cost(plan: &Plan, allow_unsafe: bool) -> f64 {
    let Some(c) = &plan.cost else { return 0.0 };
    c.lines
        .iter()
        .filter(|l| {
            plan.actions.iter().any(|a| {
                a.id == l.action
                    && a.is_change()
                    && (a.applicability == Applicability::Safe || allow_unsafe)
            })
        })
        .map(|l| l.monthly_usd)
        .sum()
}

/// What fixing an audit's findings would cost: the estimate of the remediation plan made
/// from them (without `remediate`'s options, so fixes that need one are manual and priced at
/// nothing), for the table and HTML reports (`--fix-cost`).
#[derive(Debug, Clone, PartialEq)]
pub struct FixCost {
    pub estimate: CostEstimate,
    /// Actions that change something.
    pub changes: usize,
    /// Actions left to people.
    pub manual: usize,
}

impl FixCost {
    /// The priced lines by item: `(item, actions, monthly USD)`, dearest first.
    pub fn by_item(&self) -> Vec<(String, usize, f64)> {
        let mut out: Vec<(String, usize, f64)> = Vec::new();
        for l in &self.estimate.lines {
            match out.iter_mut().find(|(item, _, _)| *item == l.item) {
                Some(e) => {
                    e.1 += 1;
                    e.2 += l.monthly_usd;
                }
                None => out.push((l.item.clone(), 1, l.monthly_usd)),
            }
        }
        for e in &mut out {
            e.2 = round(e.2);
        }
        out.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// The headline: `+$X a month for N changes (M manual)`.
    pub fn headline(&self) -> String {
        format!(
            "{} a month for the {} changes `mlguard remediate` plans ({} more are manual; prices of {})",
            usd(self.estimate.monthly_total_usd),
            self.changes,
            self.manual,
            self.estimate.prices_read_on
        )
    }
}

/// The table report's section.
pub fn render_fix_cost(fix: &FixCost) -> String {
    let mut out = format!(
        "
Cost of fixing: {}
",
        fix.headline()
    );
    for (item, n, usd_month) in fix.by_item() {
        let times = if n > 1 {
            format!(" x{n}")
        } else {
            String::new()
        };
        let _ = writeln!(out, "  {:>9}  {item}{times}", usd(usd_month));
    }
    if !fix.estimate.free.is_empty() {
        let free: Vec<&str> = fix.estimate.free.keys().map(String::as_str).collect();
        let _ = writeln!(out, "  {:>9}  free: {}", "$0.00", free.join(", "));
    }
    let _ = writeln!(
        out,
        "  assumes: {}; details: `mlguard remediate --plan`",
        fix.estimate.assumptions.join("; ")
    );
    out
}

/// The region an action bills in (global IAM calls are free anyway).
fn action_region(action: &Action, plan: &Plan) -> String {
    if action.region.is_empty() || action.region == "global" {
        plan.regions.first().cloned().unwrap_or_default()
    } else {
        action.region.clone()
    }
}

/// The estimate for people, printed after the diff.
pub fn render(e: &CostEstimate) -> String {
    let mut out = String::new();
    let direction = if e.monthly_total_usd < 0.0 {
        "stops being billed"
    } else {
        "adds to the bill"
    };
    let _ = writeln!(
        out,
        "\nMonthly cost ({}, prices of {} from {}): {} {direction}",
        e.currency,
        e.prices_read_on,
        e.price_data,
        usd(e.monthly_total_usd)
    );
    for l in &e.lines {
        let _ = writeln!(
            out,
            "  {:>9}  {} ({}, action {})",
            usd(l.monthly_usd),
            l.item,
            l.region,
            l.action
        );
        let _ = writeln!(out, "             {}", l.basis);
    }
    if !e.free.is_empty() {
        let free: Vec<String> = e.free.iter().map(|(k, n)| format!("{k} ({n})")).collect();
        let _ = writeln!(out, "  {:>9}  free: {}", "$0.00", free.join(", "));
    }
    let _ = writeln!(out, "  assumes: {}", e.assumptions.join("; "));
    for n in &e.notes {
        let _ = writeln!(out, "  note: {n}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remediate::model::Aspect;
    use crate::remediate::plan::{PLAN_VERSION, PlanKind, PlanOptions, PlanSource};
    use serde_json::{Value, json};

    fn plan(actions: Vec<Action>) -> Plan {
        Plan {
            plan_version: PLAN_VERSION,
            kind: PlanKind::Harden,
            tool_version: "0".into(),
            account_id: "123456789012".into(),
            partition: "aws".into(),
            created_at: "2026-12-05T00:00:00Z".into(),
            source: PlanSource {
                kind: "live".into(),
                file: None,
                collected_at: "2026-12-05T00:00:00Z".into(),
            },
            stack: Some("lab".into()),
            regions: vec!["us-east-1".into()],
            options: PlanOptions::default(),
            scores_before: None,
            cost: None,
            actions,
        }
    }

    fn action(op: Op, region: &str) -> Action {
        Action::change(
            "harden",
            "harden",
            Applicability::Safe,
            "t",
            "s",
            op,
            Aspect::Ec2Resource {
                region: region.into(),
                kind: "vpc".into(),
                id: "x".into(),
            },
            Value::Null,
            json!({"id": "x"}),
        )
    }

    /// Every call its declaration calls billed has its price here.
    #[test]
    fn every_billed_operation_is_priced() {
        let p = Pricing::built_in();
        let (r, _) = p.region("us-east-1");
        for op in Op::samples() {
            if let Priced::Line { item, .. } = price(&op, &p, r, &BTreeMap::new()) {
                assert!(!item.ends_with("(not priced)"), "{item}");
            }
        }
    }

    #[test]
    fn the_shipped_price_data_loads() {
        let p = Pricing::built_in();
        assert_eq!(p.origin, BUILT_IN_PATH);
        assert!(p.regions.contains_key("us-east-1"));
        for service in ["kms", "privatelink", "vpc", "cloudwatch", "s3"] {
            assert!(p.sources[service].starts_with("https://aws.amazon.com/"));
        }
    }

    #[test]
    fn key_endpoint_flow_logs_and_bucket_arithmetic() {
        let p = Pricing::built_in();
        let ops = vec![
            action(
                Op::CreateKey {
                    region: "us-east-1".into(),
                    description: String::new(),
                    document: Value::Null,
                    tags: Default::default(),
                },
                "us-east-1",
            ),
            action(
                Op::CreateVpcEndpoint {
                    region: "us-east-1".into(),
                    vpc_id: "v".into(),
                    service_name: "com.amazonaws.us-east-1.sagemaker.api".into(),
                    endpoint_type: "Interface".into(),
                    route_table_ids: vec![],
                    subnet_ids: vec!["a".into(), "b".into()],
                    security_group_ids: vec![],
                    private_dns_enabled: true,
                    tags: Default::default(),
                },
                "us-east-1",
            ),
            action(
                Op::CreateVpcEndpoint {
                    region: "us-east-1".into(),
                    vpc_id: "v".into(),
                    service_name: "com.amazonaws.us-east-1.s3".into(),
                    endpoint_type: "Gateway".into(),
                    route_table_ids: vec!["r".into()],
                    subnet_ids: vec![],
                    security_group_ids: vec![],
                    private_dns_enabled: false,
                    tags: Default::default(),
                },
                "us-east-1",
            ),
            action(
                Op::CreateFlowLogs {
                    region: "us-east-1".into(),
                    resource_id: "v".into(),
                    log_destination: "arn:aws:s3:::b".into(),
                    tags: Default::default(),
                },
                "us-east-1",
            ),
            action(
                Op::CreateBucket {
                    bucket: "b".into(),
                    region: "us-east-1".into(),
                },
                "us-east-1",
            ),
            action(
                Op::CreateVpc {
                    region: "us-east-1".into(),
                    cidr_block: "10.0.0.0/16".into(),
                    tags: Default::default(),
                },
                "us-east-1",
            ),
        ];
        let e = estimate(&plan(ops), &p, &BTreeMap::new());
        let by: Vec<f64> = e.lines.iter().map(|l| l.monthly_usd).collect();
        // Key: $1 + 10,000 requests x $0.03/10,000.
        assert_eq!(by[0], 1.03);
        // Interface endpoint in 2 AZs: 2 x 730 h x $0.01 + 5 GB x $0.01.
        assert_eq!(by[1], 14.65);
        // Flow logs: 5 GB x $0.25.
        assert_eq!(by[2], 1.25);
        // Bucket: 5 GB x $0.023 + 8,640 PUTs x $0.005/1,000.
        assert_eq!(by[3], 0.158);
        assert_eq!(by.len(), 4, "the gateway endpoint and the VPC are free");
        assert_eq!(e.free["gateway VPC endpoint"], 1);
        assert_eq!(e.free["VPC, subnets, routes, network ACLs"], 1);
        assert_eq!(e.monthly_total_usd, round(1.03 + 14.65 + 1.25 + 0.158));
        assert!(e.assumptions.iter().any(|a| a.contains("5 GB of flow-log")));
    }

    #[test]
    fn only_the_actions_applied_count_against_the_limit() {
        let key = |region: &str| {
            action(
                Op::CreateKey {
                    region: region.into(),
                    description: String::new(),
                    document: Value::Null,
                    tags: Default::default(),
                },
                region,
            )
        };
        let mut unsafe_key = key("eu-west-1");
        unsafe_key.applicability = Applicability::Unsafe;
        let mut p = plan(vec![key("us-east-1"), unsafe_key]);
        p.cost = Some(estimate(&p, &Pricing::built_in(), &BTreeMap::new()));
        assert_eq!(p.cost.as_ref().map(|c| c.monthly_total_usd), Some(2.06));
        assert!((applied_monthly_cost(&p, false) - 1.03).abs() < 1e-9);
        assert!((applied_monthly_cost(&p, true) - 2.06).abs() < 1e-9);
        p.cost = None;
        assert_eq!(applied_monthly_cost(&p, true), 0.0);
    }

    #[test]
    fn deletions_stop_billing_and_the_waiting_period_is_explained() {
        let p = Pricing::built_in();
        let mut shapes = BTreeMap::new();
        shapes.insert(
            "vpce-1".to_string(),
            EndpointShape {
                kind: "Interface".into(),
                zones: 2,
            },
        );
        shapes.insert(
            "vpce-2".to_string(),
            EndpointShape {
                kind: "Gateway".into(),
                zones: 0,
            },
        );
        let ops = vec![
            action(
                Op::ScheduleKeyDeletion {
                    region: "us-east-1".into(),
                    key_id: "k".into(),
                    pending_window_in_days: 7,
                },
                "us-east-1",
            ),
            action(
                Op::DeleteVpcEndpoints {
                    region: "us-east-1".into(),
                    vpc_endpoint_id: "vpce-1".into(),
                },
                "us-east-1",
            ),
            action(
                Op::DeleteVpcEndpoints {
                    region: "us-east-1".into(),
                    vpc_endpoint_id: "vpce-2".into(),
                },
                "us-east-1",
            ),
        ];
        let e = estimate(&plan(ops), &p, &shapes);
        assert_eq!(e.lines.len(), 2);
        assert_eq!(e.lines[0].monthly_usd, -1.03);
        assert!(e.lines[0].basis.contains("7-day waiting period"));
        assert_eq!(e.lines[1].monthly_usd, -14.65);
        assert_eq!(e.monthly_total_usd, -15.68);
        assert!(render(&e).contains("-$15.68 stops being billed"));
    }

    #[test]
    fn unlisted_regions_use_the_fallback_and_say_so() {
        let p = Pricing::built_in();
        let op = Op::CreateKey {
            region: "ap-south-2".into(),
            description: String::new(),
            document: Value::Null,
            tags: Default::default(),
        };
        let e = estimate(&plan(vec![action(op, "ap-south-2")]), &p, &BTreeMap::new());
        assert_eq!(e.lines[0].region, "ap-south-2");
        assert!(e.notes[0].contains("no prices for ap-south-2: us-east-1's are used"));
        let eu = p.region("eu-west-1").0;
        assert!(eu.interface_endpoint_az_hour > p.region("us-east-1").0.interface_endpoint_az_hour);
    }

    #[test]
    fn bad_price_data_is_refused() {
        let mut v: Value = serde_json::from_str(BUILT_IN).expect("json");
        v["regions"]["us-east-1"]["kms_key_month"] = json!(-1);
        let err = Pricing::parse(&v.to_string(), "x.json").expect_err("negative");
        assert!(
            err.to_string().contains("regions.us-east-1.kms_key_month"),
            "{err}"
        );
        let mut v: Value = serde_json::from_str(BUILT_IN).expect("json");
        v["fallback_region"] = json!("mars-1");
        assert!(Pricing::parse(&v.to_string(), "x.json").is_err());
        let mut v: Value = serde_json::from_str(BUILT_IN).expect("json");
        v["pricing_version"] = json!(2);
        assert!(Pricing::parse(&v.to_string(), "x.json").is_err());
        assert!(Pricing::parse("{}", "x.json").is_err());
    }
}
