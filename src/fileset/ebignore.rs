//! `.ebignore` read the way the EB CLI reads it.
//!
//! Users compare ebpack's bundle with what `eb deploy` ships, so the file
//! means what it means there, not what it would mean to git. The EB CLI
//! (`ebcli/core/fileoperations.py`, `get_ebignore_list`) parses it with
//! pathspec's `gitwildmatch` patterns (`pathspec==0.12.1` in its
//! `requirements.txt`) and tests every path of the project against every
//! pattern; the last pattern that matches decides (pathspec's
//! `util.check_match_file`). Unlike git, a file below an excluded folder can
//! be re-included: `.platform/` then `!.platform/hooks/prebuild/01.sh` ships
//! the hook.
//!
//! Each line becomes a regular expression exactly as pathspec's
//! `GitWildMatchPattern.pattern_to_regex` builds it (the quirks included: a
//! lone `*` segment needs one character, a pattern with an inner `/` is
//! anchored at the root, leading spaces are trimmed), matched with
//! `regex-lite`. Bracket expressions are spelled out character by character,
//! the way Python's `re` reads what pathspec hands it.

use regex_lite::Regex;
use std::ops::Range;

/// One pattern line of `.ebignore`.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// Where it is written.
    pub at: PatternRef,
    /// `!pattern`: what it matches is shipped again.
    pub negated: bool,
    regex: Regex,
    /// The normalised segments, to tell whether it can match below a folder.
    segments: Vec<Segment>,
    /// It can match below any folder whatever the names: it starts with
    /// `**`, or a negated bracket expression may match a `/`.
    anywhere: bool,
}

/// Where a pattern is written in `.ebignore`, for messages and `-v`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternRef {
    /// 1-based line number.
    pub line: usize,
    /// The pattern as written, without surrounding white space.
    pub text: String,
    /// Byte range of `text` in the file.
    pub span: Range<usize>,
}

impl std::fmt::Display for PatternRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, ".ebignore:{}: {}", self.line, self.text)
    }
}

#[derive(Debug, Clone)]
enum Segment {
    /// `**`: any number of folders.
    Any,
    /// One path component.
    One(Regex),
}

/// A line the EB CLI cannot read either (pathspec raises, `eb deploy` stops).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: `{text}`: {message}")]
pub struct PatternError {
    /// 1-based line number.
    pub line: usize,
    /// The line.
    pub text: String,
    /// What is wrong.
    pub message: String,
}

/// A line as an error shows it: cut to 100 characters.
fn shown(line: &str) -> String {
    match line.char_indices().nth(100) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_owned(),
    }
}

/// The patterns of one `.ebignore`, in file order.
#[derive(Debug, Clone, Default)]
pub struct EbIgnore {
    patterns: Vec<Pattern>,
}

impl EbIgnore {
    /// Parses the text of `.ebignore`.
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        let mut patterns = Vec::new();
        for (index, (start, line)) in python_lines(text).into_iter().enumerate() {
            let err = |message: String| PatternError {
                line: index + 1,
                text: shown(line.trim_end_matches(['\r', '\n'])),
                message,
            };
            let Some(compiled) = compile(line).map_err(err)? else {
                continue;
            };
            let trimmed = trim_python(line);
            let offset = start + (trimmed.as_ptr() as usize - line.as_ptr() as usize);
            patterns.push(Pattern {
                at: PatternRef {
                    line: index + 1,
                    text: trimmed.to_owned(),
                    span: offset..offset + trimmed.len(),
                },
                negated: compiled.negated,
                regex: compiled.regex,
                segments: compiled.segments,
                anywhere: compiled.anywhere,
            });
        }
        Ok(Self { patterns })
    }

    /// Whether there are no patterns.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The pattern that decides the file (or link) `rel`: the last one that
    /// matches it. Excluded when that pattern is not negated.
    pub fn decide(&self, rel: &str) -> Option<&Pattern> {
        self.patterns.iter().rev().find(|p| p.regex.is_match(rel))
    }

    /// The pattern that decides the folder `rel` itself, read as `rel/`:
    /// `logs/` and `logs` leave the folder out, `logs/*` only what is in it.
    pub fn decide_dir(&self, rel: &str) -> Option<&Pattern> {
        self.decide(&format!("{rel}/"))
    }

    /// The pattern that leaves out everything below the folder `rel`,
    /// whatever the names there, when no negated pattern can match below
    /// it: the walk need not go in.
    pub fn prunes(&self, rel: &str) -> Option<&Pattern> {
        let p = self.decide_dir(rel)?;
        if p.negated || !p.regex.is_match(&format!("{rel}/_")) {
            return None;
        }
        let reachable = self
            .patterns
            .iter()
            .any(|n| n.negated && n.may_match_below(rel));
        (!reachable).then_some(p)
    }
}

