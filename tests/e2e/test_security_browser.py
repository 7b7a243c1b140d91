"""Hostile text stays text in the browser, and a failing handler shows a readable line, never a traceback or a
server path. Payloads go in an uploaded document, in a question and an answer, and in a model's chat reply."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pytest

from tests.fixtures.browser_fixtures import click_tab, open_app, field_value, wait_field_value

pytestmark = pytest.mark.browser

SCRIPT = "<script>alert('xss-script')</script>"
IMG = "<img src=x onerror=alert('xss-img')>"
DOC = f"""Safety notes {IMG}

The lighthouse keeper wrote {SCRIPT} in the log book on Tuesday.

Another line mentions {IMG} as an image that must never load.
"""
QUESTION = f"Who wrote {SCRIPT} in the log?"
ANSWER = f"The keeper wrote it {IMG} on Tuesday."
REPLY = f"Model says {SCRIPT} and {IMG}"




def _wait_text(page, selector: str, needle: str, timeout: int = 60_000) -> None:
    page.wait_for_function("([s, t]) => { const e = document.querySelector(s); return e && e.innerText.includes(t); }",
                           arg=[selector, needle], timeout=timeout)


def _no_markup_ran(page, selector: str) -> None:
    """No element built from the payloads: no <img src=x>, no injected <script>."""
    assert page.locator(f"{selector} img[src='x']").count() == 0
    assert page.evaluate("(s) => [...document.querySelectorAll(s + ' script')].length", selector) == 0


@pytest.fixture
def dialogs(page):
    seen: list[str] = []
    page.on("dialog", lambda d: (seen.append(d.message), d.dismiss()))
    return seen


def test_payloads_show_as_text_in_every_tab(live_app, page, dialogs, tmp_path, monkeypatch, artifacts_dir):
    ws = live_app.workspace("default")
    doc = tmp_path / "notes.txt"  # plain text keeps the markup as written (Markdown/HTML loaders strip tags)
    doc.write_text(DOC, encoding="utf-8")

    # the uploaded document's text: chunk table and chunk viewer show the markup literally
    open_app(page, live_app.url, "upload")
    page.locator("#upload-files input[type=file]").set_input_files(str(doc))
    wait_field_value(page, "upload-chunk-text", "onerror", timeout=60_000)
    assert SCRIPT in field_value(page, "upload-chunk-text") and IMG in field_value(page, "upload-chunk-text")
    _wait_text(page, "#upload-chunks", "onerror")
    chunks = page.locator("#upload-chunks").inner_text()
    assert "<script>" in chunks or "<img src=x" in chunks
    _no_markup_ran(page, "#tab-upload")

    # a question and an answer with payloads: the review table shows them as text
    chunk = ws.list_chunks(ws.list_documents()[0]["id"])[0]
    ws.add_pairs([{"question": QUESTION, "answer": ANSWER, "chunk_id": chunk["id"], "kind": "manual",
                   "split": "train", "status": "pending"}])
    click_tab(page, "review")
    page.locator("#review-refresh").click()
    _wait_text(page, "#review-table", "xss-script")
    table = page.locator("#review-table").inner_text()
    assert QUESTION in table and ANSWER in table
    _no_markup_ran(page, "#tab-review")

    assert dialogs == []


def test_model_reply_in_chat_is_text(live_app, page, dialogs, monkeypatch, artifacts_dir):
    """A model reply with payloads (the engine faked at its boundary: the page is under test)."""
    import studio.chat.engine as engine

    fake_model = SimpleNamespace(label="fake-model", base_label="fake-model")
    monkeypatch.setattr(engine, "default_cache", lambda: SimpleNamespace(get=lambda *a, **k: fake_model))
    monkeypatch.setattr(engine, "stream_pair", lambda *a, **k: iter([(REPLY[:12], ""), (REPLY, "")]))
    open_app(page, live_app.url, "chat")
    page.locator("#chat-message textarea").fill(f"Repeat {IMG}")
    page.locator("#chat-send").click()
    page.get_by_text("Answered by").wait_for(timeout=60_000)
    bot = page.locator("#chat-base .bot").last.inner_text()
    user = page.locator("#chat-base .user").last.inner_text()
    page.screenshot(path=str(artifacts_dir / "security-chat.png"), full_page=False)
    _no_markup_ran(page, "#tab-chat")
    assert dialogs == []
    assert IMG in bot and IMG in user, (bot, user)  # shown literally, nothing loaded
    assert SCRIPT in bot


def test_a_failing_handler_shows_a_readable_line(live_app, page, dialogs):
    """The workspace disappears behind the app's back: every tab says so in one line, no traceback, no path."""
    live_app.workspace("default")
    open_app(page, live_app.url, "upload")
    shutil.rmtree(live_app.root / "workspaces" / "default")
    try:
        page.locator("#upload-refresh").click()
        wait_field_value(page, "upload-message", "unknown workspace")
        click_tab(page, "review")
        page.locator("#review-refresh").click()
        wait_field_value(page, "review-message", "unknown workspace")
        click_tab(page, "train")
        page.locator("#train-preview").click()
        _wait_text(page, "#train-message", "unknown workspace")
        body = page.locator("body").inner_text()
        for leak in ("Traceback", str(live_app.root), "site-packages", 'File "'):
            assert leak not in body, leak
        assert dialogs == []
    finally:
        live_app.workspace("default")  # put it back for any later test in this module
