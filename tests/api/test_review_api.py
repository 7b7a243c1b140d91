"""Review endpoints through gradio_client against the launched studio, with 10,000 pairs in the workspace."""

from __future__ import annotations

import pytest

from studio.workspace import PairFilter
from tests.fixtures.review_fixtures import big_workspace

N = 10_000


@pytest.fixture(scope="module")
def big(live_app):
    ws = big_workspace(live_app.root / "workspaces" / "default", N)
    assert ws.count_pairs() == N
    return ws


def query(client, **kw):
    out = client.predict(**({"workspace": "default"} | kw), api_name="/review_query")
    assert out["ok"], out
    return out


def test_filter_search_sort_page(client, big):
    out = query(client, split="heldout", search="bridge", page_size=100)
    assert out["total"] == big.count_pairs(PairFilter(split="heldout", search="bridge")) > 100
    assert len(out["data"]) == 100 and out["pages"] == -(-out["total"] // 100)
    assert all(r[5] == "heldout" and "bridge" in (r[2] + r[3]).lower() for r in out["data"])
    last = query(client, split="heldout", search="bridge", page=out["pages"] - 1)
    assert len(last["data"]) == out["total"] - 100 * (out["pages"] - 1)
    desc = query(client, sort="question", descending=True, page_size=50)
    questions = [r[2] for r in desc["data"]]
    assert desc["total"] == N and questions == sorted(questions, reverse=True)
    doc = query(client, document=str(big.list_documents()[1]["id"]), page_size=200)
    assert len(doc["data"]) == 200 and all(r[4].startswith("doc1.pdf") for r in doc["data"])


def test_edit_cell_conflict_and_empty(client, big):
    out = query(client, kind="paraphrase", page=7)
    pair_id, version = out["state"]["ids"][3], out["state"]["versions"][3]
    saved = client.predict("default", pair_id, version, "answer", "Edited through the API.", api_name="/review_edit")
    assert saved["ok"] and saved["version"] == version + 1 and saved["row"][3] == "Edited through the API."
    assert big.get_pair(pair_id)["answer"] == "Edited through the API."
    again = query(client, kind="paraphrase", page=7)
    assert again["data"][3][3] == "Edited through the API."
    stale = client.predict("default", pair_id, version, "answer", "From a stale tab.", api_name="/review_edit")
    assert not stale["ok"] and "another tab" in stale["message"] and "From a stale tab." in stale["message"]
    assert big.get_pair(pair_id)["answer"] == "Edited through the API."
    empty = client.predict("default", pair_id, version + 1, "question", "  ", api_name="/review_edit")
    assert not empty["ok"] and "question cannot be empty" in empty["message"]
    kept = client.predict("default", pair_id, version + 1, "keep", "true", api_name="/review_edit")
    assert kept["ok"] and kept["row"][1] is True and big.get_pair(pair_id)["status"] == "kept"


def test_bulk_on_filtered_view_and_undo(client, big):
    flt = PairFilter(split="val", flag="short_answer")
    n = big.count_pairs(flt)
    out = client.predict("default", "reject", split="val", flag="short_answer", api_name="/review_bulk")
    assert out["ok"] and f"for {n} pairs" in out["message"]
    assert big.count_pairs(PairFilter(split="val", flag="short_answer", status="rejected")) == n
    assert big.count_pairs(PairFilter(status="rejected")) == n
    out = client.predict("default", "heldout", search="lighthouse", api_name="/review_bulk")
    assert out["ok"] and big.count_pairs(PairFilter(search="lighthouse", split="train")) == 0
    assert client.predict("default", api_name="/review_undo")["message"].startswith("undone: split -> heldout")
    assert client.predict("default", api_name="/review_undo")["message"].startswith("undone: status -> rejected")
    assert big.count_pairs(PairFilter(status="rejected")) == 0


def test_bad_input_is_a_message(client, big):
    out = client.predict("no-such-workspace", api_name="/review_undo")
    assert not out["ok"] and "unknown workspace" in out["message"]
    out = client.predict("default", "explode", api_name="/review_bulk")
    assert not out["ok"] and "pick an action" in out["message"]
    out = client.predict(workspace="default", sort="evil; DROP TABLE qa_pairs", api_name="/review_query")
    assert not out["ok"] and "cannot sort" in out["message"]
    assert big.count_pairs() == N


def test_regenerate_through_the_api_and_undo(client, live_app):
    from studio.generate.config import GenerateConfig
    from studio.jobs import JobRunner
    from tests.unit.generate_helpers import make_workspace

    ws = make_workspace(live_app.root / "workspaces", name="regen")
    cfg = GenerateConfig(backend="replay", model="replay", paraphrases=3, refusal_share=0.0, false_premise_share=0.0)
    assert JobRunner(ws, root=live_app.root).run_foreground("generate", cfg.to_dict())["state"] == "completed"
    pair = next(p for p in ws.iter_pairs() if p["kind"] == "paraphrase")
    siblings = {p["question"] for p in ws.iter_pairs() if p["fact_id"] == pair["fact_id"]}
    out = client.predict("regen", pair["id"], api_name="/review_regenerate")
    assert out["ok"], out
    assert out["pair"]["question"] not in siblings and out["pair"]["status"] == "pending"
    assert ws.get_pair(pair["id"])["question"] == out["pair"]["question"]
    undone = client.predict("regen", api_name="/review_undo")
    assert undone["message"].startswith(f"undone: regenerate pair {pair['id']}")
    assert ws.get_pair(pair["id"])["question"] == pair["question"]
    manual = ws.add_pairs([{"question": "Written by hand?", "answer": "Yes.", "kind": "manual"}])[0]
    out = client.predict("regen", manual, api_name="/review_regenerate")
    assert not out["ok"] and "no source chunk" in out["message"] and "package" not in out["message"]
