//! Template rendering and the escaping helpers the templates rely on.
//!
//! Templates live in `.ebextensions-templates/` and are compiled in. A
//! placeholder is `{{name}}`; rendering is one pass (substituted text is
//! never scanned again) and fails on an unknown or missing placeholder, so
//! a template edit cannot silently leave `{{...}}` in a generated file.

/// The templates, by name.
pub mod templates {
    macro_rules! template {
        ($name:ident, $file:literal) => {
            #[doc = concat!("`.ebextensions-templates/", $file, "`")]
            pub const $name: &str = include_str!(concat!("../../.ebextensions-templates/", $file));
        };
    }
    template!(DOCKER_GROUP_CONFIG, "docker_group.config");
    template!(VOLUME_OWNERSHIP_CONFIG, "volume_ownership.config");
    template!(VOLUME_OWNERSHIP_SH, "volume_ownership.sh");
    template!(INIT_DIR_SH, "init_dir.sh");
    template!(ENV_CONFIG, "env.config");
    template!(ENV_SH, "env.sh");
    template!(ENV_HOOK_SH, "env_hook.sh");
    template!(MIGRATIONS_CONFIG, "migrations.config");
    template!(CLEAR_COMMANDS_SH, "clear_commands.sh");
    template!(WRITE_COMMANDS_SH, "write_commands.sh");
    template!(ENTRYPOINT_SH, "entrypoint.sh");
}

/// Substitutes `{{name}}` placeholders. Panics on a placeholder without a
/// value or a value without a placeholder: both are bugs in ebpack, caught
/// by the tests that render every template.
pub fn render(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut used = vec![false; values.len()];
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .unwrap_or_else(|| panic!("unclosed placeholder in template"));
        let name = &after[..end];
        let i = values
            .iter()
            .position(|(k, _)| *k == name)
            .unwrap_or_else(|| panic!("no value for template placeholder `{name}`"));
        used[i] = true;
        out.push_str(values[i].1);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    if let Some(i) = used.iter().position(|u| !u) {
        panic!("template has no placeholder `{}`", values[i].0);
    }
    out
}

/// One shell word that stands for exactly `s` (POSIX single quotes).
pub fn sh_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-:@%+,=".contains(&b))
    {
        return s.to_owned();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A YAML double-quoted scalar for `s` (valid in YAML 1.1 and 1.2).
pub fn yaml_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            // Line breaks for YAML 1.1 (PyYAML), text for YAML 1.2: the
            // escapes mean the same character in both.
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            '\u{feff}' => out.push_str("\\uFEFF"),
            c if (c as u32) < 0x20 || ('\u{7f}'..='\u{9f}').contains(&c) => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            // Not printable for PyYAML, which refuses them raw.
            '\u{fffe}' | '\u{ffff}' => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Indents every non-empty line by `n` spaces (for YAML block scalars).
/// The text must end with a newline; the result does too.
pub fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    let mut out = String::with_capacity(text.len() + n * 32);
    for line in text.split_inclusive('\n') {
        if line != "\n" {
            out.push_str(&pad);
        }
        out.push_str(line);
    }
    out
}

/// Strips the final newline of a rendered snippet before it is spliced into
/// another template at a `{{placeholder}}` that sits on its own line.
pub fn chomp(s: &str) -> &str {
    s.strip_suffix('\n').unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_is_one_pass() {
        assert_eq!(render("a {{x}} b", &[("x", "{{x}}")]), "a {{x}} b");
    }

    #[test]
    #[should_panic(expected = "no value")]
    fn render_missing_value_panics() {
        render("{{x}}", &[]);
    }

    #[test]
    fn sh_quote_words() {
        assert_eq!(sh_quote("/tmp/init"), "/tmp/init");
        assert_eq!(sh_quote(""), "''");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("$(x)"), "'$(x)'");
    }

    #[test]
    fn yaml_quote_escapes() {
        assert_eq!(yaml_quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(yaml_quote("x\ny"), r#""x\ny""#);
        assert_eq!(
            yaml_quote("a\u{85}b\u{2028}c\u{2029}d\u{feff}"),
            r#""a\Nb\Lc\Pd\uFEFF""#
        );
    }

    #[test]
    fn indent_skips_empty_lines() {
        assert_eq!(indent("a\n\nb\n", 2), "  a\n\n  b\n");
    }
}
