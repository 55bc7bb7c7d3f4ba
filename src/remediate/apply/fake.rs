//! An in-memory account for the driver's tests: aspects are stored as values, and each call
//! changes the aspects it would change on AWS: what its declaration in `operations.rs` says it
//! sets, and for the calls that create something, what is written here.

use crate::remediate::model::{Aspect, Op};
use crate::remediate::target::{Inventory, Target, TargetError};
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(Default)]
pub struct Fake {
    pub account: String,
    pub state: BTreeMap<Aspect, Value>,
    pub calls: Vec<String>,
    /// Fail the n-th call (1-based) after making the change, as a crash after the request.
    pub fail_after_change: Option<usize>,
    next_id: u32,
}

impl Fake {
    pub fn new() -> Fake {
        Fake {
            account: "123456789012".into(),
            ..Fake::default()
        }
    }

    pub fn set(&mut self, aspect: Aspect, value: Value) {
        if value.is_null() {
            self.state.remove(&aspect);
        } else {
            self.state.insert(aspect, value);
        }
    }

    /// Removes every aspect of one kind (`is_kind`) whose state has this `id`.
    fn remove_by_id(&mut self, id: &str, is_kind: impl Fn(&Aspect) -> bool) {
        self.state.retain(|a, v| !(is_kind(a) && v["id"] == id));
    }

    pub fn get(&self, aspect: &Aspect) -> Value {
        self.state.get(aspect).cloned().unwrap_or(Value::Null)
    }

    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}-{:04}", self.next_id)
    }
}

impl Target for Fake {
    fn account_id(&mut self) -> Result<String, TargetError> {
        Ok(self.account.clone())
    }

    fn read(&mut self, aspect: &Aspect) -> Result<Value, TargetError> {
        Ok(self.get(aspect))
    }

    fn call(&mut self, op: &Op) -> Result<Value, TargetError> {
        self.calls.push(op.name().to_string());
        let mut result = Value::Null;
        match op {
            Op::CreateVpc { region, tags, .. } => {
                let id = self.id("vpc");
                let mut t = tags.clone();
                t.remove("mlguard:scope");
                self.set(
                    Aspect::Vpc {
                        region: region.clone(),
                        tags: t,
                    },
                    json!({"id": id, "tags": tags}),
                );
                result = json!({ "id": id });
            }
            Op::DeleteVpc { region, vpc_id } => {
                self.remove_by_id(
                    vpc_id,
                    |a| matches!(a, Aspect::Vpc { region: r, .. } if r == region),
                );
            }
            Op::CreateSubnet {
                region,
                vpc_id,
                cidr_block,
                tags,
                ..
            } => {
                let id = self.id("subnet");
                self.set(
                    Aspect::Subnet {
                        region: region.clone(),
                        vpc_id: vpc_id.clone(),
                        cidr_block: cidr_block.clone(),
                    },
                    json!({"id": id, "tags": tags}),
                );
                result = json!({ "id": id });
            }
            Op::DeleteSubnet { region, subnet_id } => {
                self.remove_by_id(
                    subnet_id,
                    |a| matches!(a, Aspect::Subnet { region: r, .. } if r == region),
                );
            }
            // Every other call sets what its declaration says it sets.
            other => match other.effect() {
                Some((aspect, value)) => self.set(aspect, value),
                None => return Err(TargetError::new("Unsupported", other.name())),
            },
        }
        if self.fail_after_change == Some(self.calls.len()) {
            return Err(TargetError::new(
                "Crash",
                "the connection died after the request",
            ));
        }
        Ok(result)
    }

    fn availability_zones(&mut self, region: &str) -> Result<Vec<String>, TargetError> {
        Ok(vec![format!("{region}a"), format!("{region}b")])
    }

    fn inventory(&mut self, _stack: &str, _region: &str) -> Result<Inventory, TargetError> {
        Ok(Inventory::default())
    }
}
