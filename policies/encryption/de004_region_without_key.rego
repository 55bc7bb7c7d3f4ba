# METADATA
# title: Region hosting ML resources has no customer-managed KMS key
# description: >-
#   A region that hosts ML resources has no enabled customer-managed symmetric KMS key. A
#   region hosts ML resources when the snapshot holds a SageMaker notebook instance, domain,
#   training job, model or endpoint config there, or a VPC there belongs to the ML workload
#   scope. AWS managed keys (`aws/sagemaker`, `aws/s3`) do not count. When the region's key
#   listing failed, or some of its keys could not be described, the region is reported not
#   assessed.
# custom:
#   id: DE-004
#   name: ml-region-without-customer-key
#   pillar: encryption
#   severity: medium
#   service: kms
#   resource_type: AWS::KMS::Region
#   status: preview
#   rationale: >-
#     Notebook volumes, Studio domains, training output and endpoint storage can only be
#     encrypted under a key the customer controls if such a key exists in their region (KMS
#     keys are regional). Without one, every SageMaker resource falls back to keys AWS
#     manages, whose policy cannot be restricted, which cannot be disabled to cut off access,
#     and whose use cannot be separated from other workloads of the account.
#   remediation:
#     text: >-
#       Create a symmetric customer-managed key in the region with automatic rotation, an
#       alias (for example `alias/ml-data`) and a key policy that lets the account
#       administer it and the SageMaker execution roles use it, then reference it from the
#       ML resources (KmsKeyId, VolumeKmsKeyId, OutputDataConfig.KmsKeyId).
#     action: kms-create-key
#   frameworks:
#     ml_lens: {partial: [MLSEC-02, MLSEC-04]}
#     lab: {partial: [lab-2-kms-key]}
#   references:
#     - https://docs.aws.amazon.com/kms/latest/developerguide/create-symmetric-cmk.html
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/encryption-at-rest.html
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-02.html
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-04.html
#   inputs: [kms:ListKeys, kms:DescribeKey, sagemaker:ListNotebookInstances, sagemaker:ListDomains, sagemaker:ListTrainingJobs, sagemaker:ListModels, sagemaker:ListEndpointConfigs]
package mlguard.encryption.region_without_key

import rego.v1

import data.mlguard.lib.gaps
import data.mlguard.lib.kms
import data.mlguard.lib.resource
import data.mlguard.lib.result
import data.mlguard.lib.scope

# Kinds of SageMaker resources that put a region in scope: [kind, singular, plural].
sagemaker_kinds := [
	["notebook_instances", "notebook instance", "notebook instances"],
	["domains", "domain", "domains"],
	["training_jobs", "training job", "training jobs"],
	["models", "model", "models"],
	["endpoint_configs", "endpoint config", "endpoint configs"],
]

counted(n, names) := sprintf("%d %s", [n, names[1]]) if n == 1

counted(n, names) := sprintf("%d %s", [n, names[2]]) if n != 1

# The library's rules are read through their full path: through the import alias
# (`kms.regions`) regorus would evaluate every rule of the library, its key index included.
all_regions := data.mlguard.lib.kms.regions

# What the region hosts of the ML workload ("2 notebook instances", "ML workload VPC vpc-1").
footprint(region) := array.concat(
	[counted(n, names) |
		some names in sagemaker_kinds
		n := count(kms.sagemaker(region, names[0]))
		n > 0
	],
	[sprintf("ML workload VPC %s", [v.VpcId]) |
		some v in object.get(object.get(all_regions[region], "ec2", {}), "vpcs", [])
		scope.vpc(v)
	],
)

hosts_ml(region) if count(footprint(region)) > 0

# Enabled customer-managed symmetric keys of the region.
usable_keys(region) := [k |
	some k in kms.region_keys(region)
	kms.customer_managed(k)
	kms.enabled(k)
	kms.symmetric(k)
]

# Keys of the region whose metadata could not be read.
undescribed(region) := [k.KeyId | some k in kms.region_keys(region); not kms.described(k)]

applicable contains resource.region(region) if {
	some region, _ in all_regions
	hosts_ml(region)
}

deny contains result.new(resource.region(region), msg) if {
	some region, _ in all_regions
	hosts_ml(region)
	count(usable_keys(region)) == 0
	not gaps.listing_failed("kms", region, "ListKeys")
	count(undescribed(region)) == 0
	msg := sprintf("region %s hosts ML resources (%s) but has no enabled customer-managed symmetric KMS key%s", [region, concat(", ", footprint(region)), other_keys(region)])
}

# Customer-managed keys that exist but cannot serve (disabled, pending deletion, asymmetric).
other_keys(region) := sprintf("; its customer-managed keys cannot serve: %s", [concat(", ", names)]) if {
	names := [sprintf("%s %s", [kms.label(k), why(k)]) | some k in kms.region_keys(region); kms.customer_managed(k)]
	count(names) > 0
} else := ""

why(k) := sprintf("is %s", [kms.unusable(k)]) if kms.unusable(k)

why(k) := sprintf("has key spec %s", [kms.spec(k)]) if {
	not kms.unusable(k)
	not kms.symmetric(k)
}

why(k) := sprintf("is in state %s", [object.get(k, "KeyState", "unknown")]) if {
	not kms.unusable(k)
	kms.symmetric(k)
}

not_assessed contains result.new(resource.region(region), msg) if {
	some region, _ in all_regions
	hosts_ml(region)
	count(usable_keys(region)) == 0
	gaps.listing_failed("kms", region, "ListKeys")
	msg := sprintf("not assessed: kms:ListKeys failed in %s", [region])
}

not_assessed contains result.new(resource.region(region), msg) if {
	some region, _ in all_regions
	hosts_ml(region)
	count(usable_keys(region)) == 0
	not gaps.listing_failed("kms", region, "ListKeys")
	ids := undescribed(region)
	count(ids) > 0
	msg := sprintf("not assessed: keys %s of %s could not be described", [concat(", ", ids), region])
}
