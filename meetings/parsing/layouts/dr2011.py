"""Danske Regioner board meeting packets of 2011: agenda, embedded minutes, appendices.

What this layout knows (see the notes of gold file 003):

* The packet is the agenda ("Bestyrelsesmøde / den 23-06-2011" page header)
  followed by the open minutes of the previous meeting ("Åbent referat fra
  møde i Danske Regioners bestyrelse torsdag den 26-05-2011 kl. 11:00") and
  then the appended documents (the agenda's "Bilag").
* Agenda item content starts at its "Resumé" heading. The extractor displaces
  the item header "N.  Title, sagsnr. 10/2562" plus the handler's name into
  the middle of the item's own text (or after its "Bilag" for short items), so
  the header found between one "Resumé" and the next belongs to that item.
* Handler names wrap over a blank line: a lower-case continuation is a soft
  wrap ("Peder-" / "sen"), an upper-case one a double surname ("Budtz-" /
  "Jørgensen").
* In the minutes each item is "decision" then "Resumé", and the headers are
  bunched after the content: the k-th decision belongs to the k-th header.
* The appended documents are not items; their titles come from their own
  headings when they have one, else from the agenda's attachment list.

This module must never import Django and never depend on leading whitespace:
some extractors strip it, so indentation (the page-break cue of this
extraction) is never evidence. It raises nothing but ParseError.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..model import AGENDA, MINUTES, Attachment, Item, Meeting, ParsedDocument, ParseError
from ..normalise import NormalisedText
from ..text import (
    DANISH_DATE_RE,
    SAGSNR_RE,
    clean_block,
    join_wrapped_lines,
    normalise_case_number,
    parse_danish_date,
)

NAME = "dr-2011"

# The board: the page header says only "Bestyrelsesmøde" (board meeting).
BOARD = "Danske Regioners bestyrelse"

# Section headings standing alone on their line, canonical spelling by lower-cased form.
HEADINGS = {
    h.casefold(): h
    for h in ("Resumé", "Indstilling", "Sagsfremstilling", "Økonomi", "Bilag", "Beslutning")
}
MAX_HEADING_LEN = max(len(h) for h in HEADINGS)
RESUME = "Resumé"
RECOMMENDATION = "Indstilling"
ATTACHMENTS = "Bilag"
DECISION = "Beslutning"

# Page header: "Bestyrelsesmøde" and on the next non-blank line "den 23-06-2011".
PAGE_HEADER_TITLE_RE = re.compile(r"^\w*møde$", re.IGNORECASE)
PAGE_HEADER_DATE_RE = re.compile(r"^den\s+(\d{1,2})-(\d{1,2})-(\d{4})$")
FOOTER_RE = re.compile(r"^Side\s+\d{1,4}$")
# A horizontal rule the word processor drew ("_____").
RULE_RE = re.compile(r"^[_\-–—=]{5,}$")

# An item header starts "N.  Title" and ends with its case number, maybe on a later line.
HEADER_START_RE = re.compile(r"^\d{1,2}\.\s+\S")
HEADER_RE = re.compile(
    r"^(?P<number>\d{1,2})\.\s+(?P<title>.+?),?\s*sagsnr\.?\s*(?P<case>\d{2}\s*/\s*\d{1,6})\s*$",
    re.IGNORECASE,
)
HEADER_MAX_LINES = 3

# A handler's name line: capitalised words, the last one maybe hyphen-wrapped.
NAME_LINE_RE = re.compile(r"^[A-ZÆØÅ][\w.'’-]*(?:\s+[A-ZÆØÅ][\w.'’-]*){0,5}$")
SINGLE_WORD_RE = re.compile(r"^[\w'’-]+$")

# "Det indstilles," / "Sundhedsudvalget indstiller," on a line of its own.
LEAD_IN_RE = re.compile(
    r"^(?:Det\s+indstilles|(?P<who>[A-ZÆØÅ][\w .’'-]{0,80}?)\s+indstiller)\s*[,:]?$"
)
# An attachment line ends with its document id: "Title.pdf (962541)."
ATTACHMENT_END_RE = re.compile(r"\s*\((?P<doc>\d{4,})\)\s*\.?$")
NO_ATTACHMENTS = {"ingen", "ingen.", "-"}

# The minutes' title, once its wrapped lines are joined.
MINUTES_TITLE_START_RE = re.compile(r"^(?:Åbent\s+|Lukket\s+)?referat\s+fra\s+møde", re.I)
MINUTES_TITLE_RE = re.compile(
    r"referat\s+fra\s+møde\s+i\s+(?P<body>.+?)\s+(?:\w+dag\s+)?den\s+"
    r"(?P<date>\d{1,2}-\d{1,2}-\d{4})(?:\s+kl\.?\s*(?P<time>\d{1,2}[:.]\d{2}))?",
    re.IGNORECASE,
)
PARTICIPANTS_RE = re.compile(r"^Deltagere\s*:\s*(?P<rest>.*)$")
ABSENT_RE = re.compile(r"^Afbud\s*:\s*(?P<rest>.*)$")
# A minutes decision names the body as its subject: "Bestyrelsen godkendte ...".
DECISION_START_RE = re.compile(r"^Bestyrelsen\b")
LAST_ITEM_TITLE = "eventuelt"

# Appended documents announce themselves as "Bilag 1. Title" or "Title   5. maj 2011".
APPENDIX_BILAG_RE = re.compile(r"^Bilag\s+\d{1,2}\.\s+(?P<title>\S.*)$")
APPENDIX_DATED_RE = re.compile(r"^(?P<title>[A-ZÆØÅ].{5,}?)\s{2,}(?P<date>\S.*)$")
# The PDF bookmark list closing the packet: "Bilag åben dagsorden.pdf" / "1. ....pdf".
NUMBERED_BOOKMARK_RE = re.compile(r"^\d{1,2}\.\s+.*\.pdf$", re.IGNORECASE)
FILE_EXTENSION_RE = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?)$", re.IGNORECASE)
MAIL_SUBJECT_RE = re.compile(r"^(?:VS|SV|FW|Fwd|RE)\s*:.*?\s-\s(?P<title>.+)$", re.IGNORECASE)
# A cover title (or the first line of one) is short; longer lines are running text.
MAX_COVER_TITLE_LEN = 60
CONTENT_WORD_RE = re.compile(r"[^\W\d_]{4,}")
DISTINCTIVE_WORD_LEN = 8

# A line that ends a sentence: a page break after it is also a paragraph break.
SENTENCE_END = (".", ":", "!", "?", "”", '"', ";")


@dataclass
class Header:
    """An item header "N.  Title, sagsnr. X" spanning lines first..last."""

    number: int
    title: str
    case_number: str
    first: int
    last: int


@dataclass
class Layout:
    """What one pass over the lines found, by line index."""

    lines: list[str]
    furniture: set[int] = field(default_factory=set)
    headings: dict[int, str] = field(default_factory=dict)
    headers: list[Header] = field(default_factory=list)
    header_lines: set[int] = field(default_factory=set)
    agenda_date: dt.date | None = None


def matches(text: NormalisedText) -> bool:
    """A board packet of 2011: the dated page header, old-style headers, Resumé headings."""
    lines = [line.strip() for line in text.lines]
    has_page_header = any(
        PAGE_HEADER_TITLE_RE.match(line) and _next_date_line(lines, i) is not None
        for i, line in enumerate(lines[:200])
    )
    if not has_page_header:
        return False
    resumes = sum(1 for line in lines if line == RESUME)
    headers = sum(1 for i, line in enumerate(lines) if _header_at(lines, i) is not None)
    return resumes >= 2 and headers >= 2


def parse(text: NormalisedText, source: str) -> ParsedDocument:
    """Agenda, then the embedded minutes, then the appended documents' titles."""
    layout = _scan([line.strip() for line in text.lines])
    doc = ParsedDocument(source=source, layout=NAME)
    minutes_start = _find_minutes_title(layout.lines)
    agenda_end = minutes_start if minutes_start is not None else len(layout.lines)
    agenda_headers = [h for h in layout.headers if h.first < agenda_end]
    # The agenda names no body beyond "Bestyrelsesmøde": this layout is the board's packet.
    agenda = Meeting(body=BOARD, date=layout.agenda_date, kind=AGENDA)
    agenda.items = _agenda_items(layout, agenda_headers, agenda_end, doc.warnings)
    appendix_start = agenda_end
    if agenda.items or layout.agenda_date:
        doc.meetings.append(agenda)
    if minutes_start is not None:
        minutes, appendix_start = _minutes(layout, minutes_start, doc.warnings)
        doc.meetings.append(minutes)
    if not any(m.items for m in doc.meetings):
        raise ParseError(source, "no DR 2011 agenda or minutes items found")
    attachments = [(item.number, a.title) for item in agenda.items for a in item.attachments]
    doc.appendices = _appendices(layout.lines[appendix_start:], attachments)
    _set_pages(doc, text)
    return doc


