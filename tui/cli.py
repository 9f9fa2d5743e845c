"""The ``outage-tui`` command line (Typer).

Bad input (usage, scenario files, ``--set``, times) prints one line and exits
2; an internal error exits 1 with a short message, and with ``--debug`` the
traceback. Textual is imported only by the commands that open the UI, so
``--help`` and the headless commands stay fast.

Why one module of this size: the signatures of every subcommand are the command line's
contract with users' scripts, and reading them on one page is how a change to a flag
is noticed. Each command's body is short and delegates (``tui.sweep.command``,
``tui.explore_command``, ``tui.record``, ``tui.app``).
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from tui import __version__
from tui.clock import TimeFormatError, iso, outside_window, parse_sim
from tui.errors import BadInput, one_line
from tui.scenario import DEFAULT_SCENARIO, builtin_names, load_scenario

app = typer.Typer(
    name="outage-tui",
    help="Replay the 20 October 2025 AWS us-east-1 outage as a deterministic simulation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

T = TypeVar("T")


@dataclass(frozen=True)
class Options:
    """What the options before the command say; kept in Typer's context, which each command hands on."""

    debug: bool = False


def cli_options(ctx: typer.Context) -> Options:
    """The options of this invocation (the defaults when a command runs without the main callback)."""
    return ctx.obj if isinstance(ctx.obj, Options) else Options()


def guarded(fn: Callable[[], T], ctx: typer.Context) -> T:
    """Run a command body: bad input -> one line + exit 2; a crash -> exit 1 (and the traceback with --debug)."""
    try:
        return fn()
    except BadInput as err:
        typer.echo(f"outage-tui: {one_line(str(err))}", err=True)
        raise typer.Exit(2) from None
    except typer.Exit:
        raise
    except Exception as err:  # noqa: BLE001 - the CLI's last line of defence
        if cli_options(ctx).debug:
            traceback.print_exc()
        typer.echo(f"outage-tui: internal error: {type(err).__name__}: {err} (run with --debug for details)", err=True)
        raise typer.Exit(1) from None


def user_time(option: str, text: str) -> float:
    try:
        return parse_sim(text)
    except TimeFormatError as err:
        raise BadInput(f"{option} {text}: {err}") from None


def window_time(option: str, text: str, scenario: Any) -> float:
    """A time the user gave that must fall inside the scenario's window (else one line naming it, exit 2)."""
    at = user_time(option, text)
    why = outside_window(text, at, scenario.time("scenario.start"), scenario.time("scenario.end"))
    if why is not None:
        raise BadInput(f"{option} {why}")
    return at


def run_app(app: Any) -> None:
    """Run a Textual app; if it ended on an error (Textual has printed it), exit with its non-zero code."""
    app.run()
    if app.return_code:
        raise typer.Exit(app.return_code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"outage-tui {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of internal errors.")] = False,
) -> None:
    """Replay the 20 October 2025 AWS us-east-1 outage as a deterministic simulation."""
    ctx.obj = Options(debug=debug)


ScenarioArg = Annotated[str, typer.Argument(help="A built-in scenario name or a .toml file.")]
SetOpt = Annotated[
    list[str] | None, typer.Option("--set", metavar="KEY=VALUE", help="Override a scenario value by dotted path.")
]
PolicyOpt = Annotated[str, typer.Option("--policy", help="canonical or random.")]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Seed of the run's RNG (default: the scenario's).")]


def _event_line(event: Any) -> dict[str, Any]:
    return {"at": iso(event.time), **event.as_dict()}


@app.command()
def run(
    ctx: typer.Context,
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    policy: PolicyOpt = "canonical",
    seed: SeedOpt = None,
    until: Annotated[
        str | None, typer.Option("--until", metavar="TIME", help="Stop at HH:MM[:SS] PDT or ISO-8601.")
    ] = None,
    set_: SetOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per event, then a summary line.")] = False,
    events: Annotated[
        str,
        typer.Option(
            "--events", help="Without --json: 'key' (the race, milestones, operators: one screenful) or 'all'."
        ),
    ] = "key",
    record: Annotated[
        str | None, typer.Option("--record", metavar="FILE", help="Write the run to a session file as it goes.")
    ] = None,
    session: Annotated[
        str | None,
        typer.Option("--session", metavar="FILE", help="Replay a session file (its seed, policy and overrides)."),
    ] = None,
) -> None:
    """Run a scenario headless and print its events and summary."""

    def body() -> None:
        from tui.run_output import EventRows, check_events_option, print_run
        from tui.sim.simulation import run_headless

        check_events_option(events)
        if session is not None:
            others = (record, seed, set_, until, policy != "canonical", scenario != DEFAULT_SCENARIO)
            if any(others):
                raise BadInput(
                    f"--session {session}: replays what it recorded, expected no scenario or other run options"
                )
            _run_session(session, as_json, events)
            return
        if policy not in ("canonical", "random"):
            raise BadInput(f"--policy {policy}: expected canonical or random (manual needs the UI: outage-tui replay)")
        loaded = load_scenario(scenario, set_ or [])
        stop = window_time("--until", until, loaded) if until else None
        if record is not None:
            # The same run, with the header and then every move written to the file as it is made.
            from tui.record import record_headless, scenario_path_of

            path = scenario_path_of(loaded, scenario)

            def run_headless(loaded: Any, policy: str, seed: Any, stop: Any, on_event: Any) -> dict[str, Any]:
                return record_headless(loaded, record, policy, seed, stop, on_event=on_event, scenario_path=path)

        if as_json:
            out = sys.stdout
            write = out.write

            def emit(event: Any) -> None:
                write(json.dumps(_event_line(event)) + "\n")

            summary = run_headless(loaded, policy, seed, stop, on_event=emit)
            write(json.dumps({"summary": summary}) + "\n")
            return
        rows = EventRows(events, loaded.get("dns.regional_endpoint"))
        summary = run_headless(loaded, policy, seed, stop, on_event=rows)
        print_run(rows.rows, summary)

    guarded(body, ctx)


