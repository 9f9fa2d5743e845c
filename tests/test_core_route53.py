"""Route 53 rules: atomic batches, the TXT lock, rollback, clean-up threshold."""

from __future__ import annotations

import dataclasses

import pytest

from tui.sim.components.route53 import (
    CreateTree,
    DeleteTrees,
    FlipAlias,
    Lock,
    RequireNewer,
    Route53,
    TakeLock,
    Zone,
)

EP = "dynamodb.us-east-1.amazonaws.com"


def zone_with(*gens: int, alias: int | None = None, fallback: bool = False) -> Route53:
    r53 = Route53([EP], fallback_to_rollback=fallback)
    for g in gens:
        r53.change_batch(EP, [CreateTree(g, (f"10.0.0.{g}",))], 0)
    if alias is not None:
        r53.change_batch(EP, [FlipAlias(alias, "setup")], 0)
    return r53


def test_lock_held_by_someone_else_until_it_expires() -> None:
    lock = Lock("use1-az2", expiry=10)
    assert lock.held_by_other("use1-az1", now=5)
    assert not lock.held_by_other("use1-az2", now=5)
    assert not lock.held_by_other("use1-az1", now=10)


def test_batch_aborts_as_a_whole_when_the_lock_changed_since_it_was_read() -> None:
    r53 = zone_with(1, alias=1)
    read = r53.zones[EP].lock
    assert r53.change_batch(EP, [TakeLock(read, "use1-az2", 5)], 0).ok
    result = r53.change_batch(EP, [TakeLock(read, "use1-az1", 5), CreateTree(2, ("x",)), FlipAlias(2, "use1-az1")], 1)
    assert not result.ok and "lock changed" in result.reason
    zone = r53.zones[EP]
    assert zone.alias == 1 and 2 not in zone.trees and zone.lock.holder == "use1-az2"


def test_flip_repoints_rollback_at_the_previous_tree_in_the_same_batch() -> None:
    r53 = zone_with(1, 2, alias=1)
    assert r53.change_batch(EP, [FlipAlias(2, "use1-az1")], 0).ok
    zone = r53.zones[EP]
    assert (zone.alias, zone.rollback, zone.writer) == (2, 1, "use1-az1")


def test_rollback_to_a_deleted_plan_aborts_every_later_batch() -> None:
    r53 = zone_with(1, 5, alias=1)
    assert r53.change_batch(EP, [DeleteTrees(below=3)], 0).deleted_active
    assert r53.zones[EP].answer() == ()
    result = r53.change_batch(EP, [FlipAlias(5, "use1-az2")], 1)
    assert not result.ok and "rollback record cannot point at deleted plan 1" in result.reason


def test_tolerant_rollback_repairs_and_falls_back_to_the_rollback_tree() -> None:
    r53 = zone_with(1, 2, 5, fallback=True, alias=2)
    r53.change_batch(EP, [FlipAlias(1, "straggler")], 0)  # stale plan over 2; rollback -> 2
    r53.change_batch(EP, [DeleteTrees(below=2)], 0)  # clean-up deletes the active plan 1
    assert r53.zones[EP].answer() == ("10.0.0.2",)  # served from the rollback tree
    assert r53.change_batch(EP, [FlipAlias(5, "use1-az2", tolerate_missing_rollback=True)], 1).ok
    assert r53.zones[EP].answer() == ("10.0.0.5",)


def test_recheck_inside_the_batch_refuses_a_stale_plan() -> None:
    r53 = zone_with(1, 9, alias=9)
    result = r53.change_batch(EP, [RequireNewer(1), FlipAlias(1, "straggler")], 0)
    assert not result.ok and "not newer" in result.reason
    assert r53.zones[EP].alias == 9


def test_cleanup_deletes_only_trees_below_the_threshold() -> None:
    r53 = zone_with(*range(1, 11), alias=10)
    result = r53.change_batch(EP, [DeleteTrees(below=7)], 0)
    assert result.deleted == (1, 2, 3, 4, 5, 6)
    assert sorted(r53.zones[EP].trees) == [7, 8, 9, 10]


def test_protected_cleanup_spares_active_and_rollback() -> None:
    r53 = zone_with(1, 2, 9, alias=2)
    r53.change_batch(EP, [FlipAlias(1, "straggler")], 0)  # active 1, rollback 2
    result = r53.change_batch(EP, [DeleteTrees(below=9, protect_active=True)], 0)
    assert result.deleted == () and not result.deleted_active
    assert r53.zones[EP].answer() == ("10.0.0.1",)


def test_authoritative_answer_changes_only_when_published() -> None:
    r53 = zone_with(1, alias=1)
    r53.publish(0)
    r53.change_batch(EP, [DeleteTrees(below=5)], 1)
    assert r53.authoritative[EP][0] == ("10.0.0.1",)
    assert r53.publish(2) == [EP]
    assert r53.authoritative[EP][0] == ()



def unchanged(zone: Zone) -> tuple[object, ...]:
    return (dict(zone.trees), zone.alias, zone.rollback, zone.lock, zone.writer)


def test_a_batch_or_a_repair_puts_a_new_zone_in_place_and_leaves_the_old_one_as_it_was() -> None:
    """Zones are values: saved states share them, so nothing may change one that is already in place."""
    r53 = zone_with(1, 2, alias=2)
    for change in (
        lambda: r53.change_batch(EP, [TakeLock(r53.zones[EP].lock, "use1-az1", 5), DeleteTrees(below=2)], 0),
        lambda: r53.change_batch(EP, [CreateTree(3, ("x",)), FlipAlias(3, "use1-az1")], 0),
        lambda: r53.repair(EP, 4, ("y",), "operator", 0),
    ):
        before = r53.zones[EP]
        as_it_was = unchanged(before)
        change()
        assert r53.zones[EP] is not before
        assert unchanged(before) == as_it_was
    assert r53.zones[EP].alias == 4 and sorted(r53.zones[EP].trees) == [2, 3, 4]
    with pytest.raises(dataclasses.FrozenInstanceError):
        before.alias = 3  # type: ignore[misc]
