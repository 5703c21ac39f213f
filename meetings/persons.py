"""People in the archive's rows: kept in step with them, and read for the pages.

`refresh_people(meeting_ids)` makes the people of these meetings what their
rows say now: who attended and who was absent (Meeting.participants,
Meeting.absent) and who handled each shown, public item (AgendaItem.handler).
The importer calls it after each document's rows are stored and its current
items settled, in that transaction; staff corrections reach it through the
signals below. Names are read by meetings/people.py: one key, one person; a
name it is unsure of is linked to no one and stays plain text on the pages.

This module never links a person to a closed item: a closed item keeps no
handler, and only shown public items are read. A person no row names any
more is removed with its last link, so no page lists a name the archive no
longer holds.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import JSONObject
from django.db.models.signals import post_delete, post_save

from archive.routing import for_reading

from . import people
from .models import PUBLIC, AgendaItem, Meeting, Person, PersonLink

ATTENDED, ABSENT, HANDLED = PersonLink.ATTENDED, PersonLink.ABSENT, PersonLink.HANDLED


@dataclass(frozen=True)
class Tables:
    """The models refresh works on: the app's own, or a migration's historical ones."""

    Person: Any = Person
    PersonLink: Any = PersonLink
    Meeting: Any = Meeting
    AgendaItem: Any = AgendaItem


@dataclass(frozen=True)
class Mention:
    """One printed name in one row: a meeting's list, or an item's handler field."""

    name: people.Name
    meeting_id: int
    role: str
    printed: str
    item_id: int | None = None


# ------------------------------------------------------------------ refreshing


def refresh_people(meeting_ids: Iterable[int], tables: Tables | None = None) -> bool:
    """Make these meetings' people links what their rows say (inside a transaction).

    Also sweeps links whose meeting or item is gone (deleted since) and the
    people left without any link. Whether anything changed.
    """
    t = tables or Tables()
    ids = sorted({pk for pk in meeting_ids if pk is not None})
    for pk in ids:
        _pending().pop(pk, None)  # refreshed here: its saves so far need no refresh of their own
    mentions = _mentions(ids, t)
    existing = list(
        t.PersonLink.objects.filter(
            Q(meeting_id__in=ids) | Q(meeting__isnull=True) | Q(role=HANDLED, item__isnull=True)
        ).values_list("pk", "person_id", "meeting_id", "role", "item_id", "printed", "person__key")
    )
    touched = {row[1] for row in existing}
    _lock({m.name.identity for m in mentions} | {row[6] for row in existing})
    persons, created = _persons(mentions, t)
    wanted: dict[tuple, str] = {}
    for m in mentions:
        wanted.setdefault((persons[m.name.identity], m.meeting_id, m.role, m.item_id), m.printed)
    gone = []
    for pk, person_id, meeting_id, role, item_id, printed, _key in existing:
        link = (person_id, meeting_id, role, item_id)
        if meeting_id is None or wanted.get(link) != printed:
            gone.append(pk)
        else:
            del wanted[link]
    t.PersonLink.objects.filter(pk__in=gone).delete()
    t.PersonLink.objects.bulk_create(
        t.PersonLink(person_id=p, meeting_id=m, role=r, item_id=i, printed=printed)
        for (p, m, r, i), printed in wanted.items()
    )
    links = t.PersonLink.objects.filter(person=OuterRef("pk"))
    removed = 0
    if touched:
        removed, _ = t.Person.objects.filter(pk__in=touched).exclude(Exists(links)).delete()
    return bool(gone or wanted or created or removed)


def _mentions(ids: list[int], t: Tables) -> list[Mention]:
    """Every name the meetings' rows print that names a person for certain."""
    found: list[Mention] = []

    def add(printed: str, meeting_id: int, role: str, item_id: int | None = None) -> None:
        name = people.read_name(printed)
        if name is not None:
            found.append(Mention(name, meeting_id, role, printed[:300], item_id))

    if not ids:
        return found
    for pk, attended, absent in t.Meeting.objects.filter(pk__in=ids).values_list(
        "pk", "participants", "absent"
    ):
        for printed in attended:
            add(printed, pk, ATTENDED)
        for printed in absent:
            add(printed, pk, ABSENT)
    handled = (
        t.AgendaItem.objects.filter(meeting_id__in=ids, is_current=True, access=PUBLIC)
        .exclude(handler="")
        .values_list("pk", "meeting_id", "handler")
    )
    for pk, meeting_id, printed in handled:
        add(printed, meeting_id, HANDLED, pk)
    return found


