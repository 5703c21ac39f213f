"""What browsers and crawlers ask of every site: robots.txt and the tab's icon."""

from __future__ import annotations

import re
from urllib.robotparser import RobotFileParser

import pytest
from django.contrib.staticfiles import finders

from .conftest import database_unreachable


def robots(client) -> str:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    return response.content.decode()


@pytest.mark.django_db
def test_robots_txt_costs_no_query(client, settings, django_assert_num_queries):
    settings.PAGE_CACHE_SECONDS = 600  # not even the page cache's look-up
    with django_assert_num_queries(0):
        robots(client)


@pytest.mark.django_db(transaction=True)
def test_robots_txt_answers_while_the_database_is_down(client, settings):
    # With the page cache on, whose look-up would need the database.
    settings.PAGE_CACHE_SECONDS = 600
    with database_unreachable():
        text = robots(client)
    assert text.startswith("User-agent: *\n")


def test_crawlers_may_read_the_archive_but_not_search_it(client):
    rules = RobotFileParser()
    rules.parse(robots(client).splitlines())

    for allowed in ["/", "/moeder/2024-08-28-x/punkt/3/", "/sager/EMN-2024-00917/"]:
        assert rules.can_fetch("Googlebot", allowed), allowed
    for allowed in ["/organer/", "/beslutninger/?side=2", "/dokumenter/1/"]:
        assert rules.can_fetch("Googlebot", allowed), allowed
    for refused in ["/soeg/?q=region", "/soeg/?q=region&organ=x&side=3", "/admin/", "/sprog/en/"]:
        assert not rules.can_fetch("Googlebot", refused), refused


def test_json_twins_are_left_out_by_a_wildcard_rule(client):
    # Python's parser reads "*" literally; RFC 9309's crawlers read it as any characters.
    assert re.search(r"^Disallow: /\*format=$", robots(client), re.M)


@pytest.mark.django_db
def test_pages_name_an_icon_that_exists(client):
    markup = client.get("/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', markup)
    assert icon and icon.group(1).startswith("/static/favicon")
    assert finders.find("favicon.svg")
    from django.template.loader import render_to_string

    assert 'href="/static/favicon.svg"' in render_to_string("500.html")
