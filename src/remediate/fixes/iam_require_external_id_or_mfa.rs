//! `iam-require-external-id-or-mfa` (manual): a cross-account trust needs an external id or MFA
//! only its owner can choose.

declare_fix! {
    IamRequireExternalIdOrMfa {
        id: "iam-require-external-id-or-mfa",
        rules: ["LP-006"],
        applicability: Manual,
        phase: Identity,
        summary: "Agree on an external id with the third party and add \"StringEquals\": {\"sts:ExternalId\": ...} to the trust statement, or require MFA for people (\"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"}); only the role's owner knows which applies",
        inverse: "none: not applied",
    }
}
