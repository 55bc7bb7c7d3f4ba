//! `sagemaker-recreate-notebook` (manual): a notebook's network settings are fixed at creation.

declare_fix! {
    SagemakerRecreateNotebook {
        id: "sagemaker-recreate-notebook",
        rules: ["NI-007", "NI-008"],
        applicability: Manual,
        phase: Last,
        summary: "Notebook network settings are fixed at creation: stop the notebook, create a replacement in a private subnet with DirectInternetAccess=Disabled and RootAccess=Disabled, move the work, delete the old one",
        inverse: "none: not applied",
    }
}
