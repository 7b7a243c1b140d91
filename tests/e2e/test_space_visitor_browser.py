"""A visitor on a public Space keeps their workspaces across a reload through the token the server signed (set as a
cookie by the page), and a cookie changed by hand finds nothing of theirs."""

from __future__ import annotations

import re

import pytest

from tests.api.test_space_api import space_app  # noqa: F401 - the Space-mode app fixture
from tests.fixtures.browser_fixtures import open_app

pytestmark = pytest.mark.browser


def _banner_id(page) -> str:
    page.wait_for_function("() => document.body.innerText.includes('private to you')", timeout=60_000)
    return re.search(r"private to you \((visitor-[0-9a-f]{8})\)", page.inner_text("body")).group(1)


def test_reload_keeps_the_visitor_and_a_forged_cookie_does_not(space_app, page):
    open_app(page, space_app.url)
    first = _banner_id(page)
    page.wait_for_function("() => document.cookie.includes('studio_visitor=')", timeout=30_000)
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "studio_visitor")
    assert re.fullmatch(r"[0-9a-f]{32}\.[0-9a-f]{32}", token)  # an id and the server's signature
    page.reload()
    open_app(page, space_app.url)
    assert _banner_id(page) == first  # the same visitor, the same workspaces

    vid = token.split(".")[0]
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "studio_visitor", "value": vid, "url": space_app.url}])  # unsigned
    open_app(page, space_app.url)
    assert _banner_id(page) != first
