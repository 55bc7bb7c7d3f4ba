//! The commented `mlguard.toml` that `mlguard init` writes.

/// Every key, commented out except `fail_on`, with its default and an example.
pub const TEMPLATE: &str = r#"# mlguard configuration. Every key is optional; command-line flags override this file.
# Reference: docs/configuration.md. JSON Schema: `mlguard schema config` (docs/config.schema.json).

# Exit 1 when a finding at or above this severity fails:
# critical | high | medium | low | info | none (never).
fail_on = "high"

# Run only these rules (ids or prefixes such as "LP", "NI-00", "DE-003"). Empty: every rule.
# select = ["LP", "NI"]

# Skip these rules (ids or prefixes).
# ignore = ["NI-009"]

# Regions `mlguard scan` and `mlguard collect` read. Empty: the region of your AWS configuration.
# regions = ["us-east-1", "eu-west-1"]

# Severity overrides by rule id: critical | high | medium | low | info.
[severity]
# "NI-004" = "medium"

# The ML workload scope: resources SageMaker references are always in it.
[scope]
# Tag (key=value) that puts any resource into the scope.
# tag = "mlguard:scope=ml"
# Name globs that put a security group or role into the scope.
# name_globs = ["ml-*", "*sagemaker*"]
# VPC and security group ids in the scope.
# vpc_ids = ["vpc-0123456789abcdef0"]
# security_group_ids = ["sg-0123456789abcdef0"]

[network]
# Source ranges the ML workload may be reached from (your VPN), as CIDRs.
# trusted_cidrs = ["10.8.0.0/16"]
# Ports that must never face the internet (replaces the built-in list).
# admin_ports = [20, 21, 22, 23, 135, 445, 1433, 1521, 2049, 2375, 2376, 3306, 3389, 5432, 5900, 5985, 5986, 6379, 8888, 9200, 11211, 27017]

[iam]
# Days without use after which a role counts as unused.
# unused_role_days = 90

# Accepted findings. Each needs a rule (id or prefix), a resource (ARN glob: * crosses / and :)
# and a reason; `expires` (YYYY-MM-DD, inclusive) makes it lapse, after which the finding fails
# again and mlguard warns. Suppressed findings stay in every report, marked "suppressed".
# A resource can also carry the tag mlguard:suppress = "LP-001 NI-004" (with the reason in
# mlguard:suppress-reason). `--no-suppress` ignores both kinds.
#
# [[suppress]]
# rule = "NI-004"
# resource = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0"
# reason = "Bastion for the data science VPN, reviewed by security (TICKET-123)"
# expires = "2027-01-31"
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, LoadedConfig};
    use crate::findings::FailOn;
    use std::path::Path;

    #[test]
    fn template_is_the_defaults() {
        let c = LoadedConfig::parse(TEMPLATE, Path::new("mlguard.toml")).expect("parses");
        assert_eq!(
            c.config,
            Config {
                fail_on: Some(FailOn::High),
                ..Config::default()
            }
        );
    }

    #[test]
    fn uncommented_examples_parse() {
        // Every commented example line, uncommented, is a valid configuration.
        let text: String = TEMPLATE
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest)
                    if rest.starts_with('[')
                        || rest.contains(" = ")
                            && !rest.starts_with("Tag")
                            && !rest.starts_with("A resource") =>
                {
                    rest.to_string()
                }
                _ => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        let c = LoadedConfig::parse(&text, Path::new("mlguard.toml")).expect("parses");
        assert_eq!(c.config.suppress.len(), 1);
        assert_eq!(c.config.select, ["LP", "NI"]);
        assert_eq!(c.config.regions.len(), 2);
        assert!(c.config.network.admin_ports.is_some());
        assert!(c.config.iam.unused_role_days.is_some());
    }
}
