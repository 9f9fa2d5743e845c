"""JSON helpers shared by layers that must not depend on each other.

The scenario hash needs one stable JSON encoding; it lives here rather than in
the simulation so that ``tui.scenario`` stays free of ``tui.sim``.
"""

from __future__ import annotations

import json
from typing import Any


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, ASCII only: the same value always gives the same text, hence the same hash."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
