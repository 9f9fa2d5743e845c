"""What the explorer explores: the DNS core's components, its invariants, the scenario without timed faults.

The components outside the core (operators, resolvers, the cascade) cannot
influence the race and would only multiply the interleavings, so the
explorer's controller never starts them (:func:`is_core`).
"""

from __future__ import annotations

import copy
import dataclasses

from tui.scenario import Scenario

#: Invariants the explorer reports: the world's two plus the end-of-run one.
EXPLORED_INVARIANTS = ("NeverDeleteActive", "EndpointNeverEmpty", "EventuallyRepairable")

#: Components of the DNS core, by name or name prefix.
CORE = ("planner", "route53")
CORE_PREFIXES = ("enactor/", "cleanup/")

#: The component whose steps are invisible to the core (taken eagerly).
INVISIBLE = "route53"


def is_core(name: str) -> bool:
    return name in CORE or name.startswith(CORE_PREFIXES)


_CORE_SCENARIOS: dict[int, tuple[Scenario, Scenario]] = {}


def core_scenario(scenario: Scenario) -> Scenario:
    """The scenario as explored: without the timed slow-Enactor fault.

    With every gate runnable the explorer already delays any Enactor by any
    amount; a fault tied to clock times would make time observable again.
    """
    cached = _CORE_SCENARIOS.get(id(scenario))
    if cached is not None and cached[0] is scenario:
        return cached[1]
    explored = scenario
    if scenario.get("faults").get("slow_enactor"):
        data = copy.deepcopy(scenario.data)
        data["faults"].pop("slow_enactor", None)
        explored = dataclasses.replace(scenario, data=data)
    _CORE_SCENARIOS.clear()
    _CORE_SCENARIOS[id(scenario)] = (scenario, explored)
    return explored
