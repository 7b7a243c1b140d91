"""Bulk actions on the filtered view, the undo log, and per-row helpers."""

from __future__ import annotations

import pytest

from studio.dataset import rows as row_ops
from studio.dataset.actions import UNDO_DEPTH, bulk_action, list_actions, undo_last
from studio.dataset.errors import DatasetError
from studio.dataset.view import HEADERS, ViewState, edit_cell, load_page
from studio.workspace import PairFilter


def by(ws, **kw):
    return ws.count_pairs(PairFilter(**kw))


@pytest.mark.parametrize("action,field,value", [
    ("keep", "status", "kept"), ("reject", "status", "rejected"), ("train", "split", "train"),
    ("val", "split", "val"), ("heldout", "split", "heldout"),
])
def test_bulk_action_on_filtered_view_and_undo(review_ws, action, field, value):
    flt = PairFilter(document_id=1)
    before = {p["id"]: p[field] for p in review_ws.iter_pairs()}
    res = bulk_action(review_ws, action, flt)
    in_view = review_ws.pair_ids(flt)
    assert res.count == sum(1 for i in in_view if before[i] != value) > 0
    after = {p["id"]: p[field] for p in review_ws.iter_pairs()}
    assert all(after[i] == value for i in in_view)
    assert all(after[i] == before[i] for i in before if i not in in_view)  # outside the view untouched
    undo = undo_last(review_ws)
    assert undo.restored == res.count and not undo.skipped
    assert {p["id"]: p[field] for p in review_ws.iter_pairs()} == before


def test_bulk_delete_and_undo_restores_rows(review_ws):
    flt = PairFilter(split="heldout")
    rows = {p["id"]: p for p in review_ws.iter_pairs(flt)}
    res = bulk_action(review_ws, "delete", flt)
    assert res.count == len(rows) == 20 and review_ws.count_pairs() == 40
    assert undo_last(review_ws).restored == 20
    again = {p["id"]: p for p in review_ws.iter_pairs(flt)}
    assert again.keys() == rows.keys()
    assert all(again[i]["question"] == rows[i]["question"] and again[i]["fact_id"] == rows[i]["fact_id"] for i in rows)


def test_undo_skips_rows_edited_since(review_ws):
    res = bulk_action(review_ws, "reject", PairFilter(document_id=1))
    ids = review_ws.pair_ids(PairFilter(document_id=1))
    review_ws.update_pair(ids[0], status="kept")  # someone changed it after the bulk action
    undo = undo_last(review_ws)
    assert undo.skipped == [ids[0]] and "changed since" in undo.message
    assert review_ws.get_pair(ids[0])["status"] == "kept"  # the newer edit is not overwritten
    assert review_ws.get_pair(ids[1])["status"] == "pending"
    assert undo.restored == res.count - 1


def test_undo_order_edits_and_empty_log(review_ws):
    _, st = load_page(review_ws, ViewState(page_size=3))
    old = review_ws.get_pair(st.ids[0])["question"]
    edit_cell(review_ws, st, 0, HEADERS.index("question"), "Edited question?")
    bulk_action(review_ws, "keep", PairFilter(ids=st.ids))
    labels = [a["label"] for a in list_actions(review_ws)]
    assert labels[0].startswith("status -> kept") and labels[1].startswith("edit question")
    undo_last(review_ws)
    undo_last(review_ws)
    assert review_ws.get_pair(st.ids[0])["question"] == old
    assert review_ws.get_pair(st.ids[0])["status"] == "pending"
    assert undo_last(review_ws).message == "nothing to undo"


def test_undo_log_keeps_the_last_actions(review_ws):
    for i in range(UNDO_DEPTH + 5):
        bulk_action(review_ws, "keep" if i % 2 else "reject", PairFilter(ids=[1]))
    assert len(list_actions(review_ws, 100)) == UNDO_DEPTH


def test_bulk_action_rejects_unknown_and_reports_nothing_to_do(review_ws):
    with pytest.raises(DatasetError, match="unknown action"):
        bulk_action(review_ws, "explode")
    bulk_action(review_ws, "train", PairFilter(split="train"))
    assert bulk_action(review_ws, "train", PairFilter(split="train")).count == 0


def test_source_chunk_and_other_phrasings(review_ws):
    pair = review_ws.get_pair(4)
    src = row_ops.source_chunk(review_ws, 4)
    assert src["document"] == pair["document"] and src["text"].startswith("Chapter") and src["heading"]
    others = row_ops.other_phrasings(review_ws, 4)
    assert [o["id"] for o in others] == [5, 6]
    assert all(review_ws.get_pair(o["id"])["fact_id"] == pair["fact_id"] for o in others)
    with pytest.raises(DatasetError, match="no pair"):
        row_ops.source_chunk(review_ws, 99999)


def test_add_pair_by_hand(review_ws):
    new = row_ops.add_pair_by_hand(review_ws, "Who built it?", "The guild did.", like_pair=4)
    assert new["kind"] == "manual" and new["status"] == "kept" and new["fact_id"] == review_ws.get_pair(4)["fact_id"]
    assert row_ops.source_chunk(review_ws, new["id"])["text"]
    lone = row_ops.add_pair_by_hand(review_ws, "A new fact?", "Yes.", split="heldout")
    assert lone["fact_id"].startswith("manual-") and lone["split"] == "heldout"
    assert row_ops.source_chunk(review_ws, lone["id"])["message"]
    with pytest.raises(DatasetError, match="question cannot be empty"):
        row_ops.add_pair_by_hand(review_ws, " ", "x")
    undo_last(review_ws)
    assert review_ws.get_pair(lone["id"]) is None


def test_undo_chain_of_three_actions_on_one_row(review_ws):
    original = review_ws.get_pair(1)
    review_ws_ids = [1]
    bulk_action(review_ws, "heldout", PairFilter(ids=review_ws_ids))
    bulk_action(review_ws, "keep", PairFilter(ids=review_ws_ids))
    bulk_action(review_ws, "reject", PairFilter(ids=review_ws_ids))
    for _ in range(3):
        assert not undo_last(review_ws).skipped
    now = review_ws.get_pair(1)
    assert (now["split"], now["status"]) == (original["split"], original["status"])
