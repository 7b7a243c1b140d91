"""A person opens the studio: every tab shows, the language switch works, a workspace can be created."""

import pytest

from tests.fixtures.browser_fixtures import click_tab, open_app
from studio.ui.layout import TABS

pytestmark = pytest.mark.browser


def test_visit_every_tab_with_screenshots(live_app, page, artifacts_dir):
    open_app(page, live_app.url)
    for tab in TABS:
        click_tab(page, tab)
        page.wait_for_timeout(400)
        assert page.locator(f"#tab-{tab}-button").get_attribute("aria-selected") == "true"
        page.screenshot(path=str(artifacts_dir / f"tab-{tab}.png"), full_page=True)
        assert "Traceback" not in page.content()


def test_language_switch_and_italian_browser(live_app, browser):
    context = browser.new_context(locale="it-IT", extra_http_headers={"Accept-Language": "it-IT,it;q=0.9"})
    page = context.new_page()
    open_app(page, live_app.url)
    page.wait_for_function("() => document.querySelector('#tab-upload-button').innerText.includes('Carica')")
    page.get_by_label("English").check()
    page.wait_for_function("() => document.querySelector('#tab-upload-button').innerText.includes('Upload')")
    assert "Workspace" in page.locator("#studio-workspace").inner_text()
    context.close()


def test_create_workspace(live_app, page):
    open_app(page, live_app.url)
    page.locator("#studio-new-workspace textarea, #studio-new-workspace input").first.fill("thesis")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#studio-workspace input').value === 'thesis'")
    assert (live_app.root / "workspaces" / "thesis" / "workspace.db").is_file()
