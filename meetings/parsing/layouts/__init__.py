"""Layouts. Each exposes NAME, matches(text) and parse(text, source).

`text` is a NormalisedText (see normalise.py). The first layout whose matches()
is true parses the document; the generic layout is the fallback and warns. A
layout is a module of its own code (the Danske Regioner and Sundhedsstyrelsen
layouts) or an agenda system's description for the engine (engine/system.py).
"""

from __future__ import annotations

from types import ModuleType

from ..engine import System
from ..normalise import NormalisedText
from . import acadre_pdf, dr2011, dr_modern, edoc_pdf, firstagenda_pdf, generic, sbsys_word, sst

Layout = ModuleType | System

# Most specific first: the agenda systems have signatures no other document
# has; the 2011 packet also contains "N. Title" items that a looser layout would claim.
LAYOUTS: tuple[Layout, ...] = (
    firstagenda_pdf.SYSTEM,
    edoc_pdf.SYSTEM,
    acadre_pdf.SYSTEM,
    sbsys_word.SYSTEM,
    dr2011,
    sst,
    dr_modern,
)


def choose_layout(text: NormalisedText) -> Layout:
    for layout in LAYOUTS:
        if layout.matches(text):
            return layout
    return generic
