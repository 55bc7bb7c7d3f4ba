//! Every report format, rendered from the same finding sets (the two lab fixtures), as
//! reviewed snapshots.

use crate::common::builtin_engine;
use mlguard::audit::{self, Selection};
use mlguard::report::{self, Ctx, Format};
use mlguard::snapshot;
use std::path::Path;

fn render(fixture: &str, format: Format) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Reports name the snapshot as given on the command line: a relative path.
    let text = std::fs::read_to_string(root.join(fixture)).expect("fixture");
    let mut snap = snapshot::load_str(&text, Path::new(fixture)).expect("loads");
    snap.source = Some(fixture.into());
    let ids = Selection::default()
        .resolve(builtin_engine().rules())
        .expect("selection");
    let report = audit::audit(builtin_engine(), &snap, &ids).expect("audit");
    let ctx = Ctx {
        tool_version: "0.0.0-test",
        ..Ctx::default()
    };
    String::from_utf8(report::render(format, &report, &ctx).expect("renders")).expect("utf-8")
}

fn check(fixture: &str) {
    let name = Path::new(fixture)
        .file_stem()
        .expect("stem")
        .to_string_lossy()
        .to_string();
    for (format, ext) in [
        (Format::Table, "table"),
        (Format::Json, "json"),
        (Format::Sarif, "sarif"),
        (Format::Ocsf, "ocsf"),
        (Format::Asff, "asff"),
        (Format::Html, "html"),
    ] {
        let out = render(fixture, format);
        insta::with_settings!({snapshot_path => "../snapshots/reports", prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(format!("{name}.{ext}"), out);
        });
    }
}

#[test]
fn lab_insecure_reports() {
    check("fixtures/lab-insecure.json");
}

#[test]
fn lab_hardened_reports() {
    check("fixtures/lab-hardened.json");
}

#[test]
fn reports_are_deterministic() {
    for format in [
        Format::Table,
        Format::Json,
        Format::Sarif,
        Format::Ocsf,
        Format::Asff,
        Format::Html,
    ] {
        assert_eq!(
            render("fixtures/lab-insecure.json", format),
            render("fixtures/lab-insecure.json", format)
        );
    }
}
