//! Load-time checks of policy code, from regorus's AST:
//!
//! - every function a policy calls exists (a builtin, or a function some loaded policy
//!   defines): regorus itself only notices a missing function when that line runs, so a
//!   broken rule could otherwise pass silently on every snapshot that never reaches it;
//! - no function reads another package's *rule* through an import alias (`config.x` inside
//!   `f(...)`): regorus 0.14 evaluates such a read as undefined once a rule of the function's
//!   own package has been evaluated, which silently drops results. `data.<package>.x`, or a
//!   rule of the function's own package (`x := config.x`), reads correctly;
//! - the head of a partial rule (`deny contains <term> if ...`, `m[<key>] := <value> if ...`)
//!   computes nothing that can be undefined: regorus 0.14 answers such a head with an error
//!   ("not an object") or, worse, an empty result when the term is undefined for one element,
//!   where OPA skips that element. Heads hold variables bound in the body, literals, and the
//!   result/resource builders of `mlguard.lib`.

use super::PolicyError;
use super::policy::{PolicySet, PolicySource};
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};

/// What the checks need to know about one module.
#[derive(Debug, Default)]
struct ModuleInfo {
    package: String,
    /// import alias → imported package (without `data.`)
    imports: BTreeMap<String, String>,
    rules: BTreeSet<String>,
    functions: BTreeSet<String>,
    /// (dotted name, arity, line) of every call
    calls: Vec<(String, usize, u64)>,
    /// (function, alias, field, line) for every `alias.field` read inside a function body
    reads_in_functions: Vec<(String, String, String, u64)>,
    /// (rule, offending source text, line) for partial-rule heads that compute something
    partial_heads: Vec<(String, String, u64)>,
}

/// Library packages whose functions are total on schema-valid input and may appear in heads.
const HEAD_BUILDERS: &[&str] = &["mlguard.lib.result", "mlguard.lib.resource"];

/// Returns the first sub-expression of a head term that could be undefined.
fn partial_head_problem<'a>(
    expr: &'a Json,
    imports: &BTreeMap<String, String>,
) -> Option<&'a Json> {
    let (kind, inner) = expr.as_object()?.iter().next()?;
    match kind.as_str() {
        "Var" | "String" | "RawString" | "Number" | "Bool" | "Null" => None,
        "Array" | "Set" => inner["items"]
            .as_array()?
            .iter()
            .find_map(|i| partial_head_problem(i, imports)),
        "Object" => inner["fields"].as_array()?.iter().find_map(|f| {
            partial_head_problem(&f[1], imports).or_else(|| partial_head_problem(&f[2], imports))
        }),
        "Call" => {
            let name = dotted(&inner["fcn"]).unwrap_or_default();
            let package = name
                .strip_prefix("data.")
                .map(|n| n.rsplit_once('.').map_or("", |(p, _)| p))
                .or_else(|| {
                    let (alias, _) = name.split_once('.')?;
                    imports.get(alias).map(String::as_str)
                });
            if package.is_some_and(|p| HEAD_BUILDERS.contains(&p)) {
                inner["params"]
                    .as_array()?
                    .iter()
                    .find_map(|p| partial_head_problem(p, imports))
            } else {
                Some(expr)
            }
        }
        _ => Some(expr),
    }
}

fn span_text<'a>(text: &'a str, expr: &Json) -> (&'a str, u64) {
    let inner = expr.as_object().and_then(|o| o.values().next());
    let span = inner.and_then(|i| i.get("span"));
    let (start, end) = (
        span.and_then(|s| s["start"].as_u64()).unwrap_or(0) as usize,
        span.and_then(|s| s["end"].as_u64()).unwrap_or(0) as usize,
    );
    (
        text.get(start..end).unwrap_or("?"),
        span.and_then(|s| s["line"].as_u64()).unwrap_or(0),
    )
}

