//! `mlguard policy test`: runs every `test_*` rule of the loaded test files, like `opa test`.

use super::PolicyError;
use super::eval::{add_sources, new_regorus};
use super::params::Params;
use super::policy::PolicySet;
use regorus::Value;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestOutcome {
    Pass,
    /// The test rule was false or undefined.
    Fail,
    /// The test raised an error.
    Error(String),
}

#[derive(Debug, Clone)]
pub struct TestResult {
    pub file: String,
    pub package: String,
    pub name: String,
    pub outcome: TestOutcome,
    pub duration: Duration,
}

/// Names of the test rules a file defines, in order, without repeats.
pub fn test_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("test_") else {
            continue;
        };
        let tail: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let name = format!("test_{tail}");
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Runs the tests of `set`; `filter` keeps tests whose `package.name` contains it.
pub fn run(
    set: &PolicySet,
    params: &Params,
    filter: Option<&str>,
) -> Result<Vec<TestResult>, PolicyError> {
    let mut engine = new_regorus(params)?;
    add_sources(&mut engine, &set.libs)?;
    add_sources(&mut engine, set.rules.iter().map(|r| &r.source))?;
    add_sources(&mut engine, &set.tests)?;
    let mut results = Vec::new();
    for file in &set.tests {
        for name in test_names(&file.text) {
            let full = format!("{}.{name}", file.package);
            if filter.is_some_and(|f| !full.contains(f)) {
                continue;
            }
            let start = Instant::now();
            let outcome = match engine.eval_rule(format!("data.{full}")) {
                Ok(Value::Bool(true)) => TestOutcome::Pass,
                Ok(_) => TestOutcome::Fail,
                Err(e) => TestOutcome::Error(e.to_string()),
            };
            results.push(TestResult {
                file: file.path.clone(),
                package: file.package.clone(),
                name,
                outcome,
                duration: start.elapsed(),
            });
        }
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_test_rule_names() {
        let text = "package p\ntest_a if { true }\ntest_b_2 if {\n}\ntest_a if { false }\n  test_indented if { true }\nnot_test_c if true\n";
        assert_eq!(test_names(text), vec!["test_a", "test_b_2"]);
    }
}
