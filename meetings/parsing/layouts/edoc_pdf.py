"""KMD eDoc's PDF minutes and agendas (Ballerup): a description for the engine.

(every page) Sundheds- og Forebyggelsesudvalget / Referat / Åbent
referat / Dato: 04.12.2012 / Side N  - found as furniture by the engine
Referat / <body> / tirsdag den 4. december 2012, kl. 13:00 / i <place>
Tilstede / Afbud/Fraværende / Sekretær
INDHOLDSFORTEGNELSE: "N. Title   page", an "Åbent referat" and a
"Lukket referat" part
2.   Title
Sagsnr.: 2012-28504 / Dok.nr.: 2012-203438 (a document number)
Sammendrag / Baggrund / Sagsfremstilling / Økonomiske konsekvenser og
finansiering / Bilag ("2012-200782 - Title") / Beslutningen træffes af
(who decides) / Indstilling / "<body>s beslutning den 04.12.2012 Punkt 2"
/ Følgende deltog ikke i behandlingen af punktet:
"""

from __future__ import annotations

from ..engine.system import NUMBER, System, rx
from ..structured import roles

SYSTEM = System(
    name="edoc-pdf",
    # "Dok.nr.:" under "Sagsnr.:" is eDoc's own; its case numbers are "2011-29298" or "12/345".
    signatures=(rx(r"^Sagsnr\.:\s*\S"), rx(r"^Dok\.\s?nr\.:")),
    headers=(rx(rf"^{NUMBER}\.\s+(?P<title>[A-ZÆØÅ0-9].*)$"), rx(rf"^{NUMBER}\.$")),
    captions=(
        (rx(r"^følgende deltog ikke i behandlingen af punktet$"), roles.TEXT),
        (rx(r"^dok\.\s?nr\.$"), roles.TEXT),
    ),
    attachment=rx(r"^(?P<doc>\d{4}\s*[-–]\s*\d{3,})\s+-\s+(?P<title>\S.*)$"),
)
