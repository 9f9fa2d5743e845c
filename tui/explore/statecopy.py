"""Copies of a run's plain data for the searches' snapshots: deep where mutable, shared where a value.

A search keeps one state per open state and restores it once per move to
try from it, and the components' state and the world are small graphs of
plain objects (dataclasses, dicts, lists, tuples of values). Pickling such a
graph and reading it back costs a byte stream and a class lookup per object;
copying it object by object, sharing what cannot change, costs a third.

What is shared rather than copied: numbers, strings, bytes, ``None``,
functions and classes, and instances of frozen dataclasses (values by the
codebase's convention: a plan, a lock, an action, the scenario). Tuples and
frozensets are shared when everything in them is. Dicts, lists, sets, and
objects with a ``__dict__`` or slots are copied, with their contents copied
the same way. Anything else goes to :func:`copy.deepcopy`, so a new kind of
object in a component's state makes a snapshot slower, never wrong.
"""

from __future__ import annotations

import copy
import dataclasses
import types
from collections.abc import Callable
from typing import Any

#: Types whose instances are shared by every copy.
_SHARED: set[type] = {
    int,
    float,
    complex,
    str,
    bytes,
    bool,
    type(None),
    types.FunctionType,
    types.BuiltinFunctionType,
    type,
    range,
}

_COPIERS: dict[type, Callable[[Any], Any]] = {}


def plain_copy(obj: Any) -> Any:
    """A copy of ``obj`` that shares nothing mutable with it (see the module docstring)."""
    kind = type(obj)
    if kind in _SHARED:
        return obj
    copier = _COPIERS.get(kind)
    if copier is None:
        copier = _COPIERS[kind] = _copier_for(kind)
    return copier(obj)


def _same(obj: Any) -> Any:
    return obj


def _copy_dict(obj: dict[Any, Any]) -> dict[Any, Any]:
    out = obj.copy()
    shared, copiers = _SHARED, _COPIERS
    for key, value in out.items():
        kind = type(value)
        if kind not in shared:
            copier = copiers.get(kind)
            out[key] = plain_copy(value) if copier is None else copier(value)
    return out


def _copy_list(obj: list[Any]) -> list[Any]:
    shared = _SHARED
    return [value if type(value) in shared else plain_copy(value) for value in obj]


def _copy_tuple(obj: tuple[Any, ...]) -> tuple[Any, ...]:
    try:
        hash(obj)
    except TypeError:  # something mutable inside
        return tuple(plain_copy(value) for value in obj)
    return obj


def _copy_frozenset(obj: frozenset[Any]) -> frozenset[Any]:
    copied = frozenset(plain_copy(value) for value in obj)
    return obj if all(type(value) in _SHARED for value in obj) else copied


def _copy_set(obj: set[Any]) -> set[Any]:
    return {plain_copy(value) for value in obj}


def _object_copier(kind: type) -> Callable[[Any], Any]:
    """Copy an instance field by field: its ``__dict__`` and its slots, without calling ``__init__``."""
    slots = [
        name
        for klass in kind.__mro__
        for name in klass.__dict__.get("__slots__", ())
        if name not in ("__dict__", "__weakref__")
    ]
    new = object.__new__
    has_dict = any("__dict__" in vars(klass) for klass in kind.__mro__)
    setter = object.__setattr__

    def copier(obj: Any) -> Any:
        out = new(kind)
        if has_dict:
            out.__dict__ = _copy_dict(obj.__dict__)
        for name in slots:
            try:
                value = getattr(obj, name)
            except AttributeError:
                continue
            setter(out, name, value if type(value) in _SHARED else plain_copy(value))
        return out

    return copier


def _copier_for(kind: type) -> Callable[[Any], Any]:
    if dataclasses.is_dataclass(kind) and kind.__dataclass_params__.frozen:  # type: ignore[attr-defined]
        _SHARED.add(kind)
        return _same
    exact = {dict: _copy_dict, list: _copy_list, tuple: _copy_tuple, frozenset: _copy_frozenset, set: _copy_set}
    if kind in exact:
        return exact[kind]
    plain = kind.__reduce_ex__ is object.__reduce_ex__ and getattr(kind, "__deepcopy__", None) is None
    if plain and kind.__new__ is object.__new__ and not issubclass(kind, (dict, list, tuple, set, frozenset)):
        return _object_copier(kind)
    return copy.deepcopy
