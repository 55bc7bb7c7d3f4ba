# METADATA
# title: ML resource uses a KMS key that is disabled, pending deletion or missing
# description: >-
#   A SageMaker notebook instance, domain, training job (OutputDataConfig.KmsKeyId,
#   ResourceConfig.VolumeKmsKeyId) or endpoint config references a KMS key (by key id, key
#   ARN, alias name or alias ARN, resolved in the resource's region or the region of the
#   ARN) that is disabled, pending deletion, waiting for imported key material, unavailable,
#   or does not exist. A key counts as missing only when the KMS key listing of its region
#   succeeded; a key of another account, of a region that was not collected, or of a region
#   whose listing failed is reported not assessed.
# custom:
#   id: DE-012
#   name: ml-resource-key-unusable
#   pillar: encryption
#   severity: high
#   service: sagemaker
#   resource_type: "AWS::SageMaker::*"
#   status: preview
#   rationale: >-
#     A resource whose key cannot be used cannot read what it encrypted: a notebook does not
#     start, a Studio domain's home directories are unreadable, an endpoint cannot scale out,
#     and a training pipeline fails when it writes its model. Once a key pending deletion is
#     deleted, that data is lost for good.
#   remediation:
#     text: >-
#       If the key is still wanted, cancel its deletion (`aws kms cancel-key-deletion`) and
#       enable it (`aws kms enable-key`). Otherwise re-create the resource with a usable
#       customer-managed key, after copying out any data the old key still decrypts.
#     action: kms-repair-key-reference
#   frameworks:
#     ml_lens: {partial: [MLSEC-02]}
#     lab: {partial: [lab-2-kms-key, lab-concept-data-at-rest]}
#   references:
#     - https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html
#     - https://docs.aws.amazon.com/sagemaker/latest/dg/encryption-at-rest.html
#     - https://docs.aws.amazon.com/wellarchitected/latest/machine-learning-lens/mlsec-02.html
#   inputs: [kms:ListKeys, kms:DescribeKey, kms:ListAliases, sagemaker:DescribeNotebookInstance, sagemaker:DescribeDomain, sagemaker:DescribeTrainingJob, sagemaker:DescribeEndpointConfig]
package mlguard.encryption.ml_key_unusable

import rego.v1

import data.mlguard.lib.kms
import data.mlguard.lib.resource
import data.mlguard.lib.result

# The library's rules are read through their full path: through the import alias
# (`kms.regions`) regorus would evaluate every rule of the library, its key index included.
regions := data.mlguard.lib.kms.regions

ml_kinds := data.mlguard.lib.kms.ml_kinds

ml_resource(region, "notebook_instances", i, item) := resource.notebook(region, i, item)

ml_resource(region, "domains", i, item) := resource.domain(region, i, item)

ml_resource(region, "training_jobs", i, item) := resource.training_job(region, i, item)

ml_resource(region, "endpoint_configs", i, item) := resource.endpoint_config(region, i, item)

applicable contains judged if {
	some region, _ in regions
	some kind, _ in ml_kinds
	some i, item in kms.sagemaker(region, kind)
	count(kms.key_refs(kind, item)) > 0
	judged := ml_resource(region, kind, i, item)
}

deny contains result.new(judged, msg) if {
	some region, _ in regions
	some kind, _ in ml_kinds
	some i, item in kms.sagemaker(region, kind)
	found := [p | some x in kms.key_refs(kind, item); p := ref_problem(x, region)]
	count(found) > 0
	msg := sprintf("%s %s: %s", [ml_kinds[kind].noun, kms.ml_name(kind, item), concat("; ", found)])
	judged := ml_resource(region, kind, i, item)
}

ref_problem(x, region) := sprintf("%s names KMS key %s, which is %s", [x.field, kms.label(e.key), kms.unusable(e.key)]) if {
	e := kms.ml_lookup(x.ref, region)
	e.status == "found"
	kms.unusable(e.key)
}

ref_problem(x, region) := sprintf("%s names KMS key %s, which does not exist in %s", [x.field, x.ref, e.region]) if {
	e := kms.ml_lookup(x.ref, region)
	e.status == "missing"
}

# A key reference that cannot be checked.
not_assessed contains result.new(judged, msg) if {
	some region, _ in regions
	some kind, _ in ml_kinds
	some i, item in kms.sagemaker(region, kind)
	some x in kms.key_refs(kind, item)
	msg := unknown(x, region)
	judged := ml_resource(region, kind, i, item)
}

unknown(x, region) := kms.unknown_reason(x.ref, e) if {
	e := kms.ml_lookup(x.ref, region)
	e.status in {"other_account", "region_not_listed", "listing_failed"}
}

unknown(x, region) := kms.missing_reason("DescribeKey", e.key) if {
	e := kms.ml_lookup(x.ref, region)
	e.status == "found"
	not is_string(object.get(e.key, "KeyState", null))
}

# The resource could not be described, so its key references are unknown.
not_assessed contains result.new(judged, gap_msg) if {
	some region, _ in regions
	some kind, _ in ml_kinds
	some i, item in kms.sagemaker(region, kind)
	judged := ml_resource(region, kind, i, item)
	gap_msg := kms.ml_gap_reason(kind, item)
}
