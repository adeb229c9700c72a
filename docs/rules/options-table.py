#!/usr/bin/env python3
"""Generate src/validate/ebextensions/option_settings/table.rs from the EB options reference.

The table R70 checks option names against is data, not memory: it is read
from the two pages of the Elastic Beanstalk Developer Guide that list every
namespace and its options,

  command-options-general.md   General options for all environments
  command-options-specific.md  Platform specific options

Where to get them:
  * archived source (what the committed table was built from):
      git clone https://github.com/awsdocs/aws-elastic-beanstalk-developer-guide
      git -C aws-elastic-beanstalk-developer-guide show \
          5d7c96f8e9aa09c0542b9a5375248c3bede9433e:doc_source/command-options-general.md
      (same for command-options-specific.md; the repository was archived in
      June 2023 and its last commit deletes the pages, hence the commit)
  * current site: https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/command-options-general.md
      and .../command-options-specific.md (the site serves the same markdown).

Options documented since the archive on other current pages are listed in
ADDITIONS below, each with the page that documents it; drop an entry once
the pages you feed in list it.

Usage:
  docs/rules/options-table.py DIR | rustfmt --edition 2024 \
      > src/validate/ebextensions/option_settings/table.rs
  (DIR holds the two .md files.)
"""

import re
import sys
from pathlib import Path

SOURCE = (
    "`awsdocs/aws-elastic-beanstalk-developer-guide` at `5d7c96f8`\n"
    "//! (`doc_source/command-options-general.md`, `command-options-specific.md`)"
)

# (namespace, option name, page that documents it) — options and namespaces
# the archived pages predate.
ADDITIONS = [
    (
        "aws:autoscaling:launchconfiguration",
        "DisableDefaultEC2SecurityGroup",
        "https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/using-features.managing.ec2.aws-cli.html",
    ),
    (
        "aws:autoscaling:launchconfiguration",
        "LaunchTemplateTagPropagationEnabled",
        "https://docs.aws.amazon.com/elasticbeanstalk/latest/dg/applications-tagging-resources.launch-templates.html",
    ),
]

# Namespaces whose option names are chosen by the user (documented as such).
OPEN_EXTRA = {
    # "Some namespaces allow you to extend the number of parameters, and
    # specify the parameter names" (ebextensions-optionsettings).
    "aws:elasticbeanstalk:application:environment",
    # Environment secrets: the option name is the variable name (current
    # command-options-general, added after the archive).
    "aws:elasticbeanstalk:application:environmentsecrets",
    # ebextensions-functions: "custom options" read with Fn::GetOptionSetting.
    "aws:elasticbeanstalk:customoption",
    # Parameters of a CloudFormation template (environment-resources).
    "aws:cloudformation:template:parameter",
}

# The documented placeholders of per-resource namespaces and the pattern
# piece that replaces them.
PLACEHOLDERS = {
    "process_name": "*",
    "listener_port": "*",
    "policy_name": "*",
    "rule_name": "*",
}

NS_RE = re.compile(r"Namespace:\s*`([^`]+)`")


def unescape(s):
    s = re.sub(r"\\(.)", r"\1", s)
    return s.strip()


def parse(text, table):
    ns = None
    header = None
    for line in text.splitlines():
        m = NS_RE.search(line)
        if m and (line.startswith("**Namespace") or line.startswith("#")):
            ns = unescape(m.group(1))
            header = None
            table.setdefault(ns, set())
            continue
        if line.startswith("#"):
            # A new section ends the namespace's tables.
            if not NS_RE.search(line):
                ns = None
            continue
        if ns is None or not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = [unescape(c).strip("* ") for c in cells]
            continue
        if set(cells[0]) <= set("- :"):
            continue
        name = unescape(cells[0]).strip("`")
        # "(deprecated) Target": still accepted, documented as deprecated.
        name = re.sub(r"^\(deprecated\)\s*", "", name)
        if header[:2] == ["Name", "Value"] or re.fullmatch(r"\*\w+\*", name):
            # "Path where the proxy server will serve the files" rows, and
            # Tomcat's "*optionName*: arbitrary JVM options": the option
            # names are chosen by the user.
            table[ns].add("*")
            continue
        table[ns].add(name)


def pattern(ns):
    parts = ns.split(":")
    return ":".join(PLACEHOLDERS.get(p, p) for p in parts)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    src = Path(sys.argv[1])
    table = {}
    for page in ("command-options-general.md", "command-options-specific.md"):
        parse((src / page).read_text(encoding="utf-8"), table)
    for ns in OPEN_EXTRA:
        table.setdefault(ns, set()).add("*")
    for ns, name, _ in ADDITIONS:
        table.setdefault(ns, set()).add(name)
    rows = []
    for ns in sorted(table, key=pattern):
        names = table[ns]
        open_ = "*" in names
        names = sorted(n for n in names if n != "*")
        if open_:
            names = []
        rows.append((pattern(ns), open_, names))
    out = sys.stdout
    out.write("//! The option names of every documented `option_settings` namespace (R70),\n")
    out.write("//! generated by `docs/rules/options-table.py` from the EB Developer Guide:\n")
    out.write(f"//! {SOURCE},\n")
    out.write("//! plus options documented since on other pages (listed in the script\n")
    out.write("//! with their URLs). Do not edit by hand: refresh with the script.\n")
    out.write("//!\n")
    out.write("//! `*` in a namespace stands for a user-chosen segment (listener port,\n")
    out.write("//! process, policy or rule name); an open namespace takes any option name.\n\n")
    out.write("/// One documented namespace.\n")
    out.write("pub(super) struct Namespace {\n")
    out.write("    /// The namespace, `*` standing for one user-chosen segment.\n")
    out.write("    pub pattern: &'static str,\n")
    out.write("    /// Option names are chosen by the user (environment properties, static file paths).\n")
    out.write("    pub open: bool,\n")
    out.write("    /// The documented option names (empty when `open`).\n")
    out.write("    pub names: &'static [&'static str],\n")
    out.write("}\n\n")
    out.write("/// Every documented namespace, sorted by pattern.\n")
    out.write("pub(super) const NAMESPACES: &[Namespace] = &[\n")
    for pat, open_, names in rows:
        out.write("    Namespace {\n")
        out.write(f'        pattern: "{pat}",\n')
        out.write(f"        open: {'true' if open_ else 'false'},\n")
        if not names:
            out.write("        names: &[],\n")
        else:
            out.write("        names: &[\n")
            for n in names:
                out.write(f'            "{n}",\n')
            out.write("        ],\n")
        out.write("    },\n")
    out.write("];\n")


if __name__ == "__main__":
    main()
