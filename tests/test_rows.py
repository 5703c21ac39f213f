"""The hand-written reads of the busiest pages (meetings/rows.py, selectors) give what the
ORM gives: the same instances, field by field, with the same relations loaded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext

from meetings import search, selectors
from meetings.models import AgendaItem, Body, Meeting, SourceDocument
from meetings.views import HOME_BODIES

pytestmark = pytest.mark.django_db


def loaded_values(instance) -> dict:
    """The instance's loaded fields (deferred ones left out: touching them is a query)."""
    deferred = instance.get_deferred_fields()
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.attname not in deferred
    }


def orm_values(model, pk: int, names) -> dict:
    row = model.objects.values(*names).get(pk=pk)
    return {name: row[name] for name in names}


def assert_as_the_orm_reads(instance, leave_out=()) -> None:
    values = loaded_values(instance)
    assert values, "no field loaded"
    assert not set(leave_out) & set(values)
    expected = orm_values(type(instance), instance.pk, list(values))
    assert values == expected


def test_every_item_page_reads_what_the_orm_reads(sample_archive):
    shown = AgendaItem.objects.filter(is_current=True).select_related("meeting")
    assert shown.count() == 71
    for row in shown:
        found = selectors.item_page(row.meeting.slug, (row.number, row.sub))
        assert found is not None
        item = found.item
        assert (item.meeting_id, item.number, item.sub) == (row.meeting_id, row.number, row.sub)
        # The search vectors are never read; the text is, and JSON arrives parsed.
        assert_as_the_orm_reads(item, leave_out=("search_vector",))
        assert isinstance(item.sections, list)
        assert [c.number for c in item.case_list] == sorted(
            row.cases.values_list("number", flat=True)
        )
        assert found.meeting.pk == row.meeting_id
        assert_as_the_orm_reads(found.meeting)
        if found.meeting.body_id is not None:
            assert_as_the_orm_reads(found.meeting.body)
        # The document, never its text or bytes.
        document = item.document
        assert document.pk == row.document_id
        assert {"content", "text", "warnings", "metadata"} <= document.get_deferred_fields()
        assert_as_the_orm_reads(document)


def test_a_meeting_page_reads_what_the_orm_reads(sample_archive):
    for meeting in Meeting.objects.all():
        found = selectors.meeting(meeting.slug)
        assert_as_the_orm_reads(found)
        assert Meeting.body.is_cached(found)
        assert (found.body.pk if found.body else None) == meeting.body_id
        items = selectors.meeting_items(found)
        expected = AgendaItem.objects.filter(meeting=meeting, is_current=True)
        assert [(i.number, i.sub) for i in items] == list(
            expected.order_by("number", "sub").values_list("number", "sub")
        )
        for item in items:
            assert {"sections", "recommendation", "links", "search_vector"} <= (
                item.get_deferred_fields()
            )
            assert_as_the_orm_reads(item)
        documents = selectors.meeting_documents(found)
        assert [d.pk for d in documents] == list(
            meeting.documents.order_by("file_name").values_list("pk", flat=True)
        )
        for document in documents:
            assert document.kind == (
                AgendaItem.objects.filter(document=document, meeting=meeting)
                .order_by("-kind")
                .values_list("kind", flat=True)
                .first()
            )
            assert_as_the_orm_reads(document)


