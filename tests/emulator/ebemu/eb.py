"""Elastic Beanstalk on top of moto: the deployment calls moto lacks, with the
real service's observable behaviour.

moto 5.2.5 implements 8 EB actions with placeholder environments. This module
subclasses its backend (state) and response (HTTP) classes; ``install()``
swaps them in before the server builds its routes. Responses are still
produced by moto's model-driven awsQuery serializer, so shapes follow the
botocore service model the SDKs are generated from.

Time is simulated lazily: an operation records when it ends and which events
it emits at which instants; every read first "settles" the environment
against the clock. Nothing runs in the background, so the delays (see
state.py) can change at any moment and only affect operations started later.
"""

from __future__ import annotations

import base64
import contextlib
import random
import re
import string
import threading
import uuid
import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import camelcase_to_underscores
from moto.elasticbeanstalk import models as moto_models
from moto.elasticbeanstalk import responses as moto_responses
from moto.elasticbeanstalk import urls as moto_urls
from moto.elasticbeanstalk.models import Application, EBBackend
from moto.elasticbeanstalk.responses import EBResponse
from moto.utilities.utils import get_partition

from . import bundle, state

# moto warns for error codes absent from the service model; EB's common codes
# (InvalidAction, MissingParameter) are documented but not modelled.
warnings.filterwarnings("ignore", message=r"Exception\(.*\) with code .* does not match")

# One lock for all EB state: moto's server is threaded and its EB backend has
# no locking of its own.
EB_LOCK = threading.RLock()


# --- errors -----------------------------------------------------------------


class InvalidParameterValue(ServiceException):
    code = "InvalidParameterValue"


class InvalidParameterCombination(ServiceException):
    code = "InvalidParameterCombination"


class MissingParameter(ServiceException):
    code = "MissingParameter"


class InvalidAction(ServiceException):
    code = "InvalidAction"


class OperationInProgress(ServiceException):
    code = "OperationInProgressFailure"


def no_environment(name: str | None, env_id: str | None) -> InvalidParameterValue:
    if name:
        return InvalidParameterValue(f"No Environment found for EnvironmentName = '{name}'.")
    return InvalidParameterValue(f"No Environment found for EnvironmentId = '{env_id}'.")


def invalid_state(name: str, must_be: str = "Ready") -> InvalidParameterValue:
    return InvalidParameterValue(
        f"Environment named {name} is in an invalid state for this operation. Must be {must_be}."
    )


# --- small helpers ----------------------------------------------------------


def now() -> datetime:
    """UTC now, naive (as moto stores times) and cut to milliseconds: event
    times round-trip exactly through clients that page with StartTime."""
    t = datetime.now(UTC).replace(tzinfo=None)
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


MS = timedelta(milliseconds=1)
ALNUM = string.ascii_lowercase + string.digits
SEVERITIES = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"]
STACK_RE = re.compile(r"^64bit (?P<os>.+?) (?:v(?P<ver>[0-9][^ ]*) )?running (?P<platform>.+)$")
PLATFORM_ARN_RE = re.compile(
    r"^arn:[^:]+:elasticbeanstalk:[^:]*:[^:]*:platform/"
    r"(?P<platform>.+) running on 64bit (?P<os>.+)/(?P<ver>[^/]+)$"
)


def rand(chars: str, n: int) -> str:
    return "".join(random.choice(chars) for _ in range(n))


def platform_arn_for(stack: str, region: str) -> str:
    """'64bit Amazon Linux 2 v3.5.0 running ECS' ->
    'arn:aws:elasticbeanstalk:<region>::platform/ECS running on 64bit Amazon Linux 2/3.5.0'"""
    m = STACK_RE.match(stack)
    assert m is not None
    ver = m.group("ver") or "1.0.0"
    return (
        f"arn:{get_partition(region)}:elasticbeanstalk:{region}::platform/"
        f"{m.group('platform')} running on 64bit {m.group('os')}/{ver}"
    )


def stack_for(platform_arn: str) -> str | None:
    m = PLATFORM_ARN_RE.match(platform_arn)
    if m is None:
        return None
    return f"64bit {m.group('os')} v{m.group('ver')} running {m.group('platform')}"


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"ebemu:{offset}".encode()).decode()


def decode_token(token: str | None) -> int:
    if not token:
        return 0
    try:
        prefix, offset = base64.urlsafe_b64decode(token.encode()).decode().split(":")
        if prefix == "ebemu" and int(offset) >= 0:
            return int(offset)
    except (ValueError, UnicodeDecodeError):
        pass
    raise InvalidParameterValue("Invalid NextToken")


