"""Properties over many inputs: bad overrides never crash, fixed runs never empty."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.clock import parse_sim
from tui.errors import BadInput
from tui.scenario import load_scenario
from tui.sim.simulation import run_headless

NUMERIC_KEYS = [
    "dns.planner.interval_s",
    "dns.enactor.lock_ttl_s",
    "dns.enactor.backoff_factor",
    "dns.cleanup_threshold",
    "dns.resolvers.negative_ttl_s",
    "controller.random_jitter",
]

values = st.one_of(
    st.integers(-10_000, 10_000).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    st.text(max_size=12),
    st.sampled_from(["true", "[]", "{}", '"x"', "inf", "nan", "1e309", "", "="]),
)


@settings(max_examples=150, deadline=None)
@given(key=st.sampled_from(NUMERIC_KEYS), value=values)
def test_any_override_loads_or_is_refused_cleanly(key: str, value: str) -> None:
    try:
        scenario = load_scenario("us-east-1-2025-10-20", [f"{key}={value}"])
    except BadInput as err:
        message = str(err)
        assert "\n" not in message and key in message
    else:
        node = scenario.get(key)
        assert isinstance(node, int | float) and not isinstance(node, bool) and math.isfinite(node)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_fixed_scenario_keeps_answering_for_any_seed(seed: int) -> None:
    summary = run_headless(load_scenario("us-east-1-2025-10-20-fixed"), "random", seed, parse_sim("23:55"))
    assert summary["milestones"]["dns.endpoint_empty"] is None
    assert "EndpointNeverEmpty" not in summary["violations"]
