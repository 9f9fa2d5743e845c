"""The Textual replay app. ``create_app`` is the one factory the CLI, tests and screenshots use."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import trio

    from tui.app.app import ReplayApp
    from tui.session.session import SessionConfig


def create_app(
    scenario: str | None = None,
    overrides: list[str] | tuple[str, ...] = (),
    policy: str = "canonical",
    seed: int | None = None,
    speed: float = 1.0,
    paused: bool = False,
    trio_clock: trio.abc.Clock | None = None,
    record: str | None = None,
    session: str | None = None,
    sweep: str | None = None,
) -> ReplayApp:
    """Build the replay app; bad input raises :class:`tui.errors.BadInput` before any UI starts.

    ``record`` writes the session to that file from the start; ``session``
    reopens a recorded one (its scenario, overrides, policy and seed; the
    other run options are refused), replayed headless here first so a bad
    file is a one-line error, not a broken screen. ``sweep`` opens a sweep's
    ``--out`` directory: the session plays its base scenario (with the
    sweep's ``--set`` values) under the sweep's policy, paused behind the
    sweep screen, and each run picked there opens as a timeline of its own.
    """
    from tui.app.app import ReplayApp
    from tui.record import scenario_path_of
    from tui.scenario import DEFAULT_SCENARIO, load_scenario
    from tui.session.session import SessionConfig
    from tui.sim.policies import make_policy

    if record is not None:
        from pathlib import Path

        from tui.errors import BadInput

        if not Path(record).resolve().parent.is_dir():
            raise BadInput(f"--record {record}: cannot write the session: no such directory")
    if session is not None:
        return _reopen_app(session, speed, record, trio_clock)
    files = None
    if sweep is not None:
        from tui.app.screens.sweep import read_sweep

        files = read_sweep(sweep)
        base = files.summary["variants"][0]
        scenario, overrides, policy = base["scenario"], files.summary.get("set", []), files.summary["policy"]
        paused = True
    make_policy(policy)
    given = scenario or DEFAULT_SCENARIO
    loaded = load_scenario(given, list(overrides))
    config = SessionConfig(
        loaded,
        policy=policy,
        seed=seed,
        speed=speed,
        paused=paused,
        record=record,
        scenario_path=scenario_path_of(loaded, given),
    )
    return ReplayApp(config, trio_clock=trio_clock, sweep=files)


def create_presenter(session: str, trio_clock: trio.abc.Clock | None = None, link: bool = True) -> ReplayApp:
    """``outage-tui present``: the recording reopened in the presenting app (``link``: listen for a speaker view)."""
    from tui.app.present import PresentApp

    config = _reopen_config(session, 1.0, None)
    return PresentApp(config, trio_clock=trio_clock, recording=session, link=link)


def _reopen_app(session: str, speed: float, record: str | None, trio_clock: trio.abc.Clock | None) -> ReplayApp:
    from tui.app.app import ReplayApp

    return ReplayApp(_reopen_config(session, speed, record), trio_clock=trio_clock)


def _reopen_config(session: str, speed: float, record: str | None) -> SessionConfig:
    from tui.record import read_session, replay_session, scenario_for
    from tui.record.markers import markers
    from tui.record.replay import opener_for
    from tui.session.session import SessionConfig

    recorded = read_session(session)
    scenario = scenario_for(recorded)
    # A checkpoint at every marker: going to one (presenting, or [ and ]) restores it, replaying nothing.
    stops: dict[str, set[int]] = {}
    for marker in markers(recorded):
        stops.setdefault(marker.timeline, set()).add(marker.step)
    replay = replay_session(recorded, scenario, checkpoint_at=stops)
    header = recorded.header
    config = SessionConfig(
        scenario,
        policy=header.policy,
        seed=header.seed,
        speed=speed,
        paused=True,
        record=record,
        scenario_path=header.scenario_path,
        reopen=replay,
        world=header.world,
        opener=opener_for(header.world),
    )
    return config


__all__ = ["create_app", "create_presenter"]
