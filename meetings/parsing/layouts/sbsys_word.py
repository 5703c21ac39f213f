"""SBSYS's Word-template minutes (Aarhus working groups): a description for the engine.

Tværgående møder / <department> / Referat / <body>
Dato: / Tid: / Sted: / Deltagere: / Afbud: / Fraværende: / Bemærk:
1 First Agenda      (a group heading)
1.1 Status siden sidst
Oplæg: (the case text) / Referat: (this meeting's minutes: its decision)
3   Eventuelt
(pages 2-) "Side N"
"""

from __future__ import annotations

from ..engine.system import System, rx
from ..structured import roles

SUB_NUMBER = r"(?P<number>\d{1,2}(?:\.\d{1,2})*)"

SYSTEM = System(
    name="sbsys-word",
    # An agenda of the template has no "Referat:" yet, and not every one has sub-items.
    signatures=(rx(r"^Oplæg:"), rx(r"^\d{1,2}(?:\.\d{1,2})?\s+[A-ZÆØÅ]")),
    headers=(rx(rf"^{SUB_NUMBER}\s+(?P<title>[A-ZÆØÅ].*)$"), rx(rf"^{SUB_NUMBER}$")),
    hierarchical=True,
    captions=(
        (rx(r"^referat$"), roles.DECISION),
        (rx(r"^oplæg$"), roles.TEXT),
    ),
)
