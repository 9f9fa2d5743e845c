"""The scenario format, section by section (see README "Scenario format")."""

from __future__ import annotations

from tui.scenario.schema import Bool, Number, Section, Table, Text, TextList, TextTable, Time

POSITIVE = Number(positive=True)
NON_NEGATIVE = Number(min=0)
COUNT = Number(integer=True, min=1)
FRACTION = Number(min=0, max=1)

#: Operator actions a scenario may schedule, in the incident's own order.
OPERATOR_IDS = (
    "identify-dns-cause",
    "mitigate-internal",
    "restore-dns",
    "dwfm-throttle-restart",
    "fix-lambda-sqs-poller",
    "disable-dns-automation",
    "nlb-disable-failover",
    "ec2-relax-throttles",
    "nlb-enable-failover",
)

#: Dependent services of the cascade, in the order they are evaluated.
SERVICE_IDS = ("lambda", "sts", "iam-signin", "ecs-eks-fargate", "connect", "redshift", "support")

#: A share of a whole: more than nothing, at most all of it.
SHARE = Number(positive=True, max=1)

#: AWS's AZ IDs in us-east-1; Enactor N runs in the N-th.
AZ_IDS = ("use1-az1", "use1-az2", "use1-az4", "use1-az6", "use1-az3", "use1-az5")

SPEC = Section(
    {
        "scenario": Section(
            {
                "id": Text(),
                "title": Text(),
                "description": Text(),
                "extends": Text(),
                "start": Time(),
                "end": Time(),
                "seed": Number(integer=True, min=0),
            },
            optional=frozenset({"extends"}),
        ),
        "controller": Section(
            {
                "choice_window_s": NON_NEGATIVE,
                "random_window_s": NON_NEGATIVE,
                "random_jitter": FRACTION,
            }
        ),
        "dns": Section(
            {
                "endpoints": TextList(),
                "regional_endpoint": Text(),
                "enactors": Number(integer=True, min=1, max=len(AZ_IDS)),
                "max_plans": Number(integer=True, min=0),
                "cleanup_threshold": COUNT,
                "first_generation": COUNT,
                "record_ttl_s": POSITIVE,
                "addresses_per_plan": COUNT,
                "planner": Section({"interval_s": POSITIVE}),
                "enactor": Section(
                    {
                        "poll_s": POSITIVE,
                        "api_latency_s": POSITIVE,
                        "lock_ttl_s": POSITIVE,
                        "backoff_base_s": POSITIVE,
                        "backoff_factor": Number(min=1),
                        "backoff_cap_s": POSITIVE,
                    }
                ),
                "route53": Section({"propagation_s": POSITIVE}),
                "resolvers": Section(
                    {
                        "count": COUNT,
                        "positive_ttl_s": POSITIVE,
                        "negative_ttl_s": POSITIVE,
                        "client_gap_s": POSITIVE,
                    }
                ),
            }
        ),
        "fixes": Section(
            {
                "recheck_in_batch": Bool(),
                "cleanup_protects_active": Bool(),
                "rollback_tolerates_missing": Bool(),
            }
        ),
        "faults": Section(
            {
                "slow_enactor": Section(
                    {
                        "enactor": Text(choices=AZ_IDS),
                        "from": Time(),
                        "until": Time(),
                        "api_latency_s": POSITIVE,
                    }
                ),
            },
            optional=frozenset({"slow_enactor"}),
        ),
        "cascade": Section({"tick_s": POSITIVE}),
        "dwfm": Section(
            {
                "droplets": COUNT,
                "lease_lifetime_s": POSITIVE,
                "capacity_per_s": POSITIVE,
                "attempt_timeout_s": POSITIVE,
                "throttled_admit_share": SHARE,
            }
        ),
        "ec2": Section(
            {
                "launch_demand_per_s": NON_NEGATIVE,
                "retry_share_per_min": FRACTION,
                "request_limit_per_s": POSITIVE,
                "throttled_share": SHARE,
                "api_load_share": SHARE,
                "relax_share_per_h": POSITIVE,
            }
        ),
        "netmgr": Section({"capacity_per_s": POSITIVE, "latency_high_s": POSITIVE, "latency_normal_s": NON_NEGATIVE}),
        "nlb": Section(
            {
                "targets": POSITIVE,
                "failover_trigger_share": FRACTION,
                "removal_per_h": NON_NEGATIVE,
                "restore_per_h": NON_NEGATIVE,
                "max_removed_share": FRACTION,
                "headroom_share": FRACTION,
                "alarm_share": FRACTION,
            }
        ),
        "services": Section(
            {
                name: Section(
                    {"catch_up_ratio": NON_NEGATIVE, "nlb_headroom_share": FRACTION, "report_lag_s": NON_NEGATIVE},
                    optional=frozenset({"nlb_headroom_share", "report_lag_s"}),
                    defaults={"report_lag_s": 0},
                )
                for name in SERVICE_IDS
            }
        ),
        "operators": Table(
            Section({"at": Time(), "enabled": Bool()}, optional=frozenset({"enabled"}), defaults={"enabled": True}),
            allowed=frozenset(OPERATOR_IDS),
            what="operator id",
        ),
        # Defaults of `outage-tui sweep`: ranges to draw from per run and variants to compare.
        # The ranges are strings ("LOW..HIGH"), checked against the fields they vary once the
        # scenario is loaded (tui.scenario.ranges); `sources` says where each range comes from.
        # `policy` is the sweep's default --policy; `given` the milestones a run must reach for its
        # milestone times to count (the invariants are counted over every run either way).
        "sweep": Section(
            {
                "vary": TextTable(),
                "compare": TextList(min_items=0),
                "sources": TextTable(),
                "policy": Text(("random", "canonical")),
                "given": TextList(min_items=0),
            },
            optional=frozenset({"vary", "compare", "sources", "policy", "given"}),
            sourced=False,
        ),
    },
    optional=frozenset({"sweep"}),
)
