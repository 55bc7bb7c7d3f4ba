//! `sagemaker-recreate-with-network-isolation` (manual): models and training jobs are recreated
//! with network isolation.

declare_fix! {
    SagemakerRecreateWithNetworkIsolation {
        id: "sagemaker-recreate-with-network-isolation",
        rules: ["NI-011"],
        applicability: Manual,
        phase: Last,
        summary: "Models and training jobs cannot be changed: create the model again (and an endpoint config pointing at it), or run the next training job, with EnableNetworkIsolation=true or a VpcConfig of private subnets and ML security groups",
        inverse: "none: not applied",
    }
}
