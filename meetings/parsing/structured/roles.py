"""What an export's section caption means, and what of its text is a field: one table for all.

Every export names its sections in Danish, each system in its own words:
"Beslutning" (FirstAgenda Greve), "Beslutninger" (FirstAgenda Aarhus),
"FORRETNINGSUDVALGETS BESLUTNING" (SBSYS), "Sundheds- og
Forebyggelsesudvalgets beslutning den 04.12.2012" (eDoc), "Beslutning i
Udvalget for plan, udvikling og kultur (PUK) den 20-06-2013" (Acadre). The
tables below say which caption plays which role; a new system's wording is
a row, not code. A decision caption that names another body ("REGIONSRÅDETS
BESLUTNING") or another date is not this meeting's decision.

Then the rules that make a section's paragraphs a field, each named:
the recommendation's lead-in ("Administrationen indstiller," / "Det
indstilles:") is cut and its speaker kept, the text keeping its "at" as in
the corpus; a decision loses attendance notes ("Afbud: …"), placeholders
("Tomt indhold") and the dated blocks of other meetings ("18. september
2012: …"). Plain Python, no Django.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..text import parse_danish_date

RECOMMENDATION = "recommendation"
DECISION = "decision"
# A decision of another body, or of this body at another meeting: kept as text only.
OTHER_DECISION = "other decision"
DECIDED_BY = "decided by"
HISTORY = "history"
ATTACHMENTS = "attachments"
TEXT = "text"

# (caption pattern, role); the caption folded: lower case, one space, no trailing colon.
# First match wins, so the "not a decision" rows stand before the decision rows.
CAPTION_ROLES: tuple[tuple[re.Pattern, str], ...] = tuple(
    (re.compile(pattern), role)
    for pattern, role in (
        # Who decides, not what was decided: "Sagen afgøres i", "Beslutningen træffes af".
        (r"^(?:sagen afgøres (?:i|af)|beslutningen træffes (?:i|af)|beslutningskompetence"
         r"|besluttende (?:udvalg|organ))$", DECIDED_BY),
        # A member's motion is not a decision ("BESLUTNINGSFORSLAG FRA …").
        (r"^beslutningsforslag\b", TEXT),
        # Aarhus's "Beslutningspunkter" introduces the recommendation.
        (r"^beslutningspunkter$", RECOMMENDATION),
        (r"^(?:\w+s\s+)?indstilling(?:er|en)?$", RECOMMENDATION),
        (r"^(?:det indstilles|forslag til indstilling)$", RECOMMENDATION),
        (r"^(?:sagens forløb|sagsforløb|sagens gang|punktet behandlet tidligere"
         r"|tidligere behandling(?:er)?|tidligere beslutning(?:er)?)$", HISTORY),
        (r"^(?:bilag|bilagsliste|bilagsoversigt)$", ATTACHMENTS),
        (r"^(?:beslutning|beslutninger|beslutningen|afgørelse)$", DECISION),
        # "Økonomiudvalgets beslutning", "… beslutning den 04.12.2012 Punkt 3".
        (r"^(?P<body>.+?)s\s+beslutning(?:er)?(?:\s+den\s+(?P<date>.+?))?(?:\s+punkt\s+\d+)?$",
         DECISION),
        # Acadre: "Beslutning i Udvalget for … den 20-06-2013".
        (r"^beslutning\s+(?:i|fra)\s+(?P<body>.+?)(?:\s+den\s+(?P<date>.+?))?$", DECISION),
        (r"^beslutning\s+den\s+(?P<date>.+?)$", DECISION),
    )
)  # fmt: skip
# Captions that open a section when an export prints them as a bold paragraph
# instead of a heading ("<p><strong>Sagsbeskrivelse</strong></p>", Greve items 6
# and 8). Any caption with a role counts too; other bold lines are emphasis.
KNOWN_CAPTIONS_RE = re.compile(
    r"^(?:resum[eé]|sammendrag|sagsfremstilling|supplerende sagsfremstilling|sagsbeskrivelse"
    r"|sagsprocedure|baggrund|lovgrundlag|retsgrundlag|økonomi(?:ske)?|kommunikation|høring(?:en|er)?"
    r"|vurdering|administrationens vurdering|forvaltningens vurdering|tidsplan|proces"
    r"|konsekvenser|miljøvurdering|borgerinddragelse|handicappolitisk vurdering"
    r"|bemærkninger|sekretariatets bemærkninger|udtalelse(?:r|n)?|beskrivelse)"
    r"(?:$|\s+(?:og|konsekvenser|forhold|vurdering)\b)"
)
# A caption is a line, not a sentence.
MAX_CAPTION_CHARS = 80

# Lines of a decision that say who took part, not what was decided.
ATTENDANCE_LINE_RE = re.compile(
    r"^(?:afbud|fraværende|fravær|ikke til stede|forfald"
    r"|følgende deltog ikke i (?:behandlingen af )?(?:punktet|sagen))\b\s*:?",
    re.IGNORECASE,
)
# What some systems write into an empty field.
PLACEHOLDERS = {"tomt indhold", "-", "–", "."}
# A block of a decision field dated for one meeting: "18. september 2012: Sagen udsat …".
DATED_BLOCK_RE = re.compile(
    r"^\s*(?P<date>\d{1,2}\.?\s*[a-zæøå]+\.?\s+\d{4}|\d{1,2}[-./]\d{1,2}[-./]\d{4})\s*:\s*",
    re.IGNORECASE,
)
# The recommendation's lead-in: who recommends (a few words), "indstiller", and what follows.
LEAD_IN_RE = re.compile(
    r"^(?:(?!at\b)(?P<who>[^\s.:;,][^.:;]{0,80}?)\s+indstiller|det\s+indstilles)(?:\s+derfor)?"
    r"\s*[,:]?\s*(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
MAX_LEAD_IN_WORDS = 8


@dataclass(frozen=True)
class Caption:
    role: str
    body: str | None = None
    date: dt.date | None = None


def fold(text: str) -> str:
    return " ".join(text.split()).casefold().rstrip(":").strip()


def classify(caption: str) -> Caption:
    """The role a caption names, and the body and date it names when it does."""
    folded = fold(caption)
    for pattern, role in CAPTION_ROLES:
        match = pattern.match(folded)
        if match:
            groups = match.groupdict()
            date = parse_danish_date(groups["date"]) if groups.get("date") else None
            return Caption(role, groups.get("body"), date)
    return Caption(TEXT)


def role_for_meeting(caption: str, body: str | None, date: dt.date | None) -> str:
    """classify(), with a decision of another body or another date made OTHER_DECISION."""
    found = classify(caption)
    if found.role != DECISION:
        return found.role
    if found.date and date and found.date != date:
        return OTHER_DECISION
    if found.body and not same_body(found.body, body):
        return OTHER_DECISION
    return DECISION


def is_caption(text: str) -> bool:
    """Whether a bold paragraph is a section caption rather than emphasis."""
    if not text or len(text) > MAX_CAPTION_CHARS or text.rstrip().endswith((".", ",", ";")):
        return False
    return classify(text).role != TEXT or bool(KNOWN_CAPTIONS_RE.match(fold(text)))


def same_body(named: str, body: str | None) -> bool:
    """Whether a caption's body ("forretningsudvalget", "økonomiudvalget") is the meeting's.

    Compared without case, a parenthesis, a period of office ("Byråd 2022-2025")
    or a definite ending ("Byrådet" is "Byråd"): one must begin with the other.
    """
    if not body:
        return False
    a, b = _core(named), _core(body)
    return bool(a and b) and (a.startswith(b) or b.startswith(a))


def _core(name: str) -> str:
    name = re.sub(r"\(.*?\)|\b\d{4}\s*[-–]\s*\d{4}\b", " ", name.casefold())
    name = " ".join(re.sub(r"[^\w\s-]", " ", name).split())
    return re.sub(r"(?:et|en|ene)$", "", name)


# ------------------------------------------------------------------ fields


def decision_text(paragraphs: list[str], date: dt.date | None) -> str | None:
    """This meeting's decision in a decision section's paragraphs, or None when it has none."""
    lines = [
        [line for line in paragraph.split("\n") if not ATTENDANCE_LINE_RE.match(line.strip())]
        for paragraph in paragraphs
    ]
    kept = ["\n".join(paragraph) for paragraph in lines if paragraph]
    kept = [p for p in kept if fold(p) not in PLACEHOLDERS and _has_words(p)]
    kept = _this_meetings_block(kept, date)
    return "\n\n".join(kept) if kept else None


def _this_meetings_block(paragraphs: list[str], date: dt.date | None) -> list[str]:
    """Of dated blocks ("18. september 2012: …"), the one of this meeting's date.

    A field with no dated block is this meeting's. A field with dated blocks
    and none of this date holds no decision of this meeting (SBSYS carries
    the earlier meeting's decision and an empty stub for this one).
    """
    blocks: list[tuple[dt.date | None, list[str]]] = []
    for paragraph in paragraphs:
        match = DATED_BLOCK_RE.match(paragraph)
        stated = parse_danish_date(match.group("date")) if match else None
        if stated:
            rest = paragraph[match.end() :].strip()
            blocks.append((stated, [rest] if rest else []))
        elif blocks:
            blocks[-1][1].append(paragraph)
        else:
            blocks.append((None, [paragraph]))
    if not any(stated for stated, _ in blocks):
        return paragraphs
    return [p for stated, block in blocks if stated and stated == date for p in block]


def recommendation_text(paragraphs: list[str]) -> tuple[str | None, str | None]:
    """(the recommendation, who recommends) from a recommendation section's paragraphs.

    "Administrationen indstiller, at …" -> ("at …", "Administrationen");
    "Det indstilles:" + "At 1) …" -> ("At 1) …", None). A lead-in that ends
    in "at" goes on in the next paragraph ("Det indstilles, at" + "Forslag …"
    -> "at Forslag …").
    """
    paragraphs = [p for p in paragraphs if _has_words(p) and fold(p) not in PLACEHOLDERS]
    if not paragraphs:
        return None, None
    first, rest = paragraphs[0], paragraphs[1:]
    match = LEAD_IN_RE.match(first)
    who = None
    if match and len((match.group("who") or "").split()) <= MAX_LEAD_IN_WORDS:
        who = (match.group("who") or "").strip() or None
        first = match.group("rest").strip()
        if not first:
            first, rest = (rest[0], rest[1:]) if rest else ("", [])
        elif rest and re.search(r"\bat\s*[;:,]?$", first, re.IGNORECASE):
            first, rest = f"{first} {rest[0]}", rest[1:]
    text = "\n\n".join(p for p in [first, *rest] if p)
    return (text or None), who


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)
