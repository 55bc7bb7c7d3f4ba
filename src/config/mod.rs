//! `mlguard.toml`: which rules run and how strictly, the ML workload scope, network and IAM
//! parameters, the regions `scan`/`collect` read, and suppressions.
//!
//! The file is read with `deny_unknown_fields` everywhere: a misspelt key or a wrongly typed
//! value is an error that names the file, line, column and key. Values that only make sense
//! against the loaded rules (ids in `select`, `ignore`, `severity`) are checked by
//! [`LoadedConfig::check_rule_ids`], with the same kind of position.
//!
//! Precedence, strongest first: command-line flags, the configuration file (`--config FILE`,
//! `$MLGUARD_CONFIG`, else `./mlguard.toml` unless `--no-config`), built-in defaults.

mod span;
pub mod template;

use crate::engine::{Params, Rule};
use crate::findings::FailOn;
use crate::findings::Severity;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use span::Seg;

/// The file `mlguard` looks for in the working directory.
pub const FILE_NAME: &str = "mlguard.toml";

/// The `mlguard.toml` document.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Run only these rules: ids or id prefixes (`LP`, `NI-00`, `DE-003`). Empty or absent:
    /// every rule that is not deprecated. `--select` replaces it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub select: Vec<String>,
    /// Skip these rules: ids or id prefixes. `--ignore` replaces it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<String>,
    /// Severity overrides by rule id, e.g. `"NI-004" = "low"`. They change the rule's
    /// severity everywhere: reports, scores and the `fail_on` threshold.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub severity: BTreeMap<String, Severity>,
    /// Exit 1 when a finding at or above this severity fails (`none`: never). Default
    /// `high`; `--fail-on` replaces it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on: Option<FailOn>,
    /// Regions `mlguard scan` and `mlguard collect` read (e.g. `["us-east-1", "eu-west-1"]`).
    /// Empty or absent: the region of the AWS configuration.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// The ML workload scope.
    #[serde(default, skip_serializing_if = "ScopeConfig::is_empty")]
    pub scope: ScopeConfig,
    /// Network isolation parameters.
    #[serde(default, skip_serializing_if = "NetworkConfig::is_empty")]
    pub network: NetworkConfig,
    /// Least-privilege parameters.
    #[serde(default, skip_serializing_if = "IamConfig::is_empty")]
    pub iam: IamConfig,
    /// Accepted findings: each entry names a rule (id or prefix), a resource (ARN glob) and
    /// why, and may expire. Suppressed findings stay in every report, marked `suppressed`,
    /// and never fail the run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppress: Vec<SuppressEntry>,
}

/// `[scope]`: what belongs to the ML workload beyond what SageMaker resources reference.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeConfig {
    /// Tag (`key=value`) that puts any resource into the ML workload scope. Default
    /// `mlguard:scope=ml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// Name globs that put a security group or role into the scope. Default
    /// `["ml-*", "*sagemaker*"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_globs: Option<Vec<String>>,
    /// VPC ids in the scope, beyond those SageMaker resources use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_ids: Option<Vec<String>>,
    /// Security group ids in the scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_group_ids: Option<Vec<String>>,
}

impl ScopeConfig {
    fn is_empty(&self) -> bool {
        *self == ScopeConfig::default()
    }
}

/// `[network]`
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// Source ranges the ML workload may be reached from (e.g. your VPN), as IPv4 or IPv6
    /// CIDRs. Default: none, so only tcp/443 from a private range is acceptable on an ML
    /// security group. `--trusted-cidr` replaces it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_cidrs: Option<Vec<String>>,
    /// Ports for remote administration and databases that must never face the internet.
    /// Replaces the built-in list (22, 3389, 5432, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_ports: Option<Vec<u16>>,
}

impl NetworkConfig {
    fn is_empty(&self) -> bool {
        *self == NetworkConfig::default()
    }
}

/// `[iam]`
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IamConfig {
    /// Days without use after which a role counts as unused. Default 90.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unused_role_days: Option<u32>,
}

impl IamConfig {
    fn is_empty(&self) -> bool {
        *self == IamConfig::default()
    }
}

