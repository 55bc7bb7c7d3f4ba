//! `iam-delete-unused-role` (manual): an unused role is deleted by its owner, never by mlguard.

declare_fix! {
    IamDeleteUnusedRole {
        id: "iam-delete-unused-role",
        rules: ["LP-011"],
        applicability: Manual,
        phase: Identity,
        summary: "Confirm with the owner that the role is no longer needed, then detach its policies, remove it from its instance profiles and DeleteRole; deleting is not reversible, so mlguard never does it",
        inverse: "none: not applied",
    }
}
