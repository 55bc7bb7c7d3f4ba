//! IAM helpers the role fixes share: a role's policy documents, and the trust policy update
//! that two fixes make to the same policy (the second is merged into the first).

use super::super::model::{Aspect, Op, normalize_document};
use super::ctx::{Ctx, change, list, s};
use crate::findings::Finding;
use serde_json::Value;

impl Ctx<'_> {
    pub(super) fn role_docs(&self, role: &Value) -> Vec<Value> {
        let mut out: Vec<Value> = list(role, "RolePolicyList")
            .iter()
            .filter_map(|p| p.get("PolicyDocument").cloned())
            .collect();
        for a in list(role, "AttachedManagedPolicies") {
            if let Some(doc) = self.managed_document(s(a, "PolicyArn")) {
                out.push(doc);
            }
        }
        out
    }

    pub(super) fn managed_document(&self, arn: &str) -> Option<Value> {
        let policy = self
            .snap
            .pointer("/iam/policies")
            .and_then(Value::as_array)?
            .iter()
            .find(|p| s(p, "Arn") == arn)?;
        let versions = list(policy, "PolicyVersionList");
        versions
            .iter()
            .find(|v| v.get("IsDefaultVersion").and_then(Value::as_bool) == Some(true))
            .or_else(|| versions.first())
            .and_then(|v| v.get("Document").cloned())
    }

    /// Plans fix `fix`'s change of `role`'s trust policy: `after` gives the new document from
    /// the current one (the snapshot's, or what an action planned earlier leaves). A second
    /// trust fix on the same role is merged into the first action; `summary` says what the fix
    /// does to the role.
    pub(super) fn update_trust(
        &mut self,
        f: &Finding,
        fix: &str,
        role: &Value,
        summary: &str,
        after: impl FnOnce(&Ctx<'_>, &Value) -> Value,
    ) {
        let role_name = s(role, "RoleName").to_string();
        let aspect = Aspect::RoleTrustPolicy {
            role_name: role_name.clone(),
        };
        let snapshot_doc = role
            .get("AssumeRolePolicyDocument")
            .cloned()
            .unwrap_or(Value::Null);
        let pos = self
            .actions
            .iter()
            .position(|a| a.aspect.as_ref() == Some(&aspect));
        let current = pos
            .map(|i| self.actions[i].after.clone())
            .unwrap_or_else(|| snapshot_doc.clone());
        let after = normalize_document(&after(self, &current));
        match pos {
            Some(i) => {
                let a = &mut self.actions[i];
                if !a.rules().contains(&f.rule_id.as_str()) {
                    a.also.push(f.rule_id.clone());
                }
                a.after = after.clone();
                a.op = Some(Op::UpdateAssumeRolePolicy {
                    role_name,
                    document: after,
                });
                a.summary = format!("{}; {summary} role", a.summary);
                a.finish();
            }
            None => self.push(change(
                &f.rule_id,
                fix,
                &f.resource.arn,
                format!("{summary} role {role_name}"),
                Op::UpdateAssumeRolePolicy {
                    role_name,
                    document: after.clone(),
                },
                aspect,
                snapshot_doc,
                after,
            )),
        }
    }
}