# --- the one pass over the lines --------------------------------------------------


def _scan(lines: list[str]) -> Layout:
    """Mark page furniture, section headings and item headers.

    Cheap first-character tests guard every regex: this runs over every line
    of a 10,000-line packet and must stay well under the 5 MB/s budget.
    """
    layout = Layout(lines=lines)
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line:
            i += 1
            continue
        if line.endswith(("møde", "Møde", "MØDE")):
            date_line = _next_date_line(lines, i) if PAGE_HEADER_TITLE_RE.match(line) else None
            if date_line is not None:
                layout.furniture.update((i, date_line))
                if layout.agenda_date is None:
                    match = PAGE_HEADER_DATE_RE.match(lines[date_line])
                    layout.agenda_date = _numeric_date(match)
                i = date_line + 1
                continue
        if line[0] in "S_-–—=" and (FOOTER_RE.match(line) or RULE_RE.match(line)):
            layout.furniture.add(i)
        elif len(line) <= MAX_HEADING_LEN and line.casefold() in HEADINGS:
            layout.headings[i] = HEADINGS[line.casefold()]
        else:
            header = _header_at(lines, i)
            if header is not None:
                layout.headers.append(header)
                layout.header_lines.update(range(header.first, header.last + 1))
                i = header.last + 1
                continue
        i += 1
    return layout


