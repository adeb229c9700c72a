//! The checks of a platform hook too large to load (over
//! [`super::MAX_LOADED`]), made while reading it once in pieces: the same
//! R92 and R95 findings the hook rules make on a loaded hook
//! (`validate::platform`), placed by line number in the message since no
//! snippet is kept. A binary (ELF) hook is not read past its first bytes.

use crate::diag::Finding;
use crate::validate::Rule;
use std::io::Read;

/// Hook stages EB runs (the same list as the hook rules).
const STAGES: [&str; 3] = ["prebuild", "predeploy", "postdeploy"];
/// A line longer than this is checked for one-off tasks in pieces.
const MAX_LINE: usize = 64 * 1024;

/// True when the hook rules check the content of `name`: a file directly
/// in a stage folder of `.platform/hooks` or `.platform/confighooks`.
pub(super) fn is_run_hook(name: &str) -> bool {
    let rest = name
        .strip_prefix(".platform/hooks/")
        .or_else(|| name.strip_prefix(".platform/confighooks/"));
    rest.and_then(|r| r.split_once('/'))
        .is_some_and(|(stage, file)| STAGES.contains(&stage) && !file.contains('/'))
}

/// What one pass over a hook found.
#[derive(Debug, Default)]
struct Pass {
    head: Vec<u8>,
    utf8: bool,
    /// Bytes of an unfinished UTF-8 sequence at the end of the last piece.
    carry: Vec<u8>,
    /// Line (1-based) of the first CRLF.
    crlf_line: Option<u64>,
    last_was_cr: bool,
    lines: u64,
    line: Vec<u8>,
    one_off: Option<(u64, &'static str)>,
    gated: bool,
    get_config: bool,
    leader: bool,
}

impl Pass {
    fn feed(&mut self, piece: &[u8]) {
        if self.head.len() < 4 {
            let more = (4 - self.head.len()).min(piece.len());
            self.head.extend_from_slice(&piece[..more]);
        }
        self.check_utf8(piece);
        if !self.utf8 || piece.is_empty() {
            return;
        }
        if self.crlf_line.is_none() {
            if self.last_was_cr && piece[0] == b'\n' {
                self.crlf_line = Some(self.lines + 1);
            } else if let Some(i) = piece.windows(2).position(|w| w == b"\r\n") {
                let before = piece[..i].iter().filter(|&&b| b == b'\n').count();
                self.crlf_line = Some(self.lines + before as u64 + 1);
            }
        }
        self.last_was_cr = piece.last() == Some(&b'\r');
        for mut seg in piece.split_inclusive(|&b| b == b'\n') {
            while self.line.len() + seg.len() > MAX_LINE {
                let (now, rest) = seg.split_at(MAX_LINE - self.line.len());
                self.line.extend_from_slice(now);
                self.end_line();
                seg = rest;
            }
            self.line.extend_from_slice(seg);
            if seg.last() == Some(&b'\n') {
                self.end_line();
            }
        }
    }

    fn check_utf8(&mut self, piece: &[u8]) {
        // An unfinished sequence from the last piece, completed first.
        let mut piece = piece;
        while !self.carry.is_empty() && !piece.is_empty() {
            self.carry.push(piece[0]);
            piece = &piece[1..];
            match std::str::from_utf8(&self.carry) {
                Ok(_) => self.carry.clear(),
                Err(e) if e.error_len().is_none() => {}
                Err(_) => {
                    self.utf8 = false;
                    return;
                }
            }
        }
        match std::str::from_utf8(piece) {
            Ok(_) => {}
            Err(e) if e.error_len().is_none() => self.carry = piece[e.valid_up_to()..].to_vec(),
            Err(_) => self.utf8 = false,
        }
    }

    fn end_line(&mut self) {
        let line = String::from_utf8_lossy(&self.line);
        self.gated |= line.contains("EB_IS_COMMAND_LEADER");
        self.get_config |= line.contains("get-config");
        self.leader |= line.contains("leader");
        if self.one_off.is_none()
            && let Some((_, pat)) = crate::validate::platform::one_off_task(&line)
        {
            self.one_off = Some((self.lines + 1, pat));
        }
        if self.line.last() == Some(&b'\n') {
            self.lines += 1;
        }
        self.line.clear();
    }
}

/// The R92/R95 findings of the hook `name`, read from `r` in pieces.
pub(super) fn large_hook(name: &str, mut r: impl Read) -> std::io::Result<Vec<Finding>> {
    let mut pass = Pass {
        utf8: true,
        ..Pass::default()
    };
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            break;
        }
        pass.feed(&buf[..n]);
        if pass.head.starts_with(b"\x7fELF") {
            return Ok(Vec::new());
        }
        if !pass.utf8 {
            // Not text: only the shebang is checked, from the first bytes.
            break;
        }
    }
    if !pass.line.is_empty() {
        pass.end_line();
    }
    let utf8 = pass.utf8 && pass.carry.is_empty();
    let shebang = pass.head.starts_with(b"#!");
    let mut out = Vec::new();
    if !utf8 {
        if !shebang {
            out.push(Rule::R92.error(
                format!("hook `{name}` is neither a binary nor a script starting with `#!`"),
                "start the script with a shebang line such as `#!/bin/bash`",
            ));
        }
        return Ok(out);
    }
    if !shebang {
        out.push(Rule::R92.error(
            format!("hook `{name}` does not start with `#!`, so it cannot be executed"),
            "make the first line a shebang such as `#!/bin/bash`",
        ));
    }
    if let Some(line) = pass.crlf_line {
        out.push(Rule::R92.error(
            format!("hook `{name}` has CRLF line endings (first on line {line}): it fails with `\\r: No such file or directory`"),
            format!("convert it to LF line endings (e.g. `dos2unix {name}`): `ebpack build --fix` converts hooks up to {} MiB only", super::MAX_LOADED >> 20),
        ));
    }
    let gated = pass.gated || (pass.get_config && pass.leader);
    if let (Some((line, pat)), false) = (pass.one_off, gated) {
        out.push(Rule::R95.warning(
            format!("hook runs `{pat}` on every instance (line {line}): hooks have no leader election"),
            "run it from `container_commands` with `leader_only: true`, or gate it on `EB_IS_COMMAND_LEADER`",
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &[u8]) -> Vec<String> {
        large_hook(".platform/hooks/prebuild/a.sh", text)
            .unwrap()
            .iter()
            .map(|f| format!("{} {}", f.code, f.message))
            .collect()
    }

    #[test]
    fn the_checks_of_the_hook_rules_in_pieces() {
        let mut script = b"#!/bin/bash\n".to_vec();
        script.extend(std::iter::repeat_n(b'#', 300_000));
        script.extend(b"\npython manage.py migrate\r\n");
        let found = codes(&script);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].starts_with("R92") && found[0].contains("line 3"),
            "{found:?}"
        );
        assert!(
            found[1].starts_with("R95") && found[1].contains("line 3"),
            "{found:?}"
        );
        assert!(codes(b"\x7fELF\x02\x01").is_empty());
        assert!(codes(b"echo hi\n")[0].contains("does not start with `#!`"));
        assert!(codes(b"\xff\xfe")[0].contains("neither a binary"));
        assert!(codes(b"#!/bin/sh\nEB_IS_COMMAND_LEADER=1\nrake db:migrate\n").is_empty());
        assert!(is_run_hook(".platform/hooks/prebuild/a.sh"));
        assert!(!is_run_hook(".platform/hooks/prebuild/lib/a.sh"));
        assert!(!is_run_hook(".platform/hooks/other/a.sh"));
    }
}