fn dotted(node: &Json) -> Option<String> {
    if let Some(var) = node.get("Var") {
        return var.get("value").and_then(Json::as_str).map(str::to_string);
    }
    let dot = node.get("RefDot")?;
    let field = dot.get("field")?.get(1)?.as_str()?;
    Some(format!("{}.{field}", dotted(dot.get("refr")?)?))
}

fn head_name(rule: &Json) -> Option<(String, bool)> {
    if let Some(default) = rule.get("Default") {
        return Some((dotted(default.get("refr")?)?, false));
    }
    let head = rule.get("Spec")?.get("head")?;
    let (kind, inner) = head.as_object()?.iter().next()?;
    let refr = inner.get("refr")?;
    // `m[key] := value` names its rule through a bracket.
    let refr = refr
        .get("RefBrack")
        .and_then(|b| b.get("refr"))
        .unwrap_or(refr);
    Some((dotted(refr)?, kind == "Func"))
}

fn walk_calls(node: &Json, out: &mut Vec<(String, usize, u64)>) {
    match node {
        Json::Object(map) => {
            if let Some(call) = map.get("Call") {
                let arity = call
                    .get("params")
                    .and_then(Json::as_array)
                    .map_or(0, Vec::len);
                let line = call
                    .pointer("/span/line")
                    .and_then(Json::as_u64)
                    .unwrap_or(0);
                if let Some(name) = call.get("fcn").and_then(dotted) {
                    out.push((name, arity, line));
                }
            }
            map.values().for_each(|v| walk_calls(v, out));
        }
        Json::Array(items) => items.iter().for_each(|v| walk_calls(v, out)),
        _ => {}
    }
}

/// `alias.field` references (not in call position) under `node`.
fn walk_reads(
    node: &Json,
    aliases: &BTreeMap<String, String>,
    out: &mut Vec<(String, String, u64)>,
) {
    match node {
        Json::Object(map) => {
            if let Some(call) = map.get("Call") {
                // The function being called is not a read; its arguments are.
                if let Some(params) = call.get("params") {
                    walk_reads(params, aliases, out);
                }
                return;
            }
            if let Some(dot) = map.get("RefDot")
                && let (Some(Json::Object(inner)), Some(field)) = (
                    dot.get("refr"),
                    dot.get("field")
                        .and_then(|f| f.get(1))
                        .and_then(Json::as_str),
                )
                && let Some(alias) = inner
                    .get("Var")
                    .and_then(|v| v.get("value"))
                    .and_then(Json::as_str)
                && aliases.contains_key(alias)
            {
                let line = dot
                    .pointer("/span/line")
                    .and_then(Json::as_u64)
                    .unwrap_or(0);
                out.push((alias.to_string(), field.to_string(), line));
            }
            map.values().for_each(|v| walk_reads(v, aliases, out));
        }
        Json::Array(items) => items.iter().for_each(|v| walk_reads(v, aliases, out)),
        _ => {}
    }
}

