//! The macro behind the one declaration of every mutating AWS operation
//! (`src/remediate/operations.rs`). Read that file first: each row there is one operation; this
//! file only turns the rows into code.
//!
//! A row reads:
//!
//! ```text
//! /// What the call does (becomes the variant's doc).
//! PutRolePolicy { role_name: String, policy_name: String, document: Value }
//!     => iam::put_role_policy,                  // service, and its executor in apply/aws/iam.rs
//!     needs ["iam:PutRolePolicy"],              // the IAM actions that authorize it
//!     price Price::Free("IAM"),                 // its price class (src/remediate/cost.rs)
//!     sets Aspect::RoleInlinePolicy { .. } => document.clone();   // optional: what it changes
//! ```
//!
//! From the rows it generates:
//! - the [`Op`](super::operations::Op) enum (variant = API name, fields = parameters, with
//!   their attributes; serialized with `"op": "<API name>"`);
//! - `Op::api()` (service, API name), `Op::price()` and `Op::effect()`: the aspect the call
//!   sets, keyed by its own parameters, and the value it leaves (the test account applies calls
//!   with it, and a test checks `restore_op` gives the same call back);
//! - `WRITES`, the operations table the shipped IAM policy is checked against;
//! - `Op::samples()` (tests): one of every operation, all fields defaulted;
//! - with the `aws` feature, `AwsTarget::execute`, which hands each operation's fields to its
//!   executor (`apply::aws::<service>::<executor>`) as plain borrows (`&str`, `&Value`, `i32`...).

/// Declares the mutating operations: see the module docs.
macro_rules! declare_operations {
    ($(
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $fty:ty ),* $(,)?
        }
        => $service:ident :: $exec:ident,
        needs [$($action:literal),* $(,)?],
        price $price:expr
        $(, sets $aspect:expr => $value:expr)?
        ;
    )*) => {
        /// The closed set of calls a remediation makes: one mutating AWS API call each. Fields
        /// are the API's parameters; ids may be `${placeholders}` in a plan (see
        /// [`super::model`]). Declared in `src/remediate/operations.rs`.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "op")]
        pub enum Op {
            $(
                $(#[$meta])*
                $name { $( $(#[$fmeta])* $field: $fty ),* },
            )*
        }

        impl Op {
            /// `(service, API operation)`.
            pub fn api(&self) -> (&'static str, &'static str) {
                match self {
                    $( Op::$name { .. } => (stringify!($service), stringify!($name)), )*
                }
            }

            /// What the call does to the bill (`cost` prices the billed ones).
            pub fn price(&self) -> Price {
                match self {
                    $( Op::$name { .. } => $price, )*
                }
            }

            /// The aspect the call sets, keyed by its own parameters, and the value it leaves
            /// there; `None` for calls that create something with an id AWS picks.
            #[allow(unused_variables)]
            pub fn effect(&self) -> Option<(Aspect, serde_json::Value)> {
                match self {
                    $( Op::$name { $($field),* } => $crate::remediate::declare::declare_operations!(@effect $($aspect => $value)?), )*
                }
            }

            /// One of every operation, every field defaulted.
            #[cfg(test)]
            pub(crate) fn samples() -> Vec<Op> {
                vec![ $( Op::$name { $($field: Default::default()),* }, )* ]
            }
        }

        /// The mutating operations and the IAM actions each needs.
        pub const WRITES: &[Operation] = &[
            $(
                Operation {
                    service: stringify!($service),
                    name: stringify!($name),
                    actions: &[$($action),*],
                    kind: Kind::Write,
                },
            )*
        ];

        #[cfg(feature = "aws")]
        impl crate::remediate::apply::aws::AwsTarget {
            /// Makes the call: each operation's executor is in `apply/aws/<service>.rs`.
            pub(crate) fn execute(
                &self,
                op: &Op,
            ) -> Result<serde_json::Value, crate::remediate::target::TargetError> {
                use crate::remediate::apply::aws::{self as exec, Arg as _};
                match op {
                    $( Op::$name { $($field),* } => exec::$service::$exec(self, $($field.arg()),*), )*
                }
            }
        }
    };
    (@effect) => { None };
    (@effect $aspect:expr => $value:expr) => { Some(($aspect, $value)) };
}

pub(crate) use declare_operations;
