# METADATA
# title: Subnet is reachable from the internet
# description: >-
#   A subnet routes the whole internet to an internet gateway (0.0.0.0/0 or ::/0, or
#   routes whose destinations together cover every IPv4 or IPv6 address, such as
#   0.0.0.0/1 and 128.0.0.0/1), or assigns a public IPv4
#   address to every network interface launched in it (MapPublicIpOnLaunch). The route
#   table that counts is the one explicitly associated with the subnet or, when the subnet
#   has no explicit association, the main route table of its VPC. Blackhole routes do not
#   count; routes to NAT gateways and egress-only internet gateways do not make a subnet
#   public.
# custom:
#   id: NI-006
#   name: subnet-reachable-from-internet
#   pillar: network_isolation
#   severity: high
#   service: ec2
#   resource_type: AWS::EC2::Subnet
#   status: stable
#   rationale: >-
#     A resource in such a subnet is one security group rule away from the internet, and
#     with a public address it is directly addressable by anyone. ML workloads need no
#     inbound path from the internet: notebooks, Studio and endpoints are reached through
#     SageMaker, and outbound access to AWS services goes through VPC endpoints. Subnets
#     that only hold NAT gateways or load balancers are reported too; keep the workload
#     out of them and suppress the finding for them with a reason.
#   remediation:
#     text: >-
#       Run the workload in private subnets: associate them with a route table without a
#       route to an internet gateway (use VPC endpoints, or a NAT gateway in a separate
#       public subnet, for outbound access) and turn off MapPublicIpOnLaunch. Note that
#       deleting a route from the VPC's main route table affects every subnet without an
#       explicit association.
#     action: ec2-disable-public-ip-on-launch
#   frameworks:
#     fsbp: {full: [EC2.15]}
#     aws_config: {full: [subnet-auto-assign-public-ip-disabled]}
#     nist_800_53: {partial: [AC-21, AC-3, AC-3(7), AC-4, AC-4(21), AC-6, SC-7, SC-7(11), SC-7(16), SC-7(20), SC-7(21), SC-7(3), SC-7(4), SC-7(9)]}
#     iso_27001: {partial: [A.8.20, A.8.21, A.8.22]}
#     soc2: {partial: [CC6.6]}
#     ml_lens: {partial: [MLSEC-04]}
#     lab: {partial: [lab-3-vpc]}
#   references:
#     - https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html
#     - https://docs.aws.amazon.com/vpc/latest/userguide/vpc-ip-addressing.html
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/interface-vpc-endpoint.html
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/subnet-auto-assign-public-ip-disabled.html
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/iso27001_2022_aws.json
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/soc2_aws.json
#     - https://github.com/turbot/steampipe-mod-aws-compliance/tree/main/soc_2
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-04.html
#   inputs: [ec2:DescribeSubnets, ec2:DescribeRouteTables]
package mlguard.network_isolation.subnet_reachable_from_internet

import rego.v1

import data.mlguard.lib.gaps
import data.mlguard.lib.net
import data.mlguard.lib.resource
import data.mlguard.lib.result

# --- indexes, built once ---------------------------------------------------------------

route_tables := [t |
	some reg in input.regions
	some t in object.get(reg, ["ec2", "route_tables"], [])
]

associated(assoc) if lower(object.get(assoc, ["AssociationState", "State"], "associated")) == "associated"

# The route table explicitly associated with each subnet, by subnet id.
explicit_table := {assoc.SubnetId: t |
	some t in route_tables
	some assoc in object.get(t, "Associations", [])
	is_string(assoc.SubnetId)
	associated(assoc)
}

# The main route table of each VPC, by VPC id.
main_table := {t.VpcId: t |
	some t in route_tables
	some assoc in object.get(t, "Associations", [])
	assoc.Main == true
	associated(assoc)
}

# [route table, how it applies] for a subnet.
table_of(s) := [explicit_table[s.SubnetId], sprintf("route table %s", [explicit_table[s.SubnetId].RouteTableId])]

table_of(s) := [main_table[s.VpcId], sprintf("the VPC's main route table %s", [main_table[s.VpcId].RouteTableId])] if {
	not explicit_table[s.SubnetId]
}

# --- the rule --------------------------------------------------------------------------

subnets contains [region, i, s] if {
	some region, reg in input.regions
	some i, s in object.get(reg, ["ec2", "subnets"], [])
}

applicable contains resource.subnet(region, i, s) if some [region, i, s] in subnets

deny contains result.new(resource.subnet(region, i, s), msg) if {
	some [region, i, s] in subnets
	found := array.concat(internet_routes(s), public_ip(s))
	count(found) > 0
	msg := sprintf("subnet %s of %s is reachable from the internet: %s", [s.SubnetId, s.VpcId, concat("; ", found)])
}

not_assessed contains result.new(resource.subnet(region, i, s), msg) if {
	some [region, i, s] in subnets
	not table_of(s)
	msg := no_table_reason(region, s)
}

internet_routes(s) := array.concat(routes, notes) if {
	[t, via] := table_of(s)
	open := net.internet_routes(object.get(t, "Routes", []))
	routes := [sprintf("routes %s to internet gateway %s through %s", [net.route_destination(r), r.GatewayId, via]) | some r in open]
	notes := net.cover_notes(sort({net.route_destination(r) | some r in open}))
} else := []

public_ip(s) := ["assigns a public IPv4 address to every interface launched in it (MapPublicIpOnLaunch)"] if {
	s.MapPublicIpOnLaunch == true
} else := []

no_table_reason(region, _) := sprintf("not assessed: the route tables of %s could not be listed", [region]) if {
	gaps.listing_failed("ec2", region, "DescribeRouteTables")
}

no_table_reason(region, s) := sprintf("not assessed: no route table of subnet %s (no explicit association, and no main route table of %s in the snapshot)", [s.SubnetId, s.VpcId]) if {
	not gaps.listing_failed("ec2", region, "DescribeRouteTables")
}
