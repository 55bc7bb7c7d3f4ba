//! `kms-repair-key-reference` (manual): a resource whose key is unusable needs the key back or
//! the resource recreated.

declare_fix! {
    KmsRepairKeyReference {
        id: "kms-repair-key-reference",
        rules: ["DE-012"],
        applicability: Manual,
        phase: Keys,
        summary: "Cancel the deletion of, or enable, the key the resource names (DE-003's fix), or recreate the resource with a usable customer-managed key; a missing key cannot be brought back",
        inverse: "none: not applied",
    }
}
