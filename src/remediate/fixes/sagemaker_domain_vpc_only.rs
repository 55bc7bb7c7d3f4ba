//! `sagemaker-domain-vpc-only` (manual): a domain goes VPC-only once its apps are deleted and
//! its VPC has endpoints.

declare_fix! {
    SagemakerDomainVpcOnly {
        id: "sagemaker-domain-vpc-only",
        rules: ["NI-010"],
        applicability: Manual,
        phase: Last,
        summary: "Delete the domain's running apps, then UpdateDomain AppNetworkAccessType=VpcOnly with private subnets and ML security groups; the VPC needs endpoints for the SageMaker API and runtime, STS and S3 (or a NAT gateway) first",
        inverse: "none: not applied",
    }
}
