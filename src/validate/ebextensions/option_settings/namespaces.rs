//! Looking namespaces and option names up in the documented [`table`](super::table)
//! (R70): per-resource namespaces match as patterns, and a namespace may
//! carry a resource name in front (`MyAction.aws:autoscaling:scheduledaction`).

use super::table::{NAMESPACES, Namespace};
use crate::validate::ebextensions::common::suggest;
use crate::validate::shape::distance;

/// Splits the documented shorthand `ResourceName.namespace` (scheduled
/// actions, trigger resources, `eb config` output) into the resource name
/// and the namespace; a namespace without one comes back whole.
pub(super) fn split_resource(ns: &str) -> (Option<&str>, &str) {
    if let Some((resource, rest)) = ns.split_once('.')
        && rest.starts_with("aws:")
        && !resource.is_empty()
        && resource
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return (Some(resource), rest);
    }
    (None, ns)
}

/// True when `ns` fits `pattern`, `*` standing for one non-empty segment.
fn fits(pattern: &str, ns: &str) -> bool {
    let mut want = pattern.split(':');
    let mut have = ns.split(':');
    loop {
        match (want.next(), have.next()) {
            (None, None) => return true,
            (Some("*"), Some(seg)) if !seg.is_empty() && !seg.contains(char::is_whitespace) => {}
            (Some(w), Some(h)) if w == h => {}
            _ => return false,
        }
    }
}

/// The documented namespace `ns` (without resource name) is an instance
/// of; a literal entry wins over a pattern (`aws:elbv2:listener:default`).
pub(super) fn find(ns: &str) -> Option<&'static Namespace> {
    NAMESPACES
        .iter()
        .find(|n| n.pattern == ns)
        .or_else(|| NAMESPACES.iter().find(|n| fits(n.pattern, ns)))
}

/// The documented namespace closest to an unknown `ns`; patterns take the
/// user's own segments (`aws:elbv2:listner:443` → `aws:elbv2:listener:443`).
pub(super) fn closest(ns: &str) -> Option<String> {
    // Far longer than any namespace: no typo of one, and the distances
    // would cost its length times each candidate's.
    if ns.len() > 128 {
        return None;
    }
    let have: Vec<&str> = ns.split(':').collect();
    let candidates: Vec<String> = NAMESPACES
        .iter()
        .filter_map(|n| {
            let want: Vec<&str> = n.pattern.split(':').collect();
            if !want.contains(&"*") {
                return Some(n.pattern.to_owned());
            }
            (want.len() == have.len()).then(|| {
                want.iter()
                    .zip(&have)
                    .map(|(w, h)| if *w == "*" { *h } else { *w })
                    .collect::<Vec<_>>()
                    .join(":")
            })
        })
        .collect();
    // Namespaces share long prefixes, so only a small edit counts as a
    // typo (`control` is not a misspelling of `command`).
    let lower = ns.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (distance(&lower, &c), c))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Whether `name` is an option of `ns` (any name in an open namespace).
pub(super) fn knows(ns: &Namespace, name: &str) -> bool {
    ns.open || ns.names.contains(&name)
}

/// The namespace (as documented, `<name>` for a user-chosen segment) that
/// lists `name`, when another one does (`InstanceTypes` → `aws:ec2:instances`).
pub(super) fn home_of(name: &str) -> Option<String> {
    NAMESPACES
        .iter()
        .find(|n| n.names.contains(&name))
        .map(|n| n.pattern.replace('*', "<name>"))
}

/// The documented option of `ns` that `name` is probably a misspelling of.
pub(super) fn closest_option(ns: &Namespace, name: &str) -> Option<&'static str> {
    suggest(name, ns.names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_complete() {
        assert!(NAMESPACES.windows(2).all(|w| w[0].pattern < w[1].pattern));
        for n in NAMESPACES {
            assert_eq!(n.open, n.names.is_empty(), "{}", n.pattern);
        }
        let asg = find("aws:autoscaling:asg").expect("asg");
        for name in ["Availability Zones", "Custom Availability Zones", "MinSize"] {
            assert!(knows(asg, name), "{name}");
        }
    }

    #[test]
    fn patterns_and_resource_names() {
        assert!(find("aws:elbv2:listener:443").is_some());
        assert!(find("aws:elb:listener:80").is_some());
        assert!(find("aws:elbv2:listenerrule:admin").is_some());
        assert!(find("aws:elasticbeanstalk:environment:process:api").is_some());
        assert!(find("aws:elbv2:listener:").is_none());
        assert!(find("aws:elbv2:listener:443:x").is_none());
        assert_eq!(
            split_resource("MyAction.aws:autoscaling:scheduledaction"),
            (Some("MyAction"), "aws:autoscaling:scheduledaction")
        );
        assert_eq!(
            split_resource("aws:autoscaling:asg"),
            (None, "aws:autoscaling:asg")
        );
        assert_eq!(split_resource("a b.aws:x"), (None, "a b.aws:x"));
        let literal = find("aws:elbv2:listener:default").map(|n| n.pattern);
        assert_eq!(literal, Some("aws:elbv2:listener:default"));
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            closest("aws:elbv2:listner:443").as_deref(),
            Some("aws:elbv2:listener:443")
        );
        assert_eq!(
            closest("aws:elasticbeanstalk:enviroment").as_deref(),
            Some("aws:elasticbeanstalk:environment")
        );
        assert_eq!(
            closest("aws:autoscaling:ASG").as_deref(),
            Some("aws:autoscaling:asg")
        );
        assert_eq!(closest("aws:elasticbeanstalk:control"), None);
        let asg = find("aws:autoscaling:asg").expect("asg");
        assert_eq!(closest_option(asg, "Min Size"), Some("MinSize"));
        assert_eq!(
            closest_option(asg, "AvailabilityZones"),
            Some("Availability Zones")
        );
        assert_eq!(
            home_of("InstanceTypes").as_deref(),
            Some("aws:ec2:instances")
        );
        assert_eq!(
            home_of("PathPatterns").as_deref(),
            Some("aws:elbv2:listenerrule:<name>")
        );
    }
}
