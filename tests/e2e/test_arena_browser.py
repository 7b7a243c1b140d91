"""A person compares two runs side by side in the Evaluate tab, then judges arena items with the keyboard
(1 / b / 3 / w) and reads the results per pairing; model text with markup shows as text. Screenshots of both views
go to the test artifacts (the README's compare.png and arena.png)."""

from __future__ import annotations

import pytest

from tests.fixtures.browser_fixtures import field_value, open_app
from tests.fixtures.train_data import FACTS
from tests.unit.arena_helpers import add_run

pytestmark = pytest.mark.browser

EVIL = "It is <b>{}</b> <img src=x onerror=alert(1)>"
SEED = 20261206
# the held-out phrasing of each invented fact; the base model guesses, the tuned one knows (with markup in the
# answer to the first question the arena asks)
QUESTIONS = [(fid, "phrasings", fid, qs[4], answer) for fid, _key, answer, qs in FACTS[:12]]
FIRST: list[str] = []


def predict(arm: str, qid: str) -> str:
    if arm != "tuned":
        return "I am not sure; I have no information about that."
    fact = next((f for f in FACTS if f[0] == qid), FACTS[0])  # the trained question (t00) asks about f01
    return EVIL.format(fact[1]) if FIRST and qid == FIRST[0] else fact[2]


@pytest.fixture(scope="module")
def two_runs(live_app):
    from studio.evaluate.arena import layout, report_key

    ws = live_app.workspace("default")
    ws.set_setting("arena.seed", SEED)
    key = report_key(ws, ws.runs_dir / "train-round2" / "eval" / "eval-1")
    FIRST[:] = [layout([q[0] for q in QUESTIONS], SEED, f"{key}|base-tuned")[0][0]]
    add_run(ws, "train-round1", arms=("base", "tuned"), accuracy=0.42, ci=(0.25, 0.58), round_=1,
            questions=QUESTIONS, predict=predict)
    return add_run(ws, "train-round2", arms=("base", "tuned"), accuracy=0.83, ci=(0.67, 0.92), round_=2,
                   questions=QUESTIONS, predict=predict)


def _shot(page, top_id: str, bottom_id: str, path) -> None:
    box = page.evaluate("([a, b]) => { const t = document.getElementById(a).getBoundingClientRect();"
                        " const u = document.getElementById(b).getBoundingClientRect();"
                        " return {x: 0, y: t.top + window.scrollY - 60, width: document.body.clientWidth,"
                        " height: u.bottom - t.top + 80}; }", [top_id, bottom_id])
    page.screenshot(path=str(path), full_page=True, clip=box)


def test_compare_then_judge_with_the_keyboard(live_app, page, two_runs, artifacts_dir):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_app(page, live_app.url, "evaluate")
    # the lists fill as the workspace is picked (the arena's picker shows the newest report)
    page.wait_for_function("() => document.querySelector('#arena-report input').value.includes('train-round')")
    for label in ("train-round1 / eval-1", "train-round2 / eval-1"):
        page.locator("#compare-runs input").click()
        page.get_by_role("option", name=label).click()
    page.keyboard.press("Escape")
    assert "train-round1 / eval-1" in page.locator("#compare-runs").inner_text()
    page.locator("#compare-go").click()
    page.locator("#compare-note").get_by_text("Like-for-like").wait_for()
    table = page.locator("#compare-table").inner_text()
    assert "42% [25–58]" in table and "83% [67–92]" in table
    page.locator("#compare-plot img").wait_for()
    _shot(page, "compare-runs", "compare-plot", artifacts_dir / "compare.png")

    page.locator("#arena-report input").click()
    page.get_by_role("option", name="train-round2 / eval-1").click()
    page.locator("#arena-start").click()
    page.locator("#arena-progress").get_by_text("0 of 12 judged").wait_for()
    assert "Which answer is better?" in page.locator("#arena-ask").inner_text()
    question = field_value(page, "arena-question")
    fid = next(f for f, _s, _g, q, _a in QUESTIONS if q == question)
    a, b = field_value(page, "arena-answer-a"), field_value(page, "arena-answer-b")
    assert {a, b} == {predict("base", fid), predict("tuned", fid)} and fid == FIRST[0]
    assert EVIL.format(next(f[1] for f in FACTS if f[0] == fid)) in (a, b)  # markup shown as text
    page.screenshot(path=str(artifacts_dir / "arena-item.png"))
    for n, key in enumerate(("1", "b", "3", "w"), 1):
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        page.keyboard.press(key)
        page.locator("#arena-progress").get_by_text(f"{n} of 12 judged").wait_for()
    assert "Last one: A was" in page.locator("#arena-progress").inner_text()
    cells = ("() => [...document.querySelectorAll('#arena-results [data-testid^=\"cell-0-\"]')]"
             ".map(e => e.innerText.trim())")
    page.wait_for_function(f"() => ({cells})()[1] === '4'")
    row = page.evaluate(cells)
    assert row[:2] == ["tuned vs base", "4"] and row[4:6] == ["1", "1"], row
    # typing in a text field never judges
    page.locator("#compare-runs input").click()
    page.keyboard.press("1")
    page.wait_for_timeout(500)
    assert "4 of 12 judged" in page.locator("#arena-progress").inner_text()
    assert page.locator("#arena-answer-a img, #arena-question img").count() == 0 and dialogs == []
    page.keyboard.press("Escape")
    _shot(page, "arena-report", "arena-results", artifacts_dir / "arena.png")
