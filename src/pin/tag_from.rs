//! `--tag-from FILE[:QUERY]`: an image tag read from a JSON file with a jq
//! query evaluated by jaq (default `.Version`, the key of the `version.json`
//! that the seed's `make version` writes).

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data, unwrap_valr};
use jaq_json::Val;
use std::path::{Path, PathBuf};

/// The default query.
pub const DEFAULT_QUERY: &str = ".Version";

/// A parsed `FILE[:QUERY]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagFrom {
    /// The JSON file.
    pub file: PathBuf,
    /// The jq query.
    pub query: String,
}

impl TagFrom {
    /// Parses `FILE[:QUERY]`. When the whole text names an existing file
    /// it is the file; otherwise it is split at the first `:`.
    pub fn parse(spec: &str) -> Result<TagFrom, String> {
        if spec.is_empty() {
            return Err("`--tag-from` needs a file: `FILE[:QUERY]`".into());
        }
        let (file, query) = if Path::new(spec).exists() {
            (spec, DEFAULT_QUERY)
        } else {
            match spec.split_once(':') {
                Some((f, q)) if !f.is_empty() => (f, q),
                _ => (spec, DEFAULT_QUERY),
            }
        };
        let query = if query.trim().is_empty() {
            DEFAULT_QUERY
        } else {
            query
        };
        Ok(TagFrom {
            file: PathBuf::from(file),
            query: query.to_owned(),
        })
    }

    /// Reads the file and evaluates the query: exactly one non-empty string.
    pub fn read(&self) -> Result<String, String> {
        let bytes = crate::bounded::read(&self.file, crate::bounded::CONFIG_LIMIT)
            .map_err(|e| format!("cannot read `{}`: {e}", self.file.display()))?;
        eval(&bytes, &self.query).map_err(|e| format!("`{}`: {e}", self.file.display()))
    }
}

/// Evaluates `query` on the JSON document `json`; the result must be one
/// non-empty string.
pub fn eval(json: &[u8], query: &str) -> Result<String, String> {
    let input = jaq_json::read::parse_single(json).map_err(|e| format!("not valid JSON: {e}"))?;
    let program = File {
        code: query,
        path: (),
    };
    let defs = jaq_core::defs()
        .chain(jaq_std::defs())
        .chain(jaq_json::defs());
    let funs = jaq_core::funs()
        .chain(jaq_std::funs())
        .chain(jaq_json::funs());
    let arena = Arena::default();
    let modules = Loader::new(defs).load(&arena, program).map_err(|errs| {
        let mut msgs = Vec::new();
        for (_, err) in errs {
            match err {
                jaq_core::load::Error::Io(v) => {
                    msgs.extend(v.into_iter().map(|(_, m)| m));
                }
                jaq_core::load::Error::Lex(v) => msgs.extend(
                    v.into_iter()
                        .map(|(exp, at)| expected(exp.as_str(), query, at)),
                ),
                jaq_core::load::Error::Parse(v) => msgs.extend(
                    v.into_iter()
                        .map(|(exp, at)| expected(exp.as_str(), query, at)),
                ),
            }
        }
        format!("invalid jq query `{query}`: {}", msgs.join("; "))
    })?;
    let filter = Compiler::default()
        .with_funs(funs)
        .compile(modules)
        .map_err(|errs| {
            let msgs: Vec<String> = errs
                .into_iter()
                .flat_map(|(_, v)| v)
                .map(|(name, kind)| format!("undefined {} `{name}`", kind.as_str()))
                .collect();
            format!("invalid jq query `{query}`: {}", msgs.join("; "))
        })?;
    let ctx = Ctx::<data::JustLut<Val>>::new(&filter.lut, Vars::new([]));
    let mut out = filter.id.run((ctx, input)).map(unwrap_valr);
    let first = match out.next() {
        None => return Err(format!("the query `{query}` gave no result")),
        Some(Err(e)) => return Err(format!("the query `{query}` failed: {e}")),
        Some(Ok(v)) => v,
    };
    if out.next().is_some() {
        return Err(format!(
            "the query `{query}` gave more than one result; it must give one string"
        ));
    }
    match first {
        Val::TStr(b) => {
            let s = String::from_utf8_lossy(&b).trim().to_owned();
            if s.is_empty() {
                Err(format!("the query `{query}` gave an empty string"))
            } else {
                Ok(s)
            }
        }
        Val::Null => Err(format!(
            "the query `{query}` gave null: is the key present in the file?"
        )),
        other => Err(format!(
            "the query `{query}` gave `{other}`, not a string; a tag must be a JSON string"
        )),
    }
}

/// "expected X at column N".
fn expected(what: &str, query: &str, at: &str) -> String {
    let offset = (at.as_ptr() as usize).wrapping_sub(query.as_ptr() as usize);
    if offset <= query.len() {
        let col = query[..offset].chars().count() + 1;
        if at.is_empty() {
            format!("expected {what} at the end")
        } else {
            format!("expected {what} at column {col}")
        }
    } else {
        format!("expected {what}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_query_reads_make_version_output() {
        let json = br#"{"Version": "ab7ac16.2d8c"}"#;
        assert_eq!(eval(json, DEFAULT_QUERY).unwrap(), "ab7ac16.2d8c");
        assert_eq!(
            eval(br#"{"a": {"b": ["x", "y"]}}"#, ".a.b[1]").unwrap(),
            "y"
        );
        assert_eq!(
            eval(br#"{"v": "1", "b": "7"}"#, r#""\(.v)-\(.b)""#).unwrap(),
            "1-7"
        );
    }

    #[test]
    fn bad_results_are_explained() {
        let j = br#"{"Version": 12, "e": "", "a": ["x","y"]}"#;
        assert!(eval(j, ".Version").unwrap_err().contains("not a string"));
        assert!(eval(j, ".Nope").unwrap_err().contains("gave null"));
        assert!(eval(j, ".e").unwrap_err().contains("empty string"));
        assert!(eval(j, ".a[]").unwrap_err().contains("more than one"));
        assert!(eval(j, "empty").unwrap_err().contains("no result"));
        let e = eval(j, ".[").unwrap_err();
        assert!(e.starts_with("invalid jq query"), "{e}");
        assert!(eval(j, "nosuch").unwrap_err().contains("undefined"));
        assert!(eval(b"{", ".").unwrap_err().contains("not valid JSON"));
    }

    #[test]
    fn spec_parsing() {
        let t = TagFrom::parse("version.json:.Tag").unwrap();
        assert_eq!(t.file, PathBuf::from("version.json"));
        assert_eq!(t.query, ".Tag");
        assert_eq!(TagFrom::parse("v.json").unwrap().query, DEFAULT_QUERY);
        assert!(TagFrom::parse("").is_err());
    }
}
