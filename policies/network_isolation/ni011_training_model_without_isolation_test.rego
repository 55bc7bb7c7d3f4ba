package mlguard.network_isolation.sagemaker_job_without_network_isolation

import rego.v1

mk_job(extra) := object.union(
	{"TrainingJobName": "job", "TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/job", "EnableNetworkIsolation": false},
	extra,
)

mk_model(extra) := object.union(
	{"ModelName": "model", "ModelArn": "arn:aws:sagemaker:us-east-1:123456789012:model/model", "EnableNetworkIsolation": false},
	extra,
)

mk_vpc := {"VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1"]}}

mk_snap(jobs, models) := {"metadata": {"account_id": "123456789012"}, "regions": {"us-east-1": {"sagemaker": {"training_jobs": jobs, "models": models}}}}

test_job_without_isolation_or_vpc_denied if {
	some r in deny with input as mk_snap([mk_job({})], [])
	r.msg == "training job job runs with neither network isolation (EnableNetworkIsolation off) nor a VpcConfig: its containers reach the internet through a network SageMaker manages"
}

test_model_without_isolation_or_vpc_denied if {
	some r in deny with input as mk_snap([], [object.remove(mk_model({}), ["EnableNetworkIsolation"])])
	contains(r.msg, "model model runs with neither network isolation (EnableNetworkIsolation not set)")
}

test_vpc_config_without_subnets_denied if {
	count(deny) == 1 with input as mk_snap([mk_job({"VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": []}})], [])
}

test_isolated_job_passes if {
	count(deny) == 0 with input as mk_snap([mk_job({"EnableNetworkIsolation": true})], [])
}

test_job_in_vpc_passes if {
	count(deny) == 0 with input as mk_snap([mk_job(mk_vpc)], [])
}

test_model_in_vpc_passes if {
	count(deny) == 0 with input as mk_snap([], [mk_model(mk_vpc)])
}

test_isolated_model_passes if {
	count(deny) == 0 with input as mk_snap([], [mk_model({"EnableNetworkIsolation": true})])
}

test_jobs_and_models_are_applicable if {
	count(applicable) == 2 with input as mk_snap([mk_job({})], [mk_model({})])
}

test_describe_failed_not_assessed if {
	snap := object.union(mk_snap([{"TrainingJobName": "job", "TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/job"}], []), {"gaps": [{
		"service": "sagemaker", "region": "us-east-1", "operation": "DescribeTrainingJob", "resource": "job",
		"error_code": "AccessDeniedException", "message": "denied",
	}]})
	count(deny) == 0 with input as snap
	some r in not_assessed with input as snap
	r.msg == "not assessed: DescribeTrainingJob failed (AccessDeniedException)"
}
