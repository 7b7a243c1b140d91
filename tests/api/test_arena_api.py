"""The Evaluate tab's Compare and Arena sections through the API (``gradio_client``): compare two runs, then judge a
few arena items; the page never receives which model wrote A or B, a double press judges once, and the results table
and report.json follow."""

from __future__ import annotations

import json

import pytest

from tests.unit.arena_helpers import QUESTIONS, add_run

WORDS = ("tuned", "base", "challenger", "baseline", "retrieval")


@pytest.fixture(scope="module")
def runs(live_app):
    ws = live_app.workspace("default")
    first = add_run(ws, "train-api", arms=("base", "tuned"))
    add_run(ws, "train-api2", arms=("base", "tuned"), questions=QUESTIONS[:6], accuracy=0.9, ci=(0.7, 1.0))
    return first


def test_compare_two_runs(client, runs):
    client.predict("default", api_name="/compare_lists")
    table, note, plot = client.predict("default", ["train-api / eval-1", "train-api2 / eval-1"], api_name="/compare_runs")
    assert [r[0] for r in table["data"]] == ["train-api / eval-1", "train-api2 / eval-1"]
    assert table["data"][1][2] == "90% [70–100]"
    assert note.startswith("Not like-for-like") and "6 in common" in note
    assert plot and "matplotlib" in json.dumps(plot)


def test_judge_a_few_items(client, runs):
    client.predict("default", api_name="/arena_lists")
    out = client.predict("default", "train-api / eval-1", "base-tuned", None, api_name="/arena_start")
    ask, question, a, b, item, *_rest = out
    progress = out[-2]
    assert "Which answer is better?" in ask and "0 of 12 judged" in progress
    assert question.startswith("What is the secret number") and {a[:5], b[:5]} == {"Alpha", "Bravo"}
    for word in WORDS:
        assert word not in json.dumps(out[:-1]).lower(), word  # the results table names the pairing, not the items
    picks = 0
    for _ in range(3):
        tuned_is_a = a.startswith("Bravo")
        out = client.predict("default", item, api_name="/arena_judge_a" if tuned_is_a else "/arena_judge_b")
        picks += 1
        assert f"{picks} of 12 judged" in out[-2] and "Last one: A was" in out[-2]
        stale = item
        _ask, question, a, b, item = out[:5]
        assert item != stale
    # a second press on an item already judged (the page had not updated yet) is ignored
    again = client.predict("default", stale, api_name="/arena_judge_tie")
    assert "3 of 12 judged" in again[-2]
    results = again[-1]
    assert results["data"][0][:5] == ["tuned vs base", "3", "3", "0", "0"]
    block = json.loads((runs / "report.json").read_text())["arena"]["pairings"]["base-tuned"]
    assert block["wins"] == 3 and block["preference"] == 1.0
    missing = client.predict("default", "train-api / eval-1", "tuned-rag", None, api_name="/arena_start")
    assert "Error:" in missing[-2] and "tuned + retrieval" in missing[-2] and "Traceback" not in json.dumps(missing)
