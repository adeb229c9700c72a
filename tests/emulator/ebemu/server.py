"""The WSGI layer in front of moto: the /_ebemu control API, fault injection,
the call log, and hooking moto's own reset.

Faults are injected here, before moto sees the request, so they look to a
client exactly like the real front end misbehaving: an error document of the
service's own protocol, a socket closed without a response, or a late answer.
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

import moto

from . import state

StartResponse = Callable[..., Any]

# (HTTP status, awsQuery code, fault type, message) for Elastic Beanstalk and
# the other awsQuery services; (status, code, message) for S3's REST-XML.
QUERY_FAULTS = {
    "throttle": (400, "Throttling", "Sender", "Rate exceeded"),
    "error500": (
        500,
        "InternalFailure",
        "Receiver",
        "The request processing has failed because of an unknown error, exception or failure.",
    ),
    "error503": (
        503,
        "ServiceUnavailable",
        "Receiver",
        "The request has failed due to a temporary failure of the server.",
    ),
}
QUERY_NAMESPACES = {"elasticbeanstalk": ' xmlns="http://elasticbeanstalk.amazonaws.com/docs/2010-12-01/"'}
S3_FAULTS = {
    "throttle": (503, "SlowDown", "Please reduce your request rate."),
    "error500": (500, "InternalError", "We encountered an internal error. Please try again."),
    "error503": (503, "ServiceUnavailable", "Service is unable to handle request."),
}


def signing_service(environ: dict[str, Any]) -> str:
    """The service named in the SigV4 credential scope (how moto itself
    routes requests sent to a bare endpoint URL)."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    try:
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0]
        return scope.split("/")[3].lower()
    except IndexError:
        return "unknown"


def s3_action(method: str, path: str, query: dict[str, list[str]], environ: dict[str, Any]) -> str:
    """Name the S3 operation of a path-style request, for fault scoping."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return "ListBuckets"
    if len(parts) == 1:  # bucket level
        if method == "HEAD":
            return "HeadBucket"
        if method == "PUT":
            return "CreateBucket" if not query else "PutBucket" + next(iter(query)).title()
        if method == "DELETE":
            return "DeleteBucket"
        if method == "POST" and "delete" in query:
            return "DeleteObjects"
        if method == "GET":
            if "uploads" in query:
                return "ListMultipartUploads"
            if "location" in query:
                return "GetBucketLocation"
            return "ListObjectsV2" if query.get("list-type") == ["2"] else "ListObjects"
        return method
    if method == "PUT":
        if "partNumber" in query and "uploadId" in query:
            return "UploadPart"
        return "CopyObject" if "HTTP_X_AMZ_COPY_SOURCE" in environ else "PutObject"
    if method == "POST":
        if "uploads" in query:
            return "CreateMultipartUpload"
        if "uploadId" in query:
            return "CompleteMultipartUpload"
    if method == "DELETE":
        return "AbortMultipartUpload" if "uploadId" in query else "DeleteObject"
    if method == "GET":
        return "ListParts" if "uploadId" in query else "GetObject"
    if method == "HEAD":
        return "HeadObject"
    return method


def read_body(environ: dict[str, Any]) -> bytes:
    """Read the request body and put it back for moto to read again."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


