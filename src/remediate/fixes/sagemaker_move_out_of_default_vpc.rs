//! `sagemaker-move-out-of-default-vpc` (manual): mL resources move to a custom VPC by being
//! recreated there.

declare_fix! {
    SagemakerMoveOutOfDefaultVpc {
        id: "sagemaker-move-out-of-default-vpc",
        rules: ["NI-014"],
        applicability: Manual,
        phase: Last,
        summary: "Create a custom VPC with private subnets (mlguard harden builds one) and recreate the notebooks, domains, models and training jobs in it",
        inverse: "none: not applied",
    }
}
