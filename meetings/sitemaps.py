"""The sitemap (django.contrib.sitemaps): every public page a crawler may read.

An index at /sitemap.xml, one section per kind of page, each paged: a page
of this many addresses stays under the page cache's size limit, and a long
section is counted once per version of the archive (views.ArchivePaginator),
not on every request. Closed items, held and withdrawn documents are left
out: search engines get what the pages show in full.
"""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.urls import reverse

from . import selectors
from .models import PUBLIC, Body, Case, Meeting, Person, SourceDocument
from .views import ArchivePaginator

# About 100 bytes an address: some 500 kB a page, under page_cache.MAX_CACHED_BYTES.
PER_PAGE = 5000


class _ArchiveSitemap(Sitemap):
    limit = PER_PAGE

    @property
    def paginator(self) -> Paginator:
        return ArchivePaginator(self._items(), self.limit)


class PagesSitemap(_ArchiveSitemap):
    """The archive's lists: the home page, bodies, decisions, people."""

    def items(self) -> list[str]:
        return ["home", "body_list", "decision_list", "person_list"]

    def location(self, name: str) -> str:
        return reverse(name)


class BodySitemap(_ArchiveSitemap):
    def items(self) -> QuerySet[Body]:
        return Body.objects.only("slug").order_by("pk")


class MeetingSitemap(_ArchiveSitemap):
    def items(self) -> QuerySet[Meeting]:
        return Meeting.objects.only("slug").order_by("pk")


class ItemSitemap(_ArchiveSitemap):
    def items(self) -> QuerySet:
        return (
            selectors.shown_items()
            .filter(access=PUBLIC)
            .order_by("pk")
            .values_list("meeting__slug", "number", "sub")
        )

    def location(self, row: tuple[str, int, int]) -> str:
        slug, number, sub = row
        return reverse("item_detail", args=[slug, (number, sub)])


class CaseSitemap(_ArchiveSitemap):
    def items(self) -> QuerySet[Case]:
        return Case.objects.only("number").order_by("pk")


class DocumentSitemap(_ArchiveSitemap):
    def items(self) -> QuerySet:
        published = SourceDocument.objects.filter(status=SourceDocument.PUBLISHED)
        return published.order_by("pk").values_list("pk", flat=True)

    def location(self, pk: int) -> str:
        return reverse("document_detail", args=[pk])


class PersonSitemap(_ArchiveSitemap):
    def items(self) -> QuerySet[Person]:
        return Person.objects.only("slug").order_by("pk")


SITEMAPS = {
    "sider": PagesSitemap,
    "organer": BodySitemap,
    "moeder": MeetingSitemap,
    "punkter": ItemSitemap,
    "sager": CaseSitemap,
    "dokumenter": DocumentSitemap,
    "personer": PersonSitemap,
}
