"""Incident time: PDT wall-clock stamps <-> virtual seconds of the simulation.

Virtual time is seconds since the first impact, 23:48:00 PDT on Sun 19 Oct
2025 (negative during the lead-in). The incident window is the design card's
15h32m, from 23:48 on 19 Oct to 15:20 on 20 Oct.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

PDT = timezone(timedelta(hours=-7), "PDT")
INCIDENT_START = datetime(2025, 10, 19, 23, 48, tzinfo=PDT)
WINDOW = timedelta(hours=15, minutes=32)
INCIDENT_END = INCIDENT_START + WINDOW
WINDOW_SECONDS = WINDOW.total_seconds()

_HHMM = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


class TimeFormatError(ValueError):
    """A time given by a user that is not HH:MM, HH:MM:SS or ISO-8601."""


def parse_time(text: str) -> datetime:
    """Read ``HH:MM[:SS]`` as PDT in the incident (23:xx is 19 Oct, else 20 Oct) or ISO-8601.

    An ISO-8601 stamp without an offset is read as PDT.
    """
    text = text.strip()
    match = _HHMM.match(text)
    if match:
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise TimeFormatError(f"{text!r} is not a valid time of day")
        day = 19 if hour == 23 else 20
        return datetime(2025, 10, day, hour, minute, second, tzinfo=PDT)
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise TimeFormatError(
            f"{text!r} is not a time: expected HH:MM or HH:MM:SS (PDT) or an ISO-8601 timestamp"
        ) from None
    if "T" not in text and " " not in text:
        raise TimeFormatError(f"{text!r} is a date without a time: expected HH:MM or a full ISO-8601 timestamp")
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=PDT)


def to_sim(stamp: datetime) -> float:
    """Virtual seconds since 23:48:00 PDT on 19 Oct 2025."""
    return (stamp - INCIDENT_START).total_seconds()


def from_sim(seconds: float) -> datetime:
    return (INCIDENT_START + timedelta(seconds=seconds)).astimezone(PDT)


def iso(seconds: float) -> str:
    """ISO-8601 with UTC offset, to the second: ``2025-10-19T23:48:07-07:00``."""
    return from_sim(round(seconds)).isoformat()


def pdt_clock(seconds: float) -> str:
    """The header clock: ``Sun 19 Oct 23:48:07 PDT``."""
    return from_sim(seconds).strftime("%a %d %b %H:%M:%S PDT")


def hhmm(seconds: float) -> str:
    return from_sim(seconds).strftime("%H:%M")


def parse_sim(text: str) -> float:
    """A user time straight to virtual seconds."""
    return to_sim(parse_time(text))


def _day_time(seconds: float) -> str:
    stamp = from_sim(seconds)
    clock = stamp.strftime("%H:%M:%S" if stamp.second else "%H:%M")
    return f"{clock} {stamp.strftime('%a %d %b')}"


def window_words(start: float, end: float) -> str:
    """A scenario's window as people read it: ``23:40 Sun 19 Oct to 15:20 Mon 20 Oct PDT``.

    ``HH:MM`` alone is read as 19 Oct for 23:xx and 20 Oct otherwise, so a
    refused time is only explained once the days are named.
    """
    return f"{_day_time(start)} to {_day_time(end)} PDT"


def outside_window(text: str, at: float, start: float, end: float) -> str | None:
    """Why a user time falls outside ``[start, end]``, naming the day it was read as; None when inside."""
    if start <= at <= end:
        return None
    read_as = from_sim(at).strftime("%a %d %b")
    return f"{text.strip()} ({read_as}) is outside the window: expected a time from {window_words(start, end)}"