def _next_date_line(lines: list[str], i: int) -> int | None:
    """Index of the "den 23-06-2011" line right after a page header title, if any."""
    j = _next_nonblank(lines, i + 1, limit=3)
    if j is not None and PAGE_HEADER_DATE_RE.match(lines[j]):
        return j
    return None


def _next_nonblank(lines: list[str], start: int, limit: int) -> int | None:
    for j in range(start, min(len(lines), start + limit)):
        if lines[j]:
            return j
    return None


def _numeric_date(m: re.Match[str] | None) -> dt.date | None:
    if m is None:
        return None
    try:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


def _header_at(lines: list[str], i: int) -> Header | None:
    """The item header starting at line i; it may wrap over up to three consecutive lines."""
    if not lines[i][:1].isdigit() or not HEADER_START_RE.match(lines[i]):
        return None
    taken: list[str] = []
    for j in range(i, min(len(lines), i + HEADER_MAX_LINES)):
        if not lines[j] or (j > i and lines[j].casefold() in HEADINGS):
            return None
        taken.append(lines[j])
        # Join (and mend hyphens) only once the case number can be there at all.
        if "agsnr" not in lines[j] and not (j > i and "agsnr" in lines[j - 1]):
            continue
        m = HEADER_RE.match(join_wrapped_lines(taken))
        if m:
            return Header(
                number=int(m.group("number")),
                title=m.group("title").strip(),
                case_number=normalise_case_number(m.group("case")),
                first=i,
                last=j,
            )
    return None


