"""`manage.py parse FILE... [--json]`: show what the parser reads, without any database."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from meetings.parsing import ParsedDocument, ParseError, parse_document


class Command(BaseCommand):
    help = "Parse meeting documents and print the result (JSON in the gold schema with --json)."
    requires_system_checks: list = []  # no database, no checks: the parser is plain Python
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--json", action="store_true", help="one JSON object per file and line")

    def handle(self, *args, files, **options):
        failed = 0
        for name in files:
            path = Path(name)
            try:
                parsed = parse_document(path.read_bytes(), path.name)
            except OSError as exc:
                failed += 1
                self.stderr.write(f"error: {path}: {exc.strerror or exc}")
                continue
            except ParseError as exc:
                failed += 1
                self.stderr.write(f"error: {path}: {exc.reason}")
                continue
            self.stdout.write(_as_json(parsed) if options["json"] else _outline(parsed))
        if failed:
            sys.exit(1)


def _as_json(parsed: ParsedDocument) -> str:
    return json.dumps(parsed.to_dict(), ensure_ascii=False)


def _outline(parsed: ParsedDocument) -> str:
    lines = [f"{parsed.source} (layout {parsed.layout})"]
    for warning in parsed.warnings:
        lines.append(f"  warning: {warning}")
    for reason in parsed.review_reasons:  # what ingest would hold the document for
        lines.append(f"  held for review: {reason}")
    for meeting in parsed.meetings:
        date = meeting.date.isoformat() if meeting.date else "date unknown"
        lines.append(f"  {meeting.kind}: {meeting.body or 'body unknown'}, {date}")
        if meeting.location:
            lines.append(f"    location: {meeting.location}")
        for item in meeting.items:
            if item.is_confidential:
                lines.append(f"    {item.number}. (confidential)")
                continue
            cases = f" [{', '.join(item.case_numbers)}]" if item.case_numbers else ""
            lines.append(f"    {item.number}. {item.title}{cases}")
            if item.decision:
                lines.append(f"       decision: {_first_words(item.decision)}")
    for title in parsed.appendices:
        lines.append(f"  appendix: {title}")
    return "\n".join(lines)


def _first_words(text: str, count: int = 12) -> str:
    words = text.split()
    return " ".join(words[:count]) + (" …" if len(words) > count else "")
