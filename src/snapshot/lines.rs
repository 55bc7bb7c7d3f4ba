//! Where each resource starts in the snapshot text, so reports can point at a line.
//!
//! A single pass over the JSON text (already known to be valid) records the line of every
//! array element up to the depth at which resources live (`iam/roles/3`,
//! `regions/us-east-1/ec2/security_groups/0`) and of the object members near the top
//! (`regions/us-east-1`). Rules return the same path, so a finding maps to its line without
//! a second parse.

use std::collections::HashMap;

/// Paths deeper than this are not indexed: resources live at depth 3 (`iam/roles/N`) or 5
/// (`regions/R/ec2/security_groups/N`).
const MAX_DEPTH: usize = 5;

#[derive(Debug, Default, Clone)]
pub struct LineIndex {
    lines: HashMap<String, u32>,
}

enum Frame {
    Object { key: String, expect_key: bool },
    Array { index: usize },
}

impl LineIndex {
    /// Builds the index. The text must be valid JSON (the loader checks it first); on
    /// anything else the index is simply incomplete.
    pub fn build(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut lines = HashMap::new();
        let mut stack: Vec<Frame> = Vec::new();
        let mut line: u32 = 1;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            match b {
                b'\n' => line += 1,
                b' ' | b'\t' | b'\r' => {}
                b':' => {
                    if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                        *expect_key = false;
                    }
                }
                b',' => match stack.last_mut() {
                    Some(Frame::Object { expect_key, .. }) => *expect_key = true,
                    Some(Frame::Array { index }) => *index += 1,
                    None => {}
                },
                b'{' | b'[' => {
                    record(&stack, line, &mut lines);
                    stack.push(if b == b'{' {
                        Frame::Object {
                            key: String::new(),
                            expect_key: true,
                        }
                    } else {
                        Frame::Array { index: 0 }
                    });
                }
                b'}' | b']' => {
                    stack.pop();
                }
                b'"' => {
                    let start = i;
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' {
                        if bytes[i] == b'\\' {
                            i += 1;
                        }
                        i += 1;
                    }
                    let raw = &text[start..(i + 1).min(text.len())];
                    match stack.last_mut() {
                        Some(Frame::Object {
                            key,
                            expect_key: true,
                        }) => {
                            *key = serde_json::from_str::<String>(raw).unwrap_or_default();
                        }
                        _ => record(&stack, line, &mut lines),
                    }
                }
                _ => {
                    record(&stack, line, &mut lines);
                    while i + 1 < bytes.len()
                        && !matches!(
                            bytes[i + 1],
                            b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'
                        )
                    {
                        i += 1;
                    }
                }
            }
            i += 1;
        }
        LineIndex { lines }
    }

    /// The line of the value at `path`, or of its nearest indexed ancestor.
    pub fn line_of<S: AsRef<str>>(&self, path: &[S]) -> Option<u32> {
        (1..=path.len().min(MAX_DEPTH))
            .rev()
            .find_map(|n| self.lines.get(&join(&path[..n])).copied())
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// Joins path segments the way the index keys them.
pub fn join<S: AsRef<str>>(path: &[S]) -> String {
    let mut out = String::new();
    for (n, seg) in path.iter().enumerate() {
        if n > 0 {
            out.push('/');
        }
        out.push_str(seg.as_ref());
    }
    out
}

fn record(stack: &[Frame], line: u32, lines: &mut HashMap<String, u32>) {
    let depth = stack.len();
    if depth == 0 || depth > MAX_DEPTH {
        return;
    }
    let in_array = matches!(stack.last(), Some(Frame::Array { .. }));
    if !in_array && depth > 2 {
        return;
    }
    // At depth 5 only the regional resources (`regions/R/ec2/security_groups/N`), not the
    // members of a global resource's lists (`iam/roles/N/Tags/M`): those would double the
    // index, and a path inside a resource maps to the resource's line.
    let regional = matches!(stack.first(), Some(Frame::Object { key, .. }) if key == "regions");
    if depth == MAX_DEPTH && !regional {
        return;
    }
    let mut key = String::new();
    for (n, frame) in stack.iter().enumerate() {
        if n > 0 {
            key.push('/');
        }
        match frame {
            Frame::Object { key: k, .. } => key.push_str(k),
            Frame::Array { index } => key.push_str(&index.to_string()),
        }
    }
    lines.entry(key).or_insert(line);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_resources_at_their_lines() {
        let text = "{\n \"iam\": {\"roles\": [\n  {\"RoleName\": \"a\"},\n  {\"RoleName\": \"b,]}\"}\n ]},\n \"regions\": {\"us-east-1\": {\"ec2\": {\"security_groups\": [\n 1, {\"GroupId\": \"sg-1\"}]}}}\n}";
        let idx = LineIndex::build(text);
        assert_eq!(idx.line_of(&["iam", "roles", "0"]), Some(3));
        assert_eq!(idx.line_of(&["iam", "roles", "1"]), Some(4));
        assert_eq!(
            idx.line_of(&["regions", "us-east-1", "ec2", "security_groups", "1"]),
            Some(7)
        );
        assert_eq!(idx.line_of(&["regions", "us-east-1"]), Some(6));
        // Deeper paths fall back to the nearest indexed ancestor.
        assert_eq!(idx.line_of(&["iam", "roles", "1", "RoleName"]), Some(4));
        assert_eq!(idx.line_of(&["nope"]), None);
    }
}