# --- agenda ------------------------------------------------------------------------


def _agenda_items(
    layout: Layout, headers: list[Header], end: int, warnings: list[str]
) -> list[Item]:
    """One item per "Resumé" heading; the header inside its block says which item it is."""
    resumes = [i for i, h in sorted(layout.headings.items()) if h == RESUME and i < end]
    items: list[Item] = []
    for k, start in enumerate(resumes):
        block_end = resumes[k + 1] if k + 1 < len(resumes) else end
        inside = [h for h in headers if start < h.first < block_end]
        if not inside:
            warnings.append(f"line {start + 1}: a Resumé with no item header before the next one")
            continue
        if len(inside) > 1:
            warnings.append(f"line {start + 1}: several item headers in one item; kept the first")
        items.append(_agenda_item(layout, inside[0], start, block_end))
    return items


def _agenda_item(layout: Layout, header: Header, start: int, end: int) -> Item:
    lines = layout.lines
    handler, handler_end = _handler_after(lines, header.last + 1, end)
    skip = set(range(header.first, handler_end))
    # Bilag is the last section: a header printed after it closes the item.
    if any(layout.headings.get(i) == ATTACHMENTS for i in range(start, header.first)):
        end = handler_end
    sections = _collect_sections(layout, range(start, end), skip)
    item = Item(
        number=header.number,
        title=header.title,
        case_numbers=[header.case_number],
        handler=handler,
        line=start + 1,
    )
    item.sections = {heading: clean_block(body) for heading, body in sections.items()}
    _fill_recommendation(item, sections.get(RECOMMENDATION, []))
    item.attachments = _attachments(sections.get(ATTACHMENTS, []))
    item.other_case_numbers = _other_case_numbers(item)
    return item


def _handler_after(lines: list[str], start: int, end: int) -> tuple[str | None, int]:
    """The handler's name printed under the header, and the index just after it."""
    first = _next_nonblank(lines, start, limit=3)
    if first is None or first >= end or not NAME_LINE_RE.match(lines[first]):
        return None, start
    name_lines, last = [lines[first]], first
    if lines[first].endswith("-"):
        # "Peder-" / "" / "sen": the surname goes on after a blank line.
        tail = _next_nonblank(lines, first + 1, limit=3)
        if tail is not None and tail < end and SINGLE_WORD_RE.match(lines[tail]):
            name_lines.append(lines[tail])
            last = tail
    return join_wrapped_lines(name_lines), last + 1


