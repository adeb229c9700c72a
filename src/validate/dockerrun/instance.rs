//! What the bundle's `.ebextensions` say about the instances (R28, R29
//! sums against the instance type) and the load balancer listeners (R34).

use super::container::Container;
use crate::syntax::Node;
use crate::validate::Rule;
use crate::validate::{Bundle, Ctx, ebextensions, parse_config};

/// One option setting read from a config file.
struct Setting {
    namespace: String,
    option: String,
    value: Option<String>,
}

/// Every option setting of the bundle's config files, in processing order
/// (file name order, then source order), both `option_settings` forms.
fn settings(bundle: &Bundle) -> Vec<Setting> {
    let mut files: Vec<&crate::validate::BundleEntry> = bundle
        .entries
        .iter()
        .filter(|e| ebextensions::is_config_entry(&e.name))
        .collect();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out = Vec::new();
    for f in files {
        let Some(root) = f.data.as_deref().and_then(parse_config) else {
            continue;
        };
        let Some(os) = root.get("option_settings") else {
            continue;
        };
        let scalar = |n: &Node| match &n.value {
            crate::syntax::Value::String(s) => Some(s.clone()),
            crate::syntax::Value::Number(n) => Some(n.raw.to_string()),
            crate::syntax::Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        if let Some(items) = os.items() {
            for i in items {
                let ns = i
                    .get("namespace")
                    .and_then(Node::as_str)
                    .unwrap_or("aws:elasticbeanstalk:application:environment");
                let Some(opt) = i.get("option_name").and_then(Node::as_str) else {
                    continue;
                };
                out.push(Setting {
                    namespace: ns.to_owned(),
                    option: opt.to_owned(),
                    value: i.get("value").and_then(scalar),
                });
            }
        } else if let Some(namespaces) = os.entries() {
            for ns in namespaces {
                for o in ns.value.entries().unwrap_or_default() {
                    out.push(Setting {
                        namespace: ns.key.clone(),
                        option: o.key.clone(),
                        value: scalar(&o.value),
                    });
                }
            }
        }
    }
    out
}

/// True when the bundle configures load balancer listeners (R34).
pub(super) fn has_listener_config(bundle: &Bundle) -> bool {
    settings(bundle).iter().any(|s| {
        s.namespace.starts_with("aws:elb:listener")
            || s.namespace.starts_with("aws:elbv2:listener")
            || s.namespace == "aws:elb:loadbalancer" && s.option == "LoadBalancerPortProtocol"
    })
}

/// The instance type the bundle configures, last setting wins.
fn instance_type(bundle: &Bundle) -> Option<String> {
    let mut found = None;
    for s in settings(bundle) {
        match (s.namespace.as_str(), s.option.as_str()) {
            ("aws:autoscaling:launchconfiguration", "InstanceType") => found = s.value,
            ("aws:ec2:instances", "InstanceTypes") => {
                found = s
                    .value
                    .and_then(|v| v.split(',').next().map(|t| t.trim().to_owned()));
            }
            _ => {}
        }
    }
    found.filter(|t| !t.is_empty())
}

/// MiB and vCPUs of common instance types.
pub(super) fn size_of(instance: &str) -> Option<(i64, i64)> {
    let (family, size) = instance.split_once('.')?;
    let gib = |g: i64| g * 1024;
    let burst = |s: &str, nano_micro_vcpu: i64| -> Option<(i64, i64)> {
        Some(match s {
            "nano" => (512, nano_micro_vcpu),
            "micro" => (gib(1), nano_micro_vcpu),
            "small" => (gib(2), nano_micro_vcpu),
            "medium" => (gib(4), 2),
            "large" => (gib(8), 2),
            "xlarge" => (gib(16), 4),
            "2xlarge" => (gib(32), 8),
            _ => return None,
        })
    };
    // General purpose, compute and memory families: GiB per vCPU.
    let per_vcpu = |s: &str, ratio: i64| -> Option<(i64, i64)> {
        let vcpus = match s {
            "medium" => 1,
            "large" => 2,
            "xlarge" => 4,
            "2xlarge" => 8,
            "4xlarge" => 16,
            "8xlarge" => 32,
            "12xlarge" => 48,
            "16xlarge" => 64,
            _ => return None,
        };
        Some((gib(vcpus * ratio), vcpus))
    };
    let class = family.chars().next()?;
    let generation = family.chars().nth(1).and_then(|c| c.to_digit(10))?;
    match (class, generation) {
        ('t', 2) => burst(size, 1),
        ('t', 3 | 4) => burst(size, 2),
        ('m', 5..=8) => per_vcpu(size, 4),
        ('c', 5..=8) => per_vcpu(size, 2),
        ('r', 5..=8) => per_vcpu(size, 8),
        _ => None,
    }
}

/// R28, R29: the containers' memory and CPU fit the configured instance.
pub(super) fn check_sums<'a>(containers: &[Container<'a>], ctx: &mut Ctx<'_>) {
    let Some(bundle) = ctx.bundle else { return };
    let Some(itype) = instance_type(bundle) else {
        return;
    };
    let Some((mib, vcpus)) = size_of(&itype) else {
        return;
    };
    let memory: i64 = containers
        .iter()
        .filter_map(|c| c.reservation.or(c.memory))
        .fold(0, i64::saturating_add);
    let at = |c: &Container<'a>| {
        c.node
            .get("memoryReservation")
            .or_else(|| c.node.get("memory"))
            .unwrap_or(c.node)
    };
    if memory > mib
        && let Some(first) = containers
            .iter()
            .find(|c| c.reservation.or(c.memory).is_some())
    {
        ctx.push(
                Rule::R28.warning(format!("the containers reserve {memory} MiB in total, more than the {mib} MiB of `{itype}` (configured in `.ebextensions`); ECS cannot place the task (`RESOURCE:MEMORY`)"), "lower `memoryReservation` values or choose a larger instance type")
                    .at(at(first)),
            );
    }
    let cpu: i64 = containers
        .iter()
        .filter_map(|c| c.cpu)
        .fold(0, i64::saturating_add);
    if cpu > 1024 * vcpus
        && let Some(first) = containers.iter().find(|c| c.cpu.is_some())
    {
        ctx.push(
                Rule::R29.warning(format!("the containers ask for {cpu} CPU units in total, more than the {} of `{itype}` ({vcpus} vCPU)", 1024 * vcpus), "lower `cpu` values or choose a larger instance type")
                    .at(first.node.get("cpu").unwrap_or(first.node)),
            );
    }
}

#[cfg(test)]
mod tests {
    use super::size_of;

    #[test]
    fn sizes() {
        assert_eq!(size_of("t3.micro"), Some((1024, 2)));
        assert_eq!(size_of("t2.micro"), Some((1024, 1)));
        assert_eq!(size_of("m5.large"), Some((8192, 2)));
        assert_eq!(size_of("c6g.xlarge"), Some((8192, 4)));
        assert_eq!(size_of("x1.huge"), None);
        assert_eq!(size_of(""), None);
    }
}
