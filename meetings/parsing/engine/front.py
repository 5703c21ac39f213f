"""The meeting's header: body, kind, date, time, place and who attended, from the front page.

Every system prints the same facts in its own order: a kind word and the
body ("REFERAT Aarhus Byråd d. 27-08-2025"; "Referat" / "Sundheds- og
Forebyggelsesudvalget"), the date and time ("tirsdag den 4. december 2012,
kl. 13:00"; "Mødedato Onsdag d. 27. august 2025 kl. 16:00"), the place
(labelled "Sted:" / "Mødested", or the lines after the date: "i Mødecenter
C, …", an address block) and member lists under a label ("Tilstede",
"Medlemmer", "Deltagere:", "Afbud", "Fraværende"). Labelled values win over
the unlabelled reading. Two-column member lists are split on their runs of
spaces; when an extractor reads the second column after the next label
("Medlemmer" / left column / "Fraværende" / "" / right column), names set
apart from a label by a blank line go on the list that began right under its
label. The organisation is the municipality of a "<Town> Byråd", else the
authority the text names most often.
"""

from __future__ import annotations

import re
from collections import Counter

from ..model import AGENDA, MINUTES
from ..structured.build import SourceMeeting
from ..structured.organisation import AUTHORITY_RE
from ..structured.values import when
from ..text import DANISH_DATE_RE, NUMERIC_DATE_RE, parse_danish_date
from .pages import View

KIND_RE = re.compile(
    r"^(?P<kind>referat|dagsorden|beslutningsreferat|beslutningsprotokol|mødereferat)\b[\s:]*"
    r"(?P<rest>.*)$",
    re.I,
)
ACCESS_LINE_RE = re.compile(r"^(?:åbent?|lukket)\s+(?:referat|dagsorden)$", re.I)
TRAILING_DATE_RE = re.compile(
    r"\s+(?:d\.|den)\s+(?:\d{1,2}[-./]\d{1,2}[-./]\d{4}|\d{1,2}\.\s*\w+\s+\d{4})$", re.I
)
# label -> field
LABELS = {
    "dato": "date", "mødedato": "date", "tid": "time", "tidspunkt": "time", "sted": "location",
    "mødested": "location", "deltagere": "participants", "tilstede": "participants",
    "til stede": "participants", "medlemmer": "participants", "afbud": "absent",
    "fraværende": "absent", "afbud/fraværende": "absent", "fravær": "absent",
    "sekretær": "other", "referent": "other", "bemærk": "other", "mødeleder": "other",
}  # fmt: skip
LABEL_RE = re.compile(
    r"^(?P<label>"
    + "|".join(sorted((re.escape(k) for k in LABELS), key=len, reverse=True))
    + r")(?:\s*:\s*|\s{2,}|\s+(?=\S)|$)(?P<value>.*)$",
    re.I,
)
TIME_ONLY_RE = re.compile(r"^kl\.?\s*(?P<time>\d{1,2}[:.]\d{2})$", re.I)
PARTY_RE = re.compile(r"\s*\([A-ZÆØÅ]{1,3}\)")
ROLE_RE = re.compile(r"\s+[-–]\s+(?:formand|næstformand|forkvinde|medlem|suppleant)\b.*$", re.I)
NAME_RE = re.compile(r"^[A-ZÆØÅ][\w.'’-]*(?:\s+[\w.'’-]+){0,5}$")
TOWN_COUNCIL_RE = re.compile(r"^(?P<town>[A-ZÆØÅ][\wæøå-]+)\s+(?:Byråd|Kommunalbestyrelse)\b")
# How many lines after the date may hold the place.
MAX_PLACE_LINES = 5


def meeting_header(view: View, stop: int, whole_text: list[str]) -> SourceMeeting:
    """The header fields printed in view positions [0, stop)."""
    lines = [(p, view.at(p)) for p in range(min(stop, len(view.kept)))]
    meeting = SourceMeeting()
    title_at = None
    for k, (_, line) in enumerate(lines):
        m = KIND_RE.match(line)
        if m and not ACCESS_LINE_RE.match(line):
            meeting.kind = AGENDA if m.group("kind").lower() == "dagsorden" else MINUTES
            rest = TRAILING_DATE_RE.sub("", m.group("rest")).strip()
            if rest:
                meeting.body = rest
                date = parse_danish_date(m.group("rest"))
                meeting.date = meeting.date or date
            else:
                body = next((text for _, text in lines[k + 1 :] if text), None)
                if body and not _is_fact_line(body):
                    meeting.body = body
            title_at = k
            break
    labelled = _labelled(view, lines)
    if labelled.get("date"):
        meeting.date, clock = when(labelled["date"])
        meeting.time = labelled.get("time") or clock
    elif labelled.get("time"):
        meeting.time = labelled["time"]
    _unlabelled_when(meeting, lines, title_at, labelled)
    meeting.participants = labelled.get("participants") or []
    meeting.absent = labelled.get("absent") or []
    meeting.organisation = _organisation(meeting.body, whole_text)
    return meeting