def _collect_sections(layout: Layout, span: range, skip: set[int]) -> dict[str, list[str]]:
    """Heading -> its lines, leaving out furniture and the displaced header."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for i, line in _content_lines(layout, span, skip):
        heading = layout.headings.get(i)
        if heading is not None:
            current = sections.setdefault(heading, [])
        elif current is not None:
            current.append(line)
    return sections


def _content_lines(layout: Layout, span: range, skip: set[int]) -> Iterable[tuple[int, str]]:
    """(index, line) of the span minus furniture, headers and `skip`.

    Where lines were removed in the middle of a sentence (a page break with its
    displaced header), the blank lines around them are dropped too, so the
    paragraph reads on: "... ved at styrke" / "forebyggelsen for eksempel ...".
    """
    removed = False
    pending_blanks: list[tuple[int, str]] = []
    last_text = ""
    for i in span:
        if i in skip or i in layout.furniture or i in layout.header_lines:
            removed = True
            continue
        line = layout.lines[i]
        if not line:
            pending_blanks.append((i, line))
            continue
        mid_sentence = last_text and not last_text.endswith(SENTENCE_END) and line[:1].islower()
        if not (removed and mid_sentence):
            yield from pending_blanks
        pending_blanks, removed, last_text = [], False, line
        yield i, line


def _fill_recommendation(item: Item, lines: list[str]) -> None:
    """Recommendation text after its lead-in; who recommends goes to recommended_by."""
    body = [line for line in lines if line]
    if body:
        lead_in = LEAD_IN_RE.match(body[0])
        if lead_in:
            item.recommended_by = lead_in.group("who")
            body = body[1:]
    text = _clause_text(body)
    item.recommendation = text if text and text != "-" else None


def _clause_text(lines: list[str]) -> str:
    """Lines as text, one "at"-clause per line ("at bestyrelsen ..., at ...")."""
    clauses: list[list[str]] = []
    for line in lines:
        if not line:
            continue
        starts_clause = line.startswith("At ") or (
            line.startswith("at ") and clauses and clauses[-1][-1].endswith((".", ",", ";", ":"))
        )
        if starts_clause or not clauses:
            clauses.append([line])
        else:
            clauses[-1].append(line)
    return "\n".join(join_wrapped_lines(clause) for clause in clauses)


def _attachments(lines: list[str]) -> list[Attachment]:
    """Bilag lines: each attachment ends with "(docid)." and may wrap."""
    body = [line for line in lines if line]
    if not body or " ".join(body).casefold() in NO_ATTACHMENTS:
        return []
    attachments: list[Attachment] = []
    pending: list[str] = []
    for line in body:
        pending.append(line)
        m = ATTACHMENT_END_RE.search(line)
        if m:
            title = ATTACHMENT_END_RE.sub("", join_wrapped_lines(pending))
            attachments.append(Attachment(title=title, document_id=m.group("doc")))
            pending = []
    if pending:  # a title without its document id
        attachments.append(Attachment(title=join_wrapped_lines(pending)))
    return attachments


def _other_case_numbers(item: Item) -> list[str]:
    found: dict[str, None] = {}
    for text in item.sections.values():
        for m in SAGSNR_RE.finditer(text):
            number = normalise_case_number(m.group(1))
            if number not in item.case_numbers:
                found.setdefault(number, None)
    return list(found)


# --- minutes -----------------------------------------------------------------------


def _find_minutes_title(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        if line and MINUTES_TITLE_START_RE.match(line):
            return i
    return None


def _minutes(layout: Layout, start: int, warnings: list[str]) -> tuple[Meeting, int]:
    """The embedded minutes, and the index where the appended documents begin."""
    lines = layout.lines
    title = join_wrapped_lines([line for line in lines[start : start + 3] if line])
    m = MINUTES_TITLE_RE.search(title)
    meeting = Meeting(kind=MINUTES, body=BOARD)
    if m:
        meeting.body = m.group("body")
        meeting.date = parse_danish_date(m.group("date"))
        meeting.time = (m.group("time") or "").replace(".", ":") or None
    headers = _minutes_headers([h for h in layout.headers if h.first > start])
    end = headers[-1].last + 1 if headers else len(lines)
    resumes = [i for i, h in sorted(layout.headings.items()) if h == RESUME and start < i < end]
    first_resume = resumes[0] if resumes else end
    meeting.participants = _names_after_label(lines, PARTICIPANTS_RE, start, first_resume)
    meeting.absent = _names_after_label(lines, ABSENT_RE, start, first_resume)
    if len(resumes) != len(headers):
        warnings.append(f"minutes: {len(resumes)} Resumé headings but {len(headers)} headers")
    decision_starts = [
        _decision_start(layout, resumes[k - 1] + 1 if k else start + 1, resumes[k], first=k == 0)
        for k in range(len(resumes))
    ]
    for k, (header, resume) in enumerate(zip(headers, resumes, strict=False)):
        resume_end = decision_starts[k + 1] if k + 1 < len(resumes) else end
        if resume_end is None:
            resume_end = resumes[k + 1] if k + 1 < len(resumes) else end
        meeting.items.append(_minutes_item(layout, header, decision_starts[k], resume, resume_end))
    return meeting, end


def _minutes_headers(headers: list[Header]) -> list[Header]:
    """The minutes' headers numbered 1, 2, 3 ...; "Eventuelt" is the last item."""
    taken: list[Header] = []
    for header in headers:
        if header.number != len(taken) + 1:
            break
        taken.append(header)
        if header.title.casefold().rstrip(".") == LAST_ITEM_TITLE:
            break
    return taken


