//! What the remediator works against: an AWS account it reads and changes ([`Target`]: the
//! SDK in `apply::aws`, or an in-memory account in tests), the errors it answers with, and the
//! inventory of a stack it takes for `teardown`. `apply` runs plans against a target and
//! `harden` plans from what a target holds; both depend on this module, not on each other.

use super::model::{Aspect, Op};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a call or read against AWS answered when it failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct TargetError {
    pub code: String,
    pub message: String,
}

impl TargetError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> TargetError {
        TargetError {
            code: code.into(),
            message: message.into(),
        }
    }
}

/// Whether an error code says the credentials may not make the call.
pub fn denied(code: &str) -> bool {
    code.contains("AccessDenied")
        || matches!(
            code,
            "UnauthorizedOperation" | "AuthorizationError" | "Forbidden" | "UnauthorizedAccess"
        )
}

/// Whether an error says the resource an aspect belongs to no longer exists.
pub fn gone(e: &TargetError) -> bool {
    let c = e.code.as_str();
    (c.ends_with(".NotFound") && c != "InvalidPermission.NotFound")
        || matches!(c, "NoSuchEntity" | "NoSuchBucket" | "NotFoundException")
}

/// An AWS account the remediator reads and changes.
pub trait Target {
    /// The account the credentials act in.
    fn account_id(&mut self) -> Result<String, TargetError>;
    /// The live value of an aspect (placeholders resolved); `null` when absent.
    fn read(&mut self, aspect: &Aspect) -> Result<Value, TargetError>;
    /// Makes one mutating call; returns what it created (`{"id": ...}`), else `null`.
    fn call(&mut self, op: &Op) -> Result<Value, TargetError>;
    /// The region's availability zones, in name order.
    fn availability_zones(&mut self, region: &str) -> Result<Vec<String>, TargetError>;
    /// Every resource of a stack: those carrying both `mlguard:managed=true` and
    /// `mlguard:stack=NAME`.
    fn inventory(&mut self, stack: &str, region: &str) -> Result<Inventory, TargetError>;
    /// The ARN the credentials act as (for error messages); empty when unknown.
    fn caller_arn(&self) -> String {
        String::new()
    }
}

/// Everything of a stack an inventory found (each item carries both tags).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// `(flow log id, resource id)`.
    pub flow_logs: Vec<(String, String)>,
    /// `(endpoint id, VPC id, service name)`.
    pub vpc_endpoints: Vec<(String, String, String)>,
    pub security_groups: Vec<InventoryGroup>,
    /// `(subnet id, VPC id)`.
    pub subnets: Vec<(String, String)>,
    pub vpcs: Vec<String>,
    /// `(bucket, region)`.
    pub buckets: Vec<(String, String)>,
    /// Aliases of the stack's keys.
    pub aliases: Vec<String>,
    /// `(key id, key state)`.
    pub keys: Vec<(String, String)>,
    pub roles: Vec<InventoryRole>,
    /// Customer managed policy ARNs.
    pub policies: Vec<String>,
    /// Type and zones of each endpoint in `vpc_endpoints` (what its deletion stops billing).
    #[serde(default)]
    pub endpoint_shapes: std::collections::BTreeMap<String, super::cost::EndpointShape>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryGroup {
    pub id: String,
    pub vpc_id: String,
    pub name: String,
    /// Security groups its rules name.
    pub references: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryRole {
    pub name: String,
    pub arn: String,
    pub inline_policies: Vec<String>,
    pub attached_policies: Vec<String>,
    pub boundary: Option<String>,
}

impl Inventory {
    pub fn is_empty(&self) -> bool {
        *self == Inventory::default()
    }
}
