"""The breadth-first search split over partitions: who expands a state never changes what is found."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from tui.explore.bfs import Partition, bfs, owner
from tui.explore.parallel import shares
from tui.scenario import load_scenario

ONE_ENDPOINT = 'dns.endpoints=["dynamodb.us-east-1.amazonaws.com"]'
#: Two Enactors, three plans, clean-up one generation back: some 4,700 states, with violations.
SMALL = ["dns.enactors=2", "dns.max_plans=3", "dns.cleanup_threshold=1", ONE_ENDPOINT]

Spread = Callable[[Sequence[int]], list[list[int]]]


def _rotate_half(loads: Sequence[int]) -> list[list[int]]:
    """Every partition sends half its next states to the next one: far more moving than ever needed."""
    count = len(loads)
    send = [[0] * count for _ in range(count)]
    for i, load in enumerate(loads):
        send[i][(i + 1) % count] = load // 2
    return send


def _partitioned(count: int, spread: Spread) -> dict[str, Any]:
    """The partition protocol in this process, the coordinator's rounds written out, and what it found."""
    sc = load_scenario("us-east-1-2025-10-20", SMALL)
    parts = [Partition(sc, index=i, count=count, keep_edges=True) for i in range(count)]
    fp, blob, viol, marked = parts[0].root()
    parts[owner(fp, count)].plant(fp, blob, viol, marked)
    transitions = moved = 0
    expanded = [0] * count
    while True:
        rounds = [p.expand() for p in parts]
        transitions += sum(level.transitions for _, level in rounds)
        for i, (_, level) in enumerate(rounds):
            expanded[i] += level.expanded
        merged = [p.merge([r[0][j] for r in rounds]) for j, p in enumerate(parts)]
        loads = [sum(m[1][g] for m in merged) for g in range(count)]
        send = spread(loads)
        moved += sum(map(sum, send))
        sent = [p.adopt([m[0][g] for m in merged], send[g]) for g, p in enumerate(parts)]
        sizes = [p.accept([s[j] for s in sent]) for j, p in enumerate(parts)]
        assert sum(sizes) == sum(loads)  # every new state is expanded by exactly one partition
        for p in parts:  # whoever expands a state carries its owner's record of it
            for fp, _, viol, marked in p.frontier:
                home = parts[owner(fp, count)]
                assert (viol, marked) == (home.visited[fp].violations, fp in home.marked)
        if not sum(sizes):
            break
    parents: dict[bytes, tuple[bytes | None, str]] = {}
    first: dict[bytes, int] = {}
    edges: dict[bytes, dict[str, bytes]] = {}
    for p in parts:
        parents.update(p.parents())
        first.update(p.violating())
        assert not edges.keys() & p.edges.keys()  # no state expanded twice
        edges.update(p.edges)
    return {
        "parents": parents,
        "first": first,
        "edges": edges,
        "transitions": transitions,
        "moved": moved,
        "expanded": expanded,
    }


@pytest.fixture(scope="module")
def single():  # type: ignore[no-untyped-def]
    return bfs(load_scenario("us-east-1-2025-10-20", SMALL), keep_edges=True)


@pytest.mark.parametrize(("count", "spread"), [(1, shares), (2, shares), (3, _rotate_half)])
def test_partitions_find_what_one_process_finds(count: int, spread: Spread, single) -> None:  # type: ignore[no-untyped-def]
    """Parents (so depths and shortest counterexamples), first violations and every edge are the same
    whether a state is expanded by its owner, by its parent edge's generator, or by a partition it was
    sent on to."""
    found = _partitioned(count, spread)
    assert found["parents"] == single.parents
    assert found["first"] == single.first and single.first
    assert found["edges"] == single.edges
    assert found["transitions"] == single.transitions
    if spread is _rotate_half:
        assert found["moved"] > len(single.parents) // 3  # the states really did travel
    else:  # evened out: without it the partition that expands the root would expand everything
        assert max(found["expanded"]) <= sum(found["expanded"]) / count * 1.1


def test_shares_leave_balanced_partitions_alone() -> None:
    assert shares([100, 101]) == [[0, 0], [0, 0]]
    assert shares([0, 0, 0]) == [[0] * 3] * 3
    assert shares([7]) == [[0]]


@pytest.mark.parametrize("loads", [[100, 0], [300, 100], [5, 90, 10], [10, 10, 80, 0], [1, 0]])
def test_shares_even_out_the_busiest_by_moving_no_more_than_needed(loads: list[int]) -> None:
    send = shares(loads)
    count, total = len(loads), sum(loads)
    after = [loads[i] - sum(send[i]) + sum(send[j][i] for j in range(count)) for i in range(count)]
    assert sum(after) == total
    assert max(after) - min(after) <= 1
    for i in range(count):
        assert send[i][i] == 0
        assert not (sum(send[i]) and any(send[j][i] for j in range(count)))  # nobody both sends and receives
        assert sum(send[i]) <= max(0, loads[i] - total // count)
    assert shares(loads) == send  # the counts alone decide