impl Pattern {
    /// Whether this pattern could match some path below the folder `dir`.
    fn may_match_below(&self, dir: &str) -> bool {
        if self.anywhere {
            return true;
        }
        let parts: Vec<&str> = dir.split('/').collect();
        for (k, seg) in self.segments.iter().enumerate() {
            match seg {
                Segment::Any => return true,
                Segment::One(re) => match parts.get(k) {
                    None => return true,
                    Some(part) if !re.is_match(part) => return false,
                    Some(_) => {}
                },
            }
        }
        // Every segment matched a leading part of `dir`: the pattern's
        // tail matches everything below.
        true
    }
}

struct Compiled {
    negated: bool,
    regex: Regex,
    segments: Vec<Segment>,
    anywhere: bool,
}

/// Python's `str.splitlines(keepends=True)`, as `codecs.open` iterates the
/// file, with each line's byte offset.
fn python_lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let end = match c {
            '\r' => match chars.peek() {
                Some((j, '\n')) => {
                    let j = *j;
                    chars.next();
                    j + 1
                }
                _ => i + 1,
            },
            '\n' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}'
            | '\u{2029}' => i + c.len_utf8(),
            _ => continue,
        };
        out.push((start, &text[start..end]));
        start = end;
    }
    if start < text.len() {
        out.push((start, &text[start..]));
    }
    out
}

/// Python's `str.isspace`: Unicode white space plus the separators
/// `\x1c`–`\x1f`.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// What `pattern_to_regex` keeps of a line: `strip()`, or `lstrip()` when
/// it ends with an escaped space. The line still has its line break there,
/// so only a last line without one can end with an escaped space.
fn trim_python(line: &str) -> &str {
    if line.ends_with("\\ ") {
        line.trim_start_matches(is_python_space)
    } else {
        line.trim_matches(is_python_space)
    }
}

/// `GitWildMatchPattern.pattern_to_regex` (pathspec 0.12.1). `None` for
/// comments and blank lines.
fn compile(line: &str) -> Result<Option<Compiled>, String> {
    let pattern = trim_python(line);
    if pattern.is_empty() || pattern.starts_with('#') || pattern == "/" {
        return Ok(None);
    }
    let (negated, body) = match pattern.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, pattern),
    };
    let mut segs: Vec<&str> = body.split('/').collect();
    // Duplicate `**` collapse to one.
    let mut i = segs.len() - 1;
    while i > 0 {
        if segs[i - 1] == "**" && segs[i] == "**" {
            segs.remove(i);
        }
        i -= 1;
    }
    // `**/` matches everything except files at the root.
    let everything_below = segs.len() == 2 && segs[0] == "**" && segs[1].is_empty();
    if segs[0].is_empty() {
        // A leading `/` anchors the pattern at the root.
        segs.remove(0);
    } else if (segs.len() == 1 || (segs.len() == 2 && segs[1].is_empty())) && segs[0] != "**" {
        // One name (`name` or `name/`) matches at any depth.
        segs.insert(0, "**");
    }
    if segs.is_empty() {
        return Err("not a pattern (the EB CLI stops on it too)".into());
    }
    let last = segs.len() - 1;
    if segs[last].is_empty() && segs.len() > 1 {
        // `dir/` matches everything below `dir`.
        segs[last] = "**";
    }
    let mut anywhere = everything_below || segs[0] == "**";
    let mut regex = String::from("^");
    let mut segments = Vec::with_capacity(segs.len());
    if everything_below {
        regex.push_str(".+/.*");
    } else {
        let mut need_slash = false;
        for (i, seg) in segs.iter().enumerate() {
            let tail = if i == last { "(?:/.*)?" } else { "" };
            if *seg == "**" {
                segments.push(Segment::Any);
                if i == 0 && i == last {
                    regex.push_str("[^/]+(?:/.*)?");
                } else if i == 0 {
                    regex.push_str("(?:.+/)?");
                    need_slash = false;
                } else if i == last {
                    regex.push_str("/.*");
                } else {
                    regex.push_str("(?:/.+)?");
                    need_slash = true;
                }
                continue;
            }
            let glob = if *seg == "*" {
                "[^/]+".to_owned()
            } else {
                let (g, crosses) = segment_glob(seg)?;
                anywhere |= crosses;
                g
            };
            segments.push(Segment::One(one(&format!("^{glob}$"))?));
            if need_slash {
                regex.push('/');
            }
            regex.push_str(&glob);
            regex.push_str(tail);
            need_slash = true;
        }
    }
    regex.push('$');
    Ok(Some(Compiled {
        negated,
        regex: one(&regex)?,
        segments,
        anywhere,
    }))
}

