//! JSON arrays and JSON lines as raw rows.

use super::*;

pub(super) fn json_cell(v: serde_json::Value) -> Cell {
    match v {
        serde_json::Value::Null => Cell::Empty,
        serde_json::Value::Bool(b) => Cell::Bool(b),
        serde_json::Value::Number(n) => Cell::JsonNumber(n.to_string()),
        serde_json::Value::String(s) => Cell::Text(s),
        serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
            Cell::Bad("a nested JSON array or object is not a cell value".into())
        }
    }
}

pub(super) fn json_object(text: &[u8]) -> Result<Vec<(String, Cell)>, String> {
    match serde_json::from_slice::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(map)) => Ok(map.into_iter().map(|(k, v)| (k, json_cell(v))).collect()),
        Ok(_) => Err("expected a JSON object".into()),
        Err(e) => Err(format!("invalid JSON: {e}")),
    }
}

/// Split a JSON array into its elements, each with the line it starts on.
pub(super) fn json_array(b: &[u8], file: &str) -> Result<Vec<Raw>, Error> {
    let malformed = |line, reason: &str| Error::Malformed {
        file: file.to_string(),
        line,
        reason: reason.to_string(),
    };
    let mut i = 0usize;
    let mut line = 1u64;
    let skip_ws = |i: &mut usize, line: &mut u64| {
        while let Some(c) = b.get(*i) {
            if !c.is_ascii_whitespace() {
                break;
            }
            if *c == b'\n' {
                *line += 1;
            }
            *i += 1;
        }
    };
    skip_ws(&mut i, &mut line);
    if b.get(i) != Some(&b'[') {
        return Err(malformed(line, "expected a JSON array of objects"));
    }
    i += 1;
    let mut out = Vec::new();
    skip_ws(&mut i, &mut line);
    if b.get(i) == Some(&b']') {
        i += 1;
    } else {
        loop {
            skip_ws(&mut i, &mut line);
            let (start, start_line) = (i, line);
            let (mut depth, mut in_str, mut esc) = (0u64, false, false);
            while let Some(&c) = b.get(i) {
                if c == b'\n' {
                    line += 1;
                }
                if in_str {
                    if esc {
                        esc = false;
                    } else if c == b'\\' {
                        esc = true;
                    } else if c == b'"' {
                        in_str = false;
                    }
                } else {
                    match c {
                        b'"' => in_str = true,
                        b'[' | b'{' => depth += 1,
                        b']' | b'}' if depth == 0 => break,
                        b']' | b'}' => depth -= 1,
                        b',' if depth == 0 => break,
                        _ => {}
                    }
                }
                i += 1;
            }
            let Some(&end) = b.get(i) else {
                return Err(malformed(line, "the JSON array is not closed"));
            };
            let element = b.get(start..i).unwrap_or_default().trim_ascii();
            out.push(Raw::Object(start_line, json_object(element)));
            i += 1;
            if end != b',' {
                if end == b'}' {
                    return Err(malformed(line, "unbalanced } in the JSON array"));
                }
                break;
            }
        }
    }
    skip_ws(&mut i, &mut line);
    if i < b.len() {
        return Err(malformed(line, "text after the end of the JSON array"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_array_elements_start_where_they_start() {
        let raw = json_array(b"[\n {\"a\": \"[,]\"},\n\n {\"b\": {\"c\": [1, 2]}}, 3 ]", "t").unwrap();
        let lines: Vec<u64> = raw
            .iter()
            .map(|r| match r {
                Raw::Object(l, _) => *l,
                _ => 0,
            })
            .collect();
        assert_eq!(lines, [2, 4, 4]);
        assert!(matches!(&raw[2], Raw::Object(_, Err(e)) if e.contains("expected a JSON object")));
        for bad in [&b"["[..], b"[1,", b"{}", b"[1] x", b"[}"] {
            assert!(json_array(bad, "t").is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
