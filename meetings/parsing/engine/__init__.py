"""One engine for the agenda systems' minutes and agendas as text (their PDFs, extractors' texts).

The stages, each in its own module and the same for every system:

1. pages: strip the lines, pair split key/value columns, take out page
   counters and the header/footer lines that recur on most pages;
2. contents: find and read the table of contents (the check of the items);
3. items: find the item headers the system's forms describe, keep those the
   contents (or, without contents, the numbering) agree with, and read each
   title as far as it wraps;
4. front: the meeting's header fields from the lines before the contents;
5. fields: each item's case numbers, captioned sections and attachments;
   structured/build.py then makes the recommendation and this meeting's
   decision out of the sections exactly as it does for an export.

What differs between systems is a `System` description (engine/system.py).
Disagreements between the contents and the headers are warnings; the
plausibility check reads `ParsedDocument.contents` to judge them. Plain
Python, no Django; raises nothing but what build.py raises.
"""

from __future__ import annotations

from ..model import MINUTES, ParsedDocument
from ..normalise import NormalisedText
from ..structured import build, roles
from ..text import parse_danish_date
from .captions import caption_of
from .contents import find_contents
from .fields import is_case_line, item_fields
from .front import meeting_header
from .items import candidates, number_value, select
from .pages import PAGE_COUNTER_RE, build_view
from .system import System

__all__ = ["System", "parse"]

# How far into the document its contents may begin, in kept lines.
CONTENTS_REACH = 400
# How near the top "referat" says minutes, for a layout that reads no header.
KIND_REACH = 30
NO_HEADERS_WARNING = "no agenda items found: no numbered item headers recognised"


def parse(system: System, text: NormalisedText, source: str) -> ParsedDocument:
    header_forms = system.headers
    if system.fallback_headers and not _any_line(text, header_forms):
        header_forms = system.fallback_headers

    def is_header(line: str) -> bool:
        return any(pattern.match(line) for pattern in header_forms)

    seen: dict[str, object] = {}

    def caption(line: str):
        # Every stage asks of the same lines: classify each once.
        if line not in seen:
            seen[line] = caption_of(system, line)
        return seen[line]

    def is_structure(line: str) -> bool:
        return is_header(line) or is_case_line(line) or caption(line) is not None

    view = build_view(text, system.furniture, is_structure)
    contents = find_contents(view, is_header, CONTENTS_REACH)
    body_start = contents.stop if contents else 0
    found = candidates(view, header_forms, body_start, is_structure)
    headers, notes = select(view, found, contents, is_structure, system.hierarchical)
    front_stop = contents.start if contents else (headers[0].position if headers else 0)
    if system.reads_header:
        stated = meeting_header(view, front_stop, view.lines)
    else:
        stated = _date_only(view, front_stop)

    def caption_at(position: int):
        line = view.at(position)
        found_caption = caption(line)
        if found_caption is None or not found_caption.open_form:
            return found_caption
        if _caption_place(view, position, is_structure) or _names_this_meeting(found_caption):
            return found_caption
        return None

    def _names_this_meeting(found_caption) -> bool:
        named = roles.classify(found_caption.caption)
        return (named.date is not None and named.date == stated.date) or (
            named.body is not None and roles.same_body(named.body, stated.body)
        )

    for k, header in enumerate(headers):
        stop = headers[k + 1].position if k + 1 < len(headers) else len(view.kept)
        item = item_fields(
            system, view, number_value(header.number), header.title, header.title_stop, stop,
            caption_at,
        )  # fmt: skip
        index = view.kept[header.position]
        item.line = index + 1
        item.page = text.page_of(index)
        item.closed = header.closed
        stated.items.append(item)
    warnings = [system.warning] if system.warning else []
    warnings += [f"contents: {note}" for note in notes]
    if not headers:
        warnings.append(NO_HEADERS_WARNING)
    parsed = build.document(
        source, system.name, [stated], warnings=warnings, lines=text.lines,
        say_unstated_kind=False,
    )  # fmt: skip
    if contents:
        parsed.contents = [
            (number_value(entry.number) if entry.number else None, entry.title)
            for entry in contents.entries
        ]
    if not headers:
        parsed.meetings = []
    return parsed


def _any_line(text: NormalisedText, patterns) -> bool:
    return any(p.match(line.strip()) for line in text.lines for p in patterns)


def _date_only(view, stop: int) -> build.SourceMeeting:
    """What a layout that knows no header reads: the first date, and "referat" near the top."""
    front = [view.at(p) for p in range(min(stop, len(view.kept)))]
    says_minutes = any("referat" in line.lower() for line in view.lines[:KIND_REACH])
    return build.SourceMeeting(
        date=parse_danish_date("\n".join(front)), kind=MINUTES if says_minutes else None
    )


def _caption_place(view, position: int, is_structure) -> bool:
    """Whether a caption that names a body or a date stands where a caption can."""
    if position == 0 or view.kept[position] in view.page_starts:
        return True
    before = view.at(position - 1)
    return (
        not before
        or before.endswith((".", ":", "!", "?"))
        or is_structure(before)
        or bool(PAGE_COUNTER_RE.match(before))
    )
