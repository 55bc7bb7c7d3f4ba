//! `sagemaker-recreate-endpoint-config-with-kms` (manual): an endpoint config is copied with a
//! customer-managed key.

declare_fix! {
    SagemakerRecreateEndpointConfigWithKms {
        id: "sagemaker-recreate-endpoint-config-with-kms",
        rules: ["DE-006"],
        applicability: Manual,
        phase: Last,
        summary: "Endpoint configs cannot be changed: create a copy with KmsKeyId set to a customer-managed key, UpdateEndpoint to it, then delete the old config",
        inverse: "none: not applied",
    }
}
