//! `ec2-create-sagemaker-endpoints`: creates the S3 and SageMaker VPC endpoints an ML VPC is
//! missing.

use super::prelude::*;

declare_fix! {
    Ec2CreateSagemakerEndpoints {
        id: "ec2-create-sagemaker-endpoints",
        rules: ["NI-012"],
        applicability: Unsafe,
        phase: Network,
        resource: "VpcId",
        summary: "For the missing services: ModifyVpcAttribute EnableDnsHostnames (interface endpoints resolve the services' names), CreateSecurityGroup mlguard-vpc-endpoints admitting tcp/443 from the VPC's CIDR, and CreateVpcEndpoint of the S3 gateway endpoint on the VPC's route tables and of the SageMaker API and runtime interface endpoints in one subnet per availability zone with private DNS; S3 traffic then leaves through the endpoint, which breaks bucket policies that match the NAT's public address (aws:SourceIp)",
        inverse: "DeleteVpcEndpoints of the created endpoints, DeleteSecurityGroup of the group mlguard created, ModifyVpcAttribute with the recorded DNS setting",
        plan: plan,
    }
}

/// The security group this fix creates for interface endpoints.
pub(super) const ENDPOINT_GROUP: &str = "mlguard-vpc-endpoints";

fn plan(ctx: &mut Ctx<'_>, f: &Finding, vpc: &Value) {
    let region = f.resource.region.clone();
    let vpc_id = s(vpc, "VpcId").to_string();
    let vpc_cidr = s(vpc, "CidrBlock").to_string();
    let endpoints: Vec<&Value> = ctx
        .region_ec2(&region, "vpc_endpoints")
        .into_iter()
        .filter(|e| s(e, "VpcId") == vpc_id)
        .collect();
    let mut missing = Vec::new();
    for (svc, kind) in [
        ("s3", "Gateway"),
        ("sagemaker.api", "Interface"),
        ("sagemaker.runtime", "Interface"),
    ] {
        let name = endpoint_service(ctx, &region, svc);
        let present: Vec<&&Value> = endpoints
            .iter()
            .filter(|e| s(e, "ServiceName").eq_ignore_ascii_case(&name))
            .collect();
        let usable = present.iter().any(|e| {
            e.get("State")
                .and_then(Value::as_str)
                .is_none_or(|st| st.eq_ignore_ascii_case("available"))
                && s(e, "VpcEndpointType").eq_ignore_ascii_case(kind)
                && (kind == "Gateway"
                    || e.get("PrivateDnsEnabled").and_then(Value::as_bool) != Some(false))
        });
        if usable {
            continue;
        }
        if !present.is_empty() {
            ctx.manual(
                f,
                ID,
                format!("{vpc_id} has an endpoint for {name} that is not available, of another type, or without private DNS: fix or delete it first"),
            );
            continue;
        }
        missing.push((name, kind));
    }
    if missing.is_empty() {
        return;
    }
    let target = f.resource.arn.clone();
    let change = |summary: String, op: Op, aspect: Aspect, before: Value, after: Value| {
        change(&f.rule_id, ID, &target, summary, op, aspect, before, after)
    };
    let interface = missing.iter().any(|(_, k)| *k == "Interface");
    let group_ref = format!("endpoint_group_{vpc_id}");
    let group_aspect = Aspect::SecurityGroup {
        region: region.clone(),
        vpc_id: vpc_id.clone(),
        group_name: ENDPOINT_GROUP.into(),
    };
    if interface {
        ctx.push(
            change(
                format!("resolve AWS service names inside {vpc_id} (interface endpoints need it)"),
                Op::ModifyVpcAttribute {
                    region: region.clone(),
                    vpc_id: vpc_id.clone(),
                    enable_dns_hostnames: true,
                },
                Aspect::VpcDnsHostnames {
                    region: region.clone(),
                    vpc_id: vpc_id.clone(),
                },
                json!(false),
                json!(true),
            )
            .unread(),
        );
        let existing = ctx
            .region_ec2(&region, "security_groups")
            .into_iter()
            .find(|g| s(g, "VpcId") == vpc_id && s(g, "GroupName") == ENDPOINT_GROUP)
            .map(|g| s(g, "GroupId").to_string());
        let gid = match existing {
            Some(id) => id,
            None => {
                ctx.push(change(
                    format!("create security group {ENDPOINT_GROUP} in {vpc_id} for the interface endpoints"),
                    Op::CreateSecurityGroup {
                        region: region.clone(),
                        vpc_id: vpc_id.clone(),
                        group_name: ENDPOINT_GROUP.into(),
                        description: "mlguard: HTTPS from the VPC to its interface endpoints".into(),
                        tags: created_tags("vpc-endpoint-group"),
                    },
                    group_aspect.clone(),
                    Value::Null,
                    created(),
                ));
                let gid = format!("${{{group_ref}}}");
                let ingress = SgRule::tcp(443).with_cidr(&vpc_cidr);
                ctx.push(
                    change(
                        format!("admit tcp/443 from {vpc_cidr} to {ENDPOINT_GROUP}"),
                        Op::AuthorizeSecurityGroupIngress {
                            region: region.clone(),
                            group_id: gid.clone(),
                            rule: ingress.clone(),
                            description: Some("added by mlguard".into()),
                        },
                        Aspect::SecurityGroupRule {
                            region: region.clone(),
                            group_id: gid.clone(),
                            direction: Direction::Ingress,
                            rule: ingress,
                        },
                        Value::Null,
                        json!({"Description": "added by mlguard"}),
                    )
                    .with_ref(&group_ref, group_aspect.clone()),
                );
                let egress = SgRule::all().with_cidr("0.0.0.0/0");
                ctx.push(
                    change(
                        format!("remove the default outbound rule of {ENDPOINT_GROUP}"),
                        Op::RevokeSecurityGroupEgress {
                            region: region.clone(),
                            group_id: gid.clone(),
                            rule: egress.clone(),
                            description: None,
                        },
                        Aspect::SecurityGroupRule {
                            region: region.clone(),
                            group_id: gid.clone(),
                            direction: Direction::Egress,
                            rule: egress,
                        },
                        json!({}),
                        Value::Null,
                    )
                    .with_ref(&group_ref, group_aspect.clone())
                    .unread(),
                );
                gid
            }
        };
        plan_endpoints(ctx, f, &region, &vpc_id, &missing, Some(gid), &group_aspect);
    } else {
        plan_endpoints(ctx, f, &region, &vpc_id, &missing, None, &group_aspect);
    }
}

