from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, register_converter

from . import feeds, people_views, search_views, views
from .models import item_key, item_label
from .sitemaps import SITEMAPS


class ItemNumberConverter:
    """An item's printed number: 2, or a sub-item's 1.1; the view gets (number, sub)."""

    regex = r"\d+(?:\.\d+)?"

    def to_python(self, value: str) -> tuple[int, int]:
        key = item_key(value)
        if key is None:  # 1.0 or a sub-item part too large to be stored: no such item
            raise ValueError(value)
        return key

    def to_url(self, value: int | str | tuple[int, int]) -> str:
        if isinstance(value, tuple):
            return item_label(*value)
        return str(value)


register_converter(ItemNumberConverter, "item")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("soeg/", search_views.search, name="search"),
    path("feed.atom", feeds.everything_new, name="feed"),
    path("kalender.ics", feeds.calendar, name="calendar"),
    path("opensearch.xml", feeds.opensearch, name="opensearch"),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("organer/", views.body_list, name="body_list"),
    path("organer/<slug:slug>/", views.body_detail, name="body_detail"),
    path("moeder/", views.meeting_list, name="meeting_list"),
    path("organer/<slug:slug>/feed.atom", feeds.body_feed, name="body_feed"),
    path("organer/<slug:slug>/kalender.ics", feeds.body_calendar, name="body_calendar"),
    path("moeder/<slug:slug>/", views.meeting_detail, name="meeting_detail"),
    path("moeder/<slug:slug>/punkt/<item:number>/", views.item_detail, name="item_detail"),
    path("sager/", views.case_list, name="case_list"),
    # Case numbers of the 2000s carry a slash ("11/872"): the path converter keeps it.
    path("sager/<path:number>/feed.atom", feeds.case_feed, name="case_feed"),
    path("sager/<path:number>/", views.case_detail, name="case_detail"),
    path("beslutninger/", views.decision_list, name="decision_list"),
    path("personer/", people_views.person_list, name="person_list"),
    path("personer/<slug:slug>/", people_views.person_detail, name="person_detail"),
    path("dokumenter/<int:pk>/", views.document_detail, name="document_detail"),
    path("dokumenter/<int:pk>/fil", views.document_file, name="document_file"),
]
