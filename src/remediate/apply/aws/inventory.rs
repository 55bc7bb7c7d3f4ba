//! The inventory of a stack `teardown` deletes: what carries both of mlguard's tags.

use super::AwsTarget;
use super::ec2::{ec2_tags, endpoint_gone, filter};
use crate::remediate::harden::names;
use crate::remediate::model::{MANAGED_TAG, STACK_TAG, Tags};
use crate::remediate::target::{Inventory, InventoryGroup, InventoryRole, TargetError};
use aws_sdk_ec2::types::Tag as Ec2Tag;
use serde_json::Value;
use std::collections::BTreeMap;

/// Every resource of a stack in `region`: those carrying both `mlguard:managed=true` and
/// `mlguard:stack=NAME`.
pub(super) fn inventory(
    target: &AwsTarget,
    stack: &str,
    region: &str,
) -> Result<Inventory, TargetError> {
    let ec2 = target.ec2(region);
    let tagged = |t: &[Ec2Tag]| {
        let tags = ec2_tags(t);
        tags.get(MANAGED_TAG).and_then(Value::as_str) == Some("true")
            && tags.get(STACK_TAG).and_then(Value::as_str) == Some(stack)
    };
    let by_tag = || filter(&format!("tag:{STACK_TAG}"), stack);
    let mut inv = Inventory::default();
    let vpcs = target.send(ec2.describe_vpcs().filters(by_tag()).send())?;
    inv.vpcs = vpcs
        .vpcs()
        .iter()
        .filter(|v| tagged(v.tags()))
        .filter_map(|v| v.vpc_id().map(String::from))
        .collect();
    inv.vpcs.sort();
    let subnets = target.send(ec2.describe_subnets().filters(by_tag()).send())?;
    inv.subnets = subnets
        .subnets()
        .iter()
        .filter(|s| tagged(s.tags()))
        .filter_map(|s| Some((s.subnet_id()?.to_string(), s.vpc_id()?.to_string())))
        .collect();
    inv.subnets.sort();
    let groups = target.send(ec2.describe_security_groups().filters(by_tag()).send())?;
    inv.security_groups = groups
        .security_groups()
        .iter()
        .filter(|g| tagged(g.tags()))
        .filter_map(|g| {
            let mut references: Vec<String> = g
                .ip_permissions()
                .iter()
                .chain(g.ip_permissions_egress())
                .flat_map(|p| p.user_id_group_pairs())
                .filter_map(|p| p.group_id().map(String::from))
                .filter(|id| Some(id.as_str()) != g.group_id())
                .collect();
            references.sort();
            references.dedup();
            Some(InventoryGroup {
                id: g.group_id()?.to_string(),
                vpc_id: g.vpc_id().unwrap_or_default().to_string(),
                name: g.group_name().unwrap_or_default().to_string(),
                references,
            })
        })
        .collect();
    let endpoints = target.send(ec2.describe_vpc_endpoints().filters(by_tag()).send())?;
    inv.vpc_endpoints = endpoints
        .vpc_endpoints()
        .iter()
        .filter(|e| tagged(e.tags()) && !endpoint_gone(e.state().map(|s| s.as_str())))
        .filter_map(|e| {
            Some((
                e.vpc_endpoint_id()?.to_string(),
                e.vpc_id()?.to_string(),
                e.service_name()?.to_string(),
            ))
        })
        .collect();
    inv.vpc_endpoints.sort();
    inv.endpoint_shapes = endpoints
        .vpc_endpoints()
        .iter()
        .filter(|e| tagged(e.tags()) && !endpoint_gone(e.state().map(|s| s.as_str())))
        .filter_map(|e| {
            Some((
                e.vpc_endpoint_id()?.to_string(),
                crate::remediate::cost::EndpointShape {
                    kind: e
                        .vpc_endpoint_type()
                        .map(|t| t.as_str().to_string())
                        .unwrap_or_default(),
                    zones: e.subnet_ids().len(),
                },
            ))
        })
        .collect();
    let flow_logs = target.send(ec2.describe_flow_logs().filter(by_tag()).send())?;
    inv.flow_logs = flow_logs
        .flow_logs()
        .iter()
        .filter(|f| tagged(f.tags()))
        .filter_map(|f| Some((f.flow_log_id()?.to_string(), f.resource_id()?.to_string())))
        .collect();
    inv.flow_logs.sort();

    let n = names(
        stack,
        &target.identity.partition,
        &target.identity.account_id,
        region,
    );
    let bucket = target.bucket(&n.bucket, region)?;
    if bucket
        .pointer("/tags/mlguard:managed")
        .and_then(Value::as_str)
        == Some("true")
        && bucket
            .pointer("/tags/mlguard:stack")
            .and_then(Value::as_str)
            == Some(stack)
    {
        inv.buckets.push((n.bucket.clone(), region.to_string()));
    }

    let stack_tags: Tags = [
        (MANAGED_TAG.to_string(), "true".to_string()),
        (STACK_TAG.to_string(), stack.to_string()),
    ]
    .into_iter()
    .collect();
    let keys = target.keys_tagged(region, &stack_tags)?;
    let key_ids: Vec<String> = keys
        .iter()
        .filter_map(|k| k["id"].as_str().map(String::from))
        .collect();
    inv.keys = keys
        .iter()
        .filter_map(|k| {
            Some((
                k["id"].as_str()?.to_string(),
                k["state"].as_str().unwrap_or_default().to_string(),
            ))
        })
        .collect();
    inv.keys.sort();
    inv.aliases = target
        .aliases(region)?
        .into_iter()
        .filter(|(_, t)| t.as_ref().is_some_and(|t| key_ids.contains(t)))
        .map(|(a, _)| a)
        .collect();
    inv.aliases.sort();

    if let Some(role) = target.get_role(&n.role)? {
        let tags: BTreeMap<&str, &str> = role.tags().iter().map(|t| (t.key(), t.value())).collect();
        if tags.get(MANAGED_TAG) == Some(&"true") && tags.get(STACK_TAG) == Some(&stack) {
            inv.roles.push(InventoryRole {
                name: n.role.clone(),
                arn: role.arn().to_string(),
                inline_policies: target.inline_policy_names(&n.role)?,
                attached_policies: target.attached_policies(&n.role)?,
                boundary: role
                    .permissions_boundary()
                    .and_then(|b| b.permissions_boundary_arn())
                    .map(String::from),
            });
        }
    }
    let policy = target.managed_policy(&n.boundary_arn)?;
    if policy
        .pointer("/tags/mlguard:managed")
        .and_then(Value::as_str)
        == Some("true")
        && policy
            .pointer("/tags/mlguard:stack")
            .and_then(Value::as_str)
            == Some(stack)
    {
        inv.policies.push(n.boundary_arn.clone());
    }
    Ok(inv)
}
