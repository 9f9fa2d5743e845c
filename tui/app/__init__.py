"""The Textual replay app. ``create_app`` is the one factory the CLI, tests and screenshots use."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import trio

    from tui.app.app import ReplayApp


def create_app(
    scenario: str | None = None,
    overrides: list[str] | tuple[str, ...] = (),
    policy: str = "canonical",
    seed: int | None = None,
    speed: float = 1.0,
    paused: bool = False,
    trio_clock: trio.abc.Clock | None = None,
) -> ReplayApp:
    """Build the replay app; bad input raises :class:`tui.errors.BadInput` before any UI starts."""
    from tui.app.app import ReplayApp
    from tui.scenario import DEFAULT_SCENARIO, load_scenario
    from tui.session.session import SessionConfig
    from tui.sim.policies import make_policy

    make_policy(policy)
    loaded = load_scenario(scenario or DEFAULT_SCENARIO, list(overrides))
    config = SessionConfig(loaded, policy=policy, seed=seed, speed=speed, paused=paused)
    return ReplayApp(config, trio_clock=trio_clock)


__all__ = ["create_app"]