/// One `[[suppress]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuppressEntry {
    /// Rule id or id prefix (`NI-004`, `NI`).
    pub rule: String,
    /// ARN glob of the resources: `*` matches any run of characters (slashes and colons
    /// included), `?` one character, `[...]` a class, `{a,b}` alternatives. `"*"`: every
    /// resource.
    pub resource: String,
    /// Why the finding is accepted; shown in every report.
    pub reason: String,
    /// Last day (YYYY-MM-DD, inclusive) the suppression applies. After it the finding fails
    /// again and mlguard warns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<ExpiryDate>,
}

/// A calendar date, written as a string (`"2027-01-31"`) or a bare TOML date
/// (`2027-01-31`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, JsonSchema)]
#[schemars(with = "String")]
#[schemars(extend("format" = "date"))]
pub struct ExpiryDate(#[schemars(with = "String")] pub NaiveDate);

impl Serialize for ExpiryDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.format("%Y-%m-%d").to_string())
    }
}

impl<'de> Deserialize<'de> for ExpiryDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Toml(toml::value::Datetime),
        }
        let text = match Raw::deserialize(d)
            .map_err(|_| serde::de::Error::custom("expected a date such as \"2027-01-31\""))?
        {
            Raw::Text(t) => t,
            Raw::Toml(dt) => match (dt.date, dt.time) {
                (Some(date), None) => date.to_string(),
                _ => {
                    return Err(serde::de::Error::custom(
                        "expected a date without a time, such as 2027-01-31",
                    ));
                }
            },
        };
        parse_date(&text)
            .map(ExpiryDate)
            .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not a date (YYYY-MM-DD)")))
    }
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}:{line}:{column}: `{key}`: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        key: String,
        message: String,
    },
    #[error("{} already exists", path.display())]
    Exists { path: PathBuf },
}

impl ConfigError {
    pub fn hint(&self) -> String {
        match self {
            ConfigError::Read { .. } => {
                "check the --config path; `mlguard init` writes a commented mlguard.toml".into()
            }
            ConfigError::Syntax { .. } => {
                "the file is not valid TOML; docs/configuration.md shows every key".into()
            }
            ConfigError::Invalid { .. } => {
                "docs/configuration.md lists every key and its type; `mlguard schema config` prints the JSON Schema (editors validate against it)".into()
            }
            ConfigError::Exists { .. } => {
                "pass --force to overwrite it, or edit the file you have".into()
            }
        }
    }
}

/// A configuration file as read: the typed document, plus its text for positions.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub config: Config,
    /// The file, as given or found.
    pub path: PathBuf,
    text: String,
}

