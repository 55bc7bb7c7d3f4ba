//! `sagemaker-recreate-notebook-with-kms` (manual): a notebook's volume key is fixed at
//! creation.

declare_fix! {
    SagemakerRecreateNotebookWithKms {
        id: "sagemaker-recreate-notebook-with-kms",
        rules: ["DE-005"],
        applicability: Manual,
        phase: Last,
        summary: "A notebook's volume key is fixed at creation: stop the notebook, create a replacement with KmsKeyId set to a customer-managed key, move the work, delete the old one",
        inverse: "none: not applied",
    }
}
