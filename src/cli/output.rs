//! A command's summary as `--output json` (one line on stdout) and as
//! `$GITHUB_OUTPUT` step outputs: both from the one `Serialize` type the
//! library returns, so the two never list different fields.

use super::args::Output;
use super::exit::Error;
use super::printer::Printer;
use serde::Serialize;
use serde_json::Value;
use std::io::Write;

/// Prints `summary` when `--output json`.
pub(super) fn json<T: Serialize>(
    printer: &Printer,
    output: Output,
    summary: &T,
) -> Result<(), Error> {
    if output == Output::Json {
        let value = serde_json::to_value(summary).unwrap_or_default();
        printer.stdout(&format!("{value}\n"))?;
    }
    Ok(())
}

/// Prints `summary` when `--output json`, then appends it to `$GITHUB_OUTPUT`.
pub(super) fn json_and_github<T: Serialize>(
    printer: &Printer,
    output: Output,
    summary: &T,
) -> Result<(), Error> {
    json(printer, output, summary)?;
    let value = serde_json::to_value(summary).unwrap_or_default();
    github_output(&step_outputs(&value)).map_err(Error::GithubOutput)
}

/// `key=value` pairs: nested objects one level down as `outer_inner`
/// (`durations_total`, `rollback_status`), since a step output cannot hold
/// an object; nulls left out; arrays as JSON text.
fn step_outputs(summary: &Value) -> Vec<(String, String)> {
    let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    let mut pairs = Vec::new();
    for (k, v) in summary.as_object().into_iter().flatten() {
        match v {
            Value::Null => {}
            Value::Object(inner) => pairs.extend(
                inner
                    .iter()
                    .filter(|(_, v)| !v.is_object() && !v.is_null())
                    .map(|(i, v)| (format!("{k}_{i}"), text(v))),
            ),
            v => pairs.push((k.clone(), text(v))),
        }
    }
    pairs
}

/// Appends `key=value` lines to `$GITHUB_OUTPUT` when it is set.
fn github_output(pairs: &[(String, String)]) -> std::io::Result<()> {
    let Some(path) = std::env::var_os("GITHUB_OUTPUT").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)?;
    for (k, v) in pairs {
        // One line per value: outputs never hold newlines.
        writeln!(f, "{k}={}", v.replace(['\n', '\r'], " "))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_objects_flatten_one_level_and_nulls_are_left_out() {
        let v = serde_json::json!({
            "status": "deployed",
            "request_id": null,
            "failures": ["a"],
            "rollback": {"status": "deployed", "final_label": null, "deep": {"x": 1}},
            "durations": {"total": 1.5},
        });
        let pairs = step_outputs(&v);
        let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            ["status", "failures", "rollback_status", "durations_total"]
        );
        assert_eq!(pairs[1].1, "[\"a\"]");
        assert_eq!(pairs[3].1, "1.5");
    }
}