impl LoadedConfig {
    /// Reads and checks a configuration file.
    pub fn load(path: &Path) -> Result<LoadedConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        LoadedConfig::parse(&text, path)
    }

    /// Parses and checks configuration text; `path` is used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<LoadedConfig, ConfigError> {
        let de = toml::de::Deserializer::parse(text).map_err(|e| syntax(path, text, &e))?;
        let config: Config = serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            let inner = e.into_inner();
            let (line, column) = inner
                .span()
                .map_or((1, 1), |s| span::line_col(text, s.start));
            ConfigError::Invalid {
                path: path.to_path_buf(),
                line,
                column,
                key: if key == "." { "(document)".into() } else { key },
                message: inner.message().to_string(),
            }
        })?;
        let loaded = LoadedConfig {
            config,
            path: path.to_path_buf(),
            text: text.to_string(),
        };
        loaded.check_values()?;
        Ok(loaded)
    }

    /// The error for the value at `at`, positioned at that value.
    pub fn error_at(&self, at: &[Seg<'_>], message: impl Into<String>) -> ConfigError {
        let (line, column) = span::find(&self.text, at, false)
            .map_or((1, 1), |s| span::line_col(&self.text, s.start));
        ConfigError::Invalid {
            path: self.path.clone(),
            line,
            column,
            key: span::render(at),
            message: message.into(),
        }
    }

    /// The error for the key at `at` (a table key rather than its value).
    fn error_at_key(&self, at: &[Seg<'_>], message: impl Into<String>) -> ConfigError {
        let (line, column) = span::find(&self.text, at, true)
            .map_or((1, 1), |s| span::line_col(&self.text, s.start));
        ConfigError::Invalid {
            path: self.path.clone(),
            line,
            column,
            key: span::render(at),
            message: message.into(),
        }
    }

    /// The line a `[[suppress]]` entry starts on.
    pub fn suppress_line(&self, index: usize) -> usize {
        span::find(
            &self.text,
            &[Seg::Key("suppress"), Seg::Index(index)],
            false,
        )
        .map_or(1, |s| span::line_col(&self.text, s.start).0)
    }

    /// Checks of values that need no rule catalogue.
    fn check_values(&self) -> Result<(), ConfigError> {
        let c = &self.config;
        for (i, region) in c.regions.iter().enumerate() {
            if !valid_region(region) {
                return Err(self.error_at(
                    &[Seg::Key("regions"), Seg::Index(i)],
                    format!("`{region}` is not an AWS region name such as us-east-1"),
                ));
            }
        }
        if let Some(tag) = &c.scope.tag
            && !tag.contains('=')
        {
            return Err(self.error_at(
                &[Seg::Key("scope"), Seg::Key("tag")],
                format!("`{tag}` is not `key=value`, e.g. mlguard:scope=ml"),
            ));
        }
        if let Some(cidrs) = &c.network.trusted_cidrs {
            for (i, cidr) in cidrs.iter().enumerate() {
                if !valid_cidr(cidr) {
                    return Err(self.error_at(
                        &[
                            Seg::Key("network"),
                            Seg::Key("trusted_cidrs"),
                            Seg::Index(i),
                        ],
                        format!("`{cidr}` is not an IPv4 or IPv6 CIDR such as 203.0.113.0/24"),
                    ));
                }
            }
        }
        for (i, entry) in c.suppress.iter().enumerate() {
            let at = |key| [Seg::Key("suppress"), Seg::Index(i), Seg::Key(key)];
            if entry.rule.trim().is_empty() {
                return Err(self.error_at(&at("rule"), "name a rule id or prefix"));
            }
            if entry.reason.trim().is_empty() {
                return Err(self.error_at(
                    &at("reason"),
                    "say why the finding is accepted: the reason is shown in every report",
                ));
            }
            if let Err(e) = resource_glob(&entry.resource) {
                return Err(self.error_at(
                    &at("resource"),
                    format!("`{}` is not a valid ARN glob: {e}", entry.resource),
                ));
            }
        }
        Ok(())
    }

    /// Checks the rule ids in `select`, `ignore` and `severity` against the loaded rules.
    pub fn check_rule_ids(&self, rules: &[Rule]) -> Result<(), ConfigError> {
        let c = &self.config;
        for (key, list) in [("select", &c.select), ("ignore", &c.ignore)] {
            for (i, pattern) in list.iter().enumerate() {
                if !rules.iter().any(|r| r.matches(pattern)) {
                    return Err(self.error_at(
                        &[Seg::Key(key), Seg::Index(i)],
                        format!("`{pattern}` matches no rule id"),
                    ));
                }
            }
        }
        for id in c.severity.keys() {
            if find_rule(rules, id).is_none() {
                return Err(self.error_at_key(
                    &[Seg::Key("severity"), Seg::Key(id)],
                    format!("no rule with id `{id}`"),
                ));
            }
        }
        Ok(())
    }

    /// The policy parameters: the file's values over the built-in defaults.
    pub fn params(&self) -> Params {
        self.config.params()
    }
}

impl Config {
    /// The policy parameters: this configuration's values over the built-in defaults.
    pub fn params(&self) -> Params {
        let mut p = Params::default();
        if let Some(tag) = &self.scope.tag {
            p.scope_tag = tag.clone();
        }
        if let Some(globs) = &self.scope.name_globs {
            p.scope_name_globs = globs.clone();
        }
        if let Some(ids) = &self.scope.vpc_ids {
            p.scope_vpc_ids = ids.clone();
        }
        if let Some(ids) = &self.scope.security_group_ids {
            p.scope_security_group_ids = ids.clone();
        }
        if let Some(cidrs) = &self.network.trusted_cidrs {
            p.trusted_cidrs = cidrs.clone();
        }
        if let Some(ports) = &self.network.admin_ports {
            p.admin_ports = ports.clone();
        }
        if let Some(days) = self.iam.unused_role_days {
            p.unused_role_days = days;
        }
        p
    }
}

/// The rule with this id (or alias), ignoring case.
pub fn find_rule<'a>(rules: &'a [Rule], id: &str) -> Option<&'a Rule> {
    rules.iter().find(|r| r.is(id))
}

