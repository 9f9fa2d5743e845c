"""Text shown exactly as it is where Textual reads markup: border titles and the command palette's entries.

Fork names are typed by people, and a name such as ``[x=main~1`` is not
valid markup: shown as a border title or a palette entry it would end the
app. Labels can turn markup off (``markup=False``); these places cannot.
"""

from __future__ import annotations


def literal(text: str) -> str:
    """``text`` with every ``[`` escaped, so markup reads it back as the very same characters."""
    return text.replace("[", "\\[")
