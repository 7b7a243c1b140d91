"""The review table's view model: pages of a filtered, sorted view, casting cells, saving edits."""

from __future__ import annotations

import pytest

from studio.dataset import view
from studio.dataset.errors import DatasetError
from studio.dataset.view import COLUMNS, HEADERS, ViewState, apply_edit_data, cast_cell, edit_cell, load_page


def col(name):
    return HEADERS.index(name)


def test_page_of_filtered_sorted_view(review_ws):
    rows, st = load_page(review_ws, ViewState(split="heldout", sort="question", page_size=5))
    assert st.total == 20 and len(rows) == 5 and st.pages == 4
    assert all(r[col("split")] == "heldout" for r in rows)
    questions = [r[col("question")] for r in rows]
    assert questions == sorted(questions)
    assert st.ids == [r[0] for r in rows] and len(st.versions) == 5
    assert rows[0][col("source")].startswith("doc") and " › Part " in rows[0][col("source")]
    assert all(isinstance(r[col("keep")], bool) for r in rows)  # real bools: checkboxes
    # paging past the end clamps to the last page
    rows2, st2 = load_page(review_ws, ViewState(split="heldout", sort="question", page_size=5, page=99))
    assert st2.page == 3 and len(rows2) == 5 and rows2[0][0] not in st.ids


def test_search_and_flag_filters(review_ws):
    rows, st = load_page(review_ws, ViewState(search="number 7 built"))
    assert st.total >= 1 and all("number 7 built" in r[col("question")] for r in rows)
    _, flagged = load_page(review_ws, ViewState(flag="any"))
    _, short = load_page(review_ws, ViewState(flag="short_answer"))
    assert flagged.total == short.total == 6
    with pytest.raises(DatasetError, match="cannot sort"):
        ViewState(sort="nope")


def test_cast_cells_by_column_type():
    by = {c.name: c for c in COLUMNS}
    assert cast_cell(by["id"], "7") == 7 and cast_cell(by["id"], "7.5") == 7.5
    assert cast_cell(by["keep"], "true") is True and cast_cell(by["keep"], "false") is False
    assert cast_cell(by["keep"], None) is False
    assert cast_cell(by["split"], " HeldOut ") == "heldout"
    assert cast_cell(by["question"], 12) == "12"
    with pytest.raises(DatasetError):
        cast_cell(by["id"], "seven")
    with pytest.raises(DatasetError):
        cast_cell(by["keep"], "maybe")


def test_apply_edit_data_gives_table_after_edit():
    before = [[1, False, "q", "a", "s", "train", "pending", "fact", ""]]
    after = apply_edit_data(before, [0, 1], "true")
    assert after[0][1] is True and before[0][1] is False
    with pytest.raises(DatasetError):
        apply_edit_data(before, [3, 1], "x")


def test_row_to_fields_folds_keep_into_status():
    row = [1, True, "q?", "a.", "src", "val", "pending", "fact", "x"]
    fields = view.row_to_fields(row)
    assert fields["status"] == "kept" and fields["split"] == "val" and "source" not in fields and "id" not in fields
    row[1], row[6] = False, "kept"
    assert view.row_to_fields(row)["status"] == "pending"


def test_edit_cell_saves_and_reload_shows_it(review_ws):
    rows, st = load_page(review_ws, ViewState(page_size=10))
    out = edit_cell(review_ws, st, 2, col("answer"), "A brand new answer.")
    assert out.ok and "saved" in out.message
    assert review_ws.get_pair(st.ids[2])["answer"] == "A brand new answer."
    rows2, _ = load_page(review_ws, ViewState(page_size=10))
    assert rows2[2][col("answer")] == "A brand new answer."
    # ticking keep sets the status, and the returned row shows it
    out = edit_cell(review_ws, st, 2, col("keep"), "true")
    assert out.ok and out.row[col("status")] == "kept" and out.row[col("keep")] is True
    out = edit_cell(review_ws, st, 2, col("keep"), False)
    assert review_ws.get_pair(st.ids[2])["status"] == "pending"


@pytest.mark.parametrize("column,value,needle", [
    ("question", "   ", "question cannot be empty"),
    ("answer", "", "answer cannot be empty"),
    ("split", "testing", "split must be one of"),
    ("source", "x", "cannot be edited"),
])
def test_bad_edits_are_refused_and_nothing_changes(review_ws, column, value, needle):
    _, st = load_page(review_ws, ViewState(page_size=5))
    before = review_ws.get_pair(st.ids[0])
    out = edit_cell(review_ws, st, 0, col(column), value)
    assert not out.ok and needle in out.message
    assert review_ws.get_pair(st.ids[0]) == before
    assert out.row == view.pair_to_row(before)  # the table gets the stored row back


def test_two_tabs_editing_one_row_conflict_and_nothing_lost(review_ws):
    _, tab_a = load_page(review_ws, ViewState(page_size=5))
    _, tab_b = load_page(review_ws, ViewState(page_size=5))
    assert edit_cell(review_ws, tab_a, 0, col("answer"), "Answer from tab A.").ok
    out = edit_cell(review_ws, tab_b, 0, col("answer"), "Answer from tab B.")
    assert not out.ok and "another tab" in out.message and "Answer from tab B." in out.message
    assert review_ws.get_pair(tab_a.ids[0])["answer"] == "Answer from tab A."  # A's edit not overwritten
    assert out.row[col("answer")] == "Answer from tab A."  # B now sees A's text
    # B edits again on top of what it now sees: accepted
    assert edit_cell(review_ws, tab_b, 0, col("answer"), "Answer from tab B.").ok
    assert review_ws.get_pair(tab_a.ids[0])["answer"] == "Answer from tab B."


def test_edit_of_deleted_row_is_reported(review_ws):
    _, st = load_page(review_ws, ViewState(page_size=5))
    review_ws.delete_pairs([st.ids[1]])
    out = edit_cell(review_ws, st, 1, col("question"), "Hello?")
    assert not out.ok and "deleted" in out.message
    assert not edit_cell(review_ws, st, 9, col("question"), "x").ok


def test_view_state_round_trips_as_dict():
    st = ViewState(split="all", status="kept", document_id="3", page_size=1000, search=None)
    again = ViewState.from_dict(st.to_dict() | {"junk": 1})
    assert again == st and st.split is None and st.document_id == 3 and st.page_size == view.MAX_PAGE_SIZE


def test_review_strings_cover_both_languages():
    from studio.ui.strings import review

    assert set(review.EN) == set(review.IT) and all(k.startswith("review.") for k in review.EN)
    assert all(review.IT[k].strip() for k in review.IT)
