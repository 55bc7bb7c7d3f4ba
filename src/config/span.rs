//! Positions in the configuration text: where a key or value is, as line and column.

use std::ops::Range;
use toml::de::{DeTable, DeValue};

/// One step of a path into the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// `network.trusted_cidrs[1]`, `severity.NI-004`, `scope."odd key"`.
pub fn render(path: &[Seg<'_>]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                if !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    out.push_str(k);
                } else {
                    out.push_str(&format!("{k:?}"));
                }
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The span of the value at `path` (of its key when `key` is set and the last step is a key).
pub fn find(text: &str, path: &[Seg<'_>], key: bool) -> Option<Range<usize>> {
    let root = DeTable::parse(text).ok()?;
    let mut table: &DeTable<'_> = root.get_ref();
    let mut value: Option<&toml::Spanned<DeValue<'_>>> = None;
    for (n, seg) in path.iter().enumerate() {
        let last = n + 1 == path.len();
        match seg {
            Seg::Key(k) => {
                if let Some(v) = value {
                    table = v.get_ref().as_table()?;
                }
                let (k_spanned, v) = table.get_key_value(*k)?;
                if last && key {
                    return Some(k_spanned.span());
                }
                value = Some(v);
            }
            Seg::Index(i) => {
                let array = value?.get_ref().as_array()?;
                value = Some(array.get(*i)?);
            }
        }
    }
    value.map(|v| v.span())
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit_once('\n')
        .map_or(before, |(_, tail)| tail)
        .chars()
        .count()
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_values_and_keys() {
        let text = "a = 1\n[t]\nlist = [\"x\", \"y\"]\n[sev]\n\"NI-004\" = \"low\"\n";
        let at = find(
            text,
            &[Seg::Key("t"), Seg::Key("list"), Seg::Index(1)],
            false,
        )
        .expect("found");
        assert_eq!(line_col(text, at.start), (3, 14));
        let at = find(text, &[Seg::Key("sev"), Seg::Key("NI-004")], true).expect("found");
        assert_eq!(line_col(text, at.start), (5, 1));
        assert_eq!(find(text, &[Seg::Key("missing")], false), None);
        assert_eq!(render(&[Seg::Key("sev"), Seg::Key("NI-004")]), "sev.NI-004");
        assert_eq!(
            render(&[Seg::Key("suppress"), Seg::Index(2), Seg::Key("rule")]),
            "suppress[2].rule"
        );
    }
}
