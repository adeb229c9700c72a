//! The rule registry: every code `validate` and `build` can report (the
//! build's B and C codes are documented in `docs/build.md`), with its default
//! severity, a title and where it is documented.
//!
//! Findings are built from a [`Rule`] (`Rule::R27.error(…)`), never from a
//! string, so a code cannot be mistyped and the list of codes is one
//! `match` away. The output keeps printing the plain code (`"R27"`). The
//! unit tests below tie the registry to the documentation both ways, and
//! [`Rule::ALL`] lets the test suite check that each rule fires on at least
//! one of the project's own fixtures.

use crate::diag::{Finding, Severity};

/// The file of `docs/rules` that documents a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocFile {
    /// `docs/rules/dockerrun.md`.
    Dockerrun,
    /// `docs/rules/ebextensions.md` (zip, `.ebextensions`, `.platform`).
    Ebextensions,
    /// `docs/build.md` (what `build` finds while it writes, `ebpack.yaml`).
    Build,
}

impl DocFile {
    /// The path from the repository root.
    pub const fn path(self) -> &'static str {
        match self {
            DocFile::Dockerrun => "docs/rules/dockerrun.md",
            DocFile::Ebextensions => "docs/rules/ebextensions.md",
            DocFile::Build => "docs/build.md",
        }
    }
}

macro_rules! rules {
    ($($id:ident => $sev:ident, $doc:ident, $title:literal;)*) => {
        /// A validation rule. The variant name is the code ebpack prints.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule {
            $(#[doc = $title] $id,)*
        }

        impl Rule {
            /// Every rule, in code order.
            pub const ALL: &'static [Rule] = &[$(Rule::$id),*];

            /// The stable code printed in the output (`"R27"`).
            pub const fn code(self) -> &'static str {
                match self { $(Rule::$id => stringify!($id),)* }
            }

            /// The severity of the rule's main finding (the first one its
            /// documentation lists); a site may report another one.
            pub const fn default_severity(self) -> Severity {
                match self { $(Rule::$id => Severity::$sev,)* }
            }

            /// What the rule checks, in a few words.
            pub const fn title(self) -> &'static str {
                match self { $(Rule::$id => $title,)* }
            }

            /// The documentation file of the rule.
            pub const fn doc_file(self) -> DocFile {
                match self { $(Rule::$id => DocFile::$doc,)* }
            }
        }
    };
}