def _is_fact_line(line: str) -> bool:
    return bool(
        LABEL_RE.match(line) or ACCESS_LINE_RE.match(line) or DANISH_DATE_RE.search(line)
        or NUMERIC_DATE_RE.search(line)
    )  # fmt: skip


def _labelled(view: View, lines: list[tuple[int, str]]) -> dict:
    """Label -> value of the header's labelled lines; member lists as names."""
    found: dict = {}
    k = 0
    direct_list: str | None = None  # the list field whose names began right under its label
    while k < len(lines):
        position, line = lines[k]
        m = LABEL_RE.match(line)
        if not m or KIND_RE.match(line):
            k += 1
            continue
        field = LABELS[m.group("label").lower()]
        value = m.group("value").strip()
        if field in ("participants", "absent"):
            names, k, direct, gap_names = _names_after(view, lines, k, value)
            if gap_names and direct_list and direct_list != field:
                found.setdefault(direct_list, []).extend(gap_names)
            elif gap_names:
                names = [*names, *gap_names]
            if direct and names:
                direct_list = direct_list or field
            found.setdefault(field, []).extend(names)
            continue
        if not value:  # "Mødested" / "" / "Byrådssalen"
            j = k + 1
            while j < len(lines) and not lines[j][1]:
                j += 1
            if j < len(lines) and not LABEL_RE.match(lines[j][1]):
                value = lines[j][1]
                k = j
        if value and field != "other":
            found.setdefault(field, " ".join(value.split()))
        k += 1
    return found


def _names_after(view: View, lines, k: int, inline: str):
    """A member list from line k on: (names, next k, began right under, set-apart names)."""
    names: list[str] = []
    if inline:
        names.extend(_names_in(view, lines[k][0], inline))
    j = k + 1
    direct = bool(inline)
    gap: list[str] = []
    blank_seen = False
    while j < len(lines):
        position, line = lines[j]
        if not line:
            blank_seen = True
            j += 1
            continue
        if view.kept[position] in view.page_starts:
            break  # a member list does not go on over the front page
        if LABEL_RE.match(line) or not _looks_like_names(view, position, line):
            break
        if blank_seen and not names:
            gap.extend(_names_in(view, position, line))
        elif blank_seen:
            break
        else:
            names.extend(_names_in(view, position, line))
            direct = True
        j += 1
    return names, j, direct, gap


def _looks_like_names(view: View, position: int, line: str) -> bool:
    cells = _cells(view, position, line)
    return all(NAME_RE.match(_name(cell)) for cell in cells if _name(cell))


def _names_in(view: View, position: int, line: str) -> list[str]:
    return [name for cell in _cells(view, position, line) if (name := _name(cell))]


def _cells(view: View, position: int, line: str) -> list[str]:
    """A line's cells: two-column lists are split on runs of spaces in the unstripped line."""
    raw = view.raw[view.kept[position]].strip()
    if line in raw or " ".join(raw.split()) == " ".join(line.split()):
        parts = [part for part in re.split(r"\s{3,}", raw) if part]
        if parts and " ".join(" ".join(parts).split()) == " ".join(line.split()):
            return parts
    return [line]


def _name(cell: str) -> str:
    name = ROLE_RE.sub("", PARTY_RE.sub("", cell)).strip(" ,;.")
    return " ".join(name.split())


def _unlabelled_when(meeting: SourceMeeting, lines, title_at: int | None, labelled: dict) -> None:
    """Date, time and place printed after the body without labels."""
    if labelled.get("location"):
        meeting.location = labelled["location"]
    start = (title_at or 0) + (1 if meeting.body and title_at is not None else 0)
    date_at = None
    for k in range(start, len(lines)):
        line = lines[k][1]
        if LABEL_RE.match(line):
            continue
        date, clock = when(line)
        if date:
            meeting.date = meeting.date or date
            meeting.time = meeting.time or clock
            date_at = k
            break
    if date_at is None:
        return
    k = date_at + 1
    while k < len(lines) and not lines[k][1]:
        k += 1
    if k < len(lines) and TIME_ONLY_RE.match(lines[k][1]):
        meeting.time = meeting.time or TIME_ONLY_RE.match(lines[k][1]).group("time")
        k += 1
    if meeting.location:
        return
    place: list[str] = []
    while k < len(lines) and len(place) < MAX_PLACE_LINES:
        line = lines[k][1]
        if not line or LABEL_RE.match(line) or ACCESS_LINE_RE.match(line) or when(line)[0]:
            break
        place.append(line)
        k += 1
    if place:
        place[0] = re.sub(r"^i\s+", "", place[0])
        meeting.location = ", ".join(place)


def _organisation(body: str | None, whole_text: list[str]) -> str | None:
    if body:
        m = TOWN_COUNCIL_RE.match(body)
        if m:
            return f"{m.group('town')} Kommune"
    counts: Counter[str] = Counter()
    for line in whole_text:
        if "ommune" in line or "Region" in line:
            for m in AUTHORITY_RE.finditer(line):
                name = m.group("municipality") or m.group("region")
                counts[f"Region {name}" if m.group("region") else f"{name} {m.group('kind')}"] += 1
    ranked = counts.most_common(2)
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]