/// Compiles an ARN glob: `*` crosses `/` and `:`.
pub fn resource_glob(glob: &str) -> Result<globset::GlobMatcher, globset::Error> {
    Ok(globset::GlobBuilder::new(glob)
        .literal_separator(false)
        .backslash_escape(true)
        .build()?
        .compile_matcher())
}

/// An IPv4 or IPv6 CIDR (`10.0.0.0/8`, `2001:db8::/32`).
pub fn valid_cidr(cidr: &str) -> bool {
    crate::cidr::Cidr::parse(cidr).is_some()
}

/// An AWS region name: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`.
pub fn valid_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts
            .iter()
            .take(parts.len() - 1)
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

fn syntax(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    let (line, column) = e.span().map_or((1, 1), |s| span::line_col(text, s.start));
    ConfigError::Syntax {
        path: path.to_path_buf(),
        line,
        column,
        message: e.message().to_string(),
    }
}

/// The JSON Schema of `mlguard.toml` (`mlguard schema config`, `docs/config.schema.json`).
pub fn json_schema() -> serde_json::Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(Config)).unwrap_or_default();
    strip_null(&mut schema);
    if let Some(obj) = schema.as_object_mut() {
        obj.insert(
            "$id".into(),
            "https://mlguard.dev/schemas/config-v1.json".into(),
        );
        obj.insert(
            "title".into(),
            "mlguard configuration (mlguard.toml)".into(),
        );
    }
    schema
}

