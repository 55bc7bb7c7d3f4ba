package mlguard.network_isolation.domain_public_internet_access

import rego.v1

mk_domain(extra) := object.union(
	{"DomainId": "d-1", "DomainName": "studio", "DomainArn": "arn:aws:sagemaker:us-east-1:123456789012:domain/d-1", "AppNetworkAccessType": "VpcOnly", "VpcId": "vpc-1"},
	extra,
)

mk_snap(ds) := {"metadata": {"account_id": "123456789012"}, "regions": {"us-east-1": {"sagemaker": {"domains": ds}}}}

test_public_internet_only_denied if {
	some r in deny with input as mk_snap([mk_domain({"AppNetworkAccessType": "PublicInternetOnly"})])
	r.msg == "domain studio (d-1) sends its apps' traffic over the public internet (AppNetworkAccessType PublicInternetOnly)"
}

test_vpc_only_passes if {
	count(deny) == 0 with input as mk_snap([mk_domain({})])
	count(applicable) == 1 with input as mk_snap([mk_domain({})])
}

test_missing_field_not_assessed if {
	snap := mk_snap([object.remove(mk_domain({}), ["AppNetworkAccessType"])])
	count(deny) == 0 with input as snap
	some r in not_assessed with input as snap
	r.msg == "not assessed: the AppNetworkAccessType of domain d-1 is not in the snapshot"
}

test_describe_failed_not_assessed if {
	snap := object.union(mk_snap([object.remove(mk_domain({}), ["AppNetworkAccessType"])]), {"gaps": [{
		"service": "sagemaker", "region": "us-east-1", "operation": "DescribeDomain", "resource": "d-1",
		"error_code": "AccessDeniedException", "message": "denied",
	}]})
	some r in not_assessed with input as snap
	r.msg == "not assessed: DescribeDomain failed (AccessDeniedException)"
}