class EmulatorApp:
    def __init__(self, moto_app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]):
        self.moto_app = moto_app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path.startswith("/_ebemu"):
            return self.control(method, path, environ, start_response)
        if path.startswith("/moto-api"):
            result = self.moto_app(environ, start_response)
            if path.rstrip("/") == "/moto-api/reset" and method == "POST":
                state.reset()  # moto wiped the backends (and our EB state); wipe the rest
            return result

        service = signing_service(environ)
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if service == "s3":
            action = s3_action(method, path, query, environ)
        else:
            form = parse_qs(read_body(environ).decode("utf-8", "replace"), keep_blank_values=True)
            action = (form.get("Action") or query.get("Action") or [""])[0]

        slow_ms, rule = state.pick_faults(service, action)
        if slow_ms:
            time.sleep(slow_ms / 1000)
        if rule is None:
            status_seen: list[str] = []

            def recording_start_response(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
                status_seen.append(status)
                return start_response(status, headers, *exc)

            result = self.moto_app(environ, recording_start_response)
            state.record_call(
                service,
                action,
                "slow" if slow_ms else None,
                int(status_seen[0].split()[0]) if status_seen else None,
            )
            return result

        state.record_call(service, action, rule.kind, None)
        if rule.kind == "drop":
            sock = environ.get("werkzeug.socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            # werkzeug treats this as the client going away: no response, no log noise.
            raise ConnectionResetError("ebemu: dropped connection (fault injection)")
        return self.fault_response(rule, service, method, start_response)

    @staticmethod
    def fault_response(
        rule: state.FaultRule, service: str, method: str, start_response: StartResponse
    ) -> Iterable[bytes]:
        request_id = str(uuid.uuid4())
        if service == "s3":
            status, code, message = S3_FAULTS[rule.kind]
            status, code, message = rule.status or status, rule.code or code, rule.message or message
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                f"<Error><Code>{code}</Code><Message>{message}</Message>"
                f"<RequestId>{request_id}</RequestId><HostId>ebemu</HostId></Error>"
            )
            headers = [("Content-Type", "application/xml"), ("x-amz-request-id", request_id)]
        else:
            status, code, kind, message = QUERY_FAULTS[rule.kind]
            status, code, message = rule.status or status, rule.code or code, rule.message or message
            body = (
                f"<ErrorResponse{QUERY_NAMESPACES.get(service, '')}>"
                f"<Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
                f"<RequestId>{request_id}</RequestId></ErrorResponse>"
            )
            headers = [("Content-Type", "text/xml"), ("x-amzn-requestid", request_id)]
        data = b"" if method == "HEAD" else body.encode()
        headers.append(("Content-Length", str(len(data))))
        start_response(f"{status} {http_reason(status)}", headers)
        return [data]

    def control(
        self, method: str, path: str, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        route = path[len("/_ebemu") :].rstrip("/") or "/"
        try:
            body: Any = {}
            if method in ("POST", "PUT"):
                raw = read_body(environ)
                body = json.loads(raw) if raw.strip() else {}
                if not isinstance(body, dict):
                    raise state.ControlError("the body must be a JSON object")
            result = self.route(method, route, body)
        except (state.ControlError, json.JSONDecodeError) as err:
            return respond(start_response, 400, {"error": str(err)})
        if result is None:
            return respond(start_response, 404, {"error": f"no control route {method} {path}"})
        return respond(start_response, 200, result)

    @staticmethod
    def route(method: str, route: str, body: dict[str, Any]) -> Any:
        if route in ("/", "/health") and method == "GET":
            return {"ok": True, "moto": moto.__version__}
        if route == "/config":
            if method == "GET":
                return state.get_config()
            if method == "POST":
                return state.update_config(body)
        if route == "/fail-deployment" and method == "POST":
            env = body.get("environment")
            count = body.get("count", 1)
            if not isinstance(env, str) or not env:
                raise state.ControlError("environment (a name) is required")
            if not isinstance(count, int) or count < 1:
                raise state.ControlError("count must be an integer >= 1")
            state.add_failure(env, body.get("reason"), count)
            return state.get_config()
        if route == "/deployment-health" and method == "POST":
            env = body.get("environment")
            if not isinstance(env, str) or not env:
                raise state.ControlError("environment (a name) is required")
            state.set_deployment_health(env, body.get("health", ""), body.get("health_status"))
            return state.get_config()
        if route == "/faults":
            if method == "GET":
                return {"faults": state.list_faults()}
            if method == "POST":
                rules = body.get("faults", [body])
                if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
                    raise state.ControlError("faults must be a list of objects")
                return {"faults": [state.add_fault(r).to_json() for r in rules]}
            if method == "DELETE":
                state.clear_faults()
                return {"faults": []}
        if route == "/calls":
            if method == "GET":
                return {"calls": state.calls()}
            if method == "DELETE":
                state.clear_calls()
                return {"calls": []}
        if route == "/s3-object" and method == "POST":
            return s3_object(body)
        if route == "/reset" and method == "POST":
            from moto.moto_api._internal.models import moto_api_backend

            moto_api_backend.reset()
            state.reset()
            return {"status": "ok"}
        return None


def s3_object(body: dict[str, Any]) -> dict[str, Any]:
    """What S3 holds at a key, read from moto's backend directly (no fault,
    no call log): whether it exists, its size, the sha256 of its bytes and
    its user metadata. Tests check what a race left behind with it."""
    import hashlib

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends

    bucket, key = body.get("bucket"), body.get("key")
    if not isinstance(bucket, str) or not isinstance(key, str) or not bucket or not key:
        raise state.ControlError("bucket and key (strings) are required")
    try:
        obj = s3_backends[DEFAULT_ACCOUNT_ID]["aws"].get_object(bucket, key)
    except Exception:  # MissingBucket & co.: not there
        obj = None
    if obj is None:
        return {"exists": False}
    meta = {
        k.lower().removeprefix("x-amz-meta-"): v for k, v in dict(obj.metadata or {}).items()
    }
    return {
        "exists": True,
        "size": len(obj.value),
        "sha256": hashlib.sha256(obj.value).hexdigest(),
        "metadata": meta,
    }


def http_reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def respond(start_response: StartResponse, status: int, payload: Any) -> Iterable[bytes]:
    data = json.dumps(payload, default=str).encode()
    start_response(
        f"{status} {http_reason(status)}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
    )
    return [data]
