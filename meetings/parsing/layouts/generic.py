"""Fallback for documents no specific layout claims: the engine with loose forms.

Finds numbered items generically - "Punkt N. Title", "N (Offentlig) Title",
and, only when a document has neither, "N. Title" (which numbered lists in
the body also match; the longest run of consecutive numbers wins) - and fills
what it can without layout knowledge: case numbers and a handler's e-mail
under the header, a recommendation after "Det indstilles," and a decision
after a "Beslutning" caption. It reads no meeting header beyond the first
date. It always adds UNKNOWN_LAYOUT_WARNING, and returns no meetings (with a
warning) when it finds no items at all.
"""

from __future__ import annotations

import re

from ..engine.system import System, rx
from ..normalise import NormalisedText

NAME = "generic"
UNKNOWN_LAYOUT_WARNING = "unknown layout: parsed with the generic strategy"

SYSTEM = System(
    name=NAME,
    signatures=(),
    headers=(
        rx(r"^Punkt\s+(?P<number>\d{1,3})\s*[.:]?\s*(?P<title>.*)$", re.IGNORECASE),
        rx(
            r"^(?P<number>\d{1,3})\s*\((?P<access>Offentlig|Åben|Åbent|Fortrolig|Lukket|"
            r"Lukket punkt)\)\s*(?P<title>.*)$",
            re.IGNORECASE,
        ),
    ),
    fallback_headers=(rx(r"^(?P<number>\d{1,3})\.\s+(?P<title>[A-ZÆØÅ].*)$"),),
    lead_in_captions=True,
    reads_header=False,
    warning=UNKNOWN_LAYOUT_WARNING,
)


def matches(text: NormalisedText) -> bool:
    """The fallback claims nothing: choose_layout uses it when no layout matched."""
    return False


parse = SYSTEM.parse