/// TOML has no null: an optional key is simply absent, so `anyOf: [X, {type: null}]`
/// becomes X and `type: [T, "null"]` becomes T.
fn strip_null(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(obj) => {
            if let Some(Value::Array(types)) = obj.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    obj.insert("type".into(), only);
                }
            }
            let replacement = match obj.get("anyOf") {
                Some(Value::Array(any))
                    if any.len() == 2
                        && any
                            .iter()
                            .any(|v| *v == serde_json::json!({"type": "null"})) =>
                {
                    any.iter()
                        .find(|v| **v != serde_json::json!({"type": "null"}))
                        .cloned()
                }
                _ => None,
            };
            if let Some(Value::Object(inner)) = replacement {
                obj.remove("anyOf");
                for (k, v) in inner {
                    obj.entry(k).or_insert(v);
                }
            }
            for v in obj.values_mut() {
                strip_null(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_null),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<LoadedConfig, ConfigError> {
        LoadedConfig::parse(text, Path::new("mlguard.toml"))
    }

    #[test]
    fn empty_file_is_the_defaults() {
        let c = parse("").expect("parses");
        assert_eq!(c.config, Config::default());
        assert_eq!(c.params(), Params::default());
    }

    #[test]
    fn every_key_parses() {
        let c = parse(
            r#"
select = ["LP", "NI"]
ignore = ["NI-009"]
fail_on = "critical"
regions = ["us-east-1", "eu-west-1"]
[severity]
"NI-004" = "low"
[scope]
tag = "team=ml"
name_globs = ["ml-*"]
vpc_ids = ["vpc-1"]
security_group_ids = ["sg-1"]
[network]
trusted_cidrs = ["10.8.0.0/16"]
admin_ports = [22]
[iam]
unused_role_days = 30
[[suppress]]
rule = "NI-004"
resource = "arn:aws:ec2:*:*:security-group/sg-1"
reason = "bastion, reviewed"
expires = 2027-01-31
[[suppress]]
rule = "LP"
resource = "*"
reason = "lab"
expires = "2027-02-01"
"#,
        )
        .expect("parses");
        let p = c.params();
        assert_eq!(p.trusted_cidrs, ["10.8.0.0/16"]);
        assert_eq!(p.admin_ports, [22]);
        assert_eq!(p.unused_role_days, 30);
        assert_eq!(p.scope_tag, "team=ml");
        assert_eq!(c.config.fail_on, Some(FailOn::Critical));
        assert_eq!(c.config.severity["NI-004"], Severity::Low);
        assert_eq!(
            c.config.suppress[0].expires,
            parse_date("2027-01-31").map(ExpiryDate)
        );
        assert_eq!(
            c.config.suppress[1].expires,
            parse_date("2027-02-01").map(ExpiryDate)
        );
        assert_eq!(c.suppress_line(1), 23);
    }

    #[test]
    fn unknown_key_points_at_it() {
        let e = parse("select = [\"LP\"]\n\n[network]\ntrusted_cidr = []\n").expect_err("fails");
        let text = e.to_string();
        assert!(
            text.starts_with("mlguard.toml:4:1: `network.trusted_cidr`"),
            "{text}"
        );
        assert!(text.contains("unknown field"), "{text}");
    }

    #[test]
    fn wrong_type_points_at_the_value() {
        let e =
            parse("fail_on = \"high\"\n[iam]\nunused_role_days = \"ninety\"\n").expect_err("fails");
        let text = e.to_string();
        assert!(
            text.starts_with("mlguard.toml:3:20: `iam.unused_role_days`"),
            "{text}"
        );
        let e = parse("[[suppress]]\nrule = \"LP-001\"\nresource = \"*\"\nreason = \"x\"\nexpires = \"someday\"\n")
            .expect_err("fails");
        let text = e.to_string();
        assert!(
            text.starts_with("mlguard.toml:5:11: `suppress[0].expires`"),
            "{text}"
        );
        let e = parse("fail_on = \"severe\"\n").expect_err("fails");
        assert!(
            e.to_string().starts_with("mlguard.toml:1:11: `fail_on`"),
            "{e}"
        );
    }

    #[test]
    fn missing_reason_is_an_error() {
        let e = parse("[[suppress]]\nrule = \"LP-001\"\nresource = \"*\"\n").expect_err("fails");
        let text = e.to_string();
        assert!(
            text.contains("suppress[0]") && text.contains("reason"),
            "{text}"
        );
        let e = parse("[[suppress]]\nrule = \"LP-001\"\nresource = \"*\"\nreason = \"  \"\n")
            .expect_err("fails");
        assert!(
            e.to_string()
                .starts_with("mlguard.toml:4:10: `suppress[0].reason`"),
            "{e}"
        );
    }

    #[test]
    fn bad_values_point_at_them() {
        let e = parse("[network]\ntrusted_cidrs = [\"10.0.0.0/8\", \"10.0.0.0/33\"]\n")
            .expect_err("fails");
        assert!(
            e.to_string()
                .starts_with("mlguard.toml:2:32: `network.trusted_cidrs[1]`"),
            "{e}"
        );
        let e = parse("regions = [\"us-east-1\", \"mars\"]\n").expect_err("fails");
        assert!(
            e.to_string().starts_with("mlguard.toml:1:25: `regions[1]`"),
            "{e}"
        );
        let e = parse("[[suppress]]\nrule = \"LP\"\nresource = \"arn:[\"\nreason = \"r\"\n")
            .expect_err("fails");
        assert!(
            e.to_string()
                .starts_with("mlguard.toml:3:12: `suppress[0].resource`"),
            "{e}"
        );
    }

    #[test]
    fn syntax_error_has_a_position() {
        let e = parse("select = [\"LP\"\n").expect_err("fails");
        assert!(matches!(e, ConfigError::Syntax { line: 1 | 2, .. }), "{e}");
    }

    #[test]
    fn arn_globs_cross_separators() {
        let g = resource_glob("arn:aws:iam::*:role/ml-*").expect("glob");
        assert!(g.is_match("arn:aws:iam::123456789012:role/ml-train"));
        assert!(g.is_match("arn:aws:iam::123456789012:role/ml-a/b"));
        assert!(!g.is_match("arn:aws:iam::123456789012:role/admin"));
    }

    #[test]
    fn regions_are_checked() {
        for ok in ["us-east-1", "us-gov-west-1", "ap-southeast-2", "cn-north-1"] {
            assert!(valid_region(ok), "{ok}");
        }
        for bad in ["", "us-east", "US-EAST-1", "useast1", "us-east-1a"] {
            assert!(!valid_region(bad), "{bad}");
        }
    }
}
