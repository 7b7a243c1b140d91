"""A person runs a small generation from the Generate tab (replay backend): estimate, start, live progress,
counters, fresh pairs and coverage, then a resume that skips every done chunk."""

from __future__ import annotations

import pytest

from tests.fixtures.browser_fixtures import open_app
from tests.unit.generate_helpers import MILANO, PARIS, ROME

pytestmark = pytest.mark.browser


def _text(page, elem_id: str) -> str:
    return page.locator(f"#{elem_id}").inner_text()


def test_generate_from_the_tab(live_app, page, artifacts_dir):
    ws = live_app.workspace("default")
    for i, (name, lang, text) in enumerate((("rome.md", "en", ROME), ("paris.md", "en", PARIS), ("milano.md", "it", MILANO))):
        doc_id = ws.add_document(name, sha256=f"gen-e2e-{i}", lang=lang, chars=len(text))
        ws.replace_chunks(doc_id, [{"text": text, "tokens": len(text.split())}])

    open_app(page, live_app.url, tab="generate")
    page.locator("#generate-backend").get_by_text("Replay").click()
    page.locator("#generate-estimate-btn").click()
    page.wait_for_function("() => document.querySelector('#generate-estimate').innerText.includes('Exposures per fact')")
    est = _text(page, "generate-estimate")
    assert "3 chunks to do" in est and "3 epochs × 3 trained phrasings = 9" in est and "Below 12" in est

    page.locator("#generate-start").click()
    page.wait_for_function("() => document.querySelector('#generate-status').innerText.includes('Done:')", timeout=240_000)
    status = _text(page, "generate-status")
    assert "held out" in status and "unseen" in status
    page.wait_for_function("() => document.querySelector('#generate-counters').innerText.includes('3 done')")
    sample = _text(page, "generate-sample")
    assert "heldout" in sample or "train" in sample
    coverage = _text(page, "generate-coverage")
    assert all(name in coverage for name in ("rome.md", "paris.md", "milano.md"))
    page.screenshot(path=str(artifacts_dir / "generate-tab.png"), full_page=True)

    pairs = ws.count_pairs()
    kinds = {r[0] for r in ws.conn.execute("SELECT DISTINCT kind FROM qa_pairs")}
    assert pairs > 30 and {"fact", "paraphrase"} <= kinds
    splits = {r[0] for r in ws.conn.execute("SELECT DISTINCT split FROM qa_pairs")}
    assert {"train", "heldout"} <= splits

    # resume: every chunk is done, so nothing new is generated
    page.locator("#generate-resume").click()
    page.wait_for_function("() => document.querySelector('#generate-status').innerText.includes('Started run')")
    page.wait_for_function("() => document.querySelector('#generate-status').innerText.includes('Done:')", timeout=240_000)
    assert ws.count_pairs() == pairs


def test_api_key_from_the_password_field_is_never_stored(live_app, page):
    """An endpoint run with a typed key: the key reaches the worker only; no file of the run or workspace holds it."""
    from tests.conftest import free_port

    ws = live_app.workspace("default")
    text = "The Rialto Bridge in Venice was completed in 1591 by the architect Antonio da Ponte."
    doc_id = ws.add_document("venice.md", sha256="gen-e2e-key", lang="en", chars=len(text))
    ws.replace_chunks(doc_id, [{"text": text, "tokens": len(text.split())}])
    secret = "sk-test-" + "7" * 24
    open_app(page, live_app.url, tab="generate")
    page.locator("#generate-backend").get_by_text("OpenAI-compatible endpoint").click()
    page.locator("#generate-base-url input, #generate-base-url textarea").first.fill(f"http://127.0.0.1:{free_port()}/v1")
    page.locator("#generate-api-key input").fill(secret)
    model = page.locator("#generate-model input")
    model.fill("some/model")
    model.press("Enter")
    page.locator("#generate-settings").get_by_text("Settings").first.click()
    page.locator("#generate-limit input[type=number]").fill("1")
    page.locator("#generate-start").click()
    page.wait_for_function(
        "() => ['Done:', 'stopped', 'Error'].some(s => document.querySelector('#generate-status').innerText.includes(s))",
        timeout=240_000)
    assert secret not in page.content()
    row = ws.conn.execute("SELECT g.status, g.reason FROM gen_chunks g JOIN chunks c ON c.id = g.chunk_id "
                          "WHERE c.document_id = ?", (doc_id,)).fetchone()
    status = page.locator("#generate-status").inner_text()
    assert (row and row[0] == "failed" and row[1]) or "Error" in status or "stopped" in status
    for path in ws.path.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
