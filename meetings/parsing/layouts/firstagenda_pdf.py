"""FirstAgenda's PDF minutes and agendas (Aarhus Byråd): a description for the engine.

REFERAT Aarhus Byråd d. 27-08-2025 / Mødedato … / Mødested …
Indholdsfortegnelse: titles with dot leaders, no numbers, long ones cut
Punkt 2: Title that may wrap
EMN-2025-003383
Beslutninger (this meeting's decision, first) / BESLUTNINGSFORSLAG FRA DD
(a member's motion, upper case) / Resume / Beslutningspunkter (the
recommendation: "Det indstilles:" + "At 1) …") / … påtegning / Sagsforløb
(earlier bodies' decisions) / Bilag (one title a line)
"""

from __future__ import annotations

from ..engine.system import NUMBER, System, rx
from ..structured import roles

SYSTEM = System(
    name="firstagenda-pdf",
    signatures=(
        rx(r"^Punkt\s+\d{1,3}:\s+\S"),
        rx(r"^(?:REFERAT|DAGSORDEN)\s+\S.*\bd\.\s+\d{1,2}-\d{1,2}-\d{4}$"),
    ),
    headers=(rx(rf"^Punkt\s+{NUMBER}:\s+(?P<title>\S.*)$"),),
    captions=(
        # "Borgmesterens Afdelings påtegning": an endorsement, not a decision.
        (rx(r"^.+\spåtegning$"), roles.TEXT),
        (rx(r"^beslutningspunkter$"), roles.RECOMMENDATION),
    ),
    upper_case_captions=True,
    attachments_close_item=True,
)
