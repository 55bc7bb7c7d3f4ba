//! Layering check for mlguard's crate-internal module graph.
//!
//! Builds the graph of top-level modules from `crate::<module>` references in `src/**/*.rs`
//! and fails, naming the cycle, if the library layer has one.
//!
//! Layering:
//! - App layer: `main.rs`, `app` (the command line and the command handlers) and `org`
//!   (whole-organization commands). Their outgoing edges are not counted; they may depend on
//!   anything, and they are the only modules that may use clap.
//! - Library layer: every other module. It must form a DAG, must not depend on the app
//!   layer, and must not mention clap.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const APP_LAYER: &[&str] = &["main", "app", "org"];

type Graph = BTreeMap<String, BTreeSet<String>>;

fn visit(dir: &Path, root: &Path, graph: &mut Graph) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src dir")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            visit(&path, root, graph);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path
            .strip_prefix(root)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        let top = rel
            .split('/')
            .next()
            .unwrap_or_default()
            .trim_end_matches(".rs")
            .to_string();
        if APP_LAYER.contains(&top.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read source");
        assert!(
            !text.contains("clap::") && !text.contains("use clap"),
            "src/{rel} is in the library layer and uses clap: command-line types belong in src/app/"
        );
        let deps = graph.entry(top.clone()).or_default();
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let preceded_by_ident = text[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
            if !name.is_empty() && name != top && !preceded_by_ident {
                deps.insert(name);
            }
        }
    }
}

fn build_graph() -> Graph {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph = Graph::new();
    visit(&root, &root, &mut graph);
    graph
}

fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    // 0 = unvisited, 1 = on stack, 2 = done
    fn dfs(
        node: &str,
        graph: &Graph,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next).copied().unwrap_or(0) {
                1 => {
                    let start = stack.iter().position(|n| n == next).unwrap_or(0);
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = dfs(next, graph, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if state.get(node).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = dfs(node, graph, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn library_module_graph_is_acyclic() {
    let graph = build_graph();
    for (from, deps) in &graph {
        for to in deps {
            assert!(
                !APP_LAYER.contains(&to.as_str()),
                "library module {from} depends on app-layer module {to}"
            );
        }
    }
    if let Some(cycle) = find_cycle(&graph) {
        panic!("module dependency cycle: {}", cycle.join(" -> "));
    }
}

#[test]
fn cycle_detector_finds_a_back_edge() {
    let mut graph = Graph::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("a".into());
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".to_string(), "b".to_string(), "a".to_string()])
    );
}
