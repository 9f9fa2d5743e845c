"""Scenario files and user times: every bad input is one line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tui.cli import app
from tui.clock import TimeFormatError, iso, parse_sim, parse_time
from tui.scenario import DEFAULT_SCENARIO, builtin_names, load_scenario
from tui.scenario.load import builtin_dir

BASE = (builtin_dir() / "us-east-1-2025-10-20.toml").read_text()
runner = CliRunner()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.toml"
    path.write_text(text)
    return path


BROKEN = {
    "syntax error": (BASE.replace("enactors = 3", "enactors = = 3"), "line "),
    "wrong type": (BASE.replace("interval_s = 15", 'interval_s = "fast"'), "dns.planner.interval_s"),
    "unknown key": (BASE.replace("enactors = 3", "enactors = 3\nenactorz = 2"), "dns.enactorz"),
    "missing section": (
        BASE.replace("[dns.route53]\n", "").replace("[dns.route53.sources]\n", "").replace("propagation_s = ", "#"),
        "dns.route53",
    ),
    "negative duration": (BASE.replace("lock_ttl_s = 2", "lock_ttl_s = -2"), "dns.enactor.lock_ttl_s"),
    "zero timeout": (BASE.replace("propagation_s = 2", "propagation_s = 0"), "dns.route53.propagation_s"),
    "unknown component": (BASE.replace('enactor = "use1-az1"', 'enactor = "use1-az9"'), "faults.slow_enactor.enactor"),
    "unknown operator": (BASE.replace("[operators.restore-dns]", "[operators.reboot-everything]"), "operators."),
    "time outside window": (BASE.replace('at = "02:25"', 'at = "16:30"'), "operators.restore-dns.at"),
    "number without source": (BASE.replace('poll_s = "assumed"\n', ""), "dns.enactor.sources.poll_s"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
@pytest.mark.parametrize("command", ["validate", "run"])
def test_broken_scenario_gives_one_line_and_exit_2(tmp_path: Path, case: str, command: str) -> None:
    text, where = BROKEN[case]
    path = write(tmp_path, text)
    result = runner.invoke(app, [command, str(path)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert str(path) in lines[0] and where in lines[0] and "expected" in lines[0]
    assert "Traceback" not in result.output


def test_builtins_resolve_by_name_and_validate() -> None:
    assert {"us-east-1-2025-10-20", "us-east-1-2025-10-20-fixed"} <= set(builtin_names())
    fixed = load_scenario("us-east-1-2025-10-20-fixed")
    assert fixed.get("fixes.recheck_in_batch") and fixed.get("dns.enactors") == 3
    assert fixed.sha256 != load_scenario("us-east-1-2025-10-20").sha256


def test_every_number_in_the_builtin_scenarios_has_a_source() -> None:
    def walk(node: dict, path: str) -> None:
        numbers = [k for k, v in node.items() if isinstance(v, int | float) and not isinstance(v, bool)]
        for key in numbers:
            assert key in node.get("sources", {}), f"{path}.{key} has no source"
        for key, value in node.items():
            if isinstance(value, dict) and key != "sources":
                walk(value, f"{path}.{key}")

    for name in builtin_names():
        walk(load_scenario(name).data, name)


def test_set_overrides_are_type_checked() -> None:
    assert load_scenario("us-east-1-2025-10-20", ["dns.planner.interval_s=20"]).get("dns.planner.interval_s") == 20
    moved = load_scenario("us-east-1-2025-10-20", ["operators.restore-dns.at=03:10"])
    assert moved.time("operators.restore-dns.at") == parse_sim("03:10")
    for bad in ["dns.planner.interval_s=-1", "dns.nothing=1", "dns.planner.interval_s=abc", "noequals"]:
        result = runner.invoke(app, ["run", "--until", "23:41", "--set", bad])
        assert result.exit_code == 2, (bad, result.output)
        assert len(result.output.strip().splitlines()) == 1 and "--set" in result.output


def test_user_times_read_as_pdt_inside_the_incident() -> None:
    assert iso(parse_sim("23:48")) == "2025-10-19T23:48:00-07:00"
    assert iso(parse_sim("02:25:30")) == "2025-10-20T02:25:30-07:00"
    assert parse_sim("2025-10-20T09:25:00Z") == parse_sim("02:25")
    assert parse_time("2025-10-20T02:25:00-07:00") == parse_time("02:25")
    for bad in ["25:00", "2:5", "noon", "2025-10-20", "12:61"]:
        with pytest.raises(TimeFormatError):
            parse_time(bad)


def test_bad_until_is_one_line_exit_2() -> None:
    result = runner.invoke(app, ["run", "--until", "half past two"])
    assert result.exit_code == 2 and "--until" in result.output and len(result.output.strip().splitlines()) == 1


def test_unknown_scenario_name_lists_the_builtins() -> None:
    result = runner.invoke(app, ["run", "no-such-night"])
    assert result.exit_code == 2 and "us-east-1-2025-10-20" in result.output


def test_a_narrower_window_loads_though_the_sweep_ranges_reach_past_it() -> None:
    """``--set scenario.end=05:00`` is a shorter run; the [sweep] ranges matter only to a sweep, which refuses."""
    from tui.errors import BadInput
    from tui.sweep.spec import build_spec

    short = load_scenario(overrides=["scenario.end=05:00"])
    assert short.data["scenario"]["end"] == "05:00"
    with pytest.raises(BadInput, match=r"sweep\.vary\..*outside the scenario's window.*to 05:00"):
        build_spec(DEFAULT_SCENARIO, 2, 0, None, ["scenario.end=05:00"], [], [], None)
    with pytest.raises(BadInput, match=r"sweep\.vary\.operators\.restore-dns\.at"):
        load_scenario(overrides=["sweep.vary.operators.restore-dns.at=01:00..09:00", "scenario.end=05:00"])