def page(items: list[Any], max_records: int | None, token: str | None) -> tuple[list[Any], str | None]:
    if max_records is not None and not 1 <= max_records <= 1000:
        raise InvalidParameterValue(
            f"1 validation error detected: Value '{max_records}' at 'maxRecords' failed to "
            "satisfy constraint: Member must have value between 1 and 1000"
        )
    start = decode_token(token)
    if max_records is None:
        return items[start:], None
    end = start + max_records
    return items[start:end], (encode_token(end) if end < len(items) else None)


def compact(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


# --- models -----------------------------------------------------------------


class AppVersion:
    def __init__(
        self,
        app: EmuApplication,
        label: str,
        description: str | None,
        source_bundle: dict[str, str] | None,
        process: bool,
        bundle_ok: bool,
    ):
        self.application_name = app.application_name
        self.label = label
        self.description = description
        self.source_bundle = source_bundle
        self.created = now()
        self.arn = (
            f"arn:{get_partition(app.region)}:elasticbeanstalk:{app.region}:{app.account_id}:"
            f"applicationversion/{app.application_name}/{label}"
        )
        self.process = process
        self.bundle_ok = bundle_ok
        self.processed_at = self.created + timedelta(seconds=state.delay("process_delay"))

    def status(self, at: datetime) -> str:
        # Upper case on purpose: the service answers "UNPROCESSED", not the
        # "Unprocessed" its model's enum lists.
        if not self.process:
            return "UNPROCESSED"
        if at < self.processed_at:
            return "PROCESSING"
        return "PROCESSED" if self.bundle_ok else "FAILED"

    def describe(self, at: datetime) -> dict[str, Any]:
        done = self.process and at >= self.processed_at
        return compact(
            {
                "ApplicationVersionArn": self.arn,
                "ApplicationName": self.application_name,
                "Description": self.description,
                "VersionLabel": self.label,
                "SourceBundle": self.source_bundle,
                "DateCreated": self.created,
                "DateUpdated": self.processed_at if done else self.created,
                "Status": self.status(at),
            }
        )


class EmuApplication(Application):
    def __init__(self, backend: EmuBackend, application_name: str, description: str | None = None):
        super().__init__(backend, application_name)
        self.description = description
        self.date_created = now()
        self.date_updated = self.date_created
        self.app_versions: dict[str, AppVersion] = {}

    @property
    def versions(self) -> list[str]:
        """Serialized as ApplicationDescription.Versions (newest first)."""
        return [v.label for v in sorted(self.app_versions.values(), key=lambda v: v.created, reverse=True)]


class Operation:
    """A running environment operation; ``final`` is applied when it ends."""

    def __init__(self, kind: str, request_id: str, ends: datetime, final: dict[str, Any], abortable: bool):
        self.prev: dict[str, Any] = {}  # health before an update, restored by an abort
        self.kind = kind
        self.request_id = request_id
        self.ends = ends
        self.final = final
        self.abortable = abortable


class Environment:
    def __init__(
        self, backend: EmuBackend, app: EmuApplication, name: str, stack: str, params: dict[str, Any]
    ):
        region = backend.region_name
        self.name = name
        self.id = "e-" + rand(ALNUM, 10)
        self.application_name = app.application_name
        self.stack = stack
        self.platform_arn = platform_arn_for(stack, region)
        self.description = params.get("Description")
        self.template_name = params.get("TemplateName")
        tier = params.get("Tier") or {}
        self.tier = {
            "Name": tier.get("Name", "WebServer"),
            "Type": tier.get(
                "Type", "Standard" if tier.get("Name", "WebServer") == "WebServer" else "SQS/HTTP"
            ),
            "Version": tier.get("Version", "1.0"),
        }
        self.tags = {t["Key"]: t["Value"] for t in params.get("Tags") or []}
        self.option_settings = list(params.get("OptionSettings") or [])
        self.operations_role = params.get("OperationsRole")
        if self.tier["Name"] == "WebServer":
            prefix = params.get("CNAMEPrefix")
            self.cname: str | None = (
                f"{prefix}.{region}.elasticbeanstalk.com"
                if prefix
                else f"{name}.eba-{rand(ALNUM, 8)}.{region}.elasticbeanstalk.com"
            )
            self.endpoint_url: str | None = (
                f"awseb-{self.id}-AWSEBLoa-{rand(string.ascii_uppercase + string.digits, 12)}"
                f"-{random.randint(10**8, 10**9 - 1)}.{region}.elb.amazonaws.com"
            )
        else:
            self.cname = None
            self.endpoint_url = None
        self.instance_id = "i-" + rand("0123456789abcdef", 17)
        self.arn = (
            f"arn:{get_partition(region)}:elasticbeanstalk:{region}:{backend.account_id}:"
            f"environment/{app.application_name}/{name}"
        )
        self.version_label: str | None = None
        self.created = now()
        self.updated = self.created
        self.status = "Launching"
        self.health = "Grey"
        self.health_status = "Pending"
        self.operation: Operation | None = None
        self.terminated_at: datetime | None = None

    def settle(self, at: datetime) -> None:
        op = self.operation
        if op is not None and at >= op.ends:
            for attr, value in op.final.items():
                setattr(self, attr, value)
            self.updated = op.ends
            if self.status == "Terminated":
                self.terminated_at = op.ends
            self.operation = None

    @property
    def live(self) -> bool:
        return self.status != "Terminated"

    def describe(self) -> dict[str, Any]:
        return compact(
            {
                "EnvironmentName": self.name,
                "EnvironmentId": self.id,
                "ApplicationName": self.application_name,
                "VersionLabel": self.version_label,
                "SolutionStackName": self.stack,
                "PlatformArn": self.platform_arn,
                "TemplateName": self.template_name,
                "Description": self.description,
                "EndpointURL": self.endpoint_url,
                "CNAME": self.cname,
                "DateCreated": self.created,
                "DateUpdated": self.updated,
                "Status": self.status,
                "AbortableOperationInProgress": bool(self.operation and self.operation.abortable),
                "Health": self.health,
                "HealthStatus": self.health_status,
                "Tier": self.tier,
                "EnvironmentLinks": [],
                "EnvironmentArn": self.arn,
                "OperationsRole": self.operations_role,
            }
        )


class EmuBackend(EBBackend):
    """moto's EB backend plus versions, real environments and events.

    moto's reset API re-runs ``__init__`` on every backend, so everything kept
    here is wiped by ``POST /moto-api/reset``."""

    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        self.environments: list[Environment] = []
        self.events: list[dict[str, Any]] = []
        self.event_seq = 0

    # moto derives the routes module from the backend's module name; ours
    # lives elsewhere, so point it back at moto's (patched) EB routes.
    @property
    def _url_module(self) -> Any:
        return moto_urls

    # --- S3 access ----------------------------------------------------------

    def _s3(self) -> Any:
        from moto.s3.models import s3_backends

        return s3_backends[self.account_id][get_partition(self.region_name)]

    def s3_object(self, bucket: str, key: str) -> bytes | None:
        try:
            obj = self._s3().get_object(bucket, key)
        except Exception:  # moto raises MissingBucket & co.; all mean "not there"
            return None
        return None if obj is None else obj.value

    # --- applications & versions -------------------------------------------

    def create_application(self, application_name: str, description: str | None = None) -> EmuApplication:
        if application_name in self.applications:
            raise InvalidParameterValue(f"Application {application_name} already exists.")
        app = EmuApplication(self, application_name, description)
        self.applications[application_name] = app
        return app

    def application(self, name: str) -> EmuApplication:
        app = self.applications.get(name)
        if app is None:
            raise InvalidParameterValue(f"No Application named '{name}' found.")
        return app  # type: ignore[return-value]

    def create_storage_location(self) -> str:
        name = f"elasticbeanstalk-{self.region_name}-{self.account_id}"
        s3 = self._s3()
        if name not in s3.buckets:
            s3.create_bucket(name, self.region_name)
        return name

    def create_application_version(self, p: dict[str, Any]) -> AppVersion:
        name, label = p.get("ApplicationName"), p.get("VersionLabel")
        if not name or not label:
            raise MissingParameter("ApplicationName and VersionLabel are required.")
        if name not in self.applications:
            if not p.get("AutoCreateApplication"):
                raise InvalidParameterValue(f"No Application named '{name}' found.")
            self.create_application(name)
        app = self.application(name)
        if label in app.app_versions:
            raise InvalidParameterValue(f"Application Version {label} already exists.")
        source = p.get("SourceBundle")
        bundle_ok = True
        if source:
            bucket, key = source.get("S3Bucket", ""), source.get("S3Key", "")
            data = self.s3_object(bucket, key)
            if data is None:
                # Two spaces before "Key" are the service's.
                raise InvalidParameterCombination(
                    f"Unable to download from S3 location (Bucket: {bucket}  Key: {key}). Reason: Not Found"
                )
            bundle_ok = bundle.is_zip(data)
            source = {"S3Bucket": bucket, "S3Key": key}
        # Without SourceBundle the service deploys its sample application.
        version = AppVersion(
            app, label, p.get("Description"), source or None, bool(p.get("Process")), bundle_ok
        )
        app.app_versions[label] = version
        app.date_updated = version.created
        return version

    def describe_application_versions(self, p: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
        at = now()
        apps = list(self.applications.values())
        if p.get("ApplicationName"):
            apps = [a for a in apps if a.application_name == p["ApplicationName"]]
        versions = [v for a in apps for v in a.app_versions.values()]  # type: ignore[attr-defined]
        if p.get("VersionLabels"):
            wanted = set(p["VersionLabels"])
            versions = [v for v in versions if v.label in wanted]
        versions.sort(key=lambda v: v.created, reverse=True)
        chosen, token = page(versions, p.get("MaxRecords"), p.get("NextToken"))
        return [v.describe(at) for v in chosen], token

    def delete_application_version(self, p: dict[str, Any]) -> None:
        app = self.application(p["ApplicationName"])
        label = p["VersionLabel"]
        version = app.app_versions.get(label)
        if version is None:
            raise InvalidParameterValue(f"No Application Version named '{label}' found.")
        at = now()
        users = []
        for env in self.environments:
            env.settle(at)
            if not env.live or env.application_name != app.application_name:
                continue
            target = env.operation.final.get("version_label") if env.operation else None
            if label in (env.version_label, target):
                users.append(env.name)
        if users:
            raise InvalidParameterValue(
                f"Unable to delete application version '{label}' because it is deployed to "
                f"running environment(s): {', '.join(users)}."
            )
        del app.app_versions[label]
        if p.get("DeleteSourceBundle") and version.source_bundle:
            # The service also ignores an already-missing bundle.
            with contextlib.suppress(Exception):
                self._s3().delete_object(version.source_bundle["S3Bucket"], version.source_bundle["S3Key"])

    # --- events --------------------------------------------------------------

    def add_event(
        self,
        env: Environment,
        at: datetime,
        message: str,
        request_id: str,
        severity: str = "INFO",
        version_label: str | None = None,
    ) -> None:
        self.event_seq += 1
        self.events.append(
            {
                "EventDate": at,
                "Message": message,
                "ApplicationName": env.application_name,
                "VersionLabel": version_label,
                "TemplateName": env.template_name,
                "EnvironmentName": env.name,
                "PlatformArn": env.platform_arn,
                "RequestId": request_id,
                "Severity": severity,
                "_seq": self.event_seq,
                "_env": env.id,
            }
        )

    def schedule(
        self,
        env: Environment,
        kind: str,
        request_id: str,
        delay: float,
        steps: list[tuple[float, str, str]],
        final: dict[str, Any],
        abortable: bool = False,
        version_label: str | None = None,
    ) -> None:
        """Start an operation whose events appear at fractions of ``delay``
        (the last one marks the end) and whose ``final`` attributes apply when
        it ends. Times strictly increase so newest-first order is total."""
        start = now()
        at = start
        for i, (fraction, severity, message) in enumerate(steps):
            at = max(start + timedelta(seconds=delay * fraction), at + MS) if i else start
            self.add_event(env, at, message, request_id, severity, version_label)
        env.operation = Operation(kind, request_id, at, final, abortable)
        env.updated = start

    def describe_events(self, p: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
        at = now()
        for env in self.environments:
            env.settle(at)
        env_ids = None
        if p.get("EnvironmentId"):
            env_ids = {p["EnvironmentId"]}
        min_sev = SEVERITIES.index(p["Severity"]) if p.get("Severity") in SEVERITIES else 0
        start, end = p.get("StartTime"), p.get("EndTime")
        selected = []
        for e in self.events:
            if e["EventDate"] > at:  # scheduled, not happened yet
                continue
            if env_ids is not None and e["_env"] not in env_ids:
                continue
            if any(
                p.get(k) and e.get(k) != p[k]
                for k in (
                    "ApplicationName",
                    "VersionLabel",
                    "TemplateName",
                    "EnvironmentName",
                    "PlatformArn",
                    "RequestId",
                )
            ):
                continue
            if SEVERITIES.index(e["Severity"]) < min_sev:
                continue
            if start is not None and e["EventDate"] < start:
                continue
            if end is not None and e["EventDate"] >= end:
                continue
            selected.append(e)
        selected.sort(key=lambda e: (e["EventDate"], e["_seq"]), reverse=True)
        chosen, token = page(selected, p.get("MaxRecords", 100), p.get("NextToken"))
        return [compact({k: v for k, v in e.items() if not k.startswith("_")}) for e in chosen], token

    # --- environments ---------------------------------------------------------

    def find_env(self, name: str | None, env_id: str | None, app_name: str | None = None) -> Environment:
        if not name and not env_id:
            raise MissingParameter("Either EnvironmentName or EnvironmentId must be specified.")
        at = now()
        for env in self.environments:
            env.settle(at)
            if not env.live:
                continue
            if (name and env.name != name) or (env_id and env.id != env_id):
                continue
            if app_name and env.application_name != app_name:
                continue
            return env
        raise no_environment(name, env_id)

    def version_of(self, app_name: str, label: str) -> AppVersion:
        app = self.application(app_name)
        version = app.app_versions.get(label)
        if version is None:
            raise InvalidParameterValue(f"No Application Version named '{label}' found.")
        return version

    def deployment_failure(self, env: Environment, version: AppVersion) -> str | None:
        requested = state.take_failure(env.name)
        if requested is not None:
            return requested or "Instance deployment failed. For details, see 'eb-engine.log'."
        if version.source_bundle is None:
            return None  # the sample application always deploys
        data = self.s3_object(version.source_bundle["S3Bucket"], version.source_bundle["S3Key"])
        if data is None:
            return (
                "Unable to download the application source bundle from Amazon S3 "
                f"(Bucket: {version.source_bundle['S3Bucket']}  Key: {version.source_bundle['S3Key']})."
            )
        return bundle.deployment_error(data, env.stack)

    def failure_steps(
        self, env: Environment, reason: str, final_message: str
    ) -> list[tuple[float, str, str]]:
        return [
            (0.70, "ERROR", reason),
            (
                0.75,
                "ERROR",
                f"[Instance: {env.instance_id}] Command failed on instance. Return code: 1 "
                "Output: Engine execution has encountered an error..",
            ),
            (
                0.80,
                "INFO",
                "Command execution completed on all instances. Summary: [Successful: 0, Failed: 1].",
            ),
            (
                0.90,
                "ERROR",
                f"Unsuccessful command execution on instance id(s) '{env.instance_id}'. "
                "Aborting the operation.",
            ),
            (1.00, "ERROR", final_message),
        ]

    def create_environment(self, p: dict[str, Any], request_id: str) -> Environment:
        app = self.application(p.get("ApplicationName", ""))
        name = p.get("EnvironmentName")
        if not name:
            raise MissingParameter("EnvironmentName is required.")
        at = now()
        for env in self.environments:
            env.settle(at)
            if env.live and env.name == name:
                raise InvalidParameterValue(f"Environment {name} already exists.")
        stack = p.get("SolutionStackName")
        if p.get("PlatformArn"):
            if stack:
                raise InvalidParameterCombination(
                    "You cannot specify both a solution stack and a platform ARN."
                )
            stack = stack_for(p["PlatformArn"])
            if stack is None:
                raise InvalidParameterValue(f"No Platform found for PlatformArn = '{p['PlatformArn']}'.")
        if not stack:
            raise InvalidParameterValue("No Solution Stack or Platform specified.")
        if not STACK_RE.match(stack):
            raise InvalidParameterValue(f"No Solution Stack named '{stack}' found.")
        cname_prefix = p.get("CNAMEPrefix")
        if cname_prefix and any(
            e.live and e.cname == f"{cname_prefix}.{self.region_name}.elasticbeanstalk.com"
            for e in self.environments
        ):
            raise InvalidParameterValue(
                f"DNS name ({cname_prefix}.{self.region_name}.elasticbeanstalk.com) is not available."
            )
        version = self.version_of(app.application_name, p["VersionLabel"]) if p.get("VersionLabel") else None
        env = Environment(self, app, name, stack, p)
        self.environments.append(env)
        failure = self.deployment_failure(env, version) if version else None
        bucket = f"elasticbeanstalk-{self.region_name}-{self.account_id}"
        steps: list[tuple[float, str, str]] = [
            (0.0, "INFO", "createEnvironment is starting."),
            (0.05, "INFO", f"Using {bucket} as Amazon S3 storage bucket for environment data."),
            (0.30, "INFO", f"Created security group named: awseb-{env.id}-stack-AWSEBSecurityGroup."),
            (0.60, "INFO", f"Added instance [{env.instance_id}] to your environment."),
        ]
        if failure is None:
            steps.append((1.0, "INFO", f"Successfully launched environment: {name}"))
            final = {
                "status": "Ready",
                "health": "Green",
                "health_status": "Ok",
                "version_label": version.label if version else None,
            }
        else:
            steps += self.failure_steps(env, failure, "Failed to deploy application.")[:-1]
            steps.append(
                (
                    1.0,
                    "ERROR",
                    "Create environment operation is complete, but with errors. "
                    "For more information, see troubleshooting documentation.",
                )
            )
            final = {"status": "Ready", "health": "Red", "health_status": "Severe", "version_label": None}
        self.schedule(
            env,
            "launch",
            request_id,
            state.delay("launch_delay", env.name),
            steps,
            final,
            version_label=version.label if version else None,
        )
        return env

    def describe_environments(self) -> list[Environment]:  # type: ignore[override]
        """moto's own signature, for its other services that call it."""
        at = now()
        for env in self.environments:
            env.settle(at)
        return [env for env in self.environments if env.live]

    def describe_envs(self, p: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
        at = now()
        envs = []
        for env in self.environments:
            env.settle(at)
            if p.get("ApplicationName") and env.application_name != p["ApplicationName"]:
                continue
            if p.get("VersionLabel") and env.version_label != p["VersionLabel"]:
                continue
            if p.get("EnvironmentIds") and env.id not in p["EnvironmentIds"]:
                continue
            if p.get("EnvironmentNames") and env.name not in p["EnvironmentNames"]:
                continue
            if not env.live:
                # Deleted environments show by default, for about an hour.
                if p.get("IncludeDeleted") is False:
                    continue
                back_to = p.get("IncludedDeletedBackTo") or at - timedelta(hours=1)
                if env.terminated_at is not None and env.terminated_at < back_to:
                    continue
            envs.append(env)
        chosen, token = page(envs, p.get("MaxRecords"), p.get("NextToken"))
        return [e.describe() for e in chosen], token

    def update_environment(self, p: dict[str, Any], request_id: str) -> Environment:
        env = self.find_env(p.get("EnvironmentName"), p.get("EnvironmentId"), p.get("ApplicationName"))
        if env.status != "Ready":
            raise invalid_state(env.name)
        label = p.get("VersionLabel")
        version = self.version_of(env.application_name, label) if label else None
        if p.get("Description") is not None:
            env.description = p["Description"]
        if p.get("OptionSettings"):
            env.option_settings.extend(p["OptionSettings"])
        updating = {"status": "Updating", "health": "Grey", "health_status": "Info"}
        if version is None:
            # A configuration-only update.
            steps = [
                (0.0, "INFO", "Environment update is starting."),
                (0.8, "INFO", "Successfully deployed new configuration to environment."),
                (1.0, "INFO", "Environment update completed successfully."),
            ]
            final = {"status": "Ready", "health": env.health, "health_status": env.health_status}
            self.schedule(
                env, "update", request_id, state.delay("update_delay", env.name), steps, final, abortable=True
            )
        else:
            failure = self.deployment_failure(env, version)
            steps = [
                (0.0, "INFO", "Environment update is starting."),
                (0.25, "INFO", "Deploying new version to instance(s)."),
            ]
            if failure is None:
                steps += [
                    (0.85, "INFO", "New application version was deployed to running EC2 instances."),
                    (1.0, "INFO", "Environment update completed successfully."),
                ]
                health, health_status = state.deployment_health(env.name)
                final = {
                    "status": "Ready",
                    "health": health,
                    "health_status": health_status,
                    "version_label": version.label,
                }
            else:
                # The instance keeps running the old version: label unchanged.
                steps += self.failure_steps(env, failure, "Failed to deploy application.")
                final = {"status": "Ready", "health": "Red", "health_status": "Severe"}
            self.schedule(
                env,
                "update",
                request_id,
                state.delay("update_delay", env.name),
                steps,
                final,
                abortable=True,
                version_label=version.label,
            )
        assert env.operation is not None
        env.operation.prev = {"health": env.health, "health_status": env.health_status}
        for attr, value in updating.items():
            setattr(env, attr, value)
        return env

    def abort_environment_update(self, p: dict[str, Any], request_id: str) -> None:
        env = self.find_env(p.get("EnvironmentName"), p.get("EnvironmentId"))
        op = env.operation
        if op is None or not op.abortable:
            raise invalid_state(env.name, "Updating")
        at = now()
        # Drop what the aborted operation had still to say.
        self.events = [
            e for e in self.events if not (e["RequestId"] == op.request_id and e["EventDate"] > at)
        ]
        final = {"status": "Ready", **op.prev}
        self.schedule(
            env,
            "abort",
            request_id,
            state.delay("abort_delay", env.name),
            [
                (0.0, "INFO", "Abort environment update is starting."),
                (1.0, "INFO", "The environment was reverted to the previous configuration setting."),
            ],
            final,
        )
        env.status = "Aborting"
        # Whoever follows the aborted update's request id learns how it ended.
        assert env.operation is not None
        self.add_event(
            env,
            env.operation.ends,
            "The environment was reverted to the previous configuration setting.",
            op.request_id,
            "WARN",
        )

    def swap_environment_cnames(self, p: dict[str, Any], request_id: str) -> None:
        src = self.find_env(p.get("SourceEnvironmentName"), p.get("SourceEnvironmentId"))
        dst = self.find_env(p.get("DestinationEnvironmentName"), p.get("DestinationEnvironmentId"))
        if src is dst:
            raise InvalidParameterValue("Source and destination environments must be different.")
        for env in (src, dst):
            if env.status != "Ready":
                raise invalid_state(env.name)
            if env.cname is None:
                raise InvalidParameterValue(f"Environment named {env.name} has no CNAME (worker tier).")
        src.cname, dst.cname = dst.cname, src.cname
        for env in (src, dst):
            delay = state.delay("swap_delay", env.name)
            final = {"status": "Ready"}
            steps = [
                (0.0, "INFO", "swapEnvironmentCNAMEs is starting."),
                (1.0, "INFO", f"Completed swapping CNAMEs for environments '{src.name}' and '{dst.name}'."),
            ]
            self.schedule(env, "swap", request_id, delay, steps, final)
            env.status = "Updating"
            env.settle(now())

    def terminate_environment(self, p: dict[str, Any], request_id: str) -> Environment:
        env = self.find_env(p.get("EnvironmentName"), p.get("EnvironmentId"))
        if env.status != "Ready":
            raise invalid_state(env.name)
        steps = [
            (0.0, "INFO", "terminateEnvironment is starting."),
            (0.5, "INFO", f"Deleted instance [{env.instance_id}] from your environment."),
            (1.0, "INFO", "terminateEnvironment completed successfully."),
        ]
        final = {"status": "Terminated", "health": "Grey", "health_status": "NoData"}
        self.schedule(env, "terminate", request_id, state.delay("terminate_delay", env.name), steps, final)
        env.status, env.health = "Terminating", "Grey"
        env.settle(now())
        return env

    def describe_environment_health(self, p: dict[str, Any]) -> dict[str, Any]:
        env = self.find_env(p.get("EnvironmentName"), p.get("EnvironmentId"))
        counts = dict.fromkeys(
            ["NoData", "Unknown", "Pending", "Ok", "Info", "Warning", "Degraded", "Severe"], 0
        )
        counts[env.health_status if env.health_status in counts else "Unknown"] = 1
        result: dict[str, Any] = {
            "EnvironmentName": env.name,
            # The service puts the operational status (Ready, Updating, ...)
            # here although the model types it as a colour.
            "Status": env.status,
            "Color": env.health,
            "HealthStatus": env.health_status,
            "Causes": []
            if env.health in ("Green", "Grey")
            else ["Incorrect application version found on all instances." if env.health == "Red" else ""],
            "ApplicationMetrics": {},
            "InstancesHealth": counts,
            "RefreshedAt": now(),
        }
        wanted = p.get("AttributeNames")
        if wanted and "All" not in wanted:
            result = {k: v for k, v in result.items() if k == "EnvironmentName" or k in wanted}
        return result

    def describe_instances_health(self, p: dict[str, Any]) -> dict[str, Any]:
        """The environment's one instance: its health and the version it
        runs (``Deployment``), as enhanced health reports them."""
        env = self.find_env(p.get("EnvironmentName"), p.get("EnvironmentId"))
        if not env.live or env.status in ("Launching", "Terminating", "Terminated"):
            return {"InstanceHealthList": [], "RefreshedAt": now()}
        deployment: dict[str, Any] = {"Status": "Deployed", "DeploymentTime": env.updated}
        if env.version_label:
            deployment["VersionLabel"] = env.version_label
        return {
            "InstanceHealthList": [
                {
                    "InstanceId": env.instance_id,
                    "HealthStatus": env.health_status,
                    "Color": env.health,
                    "Causes": [],
                    "LaunchedAt": env.created,
                    "Deployment": deployment,
                }
            ],
            "RefreshedAt": now(),
        }

    def describe_account_attributes(self) -> dict[str, Any]:
        return {
            "ResourceQuotas": {
                "ApplicationQuota": {"Maximum": 75},
                "ApplicationVersionQuota": {"Maximum": state.version_quota()},
                "EnvironmentQuota": {"Maximum": 200},
                "ConfigurationTemplateQuota": {"Maximum": 2000},
                "CustomPlatformQuota": {"Maximum": 50},
            }
        }

    # Tagging & the resource-groups API look environments up through these.
    def _find_environment_by_arn(self, arn: str) -> Any:
        for env in self.environments:
            if env.arn == arn and env.live:
                return env
        raise KeyError(arn)

    def iter_tagged_resources(self) -> Any:
        from moto.core.resource_tagging import TaggedResource

        for env in self.environments:
            if env.live:
                yield TaggedResource(
                    arn=env.arn,
                    tags=dict(env.tags),
                    resource_type="elasticbeanstalk:environment",
                    extra={"include_untagged": True},
                )


# --- HTTP ---------------------------------------------------------------------

# Only the id in ResponseMetadata / after the ErrorResponse's Error is the
# call's own. moto's base class rewrites every <RequestId> with a greedy regex,
# which on one-line DescribeEvents bodies swallows everything between the first
# event's RequestId and the envelope's: we replace just the envelope's.
_ENVELOPE_ID = re.compile(r"(<ResponseMetadata><RequestId>)[^<]*(</RequestId></ResponseMetadata>)")
_ERROR_ID = re.compile(r"(</Error><RequestId>)[^<]*(</RequestId>)")


class EmuResponse(EBResponse):
    @property
    def elasticbeanstalk_backend(self) -> EmuBackend:
        return moto_models.eb_backends[self.current_account][self.region]  # type: ignore[return-value]

    @property
    def backend(self) -> EmuBackend:
        return self.elasticbeanstalk_backend

    def call_action(self) -> Any:
        # Real EB request ids are UUIDs; the SDKs read them from the
        # x-amzn-requestid header, and events carry the same value.
        self.request_id = str(uuid.uuid4())
        action = self._get_action()
        if action and not hasattr(self, camelcase_to_underscores(action)):
            return self._error(
                InvalidAction(f"The action {action} is not implemented by the ebpack test emulator.")
            )
        with EB_LOCK:
            return super().call_action()

    def _error(self, err: ServiceException) -> Any:
        status, headers, body = self.serialized(ActionResult(err))
        headers["status"] = str(status)
        headers, body = self._enrich_response(headers, body)
        return status, headers, body

    def _enrich_response(self, headers: dict[str, str], body: Any) -> tuple[dict[str, str], Any]:  # type: ignore[override]
        if "status" in headers:
            headers["status"] = str(headers["status"])
        headers["x-amzn-requestid"] = self.request_id
        if isinstance(body, str):
            body = _ENVELOPE_ID.sub(rf"\g<1>{self.request_id}\g<2>", body, count=1)
            body = _ERROR_ID.sub(rf"\g<1>{self.request_id}\g<2>", body, count=1)
        return headers, body

    def args(self) -> dict[str, Any]:
        """The request's parameters, parsed by moto against the service model
        (nested structures as dicts, lists as lists, timestamps as datetimes)."""
        raw = self._get_params()
        return dict(raw.original_dict() if hasattr(raw, "original_dict") else raw)

    # --- actions ------------------------------------------------------------

    def create_application(self) -> ActionResult:
        app = self.backend.create_application(
            self._get_param("ApplicationName"), self._get_param("Description")
        )
        return ActionResult({"Application": app})

    def describe_applications(self) -> ActionResult:
        # moto's ignores the ApplicationNames filter.
        names = self.args().get("ApplicationNames")
        apps = [a for a in self.backend.applications.values() if not names or a.application_name in names]
        return ActionResult({"Applications": apps})

    def create_storage_location(self) -> ActionResult:
        return ActionResult({"S3Bucket": self.backend.create_storage_location()})

    def create_application_version(self) -> ActionResult:
        version = self.backend.create_application_version(self.args())
        return ActionResult({"ApplicationVersion": version.describe(now())})

    def describe_application_versions(self) -> ActionResult:
        versions, token = self.backend.describe_application_versions(self.args())
        return ActionResult(compact({"ApplicationVersions": versions, "NextToken": token}))

    def delete_application_version(self) -> ActionResult:
        self.backend.delete_application_version(self.args())
        return EmptyResult()

    def create_environment(self) -> ActionResult:
        env = self.backend.create_environment(self.args(), self.request_id)
        return ActionResult(env.describe())

    def describe_environments(self) -> ActionResult:
        envs, token = self.backend.describe_envs(self.args())
        return ActionResult(compact({"Environments": envs, "NextToken": token}))

    def update_environment(self) -> ActionResult:
        env = self.backend.update_environment(self.args(), self.request_id)
        return ActionResult(env.describe())

    def terminate_environment(self) -> ActionResult:
        env = self.backend.terminate_environment(self.args(), self.request_id)
        return ActionResult(env.describe())

    def abort_environment_update(self) -> ActionResult:
        self.backend.abort_environment_update(self.args(), self.request_id)
        return EmptyResult()

    def swap_environment_cnames(self) -> ActionResult:
        self.backend.swap_environment_cnames(self.args(), self.request_id)
        return EmptyResult()

    # moto maps the action name to a method with camelcase_to_underscores,
    # which turns "SwapEnvironmentCNAMEs" into this.
    swap_environment_cnam_es = swap_environment_cnames

    def describe_events(self) -> ActionResult:
        events, token = self.backend.describe_events(self.args())
        return ActionResult(compact({"Events": events, "NextToken": token}))

    def describe_environment_health(self) -> ActionResult:
        return ActionResult(self.backend.describe_environment_health(self.args()))

    def describe_instances_health(self) -> ActionResult:
        return ActionResult(self.backend.describe_instances_health(self.args()))

    def describe_account_attributes(self) -> ActionResult:
        return ActionResult(self.backend.describe_account_attributes())


def install() -> None:
    """Swap our classes into moto. Must run before the server creates the EB
    app (on the first EB request), i.e. right after importing moto."""
    moto_models.eb_backends.backend = EmuBackend
    moto_models.EBBackend = EmuBackend  # type: ignore[misc]
    moto_responses.EBResponse = EmuResponse  # type: ignore[misc]
    moto_urls.url_paths = {path: EmuResponse.dispatch for path in moto_urls.url_paths}
