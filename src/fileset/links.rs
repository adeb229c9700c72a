//! Symbolic links resolved the way the unzipped bundle on the instance
//! resolves them: component by component, each link met on the way
//! replaced by its own target (POSIX path resolution, `path_resolution(7)`),
//! never as text. `p/q/up -> ../..` then `evil -> p/q/up/../../../etc`
//! leaves the bundle: `p/q/up` is the root, and `..` from there is outside,
//! though the text `p/q/up/../../..` alone would stay inside.
//!
//! One resolver serves the folder `validate` and `build` read and the zip
//! `validate` reads, so all three say the same of the same links.

use std::collections::HashMap;

/// What a path of the bundle is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node<'a> {
    /// A regular file.
    File,
    /// A folder (also one only implied by the names below it).
    Dir,
    /// A symbolic link and its target.
    Link(&'a str),
}

/// The paths of a bundle, for resolution: every entry and, for names like
/// `a/b/c`, the folders `a` and `a/b` they imply.
#[derive(Debug, Default)]
pub struct Tree<'a> {
    nodes: HashMap<&'a str, Node<'a>>,
}

impl<'a> Tree<'a> {
    /// The tree of `entries` (`/`-separated names without a trailing `/`).
    /// The first entry of a name wins; folders implied by names only fill
    /// the gaps.
    pub fn new(entries: impl IntoIterator<Item = (&'a str, Node<'a>)>) -> Self {
        let mut nodes: HashMap<&'a str, Node<'a>> = HashMap::new();
        for (name, node) in entries {
            let mut end = 0;
            while let Some(i) = name[end..].find('/') {
                end += i;
                nodes.entry(&name[..end]).or_insert(Node::Dir);
                end += 1;
            }
            match nodes.get(name) {
                Some(Node::Dir) if node != Node::Dir => {
                    nodes.insert(name, node);
                }
                Some(_) => {}
                None => {
                    nodes.insert(name, node);
                }
            }
        }
        Self { nodes }
    }

    /// What `path` is (`""` is the root folder).
    pub fn node(&self, path: &str) -> Option<Node<'a>> {
        if path.is_empty() {
            return Some(Node::Dir);
        }
        self.nodes.get(path).copied()
    }

    /// The nearest folder above `name` (excluding `name` itself) that is a
    /// link: entries stored below a link are written through it by the
    /// extractor, wherever the link points.
    pub fn link_above<'n>(&self, name: &'n str) -> Option<&'n str> {
        let mut end = 0;
        while let Some(i) = name[end..].find('/') {
            end += i;
            if let Some(Node::Link(_)) = self.nodes.get(&name[..end]) {
                return Some(&name[..end]);
            }
            end += 1;
        }
        None
    }
}

/// Where a link leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// To a regular file of the bundle (its path).
    File(String),
    /// To a folder of the bundle (its path, `""` for the root).
    Dir(String),
    /// Out of the bundle: an absolute target (`/etc/passwd`), or `..` above
    /// the root once each link on the way is followed. The text is the
    /// target, absolute or relative, that left.
    Outside(String),
    /// To nothing: `path` is missing, or a file is used as a folder.
    Missing(String),
    /// More than [`MAX_HOPS`] links on the way (a loop).
    Loop,
}

/// The most links followed in one resolution, as Linux's `MAXSYMLINKS`.
pub const MAX_HOPS: usize = 40;

/// Resolves the link `link` (a name in `tree`) whose target is `target`.
pub fn resolve(tree: &Tree<'_>, link: &str, target: &str) -> Resolution {
    if target.is_empty() {
        return Resolution::Missing(String::new());
    }
    if target.starts_with('/') {
        return Resolution::Outside(target.to_owned());
    }
    let mut at: Vec<&str> = link.split('/').collect();
    at.pop();
    let mut at: Vec<String> = at.into_iter().map(str::to_owned).collect();
    // Components still to walk, the next one last.
    let mut pending: Vec<String> = components(target);
    let mut hops = 0;
    while let Some(c) = pending.pop() {
        match c.as_str() {
            "" | "." => continue,
            ".." => {
                if at.pop().is_none() {
                    return Resolution::Outside(target.to_owned());
                }
                continue;
            }
            _ => {}
        }
        let path = join(&at, &c);
        match tree.node(&path) {
            None => return Resolution::Missing(path),
            Some(Node::Dir) => at.push(c),
            Some(Node::File) => {
                return if pending.iter().all(|p| p.is_empty() || p == ".") {
                    Resolution::File(path)
                } else {
                    Resolution::Missing(path)
                };
            }
            Some(Node::Link(next)) => {
                hops += 1;
                if hops > MAX_HOPS {
                    return Resolution::Loop;
                }
                if next.starts_with('/') {
                    return Resolution::Outside(next.to_owned());
                }
                if next.is_empty() {
                    return Resolution::Missing(path);
                }
                pending.extend(components(next));
            }
        }
    }
    Resolution::Dir(at.join("/"))
}

/// The components of `target`, reversed (the first one last, to pop).
fn components(target: &str) -> Vec<String> {
    target.split('/').rev().map(str::to_owned).collect()
}

fn join(at: &[String], name: &str) -> String {
    if at.is_empty() {
        name.to_owned()
    } else {
        format!("{}/{name}", at.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree<'a>(entries: &[(&'a str, Node<'a>)]) -> Tree<'a> {
        Tree::new(entries.iter().copied())
    }

    #[test]
    fn a_link_in_the_middle_of_the_path_is_followed() {
        let t = tree(&[
            ("p/q/up", Node::Link("../..")),
            ("evil", Node::Link("p/q/up/../../../etc/passwd")),
            ("ok", Node::Link("p/q/up/p/q/up")),
            ("etc/passwd", Node::File),
        ]);
        assert_eq!(
            resolve(&t, "p/q/up", "../.."),
            Resolution::Dir(String::new())
        );
        assert_eq!(
            resolve(&t, "evil", "p/q/up/../../../etc/passwd"),
            Resolution::Outside("p/q/up/../../../etc/passwd".into())
        );
        assert_eq!(
            resolve(&t, "ok", "p/q/up/p/q/up"),
            Resolution::Dir(String::new())
        );
        assert_eq!(
            resolve(&t, "x/l", "../etc/passwd"),
            Resolution::File("etc/passwd".into())
        );
    }

    #[test]
    fn absolute_missing_and_looping_links() {
        let t = tree(&[
            ("a", Node::Link("b")),
            ("b", Node::Link("a")),
            ("abs", Node::Link("/etc")),
            ("via", Node::Link("abs/passwd")),
            ("f", Node::File),
        ]);
        assert_eq!(resolve(&t, "a", "b"), Resolution::Loop);
        assert_eq!(
            resolve(&t, "via", "abs/passwd"),
            Resolution::Outside("/etc".into())
        );
        assert_eq!(resolve(&t, "m", "nope"), Resolution::Missing("nope".into()));
        assert_eq!(resolve(&t, "m", "f/x"), Resolution::Missing("f".into()));
        assert_eq!(resolve(&t, "m", "./f"), Resolution::File("f".into()));
    }

    #[test]
    fn entries_below_a_link() {
        let t = tree(&[
            (".ebextensions", Node::Link("conf")),
            (".ebextensions/x.config", Node::File),
            ("conf", Node::Dir),
        ]);
        assert_eq!(
            t.link_above(".ebextensions/x.config"),
            Some(".ebextensions")
        );
        assert_eq!(t.link_above("conf/x"), None);
    }
}