/// The most memory one pattern's compiled matcher may take (regex-lite's
/// default, named so the message can say it).
pub const MAX_PATTERN_BYTES: usize = 10 << 20;

fn one(regex: &str) -> Result<Regex, String> {
    regex_lite::RegexBuilder::new(regex)
        .size_limit(MAX_PATTERN_BYTES)
        .build()
        .map_err(|e| {
            if e.to_string().contains("size limit") {
                format!(
                    "the pattern compiles to a matcher over ebpack's limit of {} MiB per pattern; split it into shorter patterns",
                    MAX_PATTERN_BYTES >> 20
                )
            } else {
                format!("cannot be read as a pattern ({e})")
            }
        })
}

/// `_translate_segment_glob`: one path component's glob as a regex. The
/// flag says whether a negated bracket expression (which Python's `[^…]`
/// lets match `/`) occurs.
fn segment_glob(seg: &str) -> Result<(String, bool), String> {
    let chars: Vec<char> = seg.chars().collect();
    let end = chars.len();
    let mut out = String::new();
    let mut crosses = false;
    let mut i = 0;
    while i < end {
        let c = chars[i];
        i += 1;
        match c {
            '\\' => {
                let Some(next) = chars.get(i) else {
                    return Err("ends with an escaping `\\` (the EB CLI stops on it too)".into());
                };
                out.push_str(&literal(*next));
                i += 1;
            }
            '*' => out.push_str("[^/]*"),
            '?' => out.push_str("[^/]"),
            '[' => {
                let mut j = i;
                if j < end && matches!(chars[j], '!' | '^') {
                    j += 1;
                }
                if j < end && chars[j] == ']' {
                    j += 1;
                }
                while j < end && chars[j] != ']' {
                    j += 1;
                }
                if j < end {
                    let negate = matches!(chars[i], '!' | '^');
                    let from = if negate { i + 1 } else { i };
                    out.push_str(&bracket(&chars[from..j], negate)?);
                    crosses |= negate;
                    i = j + 1;
                } else {
                    out.push_str("\\[");
                }
            }
            c => out.push_str(&literal(c)),
        }
    }
    Ok((out, crosses))
}

/// A bracket expression's content as Python's `re` reads it (every
/// character literal, `a-z` a range), spelled out for `regex-lite`.
fn bracket(content: &[char], negate: bool) -> Result<String, String> {
    let mut out = String::from(if negate { "[^" } else { "[" });
    let mut k = 0;
    while k < content.len() {
        let lo = content[k];
        if content.get(k + 1) == Some(&'-') && k + 2 < content.len() {
            let hi = content[k + 2];
            if lo > hi {
                return Err(format!(
                    "bad character range `{lo}-{hi}` (the EB CLI stops on it too)"
                ));
            }
            out.push_str(&format!("\\x{{{:x}}}-\\x{{{:x}}}", lo as u32, hi as u32));
            k += 3;
        } else {
            out.push_str(&format!("\\x{{{:x}}}", lo as u32));
            k += 1;
        }
    }
    out.push(']');
    Ok(out)
}

