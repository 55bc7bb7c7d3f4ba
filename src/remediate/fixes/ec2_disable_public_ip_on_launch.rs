//! `ec2-disable-public-ip-on-launch`: stops a subnet assigning public addresses; its routes to
//! the internet go with `ec2-remove-internet-route`.

use super::prelude::*;

declare_fix! {
    Ec2DisablePublicIpOnLaunch {
        id: "ec2-disable-public-ip-on-launch",
        rules: ["NI-006"],
        applicability: Safe,
        phase: Network,
        resource: "SubnetId",
        summary: "ModifySubnetAttribute MapPublicIpOnLaunch=false",
        inverse: "ModifySubnetAttribute MapPublicIpOnLaunch=true",
        with: [super::ec2_remove_internet_route::ID],
        plan: plan,
    }
}

fn plan(ctx: &mut Ctx<'_>, f: &Finding, subnet: &Value) {
    if subnet.get("MapPublicIpOnLaunch").and_then(Value::as_bool) != Some(true) {
        return;
    }
    let region = f.resource.region.clone();
    let subnet_id = s(subnet, "SubnetId").to_string();
    ctx.push(change(
        &f.rule_id,
        ID,
        &f.resource.arn,
        format!("stop assigning public addresses in {subnet_id}"),
        Op::ModifySubnetAttribute {
            region: region.clone(),
            subnet_id: subnet_id.clone(),
            map_public_ip_on_launch: false,
        },
        Aspect::SubnetMapPublicIp { region, subnet_id },
        json!(true),
        json!(false),
    ));
}
