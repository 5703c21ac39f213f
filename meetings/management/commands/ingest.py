"""`manage.py ingest PATH...`: import documents, print what happened, exit non-zero on failures."""

from __future__ import annotations

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from meetings import parsing
from meetings.importing import (
    FileResult,
    ImportError_,
    Metadata,
    collect_files,
    default_jobs,
    parse_date,
    run_import,
)
from meetings.models import ImportedFile


class Command(BaseCommand):
    help = (
        "Import meeting documents (.txt, .pdf, and agenda system exports: .json, .xml, .html,"
        " .zip): files, folders (recursively) and globs."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--body", help="the body (committee, board) when the text does not say")
        parser.add_argument(
            "--date", help="the meeting date, YYYY-MM-DD, when the text does not say"
        )
        parser.add_argument("--kind", choices=[parsing.AGENDA, parsing.MINUTES])
        parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
        parser.add_argument(
            "--jobs",
            type=int,
            default=default_jobs(),
            help="documents imported side by side (default: one per CPU)",
        )

    def handle(self, *args, paths, body, date, kind, dry_run, jobs, **options):
        if jobs < 1:
            raise CommandError("--jobs must be at least 1")
        try:
            stated = Metadata(body=body, date=parse_date(date, "--date"), kind=kind)
        except ImportError_ as exc:
            raise CommandError(str(exc)) from exc
        self.dry_run = dry_run
        files, unmatched = collect_files(paths)
        missing = [
            FileResult(
                p,
                ImportedFile.FAILED,
                "no such file, or no document (.txt, .pdf, .json, .xml, .html, .zip) in it",
            )
            for p in unmatched
        ]
        for result in missing:
            self._report(result)
        # A bar on a terminal; in a log or a pipe, one plain line per file instead.
        interactive = self.stderr.isatty()
        # The raw stream: Django's wrapper would end each of the bar's redraws with a newline.
        bar = tqdm(total=len(files), unit="dok", disable=not interactive, file=self.stderr._out)

        def on_file(result: FileResult) -> None:
            bar.update(1)
            if interactive and result.outcome != ImportedFile.FAILED:
                return  # the bar shows progress; failures are still printed
            self._report(result, bar if interactive else None)

        run = run_import(
            files,
            stated,
            started_by=_who(),
            dry_run=dry_run,
            on_file=on_file,
            extra_failures=missing,
            jobs=jobs,
        )
        bar.close()
        prefix = "dry run, nothing written: " if dry_run else ""
        self.stdout.write(
            f"{prefix}{run.created} imported, {run.replaced} replaced, "
            f"{run.unchanged} unchanged, {run.failed} failed (import run {run.pk})"
        )
        if run.failed:
            sys.exit(1)

    def _report(self, result: FileResult, bar: tqdm | None = None) -> None:
        if result.outcome == ImportedFile.FAILED:
            line = f"error: {result.path}: {result.message}"
            (bar.write(line, file=self.stderr._out) if bar else self.stderr.write(line))
            return
        detail = ""
        if result.outcome != ImportedFile.UNCHANGED:
            detail = f" ({_count(result.meetings, 'meeting')}, {_count(result.items, 'item')}"
            if result.outcome == ImportedFile.REPLACED:
                detail += f"; {_count(result.items_revised, 'item')} revised"
                if result.items_removed or result.meetings_removed:
                    detail += (
                        f", {_count(result.items_removed, 'item')} and "
                        f"{_count(result.meetings_removed, 'meeting')} no longer in it"
                    )
            detail += ")"
        label = result.outcome
        if self.dry_run and result.outcome != ImportedFile.UNCHANGED:
            label = f"would be {result.outcome}"
        self.stdout.write(f"{label}: {result.path}{detail}")
        for warning in result.warnings:
            self.stdout.write(f"  warning: {warning}")


def _count(number: int, noun: str) -> str:
    """Counted nouns in the report: 1 meeting, 2 meetings."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _who() -> str:
    try:
        return f"{getpass.getuser()} (command line)"
    except (KeyError, OSError):
        return "command line"
