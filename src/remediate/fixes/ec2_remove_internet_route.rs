//! `ec2-remove-internet-route`: removes the routes that give a public subnet's route table the
//! whole internet (planned beside `ec2-disable-public-ip-on-launch`).

use super::prelude::*;

declare_fix! {
    Ec2RemoveInternetRoute {
        id: "ec2-remove-internet-route",
        rules: [],
        applicability: Unsafe,
        phase: Network,
        resource: "SubnetId",
        summary: "DeleteRoute of the routes to an internet gateway in the subnet's route table whose destinations make the whole internet: 0.0.0.0/0 and ::/0, or ranges that together cover every address such as 0.0.0.0/1 and 128.0.0.0/1 (every subnet using that table loses its internet path)",
        inverse: "CreateRoute of the recorded routes",
        plan: plan,
    }
}

fn plan(ctx: &mut Ctx<'_>, f: &Finding, subnet: &Value) {
    let region = f.resource.region.clone();
    let Some(table) = ctx.route_table_of(&region, subnet) else {
        return;
    };
    let table_id = s(table, "RouteTableId").to_string();
    // Routes to an internet gateway whose destinations together are the whole internet
    // (as NI-006 and `lib.net.internet_routes`), peeled as `cidr::world_openers`.
    let to_gateway: Vec<&Value> = list(table, "Routes")
        .into_iter()
        .filter(|r| {
            s(r, "GatewayId").starts_with("igw-")
                && !s(r, "State").eq_ignore_ascii_case("blackhole")
        })
        .collect();
    let open = cidr::world_openers(
        &to_gateway
            .iter()
            .map(|r| route_destination(r))
            .collect::<Vec<_>>(),
    );
    for route in to_gateway {
        let dest = route_destination(route);
        let gateway = s(route, "GatewayId");
        if !open.iter().any(|o| o == dest) {
            continue;
        }
        ctx.push(change(
            &f.rule_id,
            ID,
            &ctx.ec2_arn(&region, "route-table", &table_id),
            format!("remove the route from {table_id} to internet gateway {gateway} for {dest}"),
            Op::DeleteRoute {
                region: region.clone(),
                route_table_id: table_id.clone(),
                destination: dest.to_string(),
            },
            Aspect::Route {
                region: region.clone(),
                route_table_id: table_id.clone(),
                destination: dest.to_string(),
            },
            json!({"GatewayId": gateway}),
            Value::Null,
        ));
    }
}