fn module_info(src: &PolicySource) -> Result<ModuleInfo, PolicyError> {
    let mut one = regorus::Engine::new();
    one.add_policy(src.path.clone(), src.text.clone())
        .map_err(|e| PolicyError::Parse {
            path: src.path.clone(),
            message: e.to_string(),
        })?;
    let ast: Json = one
        .get_ast_as_json()
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let module = &ast[0]["ast"];
    let mut info = ModuleInfo {
        package: src.package.clone(),
        ..ModuleInfo::default()
    };
    for import in module["imports"].as_array().into_iter().flatten() {
        let Some(path) = dotted(&import["refr"]) else {
            continue;
        };
        let Some(package) = path.strip_prefix("data.") else {
            continue;
        };
        let alias = match import.get("as") {
            Some(span) if span.is_object() => {
                let (start, end) = (
                    span["start"].as_u64().unwrap_or(0) as usize,
                    span["end"].as_u64().unwrap_or(0) as usize,
                );
                src.text.get(start..end).unwrap_or_default().to_string()
            }
            _ => package.rsplit('.').next().unwrap_or(package).to_string(),
        };
        info.imports.insert(alias, package.to_string());
    }
    for rule in module["rules"].as_array().into_iter().flatten() {
        let Some((name, is_function)) = head_name(rule) else {
            continue;
        };
        if is_function {
            info.functions.insert(name.clone());
            let mut reads = Vec::new();
            walk_reads(&rule["Spec"], &info.imports, &mut reads);
            info.reads_in_functions.extend(
                reads
                    .into_iter()
                    .map(|(alias, field, line)| (name.clone(), alias, field, line)),
            );
        } else {
            let head = &rule["Spec"]["head"];
            let mut terms = Vec::new();
            if let Some(set) = head.get("Set") {
                terms.push(&set["key"]);
            } else if let Some(compr) = head.get("Compr")
                && let Some(brack) = compr["refr"].get("RefBrack")
            {
                terms.push(&brack["index"]);
                terms.push(&compr["assign"]["value"]);
            }
            for term in terms {
                if let Some(bad) = partial_head_problem(term, &info.imports) {
                    let (text, line) = span_text(&src.text, bad);
                    info.partial_heads
                        .push((name.clone(), text.to_string(), line));
                }
            }
            info.rules.insert(name);
        }
    }
    walk_calls(module, &mut info.calls);
    Ok(info)
}

/// Whether regorus knows `name` as a builtin (probed with undefined arguments, which
/// evaluates nothing but still resolves the function).
fn is_builtin(probe: &mut regorus::Engine, name: &str, arity: usize) -> bool {
    if name == "print" {
        return true;
    }
    let args = vec!["input.__mlguard_probe__"; arity].join(", ");
    match probe.eval_query(format!("{name}({args})"), false) {
        Ok(_) => true,
        Err(e) => !e.to_string().contains("could not find function"),
    }
}

