//! `sagemaker-disable-notebook-root-access` (manual): root access changes only on a stopped
//! notebook.

declare_fix! {
    SagemakerDisableNotebookRootAccess {
        id: "sagemaker-disable-notebook-root-access",
        rules: ["NI-009"],
        applicability: Manual,
        phase: Last,
        summary: "RootAccess changes only on a stopped notebook: when its users are done, StopNotebookInstance, UpdateNotebookInstance RootAccess=Disabled, StartNotebookInstance; mlguard never stops a running notebook",
        inverse: "none: not applied",
    }
}
