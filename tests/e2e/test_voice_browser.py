""""Talk like me" in the page: choosing the goal shows the Voice section; the Evaluate tab has the Voice results."""

import pytest

from tests.fixtures.browser_fixtures import click_tab, open_app

pytestmark = pytest.mark.browser


def test_choose_talk_like_me_and_see_voice_sections(live_app, page):
    open_app(page, live_app.url, "generate")
    assert page.locator("#generate-voice:visible").count() == 0
    page.locator("#generate-goal").get_by_label("Talk like me").check()
    voice = page.locator("#generate-voice:visible").first
    voice.wait_for(state="visible")
    assert "Your name, for the system prompt" in voice.inner_text() and "Check my text" in voice.inner_text()
    voice.get_by_role("button", name="Check my text").click()  # how much of the author's text there is
    page.wait_for_function(
        "() => [...document.querySelectorAll('#generate-voice textarea')].some(t => t.value.length > 0)", timeout=30_000
    )
    click_tab(page, "evaluate")
    acc = page.locator("#evaluate-voice:visible").first
    acc.wait_for(state="visible")
    assert "Voice" in acc.inner_text()
