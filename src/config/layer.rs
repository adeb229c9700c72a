//! One layer of settings per source, each value carrying where it came
//! from, and one way of stacking layers: [`Combine`], where the stronger
//! layer's value wins (uv's `Combine`). Adding a setting is one field here
//! and one line per source that sets it; the precedence lives in the order
//! [`super::resolve`] stacks the layers, nowhere else.

use super::file::ProjectFile;
use super::{EbCliConfig, Origin, Overrides, TagSource};
use crate::pin::tag_from::TagFrom;
use crate::validate::Platform;
use std::path::{Path, PathBuf};

/// A value and the source that set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub origin: Origin,
}

impl<T> Sourced<T> {
    /// `value`, set by `origin`.
    pub fn new(value: T, origin: Origin) -> Self {
        Self { value, origin }
    }

    /// The value changed, the origin kept.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Sourced<U> {
        Sourced::new(f(self.value), self.origin)
    }

    /// The value of `layered`, else `default()` as a [`Origin::Default`].
    pub fn or_default(layered: Option<Self>, default: impl FnOnce() -> T) -> Self {
        layered.unwrap_or_else(|| Self::new(default(), Origin::Default))
    }
}

/// Stacks two layers of the same settings; `self` is the stronger one.
pub trait Combine {
    /// `self`'s values where it has them, `other`'s elsewhere.
    #[must_use]
    fn combine(self, other: Self) -> Self;
}

/// A single value: the first one set wins.
impl<T> Combine for Option<T> {
    fn combine(self, other: Self) -> Self {
        self.or(other)
    }
}

/// Stacks `layers`, strongest first, into one.
pub fn layered<T: Combine + Default>(layers: impl IntoIterator<Item = T>) -> T {
    layers
        .into_iter()
        .reduce(Combine::combine)
        .unwrap_or_default()
}

/// Exact pins: they merge per container, the stronger layer winning for each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Pins(pub(super) Vec<(String, String)>);

impl Combine for Pins {
    fn combine(self, other: Self) -> Self {
        let mut pins = other.0;
        for (container, image) in self.0 {
            pins.retain(|(c, _)| *c != container);
            pins.push((container, image));
        }
        Self(pins)
    }
}

/// A layer's tag as given. Both forms in one layer is an error, reported
/// only when that layer is the one that wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TagInput {
    /// `--image-tag`, `EBPACK_IMAGE_TAG`, `pin.image_tag`.
    Literal(String),
    /// `FILE[:QUERY]`, with the folder a relative file is in.
    From(String, PathBuf),
    /// Both of the above.
    Both,
}

impl Sourced<TagInput> {
    /// Checks the winning layer's tag.
    pub(super) fn into_tag(self) -> Result<Sourced<TagSource>, String> {
        let source = match self.value {
            TagInput::Both => {
                let what = match self.origin {
                    Origin::Flag => "`--image-tag` and `--tag-from`",
                    _ => "`EBPACK_IMAGE_TAG` and `EBPACK_TAG_FROM`",
                };
                return Err(format!("{what} both give the tag; use one"));
            }
            TagInput::Literal(t) => {
                crate::pin::valid_tag(&t)?;
                TagSource::Literal(t)
            }
            TagInput::From(spec, base) => {
                let mut tf = TagFrom::parse(&spec)?;
                tf.file = base.join(&tf.file);
                TagSource::From(tf)
            }
        };
        Ok(Sourced::new(source, self.origin))
    }
}

/// The settings one source can give; `None` where it says nothing.
#[derive(Debug, Clone, Default)]
pub(super) struct Layer {
    /// The `ebpack.yaml` to read (flags and variables only).
    pub config: Option<Sourced<PathBuf>>,
    pub bundle: Option<Sourced<PathBuf>>,
    pub out: Option<Sourced<PathBuf>>,
    pub app: Option<Sourced<String>>,
    pub environment: Option<Sourced<String>>,
    pub region: Option<Sourced<String>>,
    pub platform: Option<Sourced<Platform>>,
    pub label: Option<Sourced<String>>,
    pub tag: Option<Sourced<TagInput>>,
    pub pins: Pins,
    pub require_pinned: Option<Sourced<bool>>,
}