fn literal(c: char) -> String {
    regex_lite::escape(c.encode_utf8(&mut [0; 4]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> EbIgnore {
        EbIgnore::parse(text).unwrap()
    }

    /// Excluded by the last matching pattern.
    fn out(s: &EbIgnore, rel: &str) -> bool {
        s.decide(rel).is_some_and(|p| !p.negated)
    }

    #[test]
    fn last_match_wins_and_negation_reaches_below_an_excluded_folder() {
        let s = spec(".platform/\n!.platform/hooks/prebuild/01.sh\n");
        assert!(out(&s, ".platform/hooks/prebuild/02.sh"));
        assert!(!out(&s, ".platform/hooks/prebuild/01.sh"));
        let p = s.decide(".platform/hooks/prebuild/01.sh").unwrap();
        assert_eq!(
            (p.at.line, p.at.text.as_str()),
            (2, "!.platform/hooks/prebuild/01.sh")
        );
        // The folder itself is out, but the walk must go in.
        assert!(s.decide_dir(".platform").is_some_and(|p| !p.negated));
        assert!(s.prunes(".platform").is_none());
    }

    #[test]
    fn pathspec_shapes() {
        // One name matches at any depth, itself and below.
        let s = spec("node_modules\n");
        for rel in ["node_modules", "node_modules/a.js", "app/node_modules/x/y"] {
            assert!(out(&s, rel), "{rel}");
        }
        // A name with an inner slash is anchored at the root.
        let s = spec("app/cache\n");
        assert!(out(&s, "app/cache/x"));
        assert!(!out(&s, "src/app/cache/x"));
        // A leading slash anchors a single name.
        let s = spec("/secret.txt\n");
        assert!(out(&s, "secret.txt"));
        assert!(!out(&s, "app/secret.txt"));
        // `dir/` matches what is below `dir`, not a file named `dir`.
        let s = spec("build/\n");
        assert!(out(&s, "build/x") && out(&s, "a/build/x"));
        assert!(!out(&s, "build"));
        // A lone `*` segment needs one character; `*` inside one may be empty.
        let s = spec("logs/*\n");
        assert!(out(&s, "logs/a") && out(&s, "logs/a/b"));
        assert!(!out(&s, "logs") && s.decide_dir("logs").is_none());
        let s = spec("a*b\n");
        assert!(out(&s, "ab") && out(&s, "x/acb"));
        // `**` forms.
        let s = spec("a/**/z\n");
        assert!(out(&s, "a/z") && out(&s, "a/b/c/z") && out(&s, "a/z/q"));
        assert!(!out(&s, "b/a/z"));
        let s = spec("**/\n");
        assert!(out(&s, "a/b") && !out(&s, "top"));
        let s = spec("**\n");
        assert!(out(&s, "top") && out(&s, "a/b"));
        let s = spec("a/**\n");
        assert!(out(&s, "a/b") && !out(&s, "a"));
        // `?`, brackets, negated brackets.
        let s = spec("f?.txt\n[ab]-[0-9].log\n[!x]y\n");
        assert!(out(&s, "f1.txt") && !out(&s, "f12.txt"));
        assert!(out(&s, "a-7.log") && !out(&s, "c-7.log"));
        assert!(out(&s, "zy") && !out(&s, "xy"));
        // An unclosed bracket is a literal `[`.
        let s = spec("a[b\n");
        assert!(out(&s, "a[b"));
    }

    #[test]
    fn white_space_comments_and_escapes() {
        let s = spec("  # strip() comes first\n\t*.tmp  \r\n\\#hash\n\\!bang\n/\n\nfile\\ ");
        assert_eq!(s.patterns.len(), 4);
        assert!(out(&s, "a.tmp"));
        assert!(out(&s, "file ") && !out(&s, "file"));
        assert!(out(&s, "#hash") && out(&s, "!bang"));
        let p = s.decide("a.tmp").unwrap();
        assert_eq!((p.at.line, p.at.text.as_str()), (2, "*.tmp"));
        let text = "  # c\n\t*.tmp  \r\n";
        let s2 = spec(text);
        assert_eq!(&text[s2.patterns[0].at.span.clone()], "*.tmp");
    }

    #[test]
    fn lines_split_as_python_does() {
        let lines: Vec<&str> = python_lines("a\r\nb\rc\nd")
            .into_iter()
            .map(|l| l.1)
            .collect();
        assert_eq!(lines, ["a\r\n", "b\r", "c\n", "d"]);
        let s = spec("a\rb\n");
        assert!(out(&s, "b") && out(&s, "a"));
        assert_eq!(s.decide("b").unwrap().at.line, 2);
    }

    #[test]
    fn lines_the_eb_cli_stops_on_are_errors() {
        for (text, line) in [
            ("ok\n!\n", 2),
            ("a\\\n", 1),
            ("[z-a]\n", 1),
            ("a/b\\/c\n", 1),
            // The line break is still there when pathspec strips: the
            // escaped space is stripped, the `\` is left alone.
            ("file\\ \n", 1),
        ] {
            let e = EbIgnore::parse(text).unwrap_err();
            assert_eq!(e.line, line, "{text:?}: {e}");
        }
    }

    #[test]
    fn pruning_only_when_no_negation_can_reach_below() {
        let s = spec("node_modules/\nvendor\n!vendor/keep/*\n");
        assert_eq!(s.prunes("node_modules").map(|p| p.at.line), Some(1));
        assert_eq!(s.prunes("app/node_modules").map(|p| p.at.line), Some(1));
        // `!vendor/keep/*` is anchored: `vendor` may be re-entered, a nested
        // `x/vendor` may not.
        assert!(s.prunes("vendor").is_none());
        assert!(s.prunes("x/vendor").is_some());
        // An unanchored negation can match anywhere.
        let s = spec("cache/\n!*.keep\n");
        assert!(s.prunes("cache").is_none());
        // `logs/*` leaves the folder itself in.
        let s = spec("logs/*\n");
        assert!(s.prunes("logs").is_none());
        // A negated bracket may match `/`.
        let s = spec("a/\n!a[!x]b\n");
        assert!(s.prunes("a").is_none());
    }
}
