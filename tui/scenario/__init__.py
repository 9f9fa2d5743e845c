"""Scenario files: load (tomllib), validate, ``--set`` overrides, built-in registry."""

from tui.scenario.load import DEFAULT_SCENARIO, Scenario, builtin_names, load_scenario

__all__ = ["DEFAULT_SCENARIO", "Scenario", "builtin_names", "load_scenario"]
