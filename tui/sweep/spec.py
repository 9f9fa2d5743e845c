"""What a sweep runs: variants, ranges, seeds, as jobs a worker can take on its own.

The command line (and a scenario's ``[sweep]`` defaults) become a
:class:`SweepSpec`; ``spec.jobs()`` lists every (run, variant) pair as a
:class:`Job` that carries everything its run needs (scenario, overrides,
policy, seed), so a job is the same wherever it runs: in this process, a
worker process or a Ray task. Variants share the seeds and the drawn values
of each run, which is what makes their differences paired.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from tui.clock import hhmm
from tui.errors import BadInput, one_line
from tui.scenario import Scenario, load_scenario
from tui.scenario.overrides import split_overrides
from tui.scenario.ranges import VaryRange, parse_given, parse_vary, scenario_ranges

POLICIES = ("random", "canonical")

#: The policy of a sweep whose scenario names none in ``[sweep] policy``.
DEFAULT_POLICY = "random"



@dataclass(frozen=True)
class Variant:
    """One arm of the sweep: a scenario and the overrides every one of its runs starts from."""

    name: str
    scenario: str
    overrides: tuple[str, ...]


@dataclass(frozen=True)
class Job:
    """One run of one variant: everything a worker needs, nothing it must look up."""

    run: int
    variant: int
    seed: int
    scenario: str
    overrides: tuple[str, ...]
    drawn: tuple[str, ...]
    policy: str
    until: float | None


@dataclass(frozen=True)
class SweepSpec:
    """A whole sweep: run i of every variant is seeded ``seed_from + i`` and draws the same values."""

    variants: tuple[Variant, ...]
    ranges: tuple[VaryRange, ...]
    runs: int
    seed_from: int
    policy: str
    until: float | None
    sets: tuple[str, ...]
    given: tuple[str, ...] = ()

    def drawn(self, seed: int) -> tuple[str, ...]:
        """The ``--set`` strings this seed draws for every range, in the ranges' order."""
        return tuple(r.draw(seed) for r in self.ranges)

    def jobs(self) -> list[Job]:
        """Every (run, variant), run-major: the first runs of every variant finish first."""
        out = []
        for run in range(self.runs):
            seed = self.seed_from + run
            drawn = self.drawn(seed)
            for index, variant in enumerate(self.variants):
                out.append(
                    Job(run, index, seed, variant.scenario, variant.overrides + drawn, drawn, self.policy, self.until)
                )
        return out

    def command(self, job: Job) -> str:
        """The ``outage-tui run`` line that re-runs ``job`` alone (same trace hash)."""
        words = ["outage-tui", "run", job.scenario, "--policy", job.policy, "--seed", str(job.seed)]
        for override in job.overrides:
            words += ["--set", override]
        if job.until is not None:
            words += ["--until", hhmm(job.until) if job.until % 60 == 0 else _hhmmss(job.until)]
        return shlex.join(words)


def _hhmmss(seconds: float) -> str:
    from tui.clock import from_sim

    return from_sim(seconds).strftime("%H:%M:%S")


def _window(scenario: Scenario) -> tuple[float, float]:
    return scenario.time("scenario.start"), scenario.time("scenario.end")


def build_spec(
    scenario: str,
    runs: int,
    seed_from: int,
    policy: str | None,
    sets: list[str],
    vary: list[str],
    compare: list[str],
    until: float | None,
    given: list[str] | None = None,
) -> tuple[SweepSpec, Scenario]:
    """Check every input up front and return the sweep and its loaded base scenario.

    The base scenario's ``[sweep]`` section supplies the ranges when no
    ``--vary`` is given (minus any key pinned with ``--set``), the variants
    when no ``--compare`` is given, the policy when ``policy`` is None and the
    milestones a run must reach for its times to count when ``given`` is None
    (``["none"]``: every run counts). Every variant is loaded once here, so a
    bad ``--compare`` fails before the first run rather than in a worker.
    """
    if runs < 1:
        raise BadInput(f"--runs {runs}: expected a whole number >= 1")
    if seed_from < 0:
        raise BadInput(f"--seed-from {seed_from}: expected a whole number >= 0")
    if policy is not None and policy not in POLICIES:
        raise BadInput(f"--policy {policy}: expected random or canonical")
    base = load_scenario(scenario, sets)
    sweep_defaults = base.data.get("sweep") or {}
    if policy is None:
        policy = sweep_defaults.get("policy", DEFAULT_POLICY)
    conditions = tuple(sweep_defaults.get("given", [])) if given is None else parse_given(given)
    window = _window(base)
    if vary:
        ranges = [parse_vary(text, window) for text in vary]
    else:
        pinned = {text.split("=", 1)[0].strip() for text in sets}
        ranges = [r for r in scenario_ranges(base.data, base.source) if r.key not in pinned]
    keys = [r.key for r in ranges]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise BadInput(f"--vary {repeated[0]}: varied twice, expected each key once")
    compare = compare or list(sweep_defaults.get("compare", []))
    variants = [Variant(base.id if not sets else f"{base.id} " + ",".join(sets), scenario, tuple(sets))]
    for text in compare:
        if "=" in text:
            variant = Variant(text, scenario, (*sets, *split_overrides(text)))
        else:
            variant = Variant(text, text, tuple(sets))
        try:
            loaded = load_scenario(variant.scenario, list(variant.overrides))
        except BadInput as err:
            raise BadInput(f"--compare {one_line(text)}: {err}") from None
        if "=" not in text:
            variant = Variant(loaded.id, text, tuple(sets))
        variants.append(variant)
    names = [v.name for v in variants]
    for index, variant in enumerate(variants):
        if names.count(variant.name) > 1:
            variants[index] = Variant(f"{variant.name} #{index + 1}", variant.scenario, variant.overrides)
    # A range must fit every variant it is applied to (a compared scenario could narrow a window).
    for variant in variants[1:]:
        for r in ranges:
            load_scenario(variant.scenario, [*variant.overrides, f"{r.key}={_end(r)}"])
    return (
        SweepSpec(
            variants=tuple(variants),
            ranges=tuple(ranges),
            runs=runs,
            seed_from=seed_from,
            policy=policy,
            until=until,
            sets=tuple(sets),
            given=conditions,
        ),
        base,
    )


def _end(r: VaryRange) -> str:
    """The low end of a range as a ``--set`` value, to check it against another variant."""
    if r.kind == "bool":
        return "false"
    if r.kind == "time":
        return _hhmmss(r.low)
    return str(int(r.low)) if r.kind == "int" else repr(r.low)
