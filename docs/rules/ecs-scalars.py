#!/usr/bin/env python3
"""List every boolean and integer member of the ECS shapes a Dockerrun v2 uses.

Reads the ECS API model (botocore `botocore/data/ecs/2014-11-13/service-2.json`,
https://github.com/boto/botocore, given as the first argument) and prints one
path per line, as `src/validate/dockerrun/scalars.rs` spells them:

  container  essential                       boolean
  container  linuxParameters.tmpfs[].size    integer
  container  restartPolicy.ignoredExitCodes  integer[]
  volume     dockerVolumeConfiguration.autoprovision  boolean

`scalars.rs` must list exactly these paths (its table adds the rule that
reports each one); rerun after refreshing the model and compare.

Usage: docs/rules/ecs-scalars.py path/to/ecs-service-2.json
"""

import json
import sys

SCALARS = {"boolean": "boolean", "integer": "integer", "long": "integer"}


def walk(shapes, name, path, seen, out):
    shape = shapes[name]
    if shape["type"] == "structure":
        for key, member in shape["members"].items():
            target = shapes[member["shape"]]
            kind = target["type"]
            here = f"{path}.{key}" if path else key
            if kind in SCALARS:
                out.append((here, SCALARS[kind]))
            elif kind == "list" and shapes[target["member"]["shape"]]["type"] in SCALARS:
                out.append((here, SCALARS[shapes[target["member"]["shape"]]["type"]] + "[]"))
            elif member["shape"] not in seen:
                walk(shapes, member["shape"], here, seen | {member["shape"]}, out)
    elif shape["type"] == "list":
        member = shape["member"]["shape"]
        walk(shapes, member, path + "[]", seen | {member}, out)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        shapes = json.load(f)["shapes"]
    for root, shape in (("container", "ContainerDefinition"), ("volume", "Volume")):
        out = []
        walk(shapes, shape, "", {shape}, out)
        for path, kind in out:
            print(f"{root}\t{path}\t{kind}")


if __name__ == "__main__":
    main()
