"""Ranking judged: the queries of tests/data/search_queries.json, run through /soeg/.

Each query names the items a reader expects on the first page. The documents are
imported into the test database; every query goes through the search view's JSON
twin (what a reader's page shows, case-number hits first). The test prints, per query,
precision at 5 and the rank of each expected item, and fails when an expected item is
not on the first page, or when a query found an item lower than it did in the stored
baseline (tests/data/search_baseline.json, made from main's code before the search
changes of issue #23).

`SEARCH_BASELINE_WRITE=1 pytest tests/test_search_ranking.py` rewrites the baseline
from the code at hand instead of comparing (and then fails nothing but an import).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.db import transaction

from meetings.importing import Metadata, import_file
from meetings.models import PUBLIC, AgendaItem

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
SYSTEMS = Path(__file__).resolve().parents[1].parent / "shared" / "systems" / "docs"
QUERIES = json.loads((DATA / "search_queries.json").read_text(encoding="utf-8"))
BASELINE_FILE = DATA / "search_baseline.json"
FIRST_PAGE = 20


def _document_path(name: str) -> Path:
    folder, _, file_name = name.partition("/")
    return (SYSTEMS if folder == "systems" else REPO / folder) / file_name


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker):
    """The query set's documents imported once for the module, rolled back after it."""
    paths = [_document_path(name) for name in QUERIES["documents"]]
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        pytest.skip(f"documents of the query set not found (../shared/systems?): {missing}")
    with django_db_blocker.unblock(), transaction.atomic():
        for path in paths:
            result = import_file(path, Metadata())
            assert result.outcome == "created", (path.name, result.message)
        yield _item_keys()
        transaction.set_rollback(True)


def _item_keys() -> dict[str, str]:
    """Each public item's page address -> its name in the query set (see its `about`)."""
    items = AgendaItem.objects.filter(access=PUBLIC, is_current=True).select_related(
        "meeting", "document"
    )
    meetings_per_file: dict[str, set] = {}
    for item in items:
        meetings_per_file.setdefault(item.document.file_name, set()).add(item.meeting_id)
    keys = {}
    for item in items:
        stem = Path(item.document.file_name).stem
        if len(meetings_per_file[item.document.file_name]) > 1:
            stem = f"{stem}@{item.meeting.date}"
        keys[item.get_absolute_url()] = f"{stem}/{item.number}"
    return keys


@pytest.fixture(autouse=True)
def _no_search_cache(settings):
    settings.SEARCH_CACHE_SECONDS = 0


def _ranks(client, keys: dict[str, str], query: str, expected: list[str]) -> dict:
    response = client.get("/soeg/", {"q": query, "format": "json"})
    assert response.status_code == 200, query
    found = [keys.get(hit["url"], hit["url"]) for hit in response.json()["hits"]]
    ranks = {key: (found.index(key) + 1 if key in found else None) for key in expected}
    precision = sum(1 for key in found[:5] if key in expected) / 5
    return {"ranks": ranks, "p5": precision}


@pytest.mark.django_db
def test_the_query_set_finds_its_items_on_the_first_page(client, archive):
    results = {
        entry["q"]: _ranks(client, archive, entry["q"], entry["expect"])
        for entry in QUERIES["queries"]
    }
    report = [f"{'P@5':>5}  ranks  query"]
    for query, result in results.items():
        ranks = " ".join("-" if r is None else str(r) for r in result["ranks"].values())
        report.append(f"{result['p5']:5.2f}  {ranks:<5}  {query}")
    mean = sum(r["p5"] for r in results.values()) / len(results)
    on_page = sum(
        1
        for r in results.values()
        for rank in r["ranks"].values()
        if rank is not None and rank <= FIRST_PAGE
    )
    wanted = sum(len(r["ranks"]) for r in results.values())
    report.append(f"mean P@5 {mean:.3f}; expected items on the first page {on_page}/{wanted}")
    print("\n".join(report))

    if os.environ.get("SEARCH_BASELINE_WRITE"):
        BASELINE_FILE.write_text(
            json.dumps(
                {"mean_p5": round(mean, 3), "queries": results}, ensure_ascii=False, indent=1
            )
            + "\n",
            encoding="utf-8",
        )
        return

    baseline = json.loads(BASELINE_FILE.read_text(encoding="utf-8"))["queries"]
    lower = [
        (query, key, before, results[query]["ranks"].get(key))
        for query, entry in baseline.items()
        if query in results
        for key, before in entry["ranks"].items()
        if before is not None
        and (results[query]["ranks"].get(key) is None or results[query]["ranks"][key] > before)
    ]
    assert not lower, f"found lower than in the baseline (query, item, before, now): {lower}"
    missing = [
        (query, key)
        for query, result in results.items()
        for key, rank in result["ranks"].items()
        if rank is None or rank > FIRST_PAGE
    ]
    assert not missing, f"expected items not on the first page: {missing}"
