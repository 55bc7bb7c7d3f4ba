#![allow(clippy::print_stdout, clippy::unwrap_used)]
use std::path::Path;
fn rss() -> (u64, u64) {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    let get = |k: &str| s.lines().find_map(|l| l.strip_prefix(k)).map(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().unwrap()).unwrap() / 1024;
    (get("VmRSS:"), get("VmHWM:"))
}
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let mode = std::env::args().nth(2).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    println!("text {} MB {:?}", text.len() / 1_000_000, rss());
    let t = std::time::Instant::now();
    match mode.as_str() {
        "regorus" => { let v = regorus::Value::from_json_str(&text).unwrap(); println!("regorus::Value {:?} {:?}", rss(), t.elapsed()); drop(v); }
        "typed" => { let v: mlguard::snapshot::model::Snapshot = serde_json::from_str(&text).unwrap(); println!("typed {:?} {:?}", rss(), t.elapsed()); drop(v); }
        "probe" => { #[derive(serde::Deserialize)] struct P { #[allow(dead_code)] schema_version: Option<serde_json::Value> } let v: P = serde_json::from_str(&text).unwrap(); println!("probe {:?} {:?}", rss(), t.elapsed()); drop(v); }
        "lines" => { let v = mlguard::snapshot::LineIndex::build(&text); println!("lines {} {:?} {:?}", v.len(), rss(), t.elapsed()); drop(v); }
        "load" => { let v = mlguard::snapshot::load_str(&text, Path::new("x")).unwrap(); println!("load {:?} {:?}", rss(), t.elapsed()); drop(text); println!("text dropped {:?}", rss()); drop(v); }
        "file" => { drop(text); let v = mlguard::snapshot::load_file(Path::new(&path)).unwrap(); println!("load_file {:?} {:?}", rss(), t.elapsed()); drop(v); }
        "ours" => { let v = mlguard::snapshot::value::from_str(&text).unwrap(); println!("ours {:?} {:?}", rss(), t.elapsed()); drop(v); }
        _ => {}
    }
}
