//! Parameters the policies read from `data.mlguard_config`: the ML workload scope, trusted
//! CIDRs, admin ports and thresholds. Defaults here match the defaults in
//! `policies/lib/config.rego`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Source ranges from which the ML workload may be reached (the corporate VPN). Empty:
    /// nothing but tcp/443 from a private range is acceptable on an ML security group.
    pub trusted_cidrs: Vec<String>,
    /// Ports for remote administration and databases that must never face the internet.
    pub admin_ports: Vec<u16>,
    /// Name globs that put a security group or role into the ML workload scope.
    pub scope_name_globs: Vec<String>,
    /// Tag (`key=value`) that puts any resource into the ML workload scope.
    pub scope_tag: String,
    /// VPC ids in the ML workload scope, beyond those SageMaker resources use.
    pub scope_vpc_ids: Vec<String>,
    /// Security group ids in the ML workload scope.
    pub scope_security_group_ids: Vec<String>,
    /// Days without use after which a role counts as unused.
    pub unused_role_days: u32,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            trusted_cidrs: Vec::new(),
            admin_ports: vec![
                20, 21, 22, 23, 135, 445, 1433, 1521, 2049, 2375, 2376, 3306, 3389, 5432, 5900,
                5985, 5986, 6379, 8888, 9200, 11211, 27017,
            ],
            scope_name_globs: vec!["ml-*".into(), "*sagemaker*".into()],
            scope_tag: "mlguard:scope=ml".into(),
            scope_vpc_ids: Vec::new(),
            scope_security_group_ids: Vec::new(),
            unused_role_days: 90,
        }
    }
}

impl Params {
    /// The `data` document the policies see.
    pub fn to_data(&self) -> regorus::Value {
        let json = serde_json::json!({ "mlguard_config": self });
        regorus::Value::from(json)
    }
}
