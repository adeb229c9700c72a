"""Run-time knobs of the emulator: delays, requested deployment failures, fault
rules and a log of the calls seen.

Everything here is process-global (one emulator process serves one test run)
and guarded by one lock, because moto's server answers each request on its own
thread. ``reset()`` restores the start-up defaults; it runs on moto's own
``POST /moto-api/reset`` as well as on ``POST /_ebemu/reset``.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any

# Seconds each simulated operation takes. The defaults are short enough for a
# person trying ebpack by hand to watch the transitions; tests lower them.
DEFAULT_DELAYS = {
    "launch_delay": 2.0,  # CreateEnvironment: Launching -> Ready
    "update_delay": 3.0,  # UpdateEnvironment: Updating -> Ready
    "terminate_delay": 1.0,  # TerminateEnvironment: Terminating -> Terminated
    "process_delay": 1.0,  # CreateApplicationVersion(Process): PROCESSING -> PROCESSED
    "swap_delay": 0.0,  # SwapEnvironmentCNAMEs: both Updating -> Ready
    "abort_delay": 0.5,  # AbortEnvironmentUpdate: Aborting -> Ready
}

FAULT_KINDS = ("throttle", "error500", "error503", "drop", "slow")
SERVICES = ("elasticbeanstalk", "s3")


class ControlError(ValueError):
    """A malformed control request; answered with HTTP 400 and the message."""


@dataclass
class FaultRule:
    """One fault-injection rule.

    A request matches when its service and action match (``None`` matches
    any). A matching request is first skipped ``skip`` times, then faulted
    with probability ``rate`` until ``count`` faults were injected (``None``:
    no limit). ``slow`` delays the request and lets it through (possibly into
    another rule); the other kinds answer instead of the real service.
    """

    id: int
    kind: str
    service: str | None = None
    actions: list[str] | None = None
    count: int | None = None
    rate: float = 1.0
    skip: int = 0
    delay_ms: int = 1000
    status: int | None = None
    code: str | None = None
    message: str | None = None
    matched: int = 0
    injected: int = 0

    def exhausted(self) -> bool:
        return self.count is not None and self.injected >= self.count

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "service": self.service,
            "actions": self.actions,
            "count": self.count,
            "rate": self.rate,
            "skip": self.skip,
            "delay_ms": self.delay_ms,
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "matched": self.matched,
            "injected": self.injected,
            "exhausted": self.exhausted(),
        }


@dataclass
class _State:
    delays: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_DELAYS))
    # environment name -> delays that override the global ones for it
    env_delays: dict[str, dict[str, float]] = field(default_factory=dict)
    # environment name -> reasons of the next deployments to fail, in order
    failures: dict[str, list[str]] = field(default_factory=dict)
    # environment name -> (health, health status) after a successful deployment
    deploy_health: dict[str, tuple[str, str]] = field(default_factory=dict)
    faults: list[FaultRule] = field(default_factory=list)
    next_fault_id: int = 1
    calls: list[dict[str, Any]] = field(default_factory=list)
    rng: random.Random = field(default_factory=random.Random)
    # DescribeAccountAttributes' ApplicationVersionQuota (the service's default)
    version_quota: int = 1000


LOCK = threading.RLock()
_startup_delays: dict[str, float] = dict(DEFAULT_DELAYS)
_state = _State()


def set_startup_delays(delays: dict[str, float]) -> None:
    """Delays given on the command line; ``reset()`` returns to these."""
    global _startup_delays
    with LOCK:
        _startup_delays = {**DEFAULT_DELAYS, **delays}
        _state.delays = dict(_startup_delays)


def reset() -> None:
    global _state
    with LOCK:
        _state = _State(delays=dict(_startup_delays))


def delay(name: str, environment: str | None = None) -> float:
    """The delay ``name``, for ``environment`` if it has its own."""
    with LOCK:
        own = _state.env_delays.get(environment or "", {})
        return own.get(name, _state.delays[name])


def get_config() -> dict[str, Any]:
    with LOCK:
        return {
            **_state.delays,
            "environments": {k: dict(v) for k, v in _state.env_delays.items()},
            "fail_deployments": {k: list(v) for k, v in _state.failures.items() if v},
            "deployment_health": {k: list(v) for k, v in _state.deploy_health.items()},
            "version_quota": _state.version_quota,
        }


def _seconds(key: str, value: Any) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
        raise ControlError(f"{key} must be a number of seconds >= 0")
    return float(value)


def _known_delay(key: str) -> None:
    if key not in DEFAULT_DELAYS:
        raise ControlError(
            f"unknown config key {key!r}; known: "
            + ", ".join([*DEFAULT_DELAYS, "environments", "seed", "version_quota"])
        )


def update_config(body: dict[str, Any]) -> dict[str, Any]:
    """Apply a partial config. Unknown keys are refused so a typo in a test
    does not silently leave the default in place. ``environments`` maps an
    environment name to delays of its own (``null`` removes them)."""
    with LOCK:
        for key, value in body.items():
            if key == "seed":
                _state.rng.seed(value)
            elif key == "version_quota":
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    raise ControlError("version_quota must be an integer >= 1")
                _state.version_quota = value
            elif key == "environments":
                if not isinstance(value, dict):
                    raise ControlError("environments must map environment names to delays")
                for env, delays in value.items():
                    if delays is None:
                        _state.env_delays.pop(env, None)
                        continue
                    if not isinstance(delays, dict):
                        raise ControlError(f"environments.{env} must be an object of delays")
                    for name, seconds in delays.items():
                        _known_delay(name)
                        _state.env_delays.setdefault(env, {})[name] = _seconds(f"{env}.{name}", seconds)
            else:
                _known_delay(key)
                _state.delays[key] = _seconds(key, value)
        return get_config()


def add_failure(environment: str, reason: str | None, count: int) -> None:
    with LOCK:
        reasons = _state.failures.setdefault(environment, [])
        reasons.extend([reason or ""] * count)


HEALTH_COLOURS = ("Green", "Yellow", "Red", "Grey")


def set_deployment_health(environment: str, health: str, status: str | None) -> None:
    """Health the environment reports after its next successful deployments
    (a deployed-but-degraded environment, for health-gate tests)."""
    if health not in HEALTH_COLOURS:
        raise ControlError(f"health must be one of {', '.join(HEALTH_COLOURS)}")
    default_status = {"Green": "Ok", "Yellow": "Warning", "Red": "Severe", "Grey": "Unknown"}
    with LOCK:
        _state.deploy_health[environment] = (health, status or default_status[health])


def deployment_health(environment: str) -> tuple[str, str]:
    with LOCK:
        return _state.deploy_health.get(environment, ("Green", "Ok"))


def take_failure(environment: str) -> str | None:
    """Consume one requested failure for the environment: ``None`` when none
    was requested, else the reason ("" for the default one)."""
    with LOCK:
        reasons = _state.failures.get(environment)
        if not reasons:
            return None
        return reasons.pop(0)


def add_fault(body: dict[str, Any]) -> FaultRule:
    kind = body.get("kind")
    if kind not in FAULT_KINDS:
        raise ControlError(f"kind must be one of {', '.join(FAULT_KINDS)}")
    service = body.get("service")
    if service is not None and service not in SERVICES:
        raise ControlError(f"service must be one of {', '.join(SERVICES)} or absent")
    actions = body.get("action", body.get("actions"))
    if isinstance(actions, str):
        actions = [actions]
    if actions is not None and (
        not isinstance(actions, list) or not all(isinstance(a, str) for a in actions)
    ):
        raise ControlError("action must be a string or a list of strings")
    count = body.get("count")
    if count is not None and (not isinstance(count, int) or count < 0):
        raise ControlError("count must be an integer >= 0")
    rate = body.get("rate", 1.0)
    if not isinstance(rate, (int, float)) or not 0.0 <= rate <= 1.0:
        raise ControlError("rate must be a number between 0 and 1")
    skip = body.get("skip", 0)
    if not isinstance(skip, int) or skip < 0:
        raise ControlError("skip must be an integer >= 0")
    delay_ms = body.get("delay_ms", 1000)
    if not isinstance(delay_ms, int) or delay_ms < 0:
        raise ControlError("delay_ms must be an integer >= 0")
    unknown = set(body) - {
        "kind",
        "service",
        "action",
        "actions",
        "count",
        "rate",
        "skip",
        "delay_ms",
        "status",
        "code",
        "message",
    }
    if unknown:
        raise ControlError(f"unknown fault keys: {', '.join(sorted(unknown))}")
    with LOCK:
        rule = FaultRule(
            id=_state.next_fault_id,
            kind=kind,
            service=service,
            actions=actions,
            count=count,
            rate=float(rate),
            skip=skip,
            delay_ms=delay_ms,
            status=body.get("status"),
            code=body.get("code"),
            message=body.get("message"),
        )
        _state.next_fault_id += 1
        _state.faults.append(rule)
        return rule


def clear_faults() -> None:
    with LOCK:
        _state.faults.clear()


def list_faults() -> list[dict[str, Any]]:
    with LOCK:
        return [rule.to_json() for rule in _state.faults]


def pick_faults(service: str, action: str) -> tuple[int, FaultRule | None]:
    """Decide what happens to one request: the total slow-down in ms and the
    terminal fault (or ``None`` to let it reach moto)."""
    slow_ms = 0
    with LOCK:
        for rule in _state.faults:
            if rule.exhausted():
                continue
            if rule.service is not None and rule.service != service:
                continue
            if rule.actions is not None and action not in rule.actions:
                continue
            rule.matched += 1
            if rule.matched <= rule.skip:
                continue
            if rule.rate < 1.0 and _state.rng.random() >= rule.rate:
                continue
            rule.injected += 1
            if rule.kind == "slow":
                slow_ms += rule.delay_ms
                continue
            return slow_ms, rule
    return slow_ms, None


def record_call(service: str, action: str, fault: str | None, status: int | None) -> None:
    """Log one request: ``fault`` is the injected kind (None if it went
    through untouched), ``status`` moto's HTTP status (None if faulted)."""
    with LOCK:
        _state.calls.append({"service": service, "action": action, "fault": fault, "status": status})


def calls() -> list[dict[str, Any]]:
    with LOCK:
        return list(_state.calls)


def clear_calls() -> None:
    with LOCK:
        _state.calls.clear()


def version_quota() -> int:
    with LOCK:
        return _state.version_quota