/// Checks `sources` (a subset of `set`) against everything `set` defines; the first
/// problem is the error.
pub(crate) fn check(set: &PolicySet, sources: &[&PolicySource]) -> Result<(), PolicyError> {
    match problems(set, sources)?.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Every problem of `sources`; `Err` only when a source does not parse.
fn problems(set: &PolicySet, sources: &[&PolicySource]) -> Result<Vec<PolicyError>, PolicyError> {
    let mut found = Vec::new();
    if sources.is_empty() {
        return Ok(found);
    }
    let all: Vec<&PolicySource> = set
        .libs
        .iter()
        .chain(set.rules.iter().map(|r| &r.source))
        .chain(&set.tests)
        .collect();
    let mut infos = BTreeMap::new();
    for src in &all {
        infos.insert(src.path.clone(), module_info(src)?);
    }
    let mut rules_by_package: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut functions: BTreeSet<&str> = BTreeSet::new();
    for info in infos.values() {
        rules_by_package
            .entry(&info.package)
            .or_default()
            .extend(info.rules.iter().map(String::as_str));
        functions.extend(info.functions.iter().map(String::as_str));
    }
    let rule_id = |path: &str| {
        set.rules
            .iter()
            .find(|r| r.source.path == path)
            .map_or_else(|| "-".to_string(), |r| r.meta.id.clone())
    };
    let mut probe = regorus::Engine::new();
    let mut known = BTreeSet::new();
    for src in sources {
        let Some(info) = infos.get(&src.path) else {
            continue;
        };
        for (function, alias, field, line) in &info.reads_in_functions {
            let package = &info.imports[alias];
            if rules_by_package
                .get(package.as_str())
                .is_some_and(|r| r.contains(field.as_str()))
            {
                found.push(PolicyError::Check {
                    path: format!("{}:{line}", src.path),
                    rule_id: rule_id(&src.path),
                    message: format!(
                        "function `{function}` reads rule `{alias}.{field}` through an import; regorus can evaluate such a read as undefined. Write `data.{package}.{field}`, or read it through a rule of this package (`{field} := {alias}.{field}`)"
                    ),
                });
            }
        }
        for (rule, text, line) in &info.partial_heads {
            found.push(PolicyError::Check {
                path: format!("{}:{line}", src.path),
                rule_id: rule_id(&src.path),
                message: format!(
                    "the head of `{rule}` computes `{text}`; regorus mishandles a head term that is undefined for some element (an error, or lost results). Bind it in the body (`v := {text}`) and put the variable in the head"
                ),
            });
        }
        for (name, arity, line) in &info.calls {
            let last = name.rsplit('.').next().unwrap_or(name);
            if functions.contains(last) || known.contains(&(name.clone(), *arity)) {
                continue;
            }
            if is_builtin(&mut probe, name, *arity) {
                known.insert((name.clone(), *arity));
            } else {
                found.push(PolicyError::Check {
                    path: format!("{}:{line}", src.path),
                    rule_id: rule_id(&src.path),
                    message: format!("unknown function `{name}`: not a builtin and not defined in any loaded policy"),
                });
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::PolicySet;

    /// The built-ins pass the same checks custom policies get at load time.
    #[test]
    fn builtin_policies_pass_the_load_checks() {
        let set = PolicySet::load(true, &[]).expect("built-ins load");
        let all: Vec<&PolicySource> = set
            .libs
            .iter()
            .chain(set.rules.iter().map(|r| &r.source))
            .chain(&set.tests)
            .collect();
        let found: Vec<String> = problems(&set, &all)
            .expect("parses")
            .iter()
            .map(|e| e.to_string())
            .collect();
        assert!(found.is_empty(), "{}", found.join("\n"));
    }

    #[test]
    fn computed_partial_heads_are_refused() {
        let mut set = PolicySet::default();
        let lib = |path: &str, text: &str| PolicySource {
            path: path.into(),
            text: text.into(),
            origin: crate::engine::Origin::Custom("p".into()),
            kind: crate::engine::PolicyKind::Lib,
            package: "a".into(),
        };
        set.libs.push(lib(
            "p/lib/a.rego",
            "package a\nimport rego.v1\nf(x) := x\nok contains [x, m] if { some x in input.xs; m := f(x) }\nbad contains {\"m\": f(x)} if { some x in input.xs }\nalso_bad[x.id] := 1 if { some x in input.xs }\n",
        ));
        let srcs: Vec<&PolicySource> = set.libs.iter().collect();
        let found: Vec<String> = problems(&set, &srcs)
            .expect("parses")
            .iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].contains("p/lib/a.rego:5") && found[0].contains("`f(x)`"),
            "{found:?}"
        );
        assert!(
            found[1].contains("p/lib/a.rego:6") && found[1].contains("`x.id`"),
            "{found:?}"
        );
    }

    #[test]
    fn function_reading_an_imported_rule_is_refused() {
        let mut set = PolicySet::default();
        let lib = |path: &str, text: &str| PolicySource {
            path: path.into(),
            text: text.into(),
            origin: crate::engine::Origin::Custom("p".into()),
            kind: crate::engine::PolicyKind::Lib,
            package: text
                .lines()
                .next()
                .unwrap_or_default()
                .trim_start_matches("package ")
                .into(),
        };
        set.libs.push(lib(
            "p/lib/b.rego",
            "package b\nimport rego.v1\nglobs := [\"x\"]\n",
        ));
        set.libs.push(lib(
            "p/lib/a.rego",
            "package a\nimport rego.v1\nimport data.b\nok(n) if { some g in data.b.globs; g == n }\nbad(n) if { some g in b.globs; g == n }\n",
        ));
        let srcs: Vec<&PolicySource> = set.libs.iter().collect();
        let e = check(&set, &srcs).expect_err("refused").to_string();
        assert!(e.contains("p/lib/a.rego:5") && e.contains("b.globs"), "{e}");
    }
}