impl Combine for Layer {
    fn combine(self, other: Self) -> Self {
        Self {
            config: self.config.combine(other.config),
            bundle: self.bundle.combine(other.bundle),
            out: self.out.combine(other.out),
            app: self.app.combine(other.app),
            environment: self.environment.combine(other.environment),
            region: self.region.combine(other.region),
            platform: self.platform.combine(other.platform),
            label: self.label.combine(other.label),
            tag: self.tag.combine(other.tag),
            pins: self.pins.combine(other.pins),
            require_pinned: self.require_pinned.combine(other.require_pinned),
        }
    }
}

impl Layer {
    /// Flags or `EBPACK_*` variables (`origin` says which); relative paths
    /// are against the working directory `cwd`.
    pub(super) fn from_overrides(o: &Overrides, origin: Origin, cwd: &Path) -> Self {
        let set = |v: &Option<String>| v.clone().map(|v| Sourced::new(v, origin));
        let path = |p: &Option<PathBuf>| p.as_ref().map(|p| Sourced::new(cwd.join(p), origin));
        Self {
            config: path(&o.config),
            bundle: path(&o.bundle),
            out: path(&o.out),
            app: set(&o.app),
            environment: set(&o.environment),
            region: set(&o.region),
            platform: o.platform.map(|p| Sourced::new(p, origin)),
            label: set(&o.label),
            tag: tag_input(&o.image_tag, &o.tag_from, cwd, origin),
            pins: Pins(o.pins.clone()),
            require_pinned: o.require_pinned.map(|r| Sourced::new(r, origin)),
        }
    }

    /// `ebpack.yaml`; relative paths are against its folder `project_dir`.
    pub(super) fn from_file(f: &ProjectFile, project_dir: &Path) -> Self {
        let set = |v: &Option<String>| v.clone().map(|v| Sourced::new(v, Origin::File));
        let path = |p: &Option<String>| {
            p.as_ref()
                .map(|p| Sourced::new(project_dir.join(p), Origin::File))
        };
        let pin = f.pin.clone().unwrap_or_default();
        Self {
            config: None,
            bundle: path(&f.bundle),
            out: path(&f.out),
            app: set(&f.app),
            environment: set(&f.environment),
            region: set(&f.region),
            platform: f.platform.map(|p| Sourced::new(p, Origin::File)),
            label: None,
            tag: tag_input(&pin.image_tag, &pin.tag_from, project_dir, Origin::File),
            pins: Pins(pin.containers.into_iter().collect()),
            require_pinned: pin.require_pinned.map(|r| Sourced::new(r, Origin::File)),
        }
    }

    /// The EB CLI's `.elasticbeanstalk/config.yml`.
    pub(super) fn from_ebcli(eb: &EbCliConfig) -> Self {
        let set = |v: &Option<String>| v.clone().map(|v| Sourced::new(v, Origin::EbCli));
        Self {
            app: set(&eb.app),
            environment: set(&eb.environment),
            region: set(&eb.region),
            platform: eb.platform.map(|p| Sourced::new(p, Origin::EbCli)),
            ..Self::default()
        }
    }
}

/// A layer's tag, if it gives one.
fn tag_input(
    image_tag: &Option<String>,
    tag_from: &Option<String>,
    base: &Path,
    origin: Origin,
) -> Option<Sourced<TagInput>> {
    let input = match (image_tag, tag_from) {
        (Some(_), Some(_)) => TagInput::Both,
        (Some(t), None) => TagInput::Literal(t.clone()),
        (None, Some(f)) => TagInput::From(f.clone(), base.to_owned()),
        (None, None) => return None,
    };
    Some(Sourced::new(input, origin))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pins(list: &[(&str, &str)]) -> Pins {
        Pins(
            list.iter()
                .map(|(c, r)| ((*c).to_owned(), (*r).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn the_stronger_layer_wins_each_value() {
        let flag = Some(Sourced::new("a", Origin::Flag));
        let file = Some(Sourced::new("b", Origin::File));
        assert_eq!(flag.combine(file), flag);
        assert_eq!(None.combine(file), file);
        assert_eq!(layered([None, None, file, flag]), file);
        assert_eq!(layered(Vec::<Option<u8>>::new()), None);
    }

    #[test]
    fn pins_merge_per_container() {
        let file = pins(&[("db", "mysql:8"), ("web", "nginx:1")]);
        let env = pins(&[("web", "nginx:2"), ("web", "nginx:3")]);
        let flags = pins(&[("db", "mysql:9")]);
        let want = pins(&[("web", "nginx:3"), ("db", "mysql:9")]);
        assert_eq!(layered([flags.clone(), env.clone(), file.clone()]), want);
        assert_eq!(flags.combine(env.combine(file)), want);
    }
}
