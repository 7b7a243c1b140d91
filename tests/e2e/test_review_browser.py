"""A person reviews pairs: edits a cell, ticks keep, filters, bulk-keeps, undoes, and exports."""

from __future__ import annotations

import pytest

from studio.workspace import PairFilter
from tests.fixtures.browser_fixtures import edit_cell, open_app, wait_field_value
from tests.fixtures.review_fixtures import fill_workspace

pytestmark = pytest.mark.browser

EVIL = "Is <img src=x onerror=alert(1)> <b>bold</b>?"


def test_edit_keep_filter_bulk_export(live_app, page, artifacts_dir):
    ws = live_app.workspace("default")
    if ws.count_pairs() == 0:
        fill_workspace(ws)
    ws.update_pair(3, question=EVIL)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_app(page, live_app.url, tab="review")
    wait_field_value(page, "review-page-info", "of 60")

    # edit the answer of the first row: saved as it happens
    edit_cell(page, 0, 3, "Edited in the browser.")
    wait_field_value(page, "review-message", "saved pair 1")
    assert ws.get_pair(1)["answer"] == "Edited in the browser."

    # emptying a question is refused with a message, and the cell shows the stored text again
    original = ws.get_pair(1)["question"]
    edit_cell(page, 0, 2, "")
    wait_field_value(page, "review-message", "question cannot be empty")
    page.wait_for_function("([t]) => document.querySelector('[data-testid=\"cell-0-2\"]').innerText.includes(t)",
                           arg=[original])
    assert ws.get_pair(1)["question"] == original

    # tick keep on the second row: the status is saved and shown
    page.get_by_test_id("cell-1-1").locator("input[type=checkbox]").click()
    wait_field_value(page, "review-message", "saved pair 2 (status)")
    assert ws.get_pair(2)["status"] == "kept"
    page.wait_for_function("() => document.querySelector('[data-testid=\"cell-1-6\"]').innerText.includes('kept')")

    # user text is text: the markup shows literally and nothing ran
    assert EVIL in page.get_by_test_id("cell-2-2").inner_text()
    assert page.locator("#review-table img").count() == 0 and dialogs == []

    # a reload shows the saved edits
    open_app(page, live_app.url, tab="review")  # navigates again: a fresh page load
    page.wait_for_function("() => document.querySelector('[data-testid=\"cell-0-3\"]')?.innerText.includes('Edited in the browser.')")

    # filter by search, then keep the whole filtered view
    search = page.locator("#review-search textarea, #review-search input").first
    search.fill("lighthouse")
    search.press("Enter")
    n = ws.count_pairs(PairFilter(search="lighthouse"))
    wait_field_value(page, "review-page-info", f"of {n}")
    page.wait_for_function("() => document.querySelector('[data-testid=\"cell-0-2\"]').innerText.includes('lighthouse')")
    page.locator("#review-bulk-apply").click()
    wait_field_value(page, "review-message", "status -> kept for")
    assert ws.count_pairs(PairFilter(search="lighthouse", status="kept")) == n
    page.locator("#review-undo").click()
    wait_field_value(page, "review-message", "undone")
    assert ws.count_pairs(PairFilter(search="lighthouse", status="kept")) == 0
    page.screenshot(path=str(artifacts_dir / "review-tab.png"), full_page=False)

    # export the kept pairs (pair 2) as OpenAI JSONL with a download
    page.get_by_text("Export", exact=True).first.click()
    page.locator("#review-export").click()
    wait_field_value(page, "review-message", "exported 1 pairs as openai")
    page.wait_for_function("() => document.querySelector('#review-export-files').innerText.includes('.zip')")
    files = page.locator("#review-export-files").inner_text().replace("\n", "")
    assert "default-openai.zip" in files and "heldout.jsonl" in files  # pair 2 is a held-out phrasing
    link = page.locator("#review-export-files a[href*='heldout']").first
    body = page.request.get(link.get_attribute("href")).text()
    import json

    record = json.loads(body.splitlines()[0])
    assert record["messages"][0] == {"role": "user", "content": ws.get_pair(2)["question"]}
