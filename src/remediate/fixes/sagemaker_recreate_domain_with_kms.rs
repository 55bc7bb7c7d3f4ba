//! `sagemaker-recreate-domain-with-kms` (manual): a domain's key is fixed at creation.

declare_fix! {
    SagemakerRecreateDomainWithKms {
        id: "sagemaker-recreate-domain-with-kms",
        rules: ["DE-008"],
        applicability: Manual,
        phase: Last,
        summary: "A domain's KmsKeyId is fixed at creation: create a replacement domain with KmsKeyId set to a customer-managed key, move user profiles, spaces and their EFS data, delete the old domain",
        inverse: "none: not applied",
    }
}
