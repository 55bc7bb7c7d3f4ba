//! `sagemaker-training-job-kms` (manual): the next training jobs are launched with
//! customer-managed keys.

declare_fix! {
    SagemakerTrainingJobKms {
        id: "sagemaker-training-job-kms",
        rules: ["DE-007"],
        applicability: Manual,
        phase: Last,
        summary: "Training jobs cannot be changed: set OutputDataConfig.KmsKeyId and ResourceConfig.VolumeKmsKeyId to a customer-managed key, and EnableInterContainerTrafficEncryption for distributed jobs, in whatever launches new jobs (pipelines, estimators)",
        inverse: "none: not applied",
    }
}
