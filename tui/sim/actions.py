"""Structured actions: what a parked component will do next, as data.

A gate carries an :class:`Action` (a kind plus named arguments such as the
plan, the endpoint, the attempt), never a sentence. Programs that reason
about actions (the explorer's footprints, the state abstraction, tests) read
the fields; people read :meth:`Action.words`, rendered from one template per
kind in :data:`WORDS`. Nothing ever parses the words back.

Kinds are dotted ``component.verb`` names. A kind missing from :data:`WORDS`
still renders (as the kind and its arguments), and code that must know what
an action touches treats an unknown kind as touching everything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Action:
    """What a component does when its gate opens: ``kind`` and its arguments, in order."""

    kind: str
    args: tuple[tuple[str, Any], ...] = ()
    #: The hash, worked out once: searches look actions up in dicts (footprints, commuting pairs) on every step.
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.kind, self.args)))

    def __hash__(self) -> int:
        return self._hash

    def get(self, key: str, default: Any = None) -> Any:
        for name, value in self.args:
            if name == key:
                return value
        return default

    def __getitem__(self, key: str) -> Any:
        for name, value in self.args:
            if name == key:
                return value
        raise KeyError(key)

    def words(self) -> str:
        """The action in plain words, for the choice panel, the log and recordings."""
        template = WORDS.get(self.kind)
        fields = dict(self.args)
        if template is None:
            return " ".join([self.kind, *(f"{k}={v}" for k, v in self.args)])
        if callable(template):
            return template(fields)
        return template.format(**fields)

    def __str__(self) -> str:
        return self.words()

    def __reduce__(self) -> tuple[type[Action], tuple[str, tuple[tuple[str, Any], ...]]]:
        # A plain constructor call pickles several times faster than the
        # generic state protocol of a frozen dataclass with slots.
        return (Action, (self.kind, self.args))


def act(kind: str, **args: Any) -> Action:
    """Build an :class:`Action`: ``act("enactor.apply", plan=104, endpoint=...)``."""
    return Action(kind, tuple(args.items()))


def _services(fields: dict[str, Any]) -> str:
    impaired = fields.get("impaired", ())
    return "Services: check dependencies" + (f" ({', '.join(impaired)} impaired)" if impaired else "")


def _dwfm(fields: dict[str, Any]) -> str:
    queued = fields.get("queued", 0)
    if queued:
        return f"DWFM: renew leases, work {queued:,} queued lease attempts"
    return "DWFM: renew droplet leases"


#: One template (a format string, or a function of the arguments) per kind.
WORDS: dict[str, str | Callable[[dict[str, Any]], str]] = {
    "start": "start",
    # DNS automation
    "operators.first": "wait for the first operator action",
    "operators.act": "{id}: {description}",
    "planner.issue": "issue plan {plan}",
    "enactor.poll": "look for a newer plan",
    "enactor.read_lock": "read the lock on {endpoint} for plan {plan}",
    "enactor.apply": "apply plan {plan} to {endpoint}",
    "enactor.retry": "retry plan {plan} on {endpoint} (attempt {attempt})",
    "cleanup.wait": "wait for a fully applied plan",
    "cleanup.delete": "delete plans older than {below} from {endpoint}",
    "route53.wait": "wait for a change batch",
    "route53.propagate": "propagate changes to authoritative servers",
    "resolvers.query": "{resolver}: query {endpoint}",
    "resolvers.wait": "wait for a DNS change",
    # the cascade
    "dynamodb.first": "DynamoDB clients: open new connections",
    "dynamodb.tick": "DynamoDB clients: open new connections through the resolvers",
    "dwfm.first": "DWFM: renew droplet leases",
    "dwfm.tick": _dwfm,
    "ec2.first": "EC2: admit and place launches",
    "ec2.tick": lambda f: f"EC2: admit and place launches ({f['pending']:,} pending)",
    "netmgr.first": "Network Manager: propagate network state",
    "netmgr.tick": lambda f: f"Network Manager: propagate state for {f['backlog']:,} new instances",
    "nlb.first": "NLB: run health checks",
    "nlb.tick": "NLB: run health checks and fail over AZs that look unhealthy",
    "services.first": "Services: check dependencies",
    "services.tick": _services,
}

START = act("start")
