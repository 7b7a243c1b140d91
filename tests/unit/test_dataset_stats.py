"""Stats, plots, token counts and near-duplicate groups."""

from __future__ import annotations

import pytest

from studio.dataset.actions import bulk_action, undo_last
from studio.dataset.errors import DatasetError
from studio.dataset.neardup import near_duplicate_groups, resolve_group
from studio.dataset.stats import compute_stats, stats_figures, training_token_count
from studio.workspace import PairFilter


def test_counts_and_histograms(review_ws):
    s = compute_stats(review_ws)
    assert s["total"] == 60 and s["facts"] == 20
    assert sum(s["by_split"].values()) == 60 and s["by_split"]["heldout"] == 20
    assert s["by_status"] == {"pending": 60}
    assert set(s["by_document"]) == {"doc0.pdf", "doc1.pdf", "doc2.pdf"} and sum(s["by_document"].values()) == 60
    assert s["by_kind"] == {"paraphrase": 40, "fact": 20}
    assert s["by_flag"] == {"short_answer": 6}
    assert sum(s["answer_chars_hist"]["counts"]) == 60 and len(s["answer_chars_hist"]["edges"]) == 21
    assert s["question_chars"]["min"] <= s["question_chars"]["median"] <= s["question_chars"]["max"]
    view = compute_stats(review_ws, PairFilter(split="val"))
    assert view["total"] == sum(view["by_split"].values()) == view["by_split"]["val"]


def test_figures_draw_every_panel(review_ws):
    figs = stats_figures(compute_stats(review_ws))
    counts, lengths = figs["counts"], figs["lengths"]
    assert [ax.get_title() for ax in counts.axes] == ["pairs per document", "pairs per split", "pairs per status", "pairs per kind"]
    assert len(counts.axes[0].patches) == 3
    assert sum(p.get_height() for p in lengths.axes[1].patches) == 60


def test_empty_workspace_stats(tmp_path):
    from studio.workspace import Workspace

    ws = Workspace.create(tmp_path / "empty")
    s = compute_stats(ws)
    assert s["total"] == 0 and s["by_split"] == {} and s["answer_chars_hist"] == {"edges": [], "counts": []}
    stats_figures(s)


def test_training_token_count_with_chat_template(review_ws, tiny_llama):
    from transformers import AutoTokenizer

    bulk_action(review_ws, "keep", PairFilter(split="train"))
    out = training_token_count(review_ws, str(tiny_llama))
    tok = AutoTokenizer.from_pretrained(str(tiny_llama))
    pairs = list(review_ws.iter_pairs(PairFilter(split="train", status="kept")))

    def n_tokens(p):
        ids = tok.apply_chat_template([{"role": "user", "content": p["question"]},
                                       {"role": "assistant", "content": p["answer"]}], tokenize=True)
        return len(ids["input_ids"] if hasattr(ids, "keys") else ids)

    manual = sum(n_tokens(p) for p in pairs)
    assert out["pairs"] == len(pairs) > 0 and out["tokens"] == manual and out["chat_template"]
    with pytest.raises(DatasetError, match="cannot load the tokenizer"):
        training_token_count(review_ws, str(review_ws.path / "no-model"))


def test_near_duplicates_across_facts(review_ws, embedder):
    ids = review_ws.add_pairs([
        {"question": "When was the harbour of Trieste number 0 built??", "answer": "In 1700.", "fact_id": "dup-a"},
        {"question": "Completely unrelated: what colour is the sky on Mars?", "answer": "Butterscotch.", "fact_id": "dup-b"},
    ])
    groups = near_duplicate_groups(review_ws, threshold=0.95, embedder=embedder)
    hit = [g for g in groups if ids[0] in g.ids]
    assert len(hit) == 1 and 1 in hit[0].ids and hit[0].similarity >= 0.95
    assert not any(ids[1] in g.ids for g in groups)
    # phrasings of one fact are never grouped with each other
    for g in groups:
        facts = [review_ws.get_pair(i)["fact_id"] for i in g.ids]
        assert len(set(facts)) > 1
    msg = resolve_group(review_ws, hit[0].ids, keep_id=1)
    assert "rejected" in msg
    dup = review_ws.get_pair(ids[0])
    assert dup["status"] == "rejected" and "near_duplicate" in dup["flags"] and review_ws.get_pair(1)["status"] == "kept"
    undo_last(review_ws)
    assert review_ws.get_pair(ids[0])["status"] == "pending" and review_ws.get_pair(ids[0])["flags"] == ""
    with pytest.raises(DatasetError, match="not in this group"):
        resolve_group(review_ws, hit[0].ids, keep_id=ids[1])
    with pytest.raises(DatasetError, match="threshold"):
        near_duplicate_groups(review_ws, threshold=1.5, embedder=embedder)