def _names_after_label(lines: list[str], label: re.Pattern[str], start: int, end: int) -> list[str]:
    """ "Deltagere:  Bent Hansen, Carl Holst, ..." wrapped until the next blank line."""
    for i in range(start, end):
        m = label.match(lines[i])
        if not m:
            continue
        taken = [m.group("rest")]
        for j in range(i + 1, end):
            if not lines[j]:
                break
            taken.append(lines[j])
        names = (name.strip(" .") for name in join_wrapped_lines(taken).split(","))
        return [name for name in names if name]
    return []


def _decision_start(layout: Layout, start: int, resume: int, first: bool) -> int | None:
    """Where the decision before a minutes item's Resumé begins.

    The decision is the last line opening "Bestyrelsen ..." before the Resumé
    (not always after a blank line: the first one follows the attendance list
    directly). An item without one ("-") has its last paragraph as decision,
    except the first item, whose gap holds the attendance lists instead.
    """
    last_paragraph: int | None = None
    last_decision: int | None = None
    previous_blank = True
    for i, line in _content_lines(layout, range(start, resume), set()):
        if line and previous_blank:
            last_paragraph = i
        if DECISION_START_RE.match(line):
            last_decision = i
        previous_blank = not line
    if last_decision is not None:
        return last_decision
    return None if first else last_paragraph


def _minutes_item(
    layout: Layout, header: Header, decision: int | None, resume: int, end: int
) -> Item:
    """A minutes item: its decision (printed first, kept under "Beslutning"), then its Resumé."""
    item = Item(
        number=header.number,
        title=header.title,
        case_numbers=[header.case_number],
        line=(decision if decision is not None else resume) + 1,
    )
    if decision is not None:
        lines = [line for _, line in _content_lines(layout, range(decision, resume), set())]
        text = _clause_text(lines)
        item.sections[DECISION] = clean_block(lines)
        item.decision = text if text and text != "-" else None
    resume_lines = [line for _, line in _content_lines(layout, range(resume + 1, end), set())]
    item.sections[RESUME] = clean_block(resume_lines)
    item.other_case_numbers = _other_case_numbers(item)
    return item


# --- appended documents ----------------------------------------------------------


@dataclass
class _Bundled:
    """An agenda attachment: which item it belongs to, and its title."""

    item: int
    title: str
    words: set[str]


def _appendices(lines: list[str], attachments: list[tuple[int, str]]) -> list[str]:
    """Titles of the appended documents present in the text, in bundle order.

    The bundle follows the agenda's attachment lists. A document's own heading
    ("Bilag 1. Title", "Title   5. maj 2011", a cover title equal to the
    attachment's) gives its title; a document without one is listed under its
    attachment title when that title's long words occur in the appended text.
    An attachment passed over between two found siblings of the same item is
    missing from the text.
    """
    lines = lines[: _bookmark_list_start(lines)]
    bundle = [_bundled(item, title) for item, title in attachments]
    headings = _appendix_headings(lines, bundle)
    matched: dict[int, list[str]] = {}
    skipped: set[int] = set()
    orphans: list[str] = []
    pointer, last = 0, None
    for heading in headings:
        best = _best_attachment(heading, bundle, pointer)
        if best is None:
            (matched[last] if last is not None else orphans).append(heading)
            continue
        skipped.update(j for j in range(pointer, best) if j not in matched)
        matched.setdefault(best, []).append(heading)
        pointer = last = best
    appended_text = " ".join(lines).casefold()
    titles = list(orphans)
    for j, bundled in enumerate(bundle):
        if j in matched:
            titles.extend(t for t in matched[j] if t not in titles)
        elif j in skipped and any(bundle[k].item == bundled.item for k in matched if k > j):
            continue
        elif _words_present(bundled, appended_text):
            titles.append(bundled.title)
    return titles