def _run_session(file: str, as_json: bool, events: str) -> None:
    """Replay a session headless; a torn last line is reported and the rest replayed."""
    from tui.record import read_session, replay_session
    from tui.run_output import EventRows, print_run

    recorded = read_session(file)
    warning = recorded.warning()
    if warning:
        typer.echo(f"outage-tui: warning: {warning}", err=True)
    if as_json:
        write = sys.stdout.write
        result = replay_session(recorded, on_event=lambda e: write(json.dumps(_event_line(e)) + "\n"))
        write(json.dumps({"summary": result.summary()}) + "\n")
        return
    replayed = replay_session(recorded)
    rows = EventRows(events, replayed.scenario.get("dns.regional_endpoint"))
    print_run(rows.take(replayed.main.events).rows, replayed.summary())


@app.command()
def explore(
    ctx: typer.Context,
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    set_: SetOpt = None,
    strategy: Annotated[str, typer.Option("--strategy", help="exhaustive, random or pct.")] = "exhaustive",
    max_runs: Annotated[int | None, typer.Option("--max-runs", help="Stop after this many runs.")] = None,
    max_seconds: Annotated[
        float | None, typer.Option("--max-seconds", metavar="S", help="Stop after S seconds (the summary says so).")
    ] = None,
    max_states: Annotated[
        int | None, typer.Option("--max-states", metavar="N", help="Stop once N distinct states are seen.")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", metavar="N", help="Split the exhaustive search over N processes (with --cluster: its CPUs)."
        ),
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option("--cluster", metavar="ADDRESS", help="Run it on Ray at ADDRESS ('local' starts one here)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON line.")] = False,
    save: Annotated[
        str | None,
        typer.Option("--save", metavar="DIR", help="Write counterexamples as session files, each with a Markdown."),
    ] = None,
    shrink: Annotated[
        str | None, typer.Option("--shrink", metavar="SESSION", help="Shortest schedule to the same violation.")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random and pct strategies.")] = 0,
    reduction: Annotated[
        bool,
        typer.Option("--reduction/--no-reduction", help="AZ symmetry (else state hashing only)."),
    ] = True,
    pct_changes: Annotated[int, typer.Option("--pct-changes", help="PCT priority-change points per run.")] = 3,
) -> None:
    """Search the DNS core's interleavings for broken invariants (exhaustive, random, PCT)."""

    def body() -> int:
        from tui.explore_command import Options, explore_command

        options = Options(
            strategy=strategy,
            max_runs=max_runs,
            max_seconds=max_seconds,
            max_states=max_states,
            workers=workers,
            cluster=cluster,
            as_json=as_json,
            save=save,
            seed=seed,
            reduction=reduction,
            pct_changes=pct_changes,
        )
        return explore_command(scenario, set_ or [], options, shrink)

    code = guarded(body, ctx)
    if code:
        raise typer.Exit(code)


