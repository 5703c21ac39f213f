"""Which lines are section captions, and what role each plays.

The roles are the shared table of structured/roles.py (the exports' captions
and the text's are the same words); a system adds rows for its own words
("Referat:" is SBSYS's decision, "Oplæg:" its case text). A line is a
caption when it is short, does not end a sentence, and either is a known
caption word or, for captions that name a body or a date ("Sundheds- og
Forebyggelsesudvalgets beslutning den 04.12.2012 Punkt 1", "Beslutning i
Udvalget for … den 20-06-2013"), stands where a caption can: after a blank,
a finished sentence, another caption, a field line or a page break - a
sentence that happens to end in "… byrådets beslutning" does not.

A caption may carry its first text on its own line after a colon
("Referat: Alle skal have indhold.", "Sagen afgøres i: Udvalget for …").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..structured import roles
from .system import System

MAX_CAPTION_CHARS = 100
# The part before a colon that may be an inline caption ("Referat: …").
MAX_INLINE_CAPTION_CHARS = 40
CAPTION_END_REFUSED = (".", ",", ";")
UPPER_CASE_MIN_LETTERS = 4
RECOMMENDATION_CAPTION = "Indstilling"
# Captions of no role that every system uses; roles.KNOWN_CAPTIONS_RE has the rest.
SHARED_TEXT_CAPTIONS_RE = re.compile(
    r"^(?:supplerende sagsfremstilling|underskriftsside|indledning|orientering)$"
)


@dataclass(frozen=True)
class Caption:
    caption: str
    role: str
    inline: str  # text after the colon on the caption's line, or ""
    # Whether the caption needs a caption's place to count (it names a body or date).
    open_form: bool


def caption_of(system: System, line: str) -> Caption | None:
    """The caption a line is, ignoring where it stands."""
    if not line or not line[0].isupper():
        return None
    if system.lead_in_captions:
        lead_in = roles.LEAD_IN_RE.match(line)
        if lead_in and len((lead_in.group("who") or "").split()) <= roles.MAX_LEAD_IN_WORDS:
            # "Det indstilles, at …": the line opens the recommendation and is its text.
            return Caption(RECOMMENDATION_CAPTION, roles.RECOMMENDATION, line, False)
    if len(line) > MAX_CAPTION_CHARS:
        return None
    whole = _classify(system, line)
    if whole and not line.endswith(CAPTION_END_REFUSED):
        return whole
    head, colon, tail = line.partition(":")
    if colon and tail.strip() and len(head) <= MAX_INLINE_CAPTION_CHARS:
        found = _classify(system, head)
        if found and not found.open_form:
            return Caption(head.strip(), found.role, tail.strip(), False)
    return None


def _classify(system: System, text: str) -> Caption | None:
    folded = roles.fold(text)
    for pattern, role in system.captions:
        if pattern.match(folded):
            return Caption(text.strip().rstrip(":").strip(), role, "", False)
    found = roles.classify(text)
    caption = text.strip().rstrip(":").strip()
    if found.role != roles.TEXT:
        return Caption(caption, found.role, "", bool(found.body or found.date))
    if roles.KNOWN_CAPTIONS_RE.match(folded) and len(folded.split()) <= 6:
        return Caption(caption, roles.TEXT, "", False)
    if SHARED_TEXT_CAPTIONS_RE.match(folded):
        return Caption(caption, roles.TEXT, "", False)
    if system.upper_case_captions and _is_upper_case(text):
        return Caption(caption, roles.TEXT, "", False)
    return None


def _is_upper_case(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= UPPER_CASE_MIN_LETTERS and all(c.isupper() for c in letters)