def _bookmark_list_start(lines: list[str]) -> int:
    """Where the closing PDF bookmark list begins: it names files, present or not."""
    for i, line in enumerate(lines):
        if line.endswith((".pdf", ".PDF")):
            nxt = _next_nonblank(lines, i + 1, limit=3)
            if nxt is not None and NUMBERED_BOOKMARK_RE.match(lines[nxt]):
                return i
    return len(lines)


def _bundled(item: int, raw_title: str) -> _Bundled:
    """Attachment title as a document title: no file extension, version or mail subject."""
    title = FILE_EXTENSION_RE.sub("", raw_title.strip())
    mail = MAIL_SUBJECT_RE.match(title)
    if mail:
        title = mail.group("title")
    title = title.split("_", 1)[0].strip()
    return _Bundled(item=item, title=title, words=_content_words(title))


def _content_words(text: str) -> set[str]:
    return set(CONTENT_WORD_RE.findall(text.casefold()))


def _appendix_headings(lines: list[str], bundle: list[_Bundled]) -> list[str]:
    """Document titles the appended text prints, in text order."""
    by_title = {" ".join(b.title.casefold().split()): b.title for b in bundle}
    first_words = {title.split(" ", 1)[0] for title in by_title if title}
    headings: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        # Most lines are running text: skip them before any regex or casefold.
        if not line or (
            len(line) > MAX_COVER_TITLE_LEN and "  " not in line and not line.startswith("Bilag")
        ):
            i += 1
            continue
        heading, used = _heading_at(lines, i, by_title, first_words)
        if heading:
            headings.append(heading)
        i += used
    return headings


def _heading_at(
    lines: list[str], i: int, by_title: dict[str, str], first_words: set[str]
) -> tuple[str | None, int]:
    """(title, lines used) when line i prints a document title, else (None, 1)."""
    line = lines[i]
    if not line:
        return None, 1
    if line.startswith("Bilag"):
        m = APPENDIX_BILAG_RE.match(line)
        if m:
            return m.group("title").strip(), 1
    if "  " in line:
        m = APPENDIX_DATED_RE.match(line)
        if m and DANISH_DATE_RE.fullmatch(m.group("date").strip()):
            return m.group("title").strip(), 1
    # A cover title equal to an attachment's, maybe over two lines.
    if (
        len(line) > MAX_COVER_TITLE_LEN
        or not line[0].isupper()
        or line.split(" ", 1)[0].casefold() not in first_words
    ):
        return None, 1
    if " ".join(line.casefold().split()) in by_title:
        return line, 1
    if i + 1 < len(lines) and lines[i + 1]:
        joined = join_wrapped_lines([line, lines[i + 1]])
        if " ".join(joined.casefold().split()) in by_title:
            return joined, 2
    return None, 1


def _best_attachment(heading: str, bundle: list[_Bundled], pointer: int) -> int | None:
    """The attachment from `pointer` on sharing most words with a heading (first on ties)."""
    words = _content_words(heading)
    best, best_score = None, 0
    for j in range(pointer, len(bundle)):
        score = len(words & bundle[j].words)
        if score > best_score:
            best, best_score = j, score
    return best


def _words_present(bundled: _Bundled, appended_text: str) -> bool:
    """Do all the long words of an attachment's title occur in the appended text?"""
    long_words = [w for w in bundled.words if len(w) >= DISTINCTIVE_WORD_LEN]
    return bool(long_words) and all(w in appended_text for w in long_words)


# --- pages -------------------------------------------------------------------------


def _set_pages(doc: ParsedDocument, text: NormalisedText) -> None:
    """Pages are known only from form feeds; this extraction's few footers cannot place items."""
    for meeting in doc.meetings:
        for item in meeting.items:
            if item.line is not None:
                item.page = text.page_of(item.line - 1)