@app.command()
def sweep(
    ctx: typer.Context,
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    runs: Annotated[int, typer.Option("--runs", help="Runs per variant; run i is seeded S+i.")] = 100,
    seed_from: Annotated[int, typer.Option("--seed-from", metavar="S", help="Seed of the first run.")] = 0,
    policy: Annotated[
        str | None,
        typer.Option(
            "--policy", help="random (reordering and jitter) or canonical; default: the scenario's [sweep] policy."
        ),
    ] = None,
    set_: SetOpt = None,
    vary: Annotated[
        list[str] | None,
        typer.Option(
            "--vary",
            metavar="KEY=LOW..HIGH",
            help="Draw KEY per run from a range (times HH:MM..HH:MM, numbers, true..false), from the run's seed.",
        ),
    ] = None,
    compare: Annotated[
        list[str] | None,
        typer.Option(
            "--compare",
            metavar="SCENARIO_OR_SET",
            help="Also run a scenario, or the base with K=V[,K=V...], on the same seeds (paired).",
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", metavar="N", help="Local worker processes (default: all cores).")
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option("--cluster", metavar="ADDRESS", help="Run on Ray at ADDRESS ('local' starts one here)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line per run, then a summary line.")] = False,
    out: Annotated[
        str | None, typer.Option("--out", metavar="DIR", help="Write runs.jsonl, summary.json and plots to DIR.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", metavar="TIME", help="Stop every run at HH:MM[:SS] PDT.")
    ] = None,
    given: Annotated[
        list[str] | None,
        typer.Option(
            "--given",
            metavar="MILESTONE",
            help="Milestone times over the runs that reached MILESTONE (repeatable; none: every run).",
        ),
    ] = None,
) -> None:
    """Run a scenario many times under varied timing; print milestone distributions and violation rates."""

    def body() -> int:
        from tui.sweep.command import sweep_command

        stop = user_time("--until", until) if until else None
        return sweep_command(
            scenario, runs, seed_from, policy, set_ or [], vary or [], compare or [], workers, cluster, as_json, out,
            stop, given,
        )  # fmt: skip

    code = guarded(body, ctx)
    if code:
        raise typer.Exit(code)


@app.command()
def scenarios(ctx: typer.Context) -> None:
    """List the built-in scenarios, one line each."""

    def body() -> None:
        for name in builtin_names():
            loaded = load_scenario(name)
            typer.echo(f"{name}  {loaded.get('scenario.title')}")

    guarded(body, ctx)


@app.command()
def validate(
    ctx: typer.Context, file: Annotated[str, typer.Argument(help="A scenario .toml file or built-in name.")]
) -> None:
    """Check a scenario file; print one line naming the first problem, or ok."""

    def body() -> None:
        loaded = load_scenario(file)
        typer.echo(f"{file}: ok ({loaded.id}, sha256 {loaded.sha256[:12]})")

    guarded(body, ctx)


@app.command()
def export(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="A session file (from --record).")],
    to: Annotated[
        str,
        typer.Option(
            "--to",
            metavar="FORMAT",
            help="md (postmortem timeline), trace (Perfetto), cast (asciicast v2) or svg (a frame per marker).",
        ),
    ],
    output: Annotated[
        str, typer.Option("-o", "--output", metavar="OUT", help="Where to write ('-' for stdout; svg: a directory).")
    ] = "-",
    size: Annotated[str, typer.Option("--size", metavar="WxH", help="cast, svg: terminal size.")] = "100x30",
    speed: Annotated[float, typer.Option("--speed", help="cast: playback speed (1 = as the UI plays it).")] = 1.0,
    frames: Annotated[
        str,
        typer.Option(
            "--frames",
            metavar="notes|milestones|all",
            help="svg: which moments get a frame (notes: notes and forks); identical consecutive frames make one.",
        ),
    ] = "all",
) -> None:
    """Export a recorded session for a postmortem document or a talk."""

    def body() -> None:
        import math

        from tui.record import read_session, replay_session
        from tui.record.export import DIRECTORY_EXPORTS, exporter
        from tui.record.frames import check_frames

        render = exporter(to)
        check_frames(frames)
        if to in DIRECTORY_EXPORTS and output == "-":
            raise BadInput(f"--to {to}: writes one file per frame, expected -o DIR")
        if not (math.isfinite(speed) and speed > 0):
            raise BadInput(f"--speed {speed}: expected a number > 0")
        width, _, height = size.lower().partition("x")
        if not (width.isdigit() and height.isdigit() and 40 <= int(width) <= 400 and 10 <= int(height) <= 200):
            raise BadInput(f"--size {size}: expected WIDTHxHEIGHT, e.g. 100x30 (40-400 by 10-200)")
        recorded = read_session(file)
        warning = recorded.warning()
        if warning:
            typer.echo(f"outage-tui: warning: {warning}", err=True)
        text = render(
            replay_session(recorded), output=output, size=(int(width), int(height)), speed=speed, frames=frames
        )
        if isinstance(text, list):
            typer.echo(f"{output}: {len(text)} SVG frames")
            return
        if output == "-":
            sys.stdout.write(text)
            return
        try:
            with open(output, "w", encoding="utf-8") as out:
                out.write(text)
        except OSError as err:
            raise BadInput(f"-o {output}: cannot write: {err.strerror}") from None

    guarded(body, ctx)