fn plan_endpoints(
    ctx: &mut Ctx<'_>,
    f: &Finding,
    region: &str,
    vpc_id: &str,
    missing: &[(String, &str)],
    group: Option<String>,
    group_aspect: &Aspect,
) {
    let tables: Vec<String> = ctx
        .region_ec2(region, "route_tables")
        .into_iter()
        .filter(|t| s(t, "VpcId") == vpc_id)
        .map(|t| s(t, "RouteTableId").to_string())
        .collect();
    let mut zones = BTreeSet::new();
    let mut subnets: Vec<(String, String)> = ctx
        .region_ec2(region, "subnets")
        .into_iter()
        .filter(|sn| s(sn, "VpcId") == vpc_id)
        .map(|sn| {
            (
                s(sn, "SubnetId").to_string(),
                s(sn, "AvailabilityZone").to_string(),
            )
        })
        .collect();
    subnets.sort();
    let per_zone: Vec<String> = subnets
        .into_iter()
        .filter(|(_, az)| zones.insert(az.clone()))
        .map(|(id, _)| id)
        .collect();
    for (service, kind) in missing {
        let gateway = *kind == "Gateway";
        let mut action = change(
            &f.rule_id,
            ID,
            &f.resource.arn,
            format!(
                "create the {} endpoint {service} in {vpc_id}",
                kind.to_ascii_lowercase()
            ),
            Op::CreateVpcEndpoint {
                region: region.to_string(),
                vpc_id: vpc_id.to_string(),
                service_name: service.clone(),
                endpoint_type: kind.to_string(),
                route_table_ids: if gateway { tables.clone() } else { Vec::new() },
                subnet_ids: if gateway {
                    Vec::new()
                } else {
                    per_zone.clone()
                },
                security_group_ids: match (&group, gateway) {
                    (Some(g), false) => vec![g.clone()],
                    _ => Vec::new(),
                },
                private_dns_enabled: !gateway,
                tags: created_tags("vpc-endpoint"),
            },
            Aspect::VpcEndpoint {
                region: region.to_string(),
                vpc_id: vpc_id.to_string(),
                service_name: service.clone(),
            },
            Value::Null,
            created(),
        );
        let group_ref = format!("endpoint_group_{vpc_id}");
        if !gateway
            && group
                .as_deref()
                .is_some_and(|g| g.contains(&format!("${{{group_ref}}}")))
        {
            action = action.with_ref(&group_ref, group_aspect.clone());
        }
        ctx.push(action);
    }
}

fn endpoint_service(ctx: &Ctx<'_>, region: &str, svc: &str) -> String {
    let prefix = if ctx.partition == "aws-cn" { "cn." } else { "" };
    format!("{prefix}com.amazonaws.{region}.{svc}")
}
