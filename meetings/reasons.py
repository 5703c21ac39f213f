"""The parser's and importer's one-line reasons in the reader's language.

The parser is plain Python without Django, and the importer's command line
speaks English: both word a reason in English, as logs and `ingest` show it.
The admin speaks Danish first, so what it shows of a reason goes through this
table: each English reason as a pattern (`{name}` for the part that varies)
and its Danish wording. A reason the table does not know is shown as it is;
tests/test_reasons.py finds every reason the code can give and checks that the
table knows it.
"""

from __future__ import annotations

import functools
import re

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _  # marked for the catalogue, read later

from .models import ImportedFile

# A message may hold several reasons (a held document's review reasons).
SEPARATOR = "; "

REASONS = [
    ("the file is empty", _("filen er tom")),
    ("the file contains NUL bytes (first at byte {n}): it is binary, not text",
     _("filen indeholder NUL-tegn (første ved byte %(n)s): den er binær, ikke tekst")),
    ("the file looks like binary data, not text ({n}% control characters)",
     _("filen ligner binære data, ikke tekst (%(n)s %% styretegn)")),
    ("the file is named .pdf but is not a PDF (no %PDF- header)",
     _("filen hedder .pdf, men er ikke en PDF (intet %%PDF-hoved)")),
    ("the PDF is truncated (it has no %%EOF end marker)",
     _("PDF'en er afkortet (den har ingen %%%%EOF-slutmarkør)")),
    ("the PDF has no text layer (it looks scanned): run OCR on it before importing",
     _("PDF'en har intet tekstlag (den ligner en scanning): kør OCR på den før import")),
    ("the PDF is encrypted with a password", _("PDF'en er krypteret med en adgangskode")),
    ("the PDF has {n} pages, more than {limit} allowed",
     _("PDF'en har %(n)s sider, flere end de tilladte %(limit)s")),
    ("the file {claim} but byte {n} is not valid in that encoding",
     _("filen angiver en tegnkodning (%(claim)s), men byte %(n)s passer ikke til den")),
    # Before "the file is {what}", which would match it too.
    ("the file is named {suffix} but its content is {media}",
     _("filen hedder %(suffix)s, men indholdet er %(media)s")),
    ("the file is {what}", _("filen er ikke et dokument, men %(what)s")),
    ("the text is neither UTF-8 nor Windows-1252 (byte 0x{byte} at offset {n} is undefined "
     "in Windows-1252)",
     _("teksten er hverken UTF-8 eller Windows-1252 (byte 0x%(byte)s ved position %(n)s "
       "findes ikke i Windows-1252)")),
    ("the PDF is corrupt or unreadable ({detail})",
     _("PDF'en er beskadiget eller ulæselig (%(detail)s)")),
    ("the PDF is encrypted and cannot be opened ({detail})",
     _("PDF'en er krypteret og kan ikke åbnes (%(detail)s)")),
    ("the PDF is corrupt or its text cannot be read ({detail})",
     _("PDF'en er beskadiget, eller dens tekst kan ikke læses (%(detail)s)")),
    ("the PDF is corrupt or its pages cannot be read ({detail})",
     _("PDF'en er beskadiget, eller dens sider kan ikke læses (%(detail)s)")),
    ("the PDF's page content unpacks to more than {n} MB (a compression bomb, or far larger "
     "than any minutes)",
     _("PDF'ens sideindhold fylder udpakket mere end %(n)s MB (en komprimeringsbombe, eller "
       "langt større end noget referat)")),
    ("the PDF's text is longer than {n} characters",
     _("PDF'ens tekst er længere end %(n)s tegn")),
    ("no DR 2011 agenda or minutes items found",
     _("der blev ikke fundet punkter fra en dagsorden eller et referat i 2011-format")),
    ("the document contains no text", _("dokumentet indeholder ingen tekst")),
    ("the document is too deeply nested to parse",
     _("dokumentet er for dybt indlejret til at kunne læses")),
    ("the document is too large to parse in memory",
     _("dokumentet er for stort til at kunne læses i hukommelsen")),
    ("the parser failed unexpectedly ({detail})",
     _("læsningen af dokumentet fejlede uventet (%(detail)s)")),
    ("the {layout} parser recursed too deeply",
     _("læsningen med layoutet %(layout)s gik for dybt i rekursion")),
    ("the {layout} parser failed ({detail})",
     _("læsningen med layoutet %(layout)s fejlede (%(detail)s)")),
    # The agenda systems' exports (meetings/parsing/structured/).
    ("the {media} export is too deeply nested to read",
     _("eksporten (%(media)s) er for dybt indlejret til at kunne læses")),
    ("the {media} export reader failed ({detail})",
     _("læsningen af eksporten (%(media)s) fejlede (%(detail)s)")),
    ("the file's content ({media}) is no agenda export",
     _("filens indhold (%(media)s) er ikke en eksport fra et dagsordensystem")),
    ("the XML is no agenda export this archive reads (its root element is <{root}>)",
     _("XML-filen er ikke en dagsordenseksport, som arkivet kan læse (dens rodelement er "
       "<%(root)s>)")),
    ("the JSON is not a FirstAgenda publication (it has no Dagsordenpunkter)",
     _("JSON-filen er ikke en udgivelse fra FirstAgenda (den har ingen Dagsordenpunkter)")),
    ("the web page is not a FirstAgenda publication page (it lists no items)",
     _("websiden er ikke en udgivelsesside fra FirstAgenda (den viser ingen punkter)")),
    ("the ZIP archive holds no SBSYS publication XML (an Office document such as .docx is "
     "not supported)",
     _("ZIP-arkivet indeholder ingen udgivelses-XML fra SBSYS (et Office-dokument som .docx "
       "kan ikke importeres)")),
    ("meeting {n}: {count} items of the export have no number",
     _("møde %(n)s: %(count)s af eksportens punkter har intet nummer")),
    ("item {n} has no title in the export", _("punkt %(n)s har ingen titel i eksporten")),
    ("item {n} appears more than once in the export",
     _("punkt %(n)s optræder mere end én gang i eksporten")),
    ("the export is larger than {n} MB, far larger than any agenda export",
     _("eksporten er større end %(n)s MB, langt større end nogen dagsordenseksport")),
    ("the export contains NUL bytes: it is binary, not text",
     _("eksporten indeholder NUL-tegn: den er binær, ikke tekst")),
    ("the export's byte {n} is not valid {encoding}",
     _("eksportens byte %(n)s er ikke gyldig %(encoding)s")),
    ("the export is neither UTF-8 nor Windows-1252 (byte {n})",
     _("eksporten er hverken UTF-8 eller Windows-1252 (byte %(n)s)")),
    ("the XML declares a document type or entities, which no agenda export does (a way to "
     "attack XML readers)",
     _("XML-filen erklærer en dokumenttype eller entiteter, hvad ingen dagsordenseksport gør "
       "(en måde at angribe XML-læsere på)")),
    ("the XML is not well-formed ({detail})", _("XML-filen er ikke velformet (%(detail)s)")),
    ("the XML is nested more than {n} levels deep",
     _("XML-filen er indlejret i mere end %(n)s niveauer")),
    ("the JSON is nested too deeply", _("JSON-filen er for dybt indlejret")),
    ("the JSON is nested more than {n} levels deep",
     _("JSON-filen er indlejret i mere end %(n)s niveauer")),
    ("the JSON is not valid ({detail})", _("JSON-filen er ikke gyldig (%(detail)s)")),
    ("the web page cannot be read ({detail})", _("websiden kan ikke læses (%(detail)s)")),
    ("the web page is nested more than {n} levels deep",
     _("websiden er indlejret i mere end %(n)s niveauer")),
    ("an item's HTML text is nested more than {n} levels deep",
     _("et punkts HTML-tekst er indlejret i mere end %(n)s niveauer")),
    ("the ZIP archive is broken ({detail})", _("ZIP-arkivet er beskadiget (%(detail)s)")),
    ("the ZIP archive holds more than {n} files", _("ZIP-arkivet indeholder mere end %(n)s filer")),
    ("the ZIP archive holds more than one publication ({names})",
     _("ZIP-arkivet indeholder mere end én udgivelse (%(names)s)")),
    ("the ZIP archive's {name} is encrypted", _("ZIP-arkivets %(name)s er krypteret")),
    ("the ZIP archive's {name} unpacks to more than {n} MB",
     _("ZIP-arkivets %(name)s fylder udpakket mere end %(n)s MB")),
    ("the ZIP archive's {name} cannot be read ({detail})",
     _("ZIP-arkivets %(name)s kan ikke læses (%(detail)s)")),
    ("the importer failed unexpectedly ({detail})",
     _("importen fejlede uventet (%(detail)s)")),
    ("{what}: {value} makes no sense as a meeting date",
     _("%(what)s: %(value)s giver ikke mening som mødedato")),
    ("{what}: {value} is not a date (use YYYY-MM-DD)",
     _("%(what)s: %(value)s er ikke en dato (brug ÅÅÅÅ-MM-DD)")),
    ("sidecar {name} must hold a table of body/date/kind",
     _("sidefilen %(name)s skal indeholde en tabel med body/date/kind")),
    ("sidecar {name}: kind must be 'agenda' or 'minutes'",
     _("sidefilen %(name)s: kind skal være 'agenda' eller 'minutes'")),
    ("sidecar {name} is unreadable: {detail}",
     _("sidefilen %(name)s kan ikke læses: %(detail)s")),
    ("larger than {n} MB", _("større end %(n)s MB")),
    ("larger than {n} bytes", _("større end %(n)s byte")),
    ("no agenda items found (layout {layout})",
     _("der blev ikke fundet nogen dagsordenspunkter (layout %(layout)s)")),
    ("item {n}: only numbers like 2 and 1.1 can be published yet",
     _("punkt %(n)s: kun numre som 2 og 1.1 kan offentliggøres endnu")),
    ("line {n} opens a closed section ({excerpt}) inside an item the parser read as public",
     _("linje %(n)s indleder et lukket afsnit (%(excerpt)s) inde i et punkt, der blev læst "
       "som offentligt")),
    ("line {n} marks something closed ({excerpt}) that is no closed item",
     _("linje %(n)s markerer noget som lukket (%(excerpt)s), som ikke er et lukket punkt")),
    # The plausibility check (meetings/parsing/plausibility.py).
    ("the document does not look like an agenda or minutes (it never says Dagsorden, Referat "
     "or Møde)",
     _("dokumentet ligner ikke en dagsorden eller et referat (ordene Dagsorden, Referat og "
       "Møde står ingen steder i det)")),
    ("no meeting of the document names its body (committee or council)",
     _("dokumentet nævner ikke, hvilket organ (udvalg eller råd) mødet hører til")),
    ("item numbers are not in order ({before} is followed by {after})",
     _("punkternes numre står ikke i rækkefølge (%(before)s efterfølges af %(after)s)")),
    ("{empty} of {count} items have no text of their own (items {numbers}): a table of "
     "contents read as the agenda?",
     _("%(empty)s af %(count)s punkter har ingen tekst ud over titlen (punkt %(numbers)s): "
       "er en indholdsfortegnelse læst som dagsordenen?")),
    ("item {n} holds {share}% of the items' text: item headers missed?",
     _("punkt %(n)s rummer %(share)s %% af punkternes tekst: er punktoverskrifter overset?")),
    ("the table of contents lists {listed} items but {found} were found",
     _("indholdsfortegnelsen har %(listed)s punkter, men der blev fundet %(found)s")),
    ("items {numbers} are in the table of contents but were not found",
     _("punkt %(numbers)s står i indholdsfortegnelsen, men blev ikke fundet")),
    ("items {numbers} were found but are not in the table of contents",
     _("punkt %(numbers)s blev fundet, men står ikke i indholdsfortegnelsen")),
    ("the titles of items {numbers} differ from the table of contents",
     _("titlerne på punkt %(numbers)s afviger fra indholdsfortegnelsen")),
    ("the document was withdrawn by staff", _("dokumentet er trukket tilbage af redaktionen")),
    ("older than the version of {name} shown",
     _("ældre end den viste version af %(name)s")),
]  # fmt: skip


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(
        f"(?P<{part}>.+?)" if index % 2 else re.escape(part) for index, part in enumerate(parts)
    )
    return re.compile(f"{regex}$", re.DOTALL)


@functools.cache
def _patterns() -> list[tuple[re.Pattern, str]]:
    return [(_pattern(english), danish) for english, danish in REASONS]


def known(reason: str) -> bool:
    return any(pattern.match(reason) for pattern, _ in _patterns())


def in_reader_language(message: str) -> str:
    """The message's reasons in the active language (English reasons stay as they are)."""
    return SEPARATOR.join(_one(reason) for reason in message.split(SEPARATOR))


def _one(reason: str) -> str:
    outcome = _OUTCOMES.get(reason)
    if outcome is not None:
        return str(outcome)
    held = HELD_PREFIX.match(reason)
    if held:  # "held for review: <the first review reason>"
        return gettext("til gennemsyn: %(reason)s") % {"reason": _one(held["reason"])}
    for pattern, wording in _patterns():
        found = pattern.match(reason)
        if found:
            return gettext(wording) % found.groupdict()
    return reason


# An import's message starts with its outcome ("unchanged; older than …"), in the
# history's own words for it.
_OUTCOMES = dict(ImportedFile.OUTCOMES)
HELD_PREFIX = re.compile(r"held for review: (?P<reason>.+)$", re.DOTALL)
