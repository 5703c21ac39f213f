"""Acadre's PDF minutes and agendas (Syddjurs): a description for the engine.

(every page) "N of M" / Referat For <body>  Side N / <date> - kl. <time>
Referat / <body> / <label> / Torsdag den 20. juni 2013 / Kl. 10:30 /
address lines / Medlemmer (two columns) / Fraværende
Indholdsfortegnelse: "Punkt nr. … Side" / "715.   Title ....2"
715. Title  (a running number over the year)
Sagsnr.: 12/27845 / Sagen afgøres i: <body> (who decides)
Resumé / Sagsfremstilling / Indstilling ("Direktøren indstiller, at …") /
dated "Beslutning i <body> den 10-04-2013" blocks, of which only the one
of this meeting's date is its decision / Bilag ("1 Åben Title  docno")
/ Underskriftsside
"""

from __future__ import annotations

from ..engine.system import NUMBER, System, rx

SYSTEM = System(
    name="acadre-pdf",
    signatures=(rx(r"^Sagsnr\.:"), rx(r"^Sagen afgøres i:")),
    headers=(rx(rf"^{NUMBER}\.\s+(?P<title>[A-ZÆØÅ0-9].*)$"), rx(rf"^{NUMBER}\.$")),
    attachment=rx(
        r"^\d{1,3}\s+(?P<access>Åben|Lukket|Fortrolig)\s+(?P<title>\S.*?)(?:\s+(?P<doc>\d{1,7}/\d{2}))?$"
    ),
    attachment_doc_column=rx(r"^\d{1,7}/\d{2}$"),
    # The page header, also in a document too short for the engine to see it recur.
    furniture=(
        rx(r"^(?:Referat|Dagsorden)\s+For\s+.+?(?:\s+Side\s+\d{1,4})?$"),
        rx(r"^\d{1,2}\.\s+\w+\s+\d{4}\s+-\s+kl\.\s+\d{1,2}[:.]\d{2}$"),
    ),
)
