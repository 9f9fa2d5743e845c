"""Every kind of event a run emits: one list, so a reader's set of kinds cannot name one that never comes.

Components emit events by these names (``ctx.emit("plan.applied", ...)``;
a ``StrEnum`` member equals its string, so either spelling works), and the
readers of a trace choose among them: which events the event log calls
notable, which ``run`` prints as key events, which a postmortem lists,
which colour a lane. Those choices are sets of :class:`Kind` members, so a
misspelt kind fails where it is written, and a test checks that every kind
a run emits is listed here.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """An event's kind, as the trace and the session file write it."""

    # The race: Planner, Enactors, clean-up, Route 53, resolvers.
    PLAN_ISSUED = "plan.issued"
    PLAN_CHECKED = "plan.checked"
    PLAN_SKIPPED = "plan.skipped"
    PLAN_APPLIED = "plan.applied"
    PLAN_ABANDONED = "plan.abandoned"
    LOCK_READ = "lock.read"
    LOCK_CONTENDED = "lock.contended"
    BACKOFF = "backoff"
    BATCH_APPLIED = "batch.applied"
    BATCH_ABORTED = "batch.aborted"
    CLEANUP_STARTED = "cleanup.started"
    CLEANUP_DELETED = "cleanup.deleted"
    DNS_PUBLISHED = "dns.published"
    RESOLVER_ANSWER = "resolver.answer"
    RESOLVER_NODATA = "resolver.nodata"
    PLANNER_STOPPED = "planner.stopped"
    ENACTOR_STOPPED = "enactor.stopped"
    # The cascade.
    DDB_REACHABILITY = "ddb.reachability"
    DWFM_TICK = "dwfm.tick"
    DWFM_RESTARTED = "dwfm.restarted"
    EC2_TICK = "ec2.tick"
    EC2_THROTTLES_LIFTED = "ec2.throttles_lifted"
    NETMGR_TICK = "netmgr.tick"
    NLB_TICK = "nlb.tick"
    NLB_ERRORS = "nlb.errors"
    NLB_ERRORS_END = "nlb.errors_end"
    LAMBDA_SQS_POLLER_FAILED = "lambda.sqs_poller_failed"
    SERVICE_IMPAIRED = "service.impaired"
    SERVICE_RECOVERED = "service.recovered"
    # Operators.
    OPERATOR_ACTION = "operator.action"
    OPERATOR_REPAIRED = "operator.repaired"
    OPERATOR_AUTOMATION_STOPPED = "operator.automation_stopped"
    OPERATOR_NO_NEED = "operator.no_need"
    # What every run reports.
    HEALTH = "health"
    MILESTONE = "milestone"
    MILESTONE_UNDONE = "milestone.undone"
    VIOLATION = "violation"