rules! {
    R1 => Error, Dockerrun, "the Dockerrun version suits the target platform";
    R2 => Error, Dockerrun, "a `Dockerrun.aws.json` (or what the platform reads instead) is at the bundle root";
    R3 => Warning, Dockerrun, "a `Dockerfile` the platform ignores";
    R4 => Warning, Dockerrun, "`docker-compose.yml` next to a v2 Dockerrun";
    R5 => Error, Ebextensions, "the input is a zip archive";
    R6 => Error, Ebextensions, "archive size";
    R7 => Error, Ebextensions, "entries under one parent folder";
    R8 => Error, Ebextensions, "backslashes in entry names";
    R9 => Error, Ebextensions, "macOS metadata in the archive";
    R10 => Error, Ebextensions, "absolute, `..` or duplicate entry names";
    R11 => Warning, Ebextensions, "hooks without execute bits in a zip";
    R12 => Error, Ebextensions, "symlinks out of the bundle, or where EB reads configuration";
    R13 => Warning, Ebextensions, "`.ebignore` leaves out files EB needs";
    R14 => Error, Ebextensions, "entry compression and encryption";
    R15 => Error, Dockerrun, "strict JSON with a top-level object";
    R16 => Error, Dockerrun, "`AWSEBDockerrunVersion` present and valid";
    R17 => Error, Dockerrun, "v2 top-level keys and `containerDefinitions`";
    R18 => Error, Dockerrun, "v2 `authentication`";
    R19 => Warning, Dockerrun, "`executionRoleArn`";
    R20 => Error, Dockerrun, "1 to 10 container definitions";
    R21 => Error, Dockerrun, "only ECS container definition keys";
    R22 => Error, Dockerrun, "container `name`";
    R23 => Error, Dockerrun, "unique container names";
    R24 => Error, Dockerrun, "container `image` reference";
    R25 => Error, Dockerrun, "`memory` or `memoryReservation` set";
    R26 => Error, Dockerrun, "memory values are positive integers";
    R27 => Error, Dockerrun, "memory values of at least 6 MiB";
    R28 => Warning, Dockerrun, "memory reservations fit the instance type";
    R29 => Error, Dockerrun, "`cpu` values";
    R30 => Error, Dockerrun, "`essential` containers";
    R31 => Error, Dockerrun, "`portMappings` items";
    R32 => Error, Dockerrun, "ports mapped once";
    R33 => Error, Dockerrun, "reserved and dynamic host ports";
    R34 => Warning, Dockerrun, "a container maps host port 80";
    R35 => Error, Dockerrun, "`environment`";
    R36 => Error, Dockerrun, "`secrets`";
    R37 => Error, Dockerrun, "arrays of strings";
    R38 => Error, Dockerrun, "`dnsSearchDomains` items";
    R39 => Error, Dockerrun, "`extraHosts`";
    R40 => Error, Dockerrun, "`hostname`, `workingDirectory` and `user`";
    R41 => Error, Dockerrun, "container flags, `linuxParameters` and `restartPolicy` types";
    R42 => Error, Dockerrun, "`dockerLabels`";
    R43 => Error, Dockerrun, "`logConfiguration`";
    R44 => Error, Dockerrun, "`ulimits`";
    R45 => Error, Dockerrun, "`healthCheck`";
    R46 => Error, Dockerrun, "`dependsOn`";
    R47 => Error, Dockerrun, "`startTimeout` and `stopTimeout`";
    R48 => Warning, Dockerrun, "`environmentFiles`";
    R49 => Error, Dockerrun, "declared volume names";
    R50 => Error, Dockerrun, "volume `host.sourcePath` and volume field types";
    R51 => Warning, Dockerrun, "volume paths into the bundle exist";
    R52 => Error, Dockerrun, "`mountPoints`";
    R53 => Warning, Dockerrun, "volume names with EB's log prefix";
    R54 => Error, Dockerrun, "`links`";
    R55 => Error, Dockerrun, "`volumesFrom`";
    R56 => Error, Dockerrun, "v1 keys and types";
    R57 => Error, Dockerrun, "v1 ports and required keys";
    R58 => Warning, Dockerrun, "v1 `Image.Update`";
    R59 => Error, Dockerrun, "v3 documents";
    R60 => Warning, Dockerrun, "a shipped `.env` next to `docker-compose.yml`";
    R61 => Warning, Ebextensions, "config file placement and names";
    R62 => Warning, Ebextensions, "mixed-width numeric prefixes of config files";
    R63 => Error, Ebextensions, "config files parse as a YAML or JSON mapping";
    R64 => Error, Ebextensions, "tabs in indentation";
    R66 => Error, Ebextensions, "duplicate keys";
    R67 => Error, Ebextensions, "top-level keys of config files";
    R69 => Error, Ebextensions, "`option_settings` forms";
    R70 => Warning, Ebextensions, "option namespaces and names";
    R71 => Error, Ebextensions, "environment property names and values";
    R72 => Warning, Ebextensions, "YAML 1.1 typing traps";
    R74 => Warning, Ebextensions, "plaintext secrets in option values";
    R75 => Error, Ebextensions, "`packages`";
    R76 => Error, Ebextensions, "`groups` and `users`";
    R77 => Error, Ebextensions, "`sources`";
    R78 => Error, Ebextensions, "`files`";
    R79 => Error, Ebextensions, "file `mode`";
    R80 => Warning, Ebextensions, "scripts without an execute bit or a leading `#!`";
    R81 => Error, Ebextensions, "file `authentication` names";
    R83 => Error, Ebextensions, "`services`";
    R84 => Error, Ebextensions, "command entries";
    R85 => Error, Ebextensions, "`leader_only` under `commands`";
    R86 => Warning, Ebextensions, "`leader_only` with `test`";
    R87 => Error, Ebextensions, "command setting types";
    R88 => Warning, Ebextensions, "`env` without `PATH`";
    R89 => Warning, Ebextensions, "mixed-width numeric prefixes of commands";
    R90 => Warning, Ebextensions, "commands that read environment properties";
    R91 => Error, Ebextensions, "CloudFormation sections and functions";
    R92 => Error, Ebextensions, "scripts and hooks: executable, LF line endings";
    R93 => Warning, Ebextensions, "hook folders";
    R94 => Warning, Ebextensions, "files the platform ignores";
    R95 => Warning, Ebextensions, "one-off tasks on every instance";
    R96 => Error, Ebextensions, "Procfile and Buildfile lines";
    R97 => Warning, Ebextensions, "`.platform/nginx` configuration";
    R98 => Error, Ebextensions, "Amazon Linux AMI custom platform hooks on Amazon Linux 2 and later";
    R99 => Error, Dockerrun, "the task definition fits ECS's 64 KiB";
    B1 => Error, Build, "CRLF in a platform hook";
    B2 => Error, Build, "a symlink out of the bundle";
    B3 => Error, Build, "a broken, excluded or looping symlink";
    B4 => Error, Build, "a bundle or file over the size limit";
    B5 => Error, Build, "more than 65,535 entries";
    B6 => Error, Build, "a generated file collides with a bundle file";
    B7 => Error, Build, "an image left unpinned under `--require-pinned`";
    C1 => Error, Build, "an `ebpack.yaml` error";
}

