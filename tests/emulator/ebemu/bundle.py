"""What an instance would find wrong with a source bundle when deploying it.

Only the checks that make a real Docker/ECS deployment fail early are done:
the archive must unzip, the platform's definition file must sit at the root,
and Dockerrun.aws.json must parse with a version the platform accepts. The
messages are the ones Elastic Beanstalk emits (see bundle-rules R1/R2).
"""

from __future__ import annotations

import io
import json
import zipfile

DOCKERRUN = "Dockerrun.aws.json"


def is_zip(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.testzip() is None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
        return False


def platform_kind(solution_stack: str) -> str:
    """'ecs' for the multicontainer (Dockerrun v2) platforms, 'docker' for the
    single-container Docker platform, 'other' for everything else."""
    stack = solution_stack or ""
    if stack.endswith("running ECS") or "Multi-container Docker" in stack:
        return "ecs"
    if stack.endswith("running Docker"):
        return "docker"
    return "other"


def deployment_error(data: bytes, solution_stack: str) -> str | None:
    """The instance-side reason the deployment of ``data`` fails, or None."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
        return (
            "Instance deployment failed to unzip the application source bundle: "
            "it is not a valid ZIP archive."
        )
    with archive:
        if archive.testzip() is not None:
            return "Instance deployment failed to unzip the application source bundle: an entry is corrupt."
        names = set(archive.namelist())
        kind = platform_kind(solution_stack)
        if kind == "other":
            return None
        if DOCKERRUN not in names:
            if kind == "ecs":
                return "No ecs task definition (or empty definition file) found in environment"
            if not names & {"Dockerfile", "docker-compose.yml"}:
                return (
                    "Instance deployment: Both 'Dockerfile' and 'Dockerrun.aws.json' are "
                    "missing in your source bundle. Include at least one of them. "
                    "The deployment failed."
                )
            return None
        raw = archive.read(DOCKERRUN)
    try:
        dockerrun = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return f"Instance deployment failed to parse {DOCKERRUN}: {err}. The deployment failed."
    if not isinstance(dockerrun, dict):
        return f"Instance deployment failed to parse {DOCKERRUN}: not a JSON object. The deployment failed."
    version = str(dockerrun.get("AWSEBDockerrunVersion", ""))
    if kind == "ecs" and version != "2":
        return f"ECS Application sourcebundle validation error: Unsupported AWSEBDockerrunVersion: {version}"
    if kind == "docker" and version not in ("1", "3"):
        return "Invalid Dockerrun.aws.json version, abort deployment."
    return None
