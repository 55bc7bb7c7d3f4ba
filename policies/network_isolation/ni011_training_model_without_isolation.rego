# METADATA
# title: Training job or model runs with neither network isolation nor a VPC
# description: >-
#   A SageMaker training job or model has EnableNetworkIsolation off and no VpcConfig with
#   subnets, so its containers reach the internet through a network SageMaker manages.
#   Either control is accepted: network isolation takes the container off the network, a
#   VpcConfig puts its traffic under the VPC's routes, security groups and endpoints.
#   Security Hub's SageMaker.5 asks models for network isolation alone; this rule lets a
#   model in a VPC pass too.
# custom:
#   id: NI-011
#   name: sagemaker-job-without-network-isolation
#   pillar: network_isolation
#   severity: medium
#   service: sagemaker
#   resource_type: AWS::SageMaker::Model
#   status: preview
#   rationale: >-
#     Training and inference containers run third-party code and models on the most
#     valuable data of the workload. Outside a VPC and without network isolation, a
#     malicious or compromised image can send that data and the execution role's
#     credentials anywhere on the internet, and nothing in the account records it.
#   remediation:
#     text: >-
#       Run training jobs and create models with EnableNetworkIsolation true when the
#       container needs no network (SageMaker still moves data and artifacts to and from
#       S3), or with a VpcConfig of private subnets and ML security groups. Neither setting
#       can be changed afterwards: create the model again and point the endpoint config at
#       it, and set it in the training pipeline for the next runs.
#     action: sagemaker-recreate-with-network-isolation
#   frameworks:
#     fsbp: {partial: [SageMaker.5]}
#     aws_config: {partial: [sagemaker-model-isolation-enabled]}
#     ml_lens: {partial: [MLSEC-04]}
#     lab: {partial: [lab-3-vpc]}
#   references:
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/mkt-algo-model-internet-free.html
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/train-vpc.html
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/host-vpc.html
#     - https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html
#     - https://docs.aws.amazon.com/config/latest/developerguide/sagemaker-model-isolation-enabled.html
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-04.html
#   inputs:
#     - sagemaker:ListTrainingJobs
#     - sagemaker:DescribeTrainingJob
#     - sagemaker:ListModels
#     - sagemaker:DescribeModel
package mlguard.network_isolation.sagemaker_job_without_network_isolation

import rego.v1

import data.mlguard.lib.gaps
import data.mlguard.lib.resource
import data.mlguard.lib.result

# [resource, kind, name, arn, describe operation, item] for every training job and model.
items contains [resource.training_job(region, i, j), "training job", item_name, item_arn, "DescribeTrainingJob", j] if {
	some region, reg in input.regions
	some i, j in object.get(reg, ["sagemaker", "training_jobs"], [])
	item_name := j.TrainingJobName
	item_arn := j.TrainingJobArn
}

items contains [resource.model(region, i, m), "model", item_name, item_arn, "DescribeModel", m] if {
	some region, reg in input.regions
	some i, m in object.get(reg, ["sagemaker", "models"], [])
	item_name := m.ModelName
	item_arn := m.ModelArn
}

applicable contains res if some [res, _, _, _, _, _] in items

deny contains result.new(res, msg) if {
	some [res, kind, name, arn, op, item] in items
	not describe_failed(op, arn, name)
	not object.get(item, "EnableNetworkIsolation", false) == true
	count(object.get(item, ["VpcConfig", "Subnets"], [])) == 0
	msg := sprintf("%s %s runs with neither network isolation (EnableNetworkIsolation %s) nor a VpcConfig: its containers reach the internet through a network SageMaker manages", [kind, name, isolation(item)])
}

not_assessed contains result.new(res, gap_msg) if {
	some [res, _, name, arn, op, _] in items
	describe_failed(op, arn, name)
	gap_msg := reason(op, arn, name)
}

isolation(item) := "off" if object.get(item, "EnableNetworkIsolation", null) == false

isolation(item) := "not set" if object.get(item, "EnableNetworkIsolation", null) == null

describe_failed(op, arn, _) if gaps.resource_failed(op, arn)

describe_failed(op, _, name) if gaps.resource_failed(op, name)

reason(op, arn, name) := r if {
	r := gaps.reason(op, arn)
} else := gaps.reason(op, name)