impl Rule {
    /// The anchor of the rule in its documentation file (`R27`, as in
    /// `docs/rules/dockerrun.md#R27`).
    pub const fn doc_anchor(self) -> &'static str {
        self.code()
    }

    /// A finding of this rule at `severity`, without a place yet.
    pub fn finding(
        self,
        severity: Severity,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Finding {
        Finding::new(self.code(), severity, message, help)
    }

    /// An error of this rule.
    pub fn error(self, message: impl Into<String>, help: impl Into<String>) -> Finding {
        self.finding(Severity::Error, message, help)
    }

    /// A warning of this rule.
    pub fn warning(self, message: impl Into<String>, help: impl Into<String>) -> Finding {
        self.finding(Severity::Warning, message, help)
    }
}

/// Codes the documentation names as silent (info-level rules that print
/// nothing); they are documented but not in the registry.
#[cfg(test)]
const SILENT: &[&str] = &["R65", "R68", "R73", "R82"];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn doc(path: &str) -> String {
        let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("read `{full}`: {e}"))
    }

    /// Every `R<n>` in `text`, in order.
    fn codes(text: &str) -> Vec<String> {
        let b = text.as_bytes();
        let mut out = Vec::new();
        for (i, _) in text.match_indices('R') {
            let digits: String = text[i + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let before_ok = i == 0 || !b[i - 1].is_ascii_alphanumeric();
            if before_ok && !digits.is_empty() {
                out.push(format!("R{digits}"));
            }
        }
        out
    }

    /// Codes with an anchor (`<a id="R27"></a>`) in `text`.
    fn anchored(text: &str) -> Vec<String> {
        text.split("<a id=\"")
            .skip(1)
            .filter_map(|s| s.split_once('"').map(|(id, _)| id.to_owned()))
            .collect()
    }

    /// The severity column (`E`, `W / E`, …) of the row anchored at `code`.
    fn first_severity(text: &str, code: &str) -> Option<Severity> {
        let row = text
            .lines()
            .find(|l| l.contains(&format!("<a id=\"{code}\"></a>")) && l.starts_with('|'))?;
        let sev = row.split('|').nth(2)?.trim();
        match sev.chars().next()? {
            'E' => Some(Severity::Error),
            'W' => Some(Severity::Warning),
            _ => None,
        }
    }

    const FILES: [DocFile; 3] = [DocFile::Dockerrun, DocFile::Ebextensions, DocFile::Build];

    #[test]
    fn every_rule_is_documented_where_the_registry_says() {
        for rule in Rule::ALL {
            let text = doc(rule.doc_file().path());
            let anchors = anchored(&text);
            assert!(
                anchors.iter().filter(|a| *a == rule.doc_anchor()).count() == 1,
                "{} has no single anchor `{}` in {}",
                rule.code(),
                rule.doc_anchor(),
                rule.doc_file().path()
            );
        }
    }

    #[test]
    fn every_documented_code_is_in_the_registry() {
        let registry: BTreeSet<&str> = Rule::ALL.iter().map(|r| r.code()).collect();
        for file in FILES {
            let text = doc(file.path());
            for a in anchored(&text) {
                assert!(
                    registry.contains(a.as_str()),
                    "anchor `{a}` in {} is not a rule",
                    file.path()
                );
            }
            for line in text.lines() {
                let silent_note = line.contains("print nothing");
                for code in codes(line) {
                    // "R89's order note": a silent part of a registered rule.
                    let part_of_rule = line.contains(&format!("{code}'s"));
                    if silent_note && !part_of_rule {
                        assert!(
                            SILENT.contains(&code.as_str()),
                            "{code} is named silent in {} but not in SILENT",
                            file.path()
                        );
                    } else {
                        assert!(
                            registry.contains(code.as_str()),
                            "{code} is documented in {} but not in the registry",
                            file.path()
                        );
                    }
                }
            }
        }
        for code in SILENT {
            assert!(
                !registry.contains(code),
                "{code} is silent but in the registry"
            );
        }
    }

    #[test]
    fn default_severity_is_the_first_one_documented() {
        // R13 is documented in prose (it is checked on folders, not zips).
        const PROSE: [Rule; 1] = [Rule::R13];
        for rule in Rule::ALL {
            let text = doc(rule.doc_file().path());
            match first_severity(&text, rule.code()) {
                Some(sev) => assert_eq!(sev, rule.default_severity(), "{}", rule.code()),
                None => assert!(PROSE.contains(rule), "{} has no table row", rule.code()),
            }
        }
    }

    #[test]
    fn codes_are_unique_and_ordered() {
        // R, then B, then C codes, each in number order.
        let keys: Vec<(usize, u32)> = Rule::ALL
            .iter()
            .map(|r| {
                let (letter, number) = r.code().split_at(1);
                let group = ["R", "B", "C"].iter().position(|l| *l == letter);
                (
                    group.expect("an R, B or C code"),
                    number.parse().expect("<letter><number>"),
                )
            })
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
    }
}