def _lock(keys: set[str]) -> None:
    """Serialise refreshes that create, link or remove the same people, in one order.

    Without it, one import could remove a person (its last link gone) while
    another links a row to it: the second would fail at commit.
    """
    if not keys:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(h)) FROM (SELECT hashtextextended("
            "'moedearkiv:person:' || k, 0) AS h FROM unnest(%s::text[]) AS k ORDER BY 1) AS s",
            [sorted(keys)],
        )


def _persons(mentions: list[Mention], t: Tables) -> tuple[dict[str, int], bool]:
    """The person of each mention's identity (identity -> pk), created where none is yet;
    whether any person was created or changed."""
    named: dict[str, people.Name] = {}
    for m in mentions:
        if m.name.key is not None:
            named.setdefault(m.name.key, m.name)
    found: dict[str, int] = {}
    without_email: set[str] = set()
    for key, pk, email in (
        t.Person.objects.filter(key__in=named).order_by().values_list("key", "pk", "email")
    ):
        found[key] = pk
        if not email:
            without_email.add(key)
    new = [named[key] for key in sorted(named) if key not in found]
    changed = _create(t, new, found)
    for key, name in named.items():
        if name.email and (key in without_email or name in new):
            changed |= _record_email(t, found[key], name.email)

    # Known only by an address: the one named person printed with it, else a person of its
    # own (created where there is none yet).
    by_email = sorted({m.name.email for m in mentions if m.name.key is None})
    if not by_email:
        return found, changed
    owners: dict[str, list[int]] = {}
    for email, pk in (
        t.Person.objects.filter(email__in=by_email)
        .exclude(key__startswith="@")
        .order_by()
        .values_list("email", "pk")
    ):
        owners.setdefault(email, []).append(pk)
    aliases = [email for email in by_email if len(owners.get(email, [])) != 1]
    found.update(
        t.Person.objects.filter(key__in=[people.email_key(e) for e in aliases])
        .order_by()
        .values_list("key", "pk")
    )
    for email in by_email:
        if len(owners.get(email, [])) == 1:
            found[people.email_key(email)] = owners[email][0]
    missing = [e for e in aliases if people.email_key(e) not in found]
    changed |= _create(t, [people.Name(e, None, e) for e in missing], found)
    return found, changed


def _create(t: Tables, names: list[people.Name], found: dict[str, int]) -> bool:
    """Create people for these names (none exists yet), each with a slug of its own."""
    if not names:
        return False
    bases = {name.identity: people.slug_for(name) for name in names}
    pattern = "^(" + "|".join(re.escape(base) for base in set(bases.values())) + r")(-\d+)?$"
    taken = set(t.Person.objects.filter(slug__regex=pattern).values_list("slug", flat=True))
    rows = []
    for name in names:
        slug, n = bases[name.identity], 2
        while slug in taken:
            slug, n = f"{bases[name.identity]}-{n}", n + 1
        taken.add(slug)
        rows.append(t.Person(name=name.shown, key=name.identity, slug=slug, email=name.email or ""))
    t.Person.objects.bulk_create(rows)
    found.update((row.key, row.pk) for row in rows)
    return True


def _record_email(t: Tables, person_id: int, email: str) -> bool:
    """A named person printed with an address: keep it, and take over the links of the
    person known only by that address (it was this person all along)."""
    changed = bool(t.Person.objects.filter(pk=person_id, email="").update(email=email))
    alias = t.Person.objects.filter(key=people.email_key(email)).first()
    if alias is None:
        return changed
    t.PersonLink.objects.filter(person=alias).filter(
        Exists(
            t.PersonLink.objects.filter(
                person_id=person_id, meeting=OuterRef("meeting"), role=OuterRef("role")
            ).exclude(role=HANDLED)
        )
    ).delete()
    t.PersonLink.objects.filter(person=alias).update(person_id=person_id)
    alias.delete()
    return True


# ----------------------------------------------------- corrections by staff


_saved = threading.local()


def _pending() -> dict[int, object]:
    """Meetings saved since their people were last refreshed (in this thread), each with
    the token of its latest save's refresh; refresh_people takes them off."""
    if not hasattr(_saved, "meetings"):
        _saved.meetings = {}
    return _saved.meetings


def _refresh_after_commit(meeting_id: int | None) -> None:
    """Refresh the meeting's people once the save commits, unless refresh_people ran for it
    after the save (the importer's publish() does, in the same transaction)."""
    token = object()
    if meeting_id is not None:
        _pending()[meeting_id] = token

    def refresh() -> None:
        from . import page_cache

        if meeting_id is not None:
            if _pending().get(meeting_id) is not token:
                return  # refreshed since, or saved again (that save's refresh will do)
            del _pending()[meeting_id]
        with transaction.atomic():
            if refresh_people([meeting_id] if meeting_id else []):
                page_cache.archive_changed()

    # Robust: a failure here is logged, never raised into the commit that saved the row.
    transaction.on_commit(refresh, robust=True)


def _meeting_saved(sender, instance: Meeting, raw: bool = False, **kwargs) -> None:
    if not raw:
        _refresh_after_commit(instance.pk)


def _item_saved(sender, instance: AgendaItem, raw: bool = False, **kwargs) -> None:
    if not raw:
        _refresh_after_commit(instance.meeting_id)


def _meeting_deleted(sender, instance: Meeting, **kwargs) -> None:
    _refresh_after_commit(None)  # sweeps the links the deletion left without a meeting


def connect_signals() -> None:
    """One by one saves of meetings and items (the admin's corrections) refresh their
    meeting's people once committed. The importer writes in bulk (no signals) and calls
    refresh_people itself; its meeting saves refresh once more, finding nothing to do."""
    post_save.connect(_meeting_saved, sender=Meeting, dispatch_uid="people:meeting")
    post_save.connect(_item_saved, sender=AgendaItem, dispatch_uid="people:item")
    post_delete.connect(_meeting_deleted, sender=Meeting, dispatch_uid="people:meeting-")


# --------------------------------------------------------------------- reading


def live_links() -> QuerySet[PersonLink]:
    """Links to meetings that exist and, for handlers, to shown public items."""
    return PersonLink.objects.filter(meeting__isnull=False).filter(
        ~Q(role=HANDLED) | Q(item__isnull=False, item__is_current=True, item__access=PUBLIC)
    )


def person(slug: str) -> Person | None:
    return Person.objects.filter(slug=slug).first()


def people_list() -> QuerySet[Person]:
    """Everyone, by name, with how many meetings they attended, missed and items handled."""
    return Person.objects.annotate(**_counts("links__")).order_by("name", "id")


def _counts(prefix: str) -> dict:
    def counted(role: str) -> Count:
        return Count("pk", filter=Q(**{f"{prefix}role": role}), distinct=False)

    return {"attended": counted(ATTENDED), "absent": counted(ABSENT), "handled": counted(HANDLED)}


@dataclass
class BodyRecord:
    """What a person did in one body: meetings attended, meetings missed, items handled."""

    name: str
    url: str | None
    attended: int
    absent: int
    handled: int


def person_bodies(person: Person) -> list[BodyRecord]:
    from django.urls import reverse

    rows = (
        live_links()
        .filter(person=person)
        .values("meeting__body__name", "meeting__body__slug")
        .annotate(**_counts(""))
        .order_by("meeting__body__name")
    )
    return [
        BodyRecord(
            name=row["meeting__body__name"] or "",
            url=reverse("body_detail", args=[row["meeting__body__slug"]])
            if row["meeting__body__slug"]
            else None,
            attended=row["attended"],
            absent=row["absent"],
            handled=row["handled"],
        )
        for row in rows
    ]


def person_timeline(person: Person) -> QuerySet[PersonLink]:
    """The person's meetings and items, newest meeting first, undated last."""
    return (
        live_links()
        .filter(person=person)
        .select_related("meeting__body", "item")
        .only(
            "role",
            "printed",
            "meeting__slug",
            "meeting__date",
            "meeting__body__name",
            "meeting__body__slug",
            "item__number",
            "item__sub",
            "item__title",
            "item__kind",
            "item__access",
            "item__meeting_id",
        )
        .order_by(
            F("meeting__date").desc(nulls_last=True),
            "-meeting_id",
            "role",
            "item__number",
            "item__sub",
        )
    )


# Search: at most this many people above the hits, for words at least this long.
MATCHES = 8
SHORTEST_WORD = 2


def matching(text: str) -> list[Person]:
    """People whose name has each word of `text` as the start of one of its words, or
    whose e-mail address is `text`. A search query's words, read like names; the name
    as typed first (Søren before Soeren for "søren"), then by name.

    Every uncached search page asks this, so it is one hand-written statement: built
    with the ORM, composing the query cost ten times its execution (about 10 ms of
    Python for 1 ms in PostgreSQL, 20,000 items). Links count as in `live_links`."""
    text = (text or "").strip()
    if not text or len(text) > 200:
        return []
    email = people.EMAIL_RE.fullmatch(text.strip("<>"))
    if email:
        condition, params = "p.email = %s", [email.group(0).casefold()]
        exact, exact_params = "true", []
    else:
        words = [
            word
            for word in people.search_words(text)
            if len(word) >= SHORTEST_WORD and word not in people.ROLE_WORDS
        ]
        if not words or len(words) > people.MAX_WORDS:
            return []
        if any(ch.isdigit() for word in words for ch in word):
            return []  # a case number or a date: no name's word holds a digit (NAME_WORD_RE)
        condition = " AND ".join(["p.key NOT LIKE '@%%'"] + ["p.key ~ %s"] * len(words))
        params = [r"(^| )" + _any_spelling(word) for word in words]
        exact = " AND ".join(["p.key ~ %s"] * len(words))
        exact_params = [r"(^| )" + re.escape(word) for word in words]
    sql = (
        "SELECT p.id, p.name, p.key, p.slug, p.email FROM meetings_person AS p"
        f" WHERE {condition} AND EXISTS (SELECT FROM meetings_personlink AS l"
        "  LEFT JOIN meetings_agendaitem AS i ON i.id = l.item_id"
        "  WHERE l.person_id = p.id AND l.meeting_id IS NOT NULL"
        "  AND (l.role <> %s OR (i.id IS NOT NULL AND i.is_current AND i.access = %s)))"
        f" ORDER BY CASE WHEN {exact} THEN 0 ELSE 1 END, p.name, p.id LIMIT %s"
    )
    with for_reading().cursor() as cursor:
        cursor.execute(sql, [*params, HANDLED, PUBLIC, *exact_params, MATCHES])
        return [
            Person(id=pk, name=name, key=key, slug=slug, email=email)
            for pk, name, key, slug, email in cursor.fetchall()
        ]


# å, æ, ø as Danish names are also written (aa, ae, oe), and ä, ö of Swedish and German.
_SPELLINGS = {"å": "aa", "æ": "ae", "ø": "oe", "ä": "ae", "ö": "oe"}
_EITHER = {"aa": "(?:aa|å)", "ae": "(?:ae|æ|ä)", "oe": "(?:oe|ø|ö)"}


def _any_spelling(word: str) -> str:
    """A regular expression of `word` in any of these spellings: Aase, Åse; Søren, Soeren."""
    plain = "".join(_SPELLINGS.get(letter, letter) for letter in word)
    parts = re.split(r"(aa|ae|oe)", plain)
    return "".join(_EITHER.get(part) or re.escape(part) for part in parts)


# ------------------------------------------- annotations for meeting and item pages


def meeting_people() -> ArraySubquery:
    """A meeting's attendance links as [{printed, role, slug}]: read with the meeting."""
    links = (
        PersonLink.objects.filter(meeting=OuterRef("pk"))
        .exclude(role=HANDLED)
        .order_by()
        .values(link=JSONObject(printed="printed", role="role", slug="person__slug"))
    )
    return ArraySubquery(links)


def handler_slug() -> Subquery:
    """The slug of the person who handled the outer item (shown, public items only)."""
    return Subquery(
        PersonLink.objects.filter(item=OuterRef("pk"), role=HANDLED).values("person__slug")[:1]
    )
