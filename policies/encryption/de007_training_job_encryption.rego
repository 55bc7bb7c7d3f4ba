# METADATA
# title: SageMaker training job does not encrypt its output, volumes or inter-node traffic
# description: >-
#   A SageMaker training job writes its model artifacts to S3 without a customer-managed key
#   (no OutputDataConfig.KmsKeyId, or an AWS managed one), trains on storage volumes without
#   a customer-managed key (no ResourceConfig.VolumeKmsKeyId, or an AWS managed one), or runs
#   on more than one instance with EnableInterContainerTrafficEncryption off. Inter-container
#   traffic encryption is only required of distributed jobs: a single-instance job has no
#   traffic between instances to protect. Instance types with local NVMe instance storage
#   encrypt it in hardware and refuse a VolumeKmsKeyId: suppress such jobs with that reason.
# custom:
#   id: DE-007
#   name: training-job-without-encryption
#   pillar: encryption
#   severity: medium
#   service: sagemaker
#   resource_type: AWS::SageMaker::TrainingJob
#   status: preview
#   rationale: >-
#     Training jobs copy the training data onto their volumes, write the trained model to S3
#     and, when distributed, exchange gradients and data between instances. A
#     customer-managed key keeps the artifacts and volumes under the customer's key policy and
#     audit trail; inter-container encryption keeps the data that crosses the network between
#     training instances from travelling in clear text.
#   remediation:
#     text: >-
#       Training jobs cannot be changed once created. In whatever launches them (pipelines,
#       estimators, CreateTrainingJob calls), set OutputDataConfig.KmsKeyId and
#       ResourceConfig.VolumeKmsKeyId to a customer-managed key, and set
#       EnableInterContainerTrafficEncryption for jobs on more than one instance.
#     action: sagemaker-training-job-kms
#   frameworks:
#     iso_27001: {partial: [A.8.24]}
#     ml_lens: {partial: [MLSEC-02, MLSEC-09]}
#     lab: {partial: [lab-concept-data-at-rest]}
#   references:
#     - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateTrainingJob.html
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/train-encrypt.html
#     - https://github.com/prowler-cloud/prowler/blob/master/prowler/compliance/aws/iso27001_2022_aws.json
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-02.html
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-09.html
#   inputs: [sagemaker:ListTrainingJobs, sagemaker:DescribeTrainingJob]
package mlguard.encryption.training_job_encryption

import rego.v1

import data.mlguard.lib.kms
import data.mlguard.lib.resource
import data.mlguard.lib.result

# The library's rules are read through their full path: through the import alias
# (`kms.regions`) regorus would evaluate every rule of the library, its key index included.
regions := data.mlguard.lib.kms.regions

kind := "training_jobs"

applicable contains resource.training_job(region, i, j) if {
	some region, _ in regions
	some i, j in kms.sagemaker(region, kind)
}

deny contains result.new(resource.training_job(region, i, j), msg) if {
	some region, _ in regions
	some i, j in kms.sagemaker(region, kind)
	not kms.ml_gap_reason(kind, j)
	found := problems(region, j)
	count(found) > 0
	msg := sprintf("training job %s %s", [j.TrainingJobName, concat("; ", found)])
}

problems(region, j) := array.concat(
	array.concat(
		key_problems(region, j, ["OutputDataConfig", "KmsKeyId"], "writes its model artifacts to S3"),
		key_problems(region, j, ["ResourceConfig", "VolumeKmsKeyId"], "trains on storage volumes"),
	),
	traffic_problems(j),
)

key_problems(region, j, path, what) := [sprintf("%s without a customer-managed key (no %s)", [what, concat(".", path)])] if {
	ref := object.get(j, path, "")
	not nonempty_string(ref)
} else := [sprintf("%s encrypted with the AWS managed key %s (%s)", [what, ref, concat(".", path)])] if {
	ref := object.get(j, path, "")
	nonempty_string(ref)
	kms.aws_managed_ref(ref, region)
} else := []

nonempty_string(s) if {
	is_string(s)
	s != ""
}

# Instances the job runs on: ResourceConfig.InstanceCount, or the sum over its instance
# groups (heterogeneous clusters).
instance_count(j) := n if {
	groups := object.get(j, ["ResourceConfig", "InstanceGroups"], [])
	count(groups) > 0
	n := sum([object.get(g, "InstanceCount", 1) | some g in groups])
}

instance_count(j) := object.get(j, ["ResourceConfig", "InstanceCount"], 1) if {
	count(object.get(j, ["ResourceConfig", "InstanceGroups"], [])) == 0
}

traffic_problems(j) := [sprintf("runs on %d instances with inter-container traffic encryption off (EnableInterContainerTrafficEncryption)", [instance_count(j)])] if {
	instance_count(j) > 1
	object.get(j, "EnableInterContainerTrafficEncryption", false) != true
} else := []

not_assessed contains result.new(resource.training_job(region, i, j), gap_msg) if {
	some region, _ in regions
	some i, j in kms.sagemaker(region, kind)
	gap_msg := kms.ml_gap_reason(kind, j)
}
