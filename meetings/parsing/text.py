"""Small text helpers shared by every layout: case numbers, hyphen mending, paragraphs.

Pure functions on strings; no layout knowledge here.
"""

from __future__ import annotations

import datetime as _dt
import re

# Modern Danske Regioner case numbers: EMN-2024-00917, MOD-2025-00122, with the
# spacing extractors add ("EMN- 2021-00442", "EMN-2020-\n01734").
MODERN_CASE_RE = re.compile(r"\b([A-ZÆØÅ]{2,5})\s*-\s*((?:19|20)\d\d)\s*-\s*(\d{3,6})\b")
# Old style: "sagsnr. 10/2562" (two-digit year / serial).
OLD_CASE_RE = re.compile(r"\b(\d{2})\s*/\s*(\d{1,6})\b")
SAGSNR_RE = re.compile(r"sagsnr\.?\s*(\d{2}\s*/\s*\d{1,6})", re.IGNORECASE)


def normalise_case_number(raw: str) -> str:
    """`EMN- 2021-00442` -> `EMN-2021-00442`; `10 / 2562` -> `10/2562`."""
    m = MODERN_CASE_RE.search(raw)
    if m:
        return f"{m.group(1).upper()}-{m.group(2)}-{m.group(3)}"
    m = OLD_CASE_RE.search(raw)
    if m:
        return f"{m.group(1)}/{m.group(2)}"
    return re.sub(r"\s+", "", raw).upper()


def find_modern_case_numbers(text: str) -> list[str]:
    """Every modern case number in text, normalised, in order, without repeats."""
    seen: dict[str, None] = {}
    for m in MODERN_CASE_RE.finditer(text):
        seen.setdefault(f"{m.group(1).upper()}-{m.group(2)}-{m.group(3)}", None)
    return list(seen)


def _is_soft_wrap(before: str, after: str) -> bool:
    """Was the hyphen ending `before` only a line-end word break?

    Kept (a real hyphen): `Miljø- og`, `uddannelses- og`, a hyphen before an
    upper-case letter or a digit (`Budtz-Jørgensen`, `EMN-2020-01734`).
    """
    if not before.endswith("-") or len(before) < 2 or not before[-2].isalpha():
        return False
    nxt = after.lstrip()
    if not nxt or not nxt[0].islower():
        return False
    first_word = re.match(r"\w+", nxt)
    # "Miljø- og Fødevareudvalget": the hyphen abbreviates a compound before og/eller.
    return not (first_word and first_word.group(0) in {"og", "eller", "samt", "til"})


def join_wrapped_lines(lines: list[str]) -> str:
    """Join the lines of one paragraph into one line, mending line-end hyphenation."""
    # Pieces are collected and joined once: growing one string line by line is
    # quadratic on the long paragraphs of the 2011 packet.
    pieces: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not pieces:
            pieces.append(line)
            continue
        last = pieces[-1]
        if _is_soft_wrap(last, line):
            pieces[-1] = last[:-1]
        elif last.endswith("-") and (line[:1].isdigit() or CASE_PREFIX_AT_END_RE.search(last)):
            pass  # a case number or compound split at its hyphen
        elif last.endswith("-") and last[-2:-1].isdigit() and line[:1].islower():
            pass  # a compound after a number: "2030-" / "fremskrivning"
        elif last.endswith("-") and line[:1].isupper() and last[-2:-1].isalpha():
            pass  # a double surname: Budtz-Jørgensen
        else:
            pieces.append(" ")
        pieces.append(line)
    out = "".join(pieces)
    if "  " in out or "\t" in out:
        out = _RUNS_OF_BLANKS_RE.sub(" ", out)
    return out


CASE_PREFIX_AT_END_RE = re.compile(r"[A-ZÆØÅ]{2,5}-\d{4}-$")
_RUNS_OF_BLANKS_RE = re.compile(r"[ \t]+")


def paragraphs(lines: list[str]) -> list[str]:
    """Split lines on blank lines and join each paragraph (bullets stay separate)."""
    result: list[str] = []
    current: list[str] = []
    for line in lines:
        stripped = line.strip()
        if not stripped:
            if current:
                result.append(join_wrapped_lines(current))
                current = []
            continue
        if current and BULLET_RE.match(stripped):
            result.append(join_wrapped_lines(current))
            current = []
        current.append(stripped)
    if current:
        result.append(join_wrapped_lines(current))
    return [p for p in result if p]


BULLET_RE = re.compile(r"^(?:[-•–▪●*]\s+|\d{1,2}[.)]\s+|[a-z][)]\s+)")


def clean_block(lines: list[str]) -> str:
    """A section's lines as clean text: paragraphs separated by a blank line."""
    return "\n\n".join(paragraphs(lines))


# --- dates (appended by the core-parser engineer) ---------------------------

DANISH_MONTHS = {
    "januar": 1, "februar": 2, "marts": 3, "april": 4, "maj": 5, "juni": 6,
    "juli": 7, "august": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "okt": 10, "nov": 11, "dec": 12,
}  # fmt: skip
# "28. august 2024", "28 aug. 2024", "d. 8. oktober 2024".
DANISH_DATE_RE = re.compile(
    r"\b(\d{1,2})\.?\s*(" + "|".join(sorted(DANISH_MONTHS, key=len, reverse=True)) + r")\.?\s+"
    r"((?:19|20)\d\d)\b",
    re.IGNORECASE,
)
# "23-06-2011", "28.08.2024", "28/8/2024".
NUMERIC_DATE_RE = re.compile(r"\b(\d{1,2})[-./](\d{1,2})[-./]((?:19|20)\d\d)\b")


def parse_danish_date(text: str) -> _dt.date | None:
    """The first valid date written the Danish way in text ("28. august 2024", "28-08-2024")."""
    found: list[tuple[int, _dt.date]] = []
    for m in DANISH_DATE_RE.finditer(text):
        date = _valid_date(int(m.group(3)), DANISH_MONTHS[m.group(2).lower()], int(m.group(1)))
        if date:
            found.append((m.start(), date))
            break
    for m in NUMERIC_DATE_RE.finditer(text):
        date = _valid_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if date:
            found.append((m.start(), date))
            break
    return min(found)[1] if found else None


def _valid_date(year: int, month: int, day: int) -> _dt.date | None:
    try:
        return _dt.date(year, month, day)
    except ValueError:  # "31. februar": not a date, keep looking elsewhere
        return None
