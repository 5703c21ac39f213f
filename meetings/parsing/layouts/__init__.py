"""Layout strategies. Each module exposes NAME, matches(text) and parse(text, source).

`text` is a NormalisedText (see normalise.py). The first layout whose matches()
is true parses the document; the generic layout is the fallback and warns.
"""

from __future__ import annotations

from types import ModuleType

from ..normalise import NormalisedText
from . import dr2011, dr_modern, generic, sst

# Most specific first: the 2011 packet also contains "N. Title" items that a
# looser layout would claim.
LAYOUTS: tuple[ModuleType, ...] = (dr2011, sst, dr_modern)


def choose_layout(text: NormalisedText) -> ModuleType:
    for layout in LAYOUTS:
        if layout.matches(text):
            return layout
    return generic
