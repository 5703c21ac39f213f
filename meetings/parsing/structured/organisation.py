"""The authority a published meeting belongs to, when two things in the file agree on it.

No export states its municipality as a field. What it has is a site (the
FirstAgenda API's links point at dagsordener.greve.dk; the Aarhus page's logo
is aarhus_logo.png) and text that names authorities ("Greve Kommune" 44 times
in the Greve JSON, but also "Brøndby Kommune" and "Ishøj Kommune"). Neither
alone is evidence: a site name is not a spelling ("hoeje-taastrup"), and the
text names neighbours. An authority named in the text whose name the site
spells is the organisation; anything less is None. The SBSYS publication has
no site and so no organisation, though its text names Region Hovedstaden.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

AUTHORITY_RE = re.compile(
    r"\b(?:(?P<municipality>[A-ZÆØÅ][\wæøåÆØÅ-]+(?:-[A-ZÆØÅ][\wæøå]+)?)\s+"
    r"(?P<kind>Kommune|Regionskommune)|Region\s+(?P<region>[A-ZÆØÅ][\wæøå]+))\b"
)
TOKEN_RE = re.compile(r"[a-z0-9æøå]+")
DANISH_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})


def organisation(site_words: Iterable[str], texts: Iterable[str]) -> str | None:
    """The authority the text names most often among those the site's words spell."""
    spelled = {_fold(token) for word in site_words for token in TOKEN_RE.findall(word.lower())}
    counts: Counter[str] = Counter()
    for text in texts:
        for match in AUTHORITY_RE.finditer(text):
            name = match.group("municipality") or match.group("region")
            if _fold(name) in spelled:
                counts[_authority(match)] += 1
    return counts.most_common(1)[0][0] if counts else None


def _authority(match: re.Match) -> str:
    if match.group("region"):
        return f"Region {match.group('region')}"
    return f"{match.group('municipality')} {match.group('kind')}"


def _fold(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower().translate(DANISH_FOLD))
