"""A person evaluates a trained run in the Evaluate tab: picks the run, starts, watches progress, reads the cards,
the per-question table (model and user text shown as text), filters to failures, compares with an earlier run."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from tests.fixtures.browser_fixtures import field_value, open_app
from tests.fixtures.train_data import make_facts_workspace
from tests.unit.evaluate_helpers import attach_chunks, fake_run

pytestmark = pytest.mark.browser

EVIL = "What is the <b>cat</b> of Varnholm lighthouse called <img src=x onerror=alert(1)>?"


@pytest.fixture(scope="module")
def eval_run(live_app, tiny_llama):
    ws = live_app.workspace("default")
    make_facts_workspace(ws.path, n_facts=3)
    attach_chunks(ws)
    for p in ws.iter_pairs():
        if p["fact_id"] == "f01" and p["split"] == "heldout":
            ws.update_pair(p["id"], question=EVIL)
    run = fake_run(ws.runs_dir / "train-eval-e2e", tiny_llama, ws)
    ws.add_run("train-eval-e2e", "train", {"base_model": str(tiny_llama)}, str(run), status="completed")
    return run


def _start(page, live_app):
    page.locator("#evaluate-refresh").click()
    page.wait_for_function("() => document.querySelector('#evaluate-adapter input').value.includes('train-eval-e2e')")
    page.wait_for_function("() => document.querySelector('#evaluate-base-model input').value.includes('tiny')")
    page.locator("#evaluate-forgetting input[type=checkbox]").uncheck()
    page.locator("#evaluate-start").click()
    page.wait_for_function("() => document.querySelector('#evaluate-verdict textarea').value.length > 10", timeout=240_000)


def test_evaluate_a_run_in_the_browser(live_app, page, eval_run, artifacts_dir):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_app(page, live_app.url, "evaluate")
    page.locator("#tab-evaluate").get_by_text("Advanced").click()
    page.locator("#evaluate-max-new input").fill("4")
    _start(page, live_app)
    assert "Done" in field_value(page, "evaluate-status") or "Finished" in field_value(page, "evaluate-status")
    verdict = field_value(page, "evaluate-verdict")
    assert "unseen phrasings right" in verdict
    cards = page.locator("#evaluate-cards").inner_text()
    assert "tuned" in cards and "base" in cards and "Similarity threshold" in cards
    table = page.locator("#evaluate-table")
    table.get_by_text("Quellstone", exact=False).first.wait_for()
    assert EVIL in table.inner_text()  # literal markup: text, not HTML
    assert page.locator("#evaluate-table img").count() == 0 and dialogs == []
    page.locator("#evaluate-plot-acc img").wait_for()
    # every question of the run: 3 unseen + 9 trained phrasings, each arm's answer beside it
    rows_js = ("() => [...document.querySelectorAll('#evaluate-table [data-testid^=\"cell-\"]')]"
               ".filter(e => /^cell-\\d+-0$/.test(e.dataset.testid)).length")
    n_rows = page.evaluate(rows_js)
    assert n_rows == 12, n_rows
    # the random adapter gets everything wrong: mark two tuned answers right in the saved answers, so the
    # failures filter has something to hide
    folder = next((eval_run / "eval").glob("*/answers.csv"))
    rows = list(csv.DictReader(open(folder)))
    right = {r["qid"] for r in rows if r["arm"] == "tuned"}
    right = set(sorted(right)[:2])
    for r in rows:
        if r["arm"] == "tuned" and r["qid"] in right:
            r["correct"] = "True"
    with open(folder, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    page.locator("#evaluate-failures input[type=checkbox]").check()
    page.wait_for_function(f"() => ({rows_js})() === {n_rows - 2}")
    page.screenshot(path=str(artifacts_dir / "evaluate-results.png"), full_page=True)
    assert (eval_run / "eval").is_dir() and any((eval_run / "eval").glob("*/report.json"))

    # an earlier evaluation of another run (a copy of this report with other figures), then compare
    first = folder.parent
    earlier = eval_run / "eval" / "evaluate-earlier"
    shutil.copytree(first, earlier)
    report = json.loads((earlier / "report.json").read_text())
    report["metrics"]["tuned"]["phrasings"]["accuracy"] = 0.25
    (earlier / "report.json").write_text(json.dumps(report))
    page.locator("#evaluate-refresh").click()
    page.locator("#evaluate-earlier input").click()
    page.get_by_role("option", name="train-eval-e2e / evaluate-earlier").click()
    page.locator("#evaluate-compare").click()
    compare = page.locator("#evaluate-compare-table")
    compare.get_by_text("accuracy (earlier)").wait_for()
    page.wait_for_function("() => document.querySelector('#evaluate-compare-table').innerText.includes('25%')")
    text = compare.inner_text()
    assert "unseen phrasings" in text and "tuned" in text