@pytest.mark.parametrize("highlight", [True, False])
def test_search_hits_read_what_the_orm_reads(sample_archive, highlight):
    results = search.search_page(search.parse_query("region"), page_size=50, highlight=highlight)
    hits = results.hits
    assert len(hits) >= 10
    expected = AgendaItem.objects.filter(
        pk__in=[hit.pk for hit in hits], access="public", search_vector__isnull=False
    )
    assert len(hits) == expected.count()
    for hit in hits:
        deferred = hit.get_deferred_fields()
        assert {"sections", "search_vector", "recommendation", "links"} <= deferred
        assert_as_the_orm_reads(hit)
        # The row's version, as PostgreSQL gives it.
        version = RawSQL('"meetings_agendaitem".xmin::text', [])
        assert (
            hit.row_version_
            == AgendaItem.objects.annotate(v=version).values("v").get(pk=hit.pk)["v"]
        )
        assert (hit.snippet_ is not None) == highlight
        with CaptureQueriesContext(connection) as statements:
            meeting, body = hit.meeting, hit.meeting.body
        assert not statements, "the meeting and body are read with the hit"
        assert {"participants", "absent", "location"} <= meeting.get_deferred_fields()
        assert_as_the_orm_reads(meeting)
        assert (body.pk if body else None) == meeting.body_id
        if body is not None:
            assert_as_the_orm_reads(body)


def test_a_meeting_without_a_body_has_none(db):
    meeting = Meeting.objects.create(slug="uden-organ", date=dt.date(2020, 1, 2))
    found = selectors.meeting("uden-organ")
    assert found.pk == meeting.pk and found.body is None and Meeting.body.is_cached(found)
    assert selectors.meeting("findes-ikke") is None


def test_the_item_page_is_one_statement_and_one_for_attachments(sample_archive):
    row = AgendaItem.objects.filter(is_current=True, access="public").select_related("meeting")[0]
    with CaptureQueriesContext(connection) as statements:
        found = selectors.item_page(row.meeting.slug, (row.number, row.sub))
        list(found.item.attachments.all())  # prefetched: no statement of its own
        found.item.document.file_name, found.meeting.body  # noqa: B018 - loaded: no statement
    assert len(statements) == 2
    assert "meetings_attachment" in statements[1]["sql"]


def test_the_home_page_names_the_bodies_that_met_last(client, db):
    # (Run after the tests above, the module's sample archive is there too: it met before.)
    for n in range(HOME_BODIES + 3):
        body = Body.objects.create(name=f"Udvalg {n:02}", slug=f"udvalg-{n:02}")
        Meeting.objects.create(
            body=body, date=dt.date(2090, 1, 1) + dt.timedelta(days=n), slug=f"m{n}"
        )
    Body.objects.create(name="Aaa uden møder", slug="aaa")
    markup = client.get("/").content.decode()
    named = [f"Udvalg {n:02}" for n in range(HOME_BODIES + 3)]
    shown = [name for name in named if name in markup]
    # The latest-met first, the three that met first left out, and so is the body without.
    assert shown == named[3:]
    assert markup.index("Udvalg 14") < markup.index("Udvalg 03")
    assert "Aaa uden møder" not in markup
    assert f"Alle {Body.objects.count()} organer" in markup
    # The list of bodies has them all.
    listed = client.get("/organer/").content.decode()
    assert all(name in listed for name in named) and "Aaa uden møder" in listed


def test_latest_met_puts_undated_bodies_last_by_name():
    dated = [Body(name=n, slug=n) for n in ("b", "a", "c")]
    for body, day in zip(dated, (3, 1, 2), strict=True):
        body.latest_date = dt.date(2024, 1, day)
    undated = [Body(name=n, slug=n) for n in ("d", "e")]
    for body in undated:
        body.latest_date = None
    bodies = sorted(dated + undated, key=lambda b: b.name)
    assert [b.name for b in selectors.latest_met(bodies, 4)] == ["b", "c", "a", "d"]
    assert [b.name for b in selectors.latest_met(bodies, 10)] == ["b", "c", "a", "d", "e"]


def test_source_documents_of_the_item_page_are_the_models(sample_archive):
    row = AgendaItem.objects.filter(is_current=True).select_related("meeting")[0]
    found = selectors.item_page(row.meeting.slug, (row.number, row.sub))
    assert isinstance(found.item.document, SourceDocument)
    assert (
        found.item.document.offers_file
        == SourceDocument.objects.get(pk=row.document_id).offers_file
    )
