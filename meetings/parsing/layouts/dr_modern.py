"""Danske Regioner agendas and minutes of the 2020s (committees and the board).

The documents are exports of the meeting system, one item after another, with
no cover page (a file may start with item 4 or 7):

    7 (Offentlig) Title that may wrap
    over several lines
      handler@regioner.dk | Handler Name
    EMN-2024-00917
    Resumé / Indstilling / Sagsfremstilling / Økonomi / Sekretariatets
    bemærkninger / Kommunikation / Beslutninger: / Bilag
    1. Attachment title (1700809 - EMN-2022-00920)
    9 (Fortrolig)

Everything here works on stripped lines: some extractors drop leading spaces,
so indentation is never evidence. Confidential items keep only their number and
access, whatever text a members' edition prints after their header.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass

from ..model import (
    CONFIDENTIAL,
    MINUTES,
    PUBLIC,
    Attachment,
    Item,
    Meeting,
    ParsedDocument,
)
from ..normalise import NormalisedText
from ..text import (
    MODERN_CASE_RE,
    clean_block,
    find_modern_case_numbers,
    join_wrapped_lines,
    normalise_case_number,
)

NAME = "dr-modern"

# "7 (Offentlig) Title", "9 (Fortrolig)"; "Lukket" is the older word for closed items.
ITEM_HEADER_RE = re.compile(r"^(\d{1,3})\s*\(\s*(Offentlig|Fortrolig|Lukket)\s*\)\s*(.*)$", re.I)
# A page footer standing alone on its line, wherever the extractor put it.
FOOTER_RE = re.compile(r"^Side\s+(\d{1,4})(?:\s+af\s+\d{1,4})?$", re.I)
NOISE_INITIALS = set("sShHwW")
# A bare hyperlink target the extractor printed as a line of its own.
URL_LINE_RE = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
EMAIL_RE = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
# A person's name: 2-5 capitalised words (Louise Garby-Holm, Rie Fält Dzougov).
PERSON_RE = re.compile(r"^[A-ZÆØÅ][\w'’.-]*(?: [A-ZÆØÅ][\w'’.-]*){1,4}$")
# A line holding nothing but one or more case numbers.
CASE_LINE_RE = re.compile(rf"^(?:{MODERN_CASE_RE.pattern}[\s,;]*)+$")
# "1. Title (1700809 - EMN-2022-00920)" once the wrapped lines are joined.
ATTACHMENT_RE = re.compile(
    r"^\d{1,3}\.\s+(?P<title>.*?)\s*\(\s*(?P<doc>\d{4,})\s*-\s*(?P<case>[^()]*?)\s*\)\s*$"
)
ATTACHMENT_START_RE = re.compile(r"^\d{1,3}\.\s+\S")
# The lead-in of a recommendation: "Det indstilles," or "Sundhedsudvalget indstiller,".
LEAD_IN_RE = re.compile(
    r"^(?:Det\s+indstilles|(?P<who>[A-ZÆØÅ][\w .’'-]{0,80}?)\s+indstiller)\s*[,:]?\s*(?P<rest>.*)$"
)
# Section headings, canonical spelling by lower-cased form.
HEADINGS = {
    h.lower(): h
    for h in (
        "Resumé",
        "Indstilling",
        "Sagsfremstilling",
        "Økonomi",
        "Sekretariatets bemærkninger",
        "Kommunikation",
        "Beslutning",
        "Beslutninger",
        "Bilag",
    )
}
HEADINGS["resume"] = "Resumé"
HEADING_MAX_LEN = max(map(len, HEADINGS)) + 2
HEADING_INITIALS = {c for h in HEADINGS for c in (h[0], h[0].upper())}
DECISION_HEADINGS = ("Beslutninger", "Beslutning")
ATTACHMENT_HEADING = "Bilag"
# Words that mean "no content" in a section of the template.
EMPTY_MARKERS = {"", "-", "–", "at", "ingen"}
# Deciding bodies named in recommendations ("at sundhedsudvalget ...") and decisions.
ORGAN_RE = re.compile(
    r"^(?P<prefix>\w*?)(?P<stem>udvalg|bestyrelse|direktion|formandskab|repræsentantskab|"
    r"styregruppe|råd)(?:n|en|et)?$"
)
# The Symbol-font bullet (U+F0B7) Word exports; BULLET_RE in text.py knows "•".
SYMBOL_BULLET = "\uf0b7"


@dataclass
class _Header:
    index: int  # 0-based line index of the item header
    number: int
    access: str
    title_start: str


class _Lines:
    """The document's stripped lines, with headings and noise lines found once.

    Items and sections are then cut by index, so no later step rescans lines.
    """

    def __init__(self, raw: list[str]):
        # Strip every line: indentation is not reliable (some extractors drop it).
        joined = "\n".join(raw).replace(SYMBOL_BULLET, "•")
        self.lines = [line.strip() for line in joined.split("\n")]
        self.headings: dict[int, str] = {}
        self.noise: list[int] = []  # sorted indexes of footer and URL lines
        for i, line in enumerate(self.lines):
            if not line:
                continue
            heading = _heading_of(line)
            if heading:
                self.headings[i] = heading
            elif _is_noise(line):
                self.noise.append(i)
        self.heading_indexes = sorted(self.headings)

    def has_noise(self, start: int, end: int) -> bool:
        pos = bisect_left(self.noise, start)
        return pos < len(self.noise) and self.noise[pos] < end

    def noise_in(self, start: int, end: int) -> list[str]:
        lo, hi = bisect_left(self.noise, start), bisect_left(self.noise, end)
        return [self.lines[i] for i in self.noise[lo:hi]]

    def text_of(self, start: int, end: int) -> list[str]:
        """Lines start..end without footers and URLs (mending what they split)."""
        block = self.lines[start:end]
        return _drop_link_lines(block) if self.has_noise(start, end) else block


def matches(text: NormalisedText) -> bool:
    """True when the text has "N (Offentlig|Fortrolig) ..." item headers."""
    return any(ITEM_HEADER_RE.match(line.strip()) for line in text.lines)


def parse(text: NormalisedText, source: str) -> ParsedDocument:
    doc_lines = _Lines(text.lines)
    lines = doc_lines.lines
    footers = _find_footers(lines)
    headers = _find_headers(lines)
    doc = ParsedDocument(source=source, layout=NAME)
    meeting = Meeting()
    doc.meetings.append(meeting)
    if not headers:
        doc.warnings.append("no item headers found")
        return doc
    if any(line for line in lines[: headers[0].index] if not FOOTER_RE.match(line)):
        doc.warnings.append(f"text before the first item (line {headers[0].index + 1}) ignored")
    public_lines: list[str] = []  # what the meeting-level fields may be derived from
    for pos, header in enumerate(headers):
        end = headers[pos + 1].index if pos + 1 < len(headers) else len(lines)
        item = _parse_item(header, doc_lines, end, doc.warnings)
        item.page = _page_of(header.index, footers, lines, text)
        meeting.items.append(item)
        if not item.is_confidential:
            public_lines.extend(lines[header.index : end])
    _check_numbering(meeting.items, doc.warnings)
    # Minutes record decisions; a confidential item's hidden "Beslutninger:" does not count.
    if any(h in item.sections for item in meeting.items for h in DECISION_HEADINGS):
        meeting.kind = MINUTES
    meeting.body = _deciding_body(meeting.items, public_lines)
    return doc


# --- lines -------------------------------------------------------------------


def _find_footers(lines: list[str]) -> list[tuple[int, int]]:
    """(line index, page number) of every "Side N" footer."""
    found = []
    for i, line in enumerate(lines):
        m = FOOTER_RE.match(line) if line[:1] in "sS" else None
        if m:
            found.append((i, int(m.group(1))))
    return found


def _find_headers(lines: list[str]) -> list[_Header]:
    headers = []
    for i, line in enumerate(lines):
        m = ITEM_HEADER_RE.match(line) if line[:1].isdigit() else None
        if m:
            access = PUBLIC if m.group(2).lower() == "offentlig" else CONFIDENTIAL
            headers.append(_Header(i, int(m.group(1)), access, m.group(3).strip()))
    return headers


def _is_noise(line: str) -> bool:
    """Page footers and hyperlink targets are not part of the text they interrupt."""
    if line[:1] not in NOISE_INITIALS:  # cheap guard: runs on every line
        return False
    return bool(FOOTER_RE.match(line) or URL_LINE_RE.match(line))


def _heading_of(line: str) -> str | None:
    """The canonical section heading a line is, else None.

    "Beslutninger:" carries a colon; a heading followed by text on its line is
    not a heading (a sentence may start with "Økonomi").
    """
    # Cheap guard first: this runs on every line, and headings are short.
    if not line or len(line) > HEADING_MAX_LEN or line[0] not in HEADING_INITIALS:
        return None
    return HEADINGS.get(line.rstrip(":").rstrip().lower())


def _drop_link_lines(lines: list[str]) -> list[str]:
    """Remove footer/URL lines and mend the paragraph they split.

    The extractor puts a hyperlink's target on a line of its own, often after a
    blank line and mid-sentence ("lancere de nye", URL, "anbefalinger i maj"):
    the blank lines around it go too when the sentence plainly continues.
    """
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not _is_noise(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        nxt = i
        while nxt < len(lines) and (not lines[nxt] or _is_noise(lines[nxt])):
            nxt += 1
        prev_text = next((line for line in reversed(out) if line), "")
        following = lines[nxt] if nxt < len(lines) else ""
        if _sentence_continues(prev_text, following):
            while out and not out[-1]:
                out.pop()
            i = nxt
        else:
            i += 1
    return out


def _sentence_continues(before: str, after: str) -> bool:
    return bool(before and after and before[-1] not in ".:!?" and after[0].islower())


def _links_in(noise_lines: list[str]) -> list[str]:
    """The URL lines among footers and URLs, in order, without repeats."""
    return list(dict.fromkeys(line for line in noise_lines if URL_LINE_RE.match(line)))


# --- items -------------------------------------------------------------------


def _parse_item(header: _Header, doc: _Lines, end: int, warnings: list[str]) -> Item:
    item = Item(number=header.number, access=header.access, line=header.index + 1)
    if header.access == CONFIDENTIAL:
        # A members' edition prints the closed item: nothing of it may leave the parser.
        return item
    body_start = _fill_head(item, header, doc, end)
    item.links = _links_in(doc.noise_in(header.index, end))
    sections: dict[str, list[str]] = {}
    for heading, (start, stop) in _split_sections(doc, body_start, end).items():
        if heading == ATTACHMENT_HEADING:
            sections[heading] = doc.lines[start:stop]
            item.attachments = _parse_attachments(sections[heading], item, warnings)
        else:
            sections[heading] = doc.text_of(start, stop)
            item.sections[heading] = clean_block(sections[heading])
    item.recommendation, item.recommended_by = _recommendation(sections.get("Indstilling"))
    decision = next((item.sections[h] for h in DECISION_HEADINGS if h in item.sections), None)
    item.decision = _nonempty(decision) if decision else None
    item.other_case_numbers = _other_case_numbers(item, sections)
    if not item.case_numbers:
        warnings.append(f"item {item.number}: no case number")
    return item


def _fill_head(item: Item, header: _Header, doc: _Lines, end: int) -> int:
    """Title, handler and case numbers from the lines above the first section.

    The case-number line closes the head; the non-blank line just before it is
    the handler (an e-mail address or a person's name); every other line from
    the header down belongs to the title. Returns where the sections begin.
    """
    lines = doc.lines
    i = header.index + 1
    head: list[int] = []  # indexes of the non-blank head lines below the header
    while i < end and i not in doc.headings:
        line = lines[i]
        i += 1
        if CASE_LINE_RE.match(line):
            item.case_numbers = find_modern_case_numbers(line)
            break
        if line and not _is_noise(line):
            head.append(i - 1)
    if head and _is_handler(lines, head[-1], header.index):
        item.handler = lines[head.pop()]
    title = join_wrapped_lines([header.title_start, *(lines[j] for j in head)])
    item.title = title or None
    return i


def _is_handler(lines: list[str], index: int, header_index: int) -> bool:
    """An e-mail address, or a person's name set off from the title by a blank line.

    The blank line matters for names: a wrapped title line could be capitalised
    words too, but the template always leaves a gap before the handler's name.
    """
    line = lines[index]
    if EMAIL_RE.match(line):
        return True
    return bool(PERSON_RE.match(line)) and index > header_index + 1 and not lines[index - 1]


def _split_sections(doc: _Lines, start: int, end: int) -> dict[str, tuple[int, int]]:
    """Heading -> (first, end) line range of its text.

    A heading seen twice in one item is text the second time (a sub-heading).
    """
    lo, hi = bisect_left(doc.heading_indexes, start), bisect_left(doc.heading_indexes, end)
    starts: list[tuple[str, int]] = []
    for i in doc.heading_indexes[lo:hi]:
        heading = doc.headings[i]
        if all(heading != seen for seen, _ in starts):
            starts.append((heading, i))
    return {
        heading: (i + 1, starts[pos + 1][1] if pos + 1 < len(starts) else end)
        for pos, (heading, i) in enumerate(starts)
    }


def _nonempty(text: str) -> str | None:
    return None if text.strip().lower().rstrip(".,") in EMPTY_MARKERS else text


def _recommendation(block: list[str] | None) -> tuple[str | None, str | None]:
    """The recommendation text after its lead-in, and who recommends.

    "Det indstilles,\\nat " (the empty template) yields None; the text starts
    with the first "at" clause, the lead-in only names the recommender.
    """
    if not block:
        return None, None
    lines = block
    first = next((i for i, line in enumerate(lines) if line), None)
    if first is None:
        return None, None
    who = None
    m = LEAD_IN_RE.match(lines[first])
    if m:
        who = m.group("who")
        lines = [m.group("rest"), *lines[first + 1 :]]
    clauses = [clean_block(clause) for clause in _at_clauses(lines)]
    return _nonempty("\n".join(c for c in clauses if c)), who


def _at_clauses(lines: list[str]) -> list[list[str]]:
    """Split a recommendation into its "at <body> ..." clauses, one per line.

    Only a line opening with the first clause's own subject ("at bestyrelsen")
    starts a clause: a wrapped line may begin with a plain "at" mid-sentence.
    """
    first = next((line for line in lines if line), "")
    m = re.match(r"at\s+(\w+)", first)
    if not m:
        return [lines]
    opener = re.compile(rf"at\s+{re.escape(m.group(1))}\b")
    clauses: list[list[str]] = []
    for line in lines:
        if not clauses or opener.match(line):
            clauses.append([])
        clauses[-1].append(line)
    return clauses


def _parse_attachments(block: list[str], item: Item, warnings: list[str]) -> list[Attachment]:
    """ "N. Title (docid - case)" entries, which wrap anywhere, even inside the reference."""
    entries: list[list[str]] = []
    for line in block:
        if not line or _is_noise(line):
            continue
        if ATTACHMENT_START_RE.match(line) or not entries:
            entries.append([line])
        else:
            entries[-1].append(line)
    attachments = []
    for entry in entries:
        joined = join_wrapped_lines(entry)
        m = ATTACHMENT_RE.match(joined)
        if m:
            case = m.group("case")
            attachments.append(
                Attachment(
                    title=m.group("title"),
                    document_id=m.group("doc"),
                    case_number=normalise_case_number(case) if case else None,
                )
            )
        elif ATTACHMENT_START_RE.match(joined):
            title = re.sub(r"^\d{1,3}\.\s+", "", joined)
            attachments.append(Attachment(title=title))
            warnings.append(f"item {item.number}: attachment without reference: {joined!r}")
        else:
            warnings.append(f"item {item.number}: unrecognised text under Bilag: {joined!r}")
    return attachments


def _other_case_numbers(item: Item, sections: dict[str, list[str]]) -> list[str]:
    """Case numbers the item's text cites besides its own (sub-topics of orientations)."""
    # Only lines with a hyphen can hold a case number; joined with newlines so that a
    # number split over two lines ("EMN-2020-\n01734") is still found.
    text = "\n".join(
        line
        for heading, block in sections.items()
        if heading != ATTACHMENT_HEADING
        for line in block
        if "-" in line or line[:1].isdigit()
    )
    own = set(item.case_numbers)
    return [c for c in find_modern_case_numbers(text) if c not in own]


def _check_numbering(items: list[Item], warnings: list[str]) -> None:
    numbers = [item.number for item in items]
    for a, b in zip(numbers, numbers[1:], strict=False):
        if b != a + 1:
            warnings.append(f"item numbers jump from {a} to {b}")


# --- pages -------------------------------------------------------------------


def _page_of(
    index: int, footers: list[tuple[int, int]], lines: list[str], text: NormalisedText
) -> int | None:
    """The page a line is on, only when the text makes it certain.

    "Side N" closes page N. Without form feeds, a line lies on page N when the
    footers around it are "Side N-1" (or none, for N=1) above and "Side N"
    below; the first line after "Side N" is on page N+1. Extractors lose most
    footers, so far from them the page is unknown (None) rather than guessed.
    """
    if text.page_starts:
        return _page_from_form_feeds(index, footers, lines, text)
    above = next(((i, n) for i, n in reversed(footers) if i < index), None)
    below = next(((i, n) for i, n in footers if i > index), None)
    if below and ((above and above[1] == below[1] - 1) or (not above and below[1] == 1)):
        return below[1]
    if above and not any(lines[above[0] + 1 : index]):
        return above[1] + 1
    return None


def _page_from_form_feeds(
    index: int, footers: list[tuple[int, int]], lines: list[str], text: NormalisedText
) -> int | None:
    """Count page breaks (form feeds and footers), numbered by the first footer.

    Both are evidence of a break: an extractor may miss a feed but print the
    footer, and put the feed before or after the footer line; breaks with only
    blank or footer lines between them are one break. A file cut from a longer
    document starts on a later page than 1: the first footer says which.
    """
    breaks = _page_breaks(lines, footers, text.page_starts)
    page = 1 + sum(1 for start in breaks if start <= index)
    if not footers:
        return page
    footer_index, footer_page = footers[0]
    above = next((i for i in range(footer_index - 1, -1, -1) if lines[i]), 0)
    return page + footer_page - (1 + sum(1 for start in breaks if start <= above))


def _page_breaks(
    lines: list[str], footers: list[tuple[int, int]], page_starts: list[int]
) -> list[int]:
    """Line indexes that open a page, one per break."""
    candidates = sorted(set(page_starts) | {i + 1 for i, _ in footers})
    footer_lines = {i for i, _ in footers}
    breaks: list[int] = []
    for start in candidates:
        if breaks and not any(lines[j] and j not in footer_lines for j in range(breaks[-1], start)):
            breaks[-1] = start  # the same break seen twice: keep the later line
            continue
        breaks.append(start)
    return breaks


# --- meeting -----------------------------------------------------------------


def _deciding_body(items: list[Item], lines: list[str]) -> str | None:
    """The body that recommends to and decides: the organ most often named.

    "at sundhedsudvalget drøfter" names the committee itself. A bare organ word
    ("bestyrelsen") says only "a board": it is qualified by the owner the text
    gives it ("Danske Regioners bestyrelse") when there is one.
    """
    organs: Counter[str] = Counter()
    for item in items:
        for text in (item.recommendation, item.decision):
            for word in _clause_subjects(text):
                m = ORGAN_RE.match(word.lower())
                if m:
                    organs[(m.group("prefix"), m.group("stem"))] += 1
    if not organs:
        return None
    (prefix, stem), _ = organs.most_common(1)[0]
    if prefix:
        return _definite(prefix + stem).capitalize()
    owner = _owner_of(stem, lines)
    return f"{owner} {stem}" if owner else _definite(stem).capitalize()


def _clause_subjects(text: str | None) -> list[str]:
    """First word of each "at ..." clause and of each sentence of a decision."""
    if not text:
        return []
    found = re.findall(r"(?:^|\n|,\s)at\s+(\w+)", text)
    found += re.findall(r"(?:^|[.\n]\s*)([A-ZÆØÅ]\w+)\s", text)
    return found


def _definite(noun: str) -> str:
    """sundhedsudvalg -> sundhedsudvalget, bestyrelse -> bestyrelsen."""
    return noun + "n" if noun.endswith("e") else noun + "et"


def _owner_of(stem: str, lines: list[str]) -> str | None:
    """Most frequent "Capitalised Names-s <stem>" in the text, e.g. "Danske Regioners"."""
    pattern = re.compile(rf"((?:[A-ZÆØÅ]\w+ )*[A-ZÆØÅ]\w+s) {stem}\b")
    owners = Counter(m.group(1) for line in lines if stem in line for m in pattern.finditer(line))
    return owners.most_common(1)[0][0] if owners else None
