"""Single values as the exports write them: dates and times, flags, numbers, names.

Each export writes a date its own way ("2024-10-02T19:00:00+02:00" in the
FirstAgenda API, "25-09-2012 15:30:00" in SBSYS, "onsdag den 1. oktober
2025 kl. 15.45" on a FirstAgenda page); one reader takes them all and never
guesses: a value it cannot read is None.
"""

from __future__ import annotations

import datetime as dt
import re

from ..normalise import normalise_inline
from ..text import DANISH_DATE_RE, NUMERIC_DATE_RE, parse_danish_date

ISO_RE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?")
# A clock time after the date: "kl. 15.45", "15:30:00", "kl 9.00".
TIME_RE = re.compile(r"(?:\bkl\.?\s*)?\b([01]?\d|2[0-3])[:.]([0-5]\d)(?::[0-5]\d)?\b")
TRUE_WORDS = {"true", "1", "ja", "yes", "sand"}
FALSE_WORDS = {"false", "0", "nej", "no", "falsk"}
NUMBER_RE = re.compile(r"^\s*(?:punkt\s+)?(\d{1,4}(?:\.\d{1,3})*)\.?\s*$", re.IGNORECASE)


def when(text: str | None) -> tuple[dt.date | None, str | None]:
    """(date, time) of a date-and-time value; the time as written, None at midnight or absent."""
    text = normalise_inline(text or "")
    if not text:
        return None, None
    iso = ISO_RE.match(text)
    if iso:
        year, month, day, hour, minute = iso.groups()
        try:
            date = dt.date(int(year), int(month), int(day))
        except ValueError:
            return None, None
        clock = f"{hour}:{minute}" if hour and (hour, minute) != ("00", "00") else None
        return date, clock
    date = parse_danish_date(text)
    if date is None:
        return None, None
    rest = text
    for pattern in (DANISH_DATE_RE, NUMERIC_DATE_RE):
        rest = pattern.sub(" ", rest, count=1)
    found = TIME_RE.search(rest)
    clock = None
    if found and (found.group(1).zfill(2), found.group(2)) != ("00", "00"):
        separator = found.string[found.end(1)]  # ":" or "." as printed
        clock = f"{found.group(1)}{separator}{found.group(2)}"
    return date, clock


def flag(text: str | None) -> bool | None:
    """A yes/no value ("True", "false", "1"), or None when it says neither."""
    word = (text or "").strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def item_number(text: object) -> int | str | None:
    """ "7" -> 7, "715." -> 715, "1.1" -> "1.1" (a sub-item's label); None when it is no number."""
    match = NUMBER_RE.match(str(text if text is not None else ""))
    if not match:
        return None
    label = match.group(1)
    return int(label) if label.isdigit() else label


def clean(text: str | None) -> str:
    """A one-line value (a title, a name, a place) as the text layouts would give it."""
    return normalise_inline(text or "")


def sentence_case(name: str) -> str:
    """An all-capitals name as a name is written: "FORRETNINGSUDVALGET" -> "Forretningsudvalget".

    A name in mixed case is kept as printed ("Teknisk Udvalg"); a short
    abbreviation in parentheses stays in capitals ("(PUK)").
    """
    letters = [ch for ch in name if ch.isalpha()]
    if not letters or not all(ch.isupper() for ch in letters):
        return name
    lowered = name[0] + name[1:].lower()
    return re.sub(
        r"\(([^()]{1,6})\)",
        lambda m: "(" + m.group(1).upper() + ")",
        lowered,
    )