@app.command()
def replay(
    ctx: typer.Context,
    scenario: ScenarioArg = DEFAULT_SCENARIO,
    speed: Annotated[float, typer.Option("--speed", help="Display speed (1 = the whole window in minutes).")] = 1.0,
    paused: Annotated[bool, typer.Option("--paused", help="Open paused at the start of the scenario.")] = False,
    policy: Annotated[str, typer.Option("--policy", help="canonical, random or manual (pick with 1-9).")] = "canonical",
    seed: SeedOpt = None,
    set_: SetOpt = None,
    record: Annotated[
        str | None, typer.Option("--record", metavar="FILE", help="Record the session to FILE as it is played.")
    ] = None,
    session: Annotated[
        str | None,
        typer.Option("--session", metavar="FILE", help="Reopen a recorded session, paused at its end."),
    ] = None,
    sweep_dir: Annotated[
        str | None,
        typer.Option(
            "--sweep",
            metavar="DIR",
            help="Browse a sweep's --out directory; Enter opens a run beside the current timeline.",
        ),
    ] = None,
) -> None:
    """Open the replay UI: watch, pause, step, pick interleavings by hand, fork, compare, record and annotate."""

    def body() -> None:
        import math

        if sweep_dir is not None and any(
            (seed is not None, set_, policy != "canonical", scenario != DEFAULT_SCENARIO, session)
        ):
            raise BadInput(
                f"--sweep {sweep_dir}: plays the sweep's own scenario and policy, expected no scenario or run options"
            )
        if not (math.isfinite(speed) and speed > 0):
            raise BadInput(f"--speed {speed}: expected a number > 0")
        if session is not None and any((seed is not None, set_, policy != "canonical", scenario != DEFAULT_SCENARIO)):
            raise BadInput(
                f"--session {session}: reopens what it recorded, expected no scenario, --policy, --seed or --set"
            )
        if session is not None and record is not None and Path(record).resolve() == Path(session).resolve():
            raise BadInput(f"--record {record}: the session being reopened, expected another file")
        from tui.app import create_app

        app = create_app(
            scenario,
            set_ or [],
            policy=policy,
            seed=seed,
            speed=speed,
            paused=paused,
            record=record,
            session=session,
            sweep=sweep_dir,
        )
        warning = app.config.reopen.session.warning() if app.config.reopen is not None else None
        if warning:
            typer.echo(f"outage-tui: warning: {warning}", err=True)
        run_app(app)

    guarded(body, ctx)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def serve(
    ctx: typer.Context,
    words: Annotated[
        list[str] | None, typer.Argument(metavar="replay|present ARGS", help="What to run in the page.")
    ] = None,
    port: Annotated[str, typer.Option("--port", metavar="P", help="Port on 127.0.0.1.")] = "8000",
) -> None:
    """Serve the replay UI in a browser on this machine only (127.0.0.1), for screen sharing and projectors."""

    def body() -> None:
        from tui.serve import serve as serve_in_browser

        serve_in_browser(words or [], port)

    guarded(body, ctx)


@app.command()
def present(
    ctx: typer.Context,
    session: Annotated[str, typer.Argument(metavar="FILE", help="A recorded session (replay --record, or r).")],
    speaker: Annotated[
        bool, typer.Option("--speaker", help="The speaker view: follow the presenting app over a local socket.")
    ] = False,
) -> None:
    """Give a talk from a recording: its markers in order (→ space next, ← previous, N enter, Home, End)."""

    def body() -> None:
        if speaker:
            from tui.record import read_session

            read_session(session)  # a bad file is one line here too, not a speaker view that waits forever
            from tui.app.speaker import SpeakerApp

            run_app(SpeakerApp(session))
            return
        from tui.app import create_presenter

        app = create_presenter(session)
        warning = app.config.reopen.session.warning() if app.config.reopen is not None else None
        if warning:
            typer.echo(f"outage-tui: warning: {warning}", err=True)
        run_app(app)

    guarded(body, ctx)


@app.command()
def fidelity(ctx: typer.Context, scenario: ScenarioArg = DEFAULT_SCENARIO, set_: SetOpt = None) -> None:
    """Run a scenario and print milestone, AWS time, simulated time and difference as Markdown."""

    def body() -> None:
        from tui.fidelity import TOLERANCE_MIN, fidelity_table, markdown
        from tui.sim.simulation import run_headless

        rows = fidelity_table(run_headless(load_scenario(scenario, set_ or [])))
        typer.echo(markdown(rows))
        outside = [r.milestone for r in rows if r.within_tolerance is False]
        if outside:
            typer.echo(f"outside +/-{TOLERANCE_MIN} min: {', '.join(outside)}", err=True)

    guarded(body, ctx)


def entry() -> None:
    """Console-script entry point: usage errors exit 2 (Click's default)."""
    app()


if __name__ == "__main__":
    entry()
