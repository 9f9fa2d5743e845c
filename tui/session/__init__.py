"""A running timeline and its forks, driven by commands; no UI code here.

``Session`` owns the simulations inside one Trio nursery; ``commands`` are
what a front end may ask; ``views`` are the frozen snapshots it receives.
"""

from tui.record.picks import Pick, divergence
from tui.session.commands import Command
from tui.session.pacing import Pacer
from tui.session.session import Session, SessionConfig
from tui.session.timeline import Timeline
from tui.session.views import Comparison, DnsView, Snapshot, display_name

__all__ = [
    "Command",
    "Comparison",
    "DnsView",
    "Pacer",
    "Pick",
    "Session",
    "SessionConfig",
    "Snapshot",
    "Timeline",
    "display_name",
    "divergence",
]
