"""Re-import of an edited export, matched by id: round trip, new rows, and every kind of bad row."""

from __future__ import annotations

import csv
import json

import pytest

from studio.dataset.actions import undo_last
from studio.dataset.errors import DatasetError
from studio.dataset.export import ExportOptions, export_dataset
from studio.dataset.importer import import_pairs
from studio.dataset.reader import parse_mapping, read_import_rows
from studio.workspace import PairFilter


def export_csv(ws, tmp_path):
    res = export_dataset(ws, ExportOptions("csv", tmp_path / "exp", split="train", status="all"))
    with res.files["train"].open(encoding="utf-8", newline="") as fh:
        return res.files["train"], list(csv.DictReader(fh))


def write_csv(path, rows, fields=None):
    fields = fields or list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    return path


def test_csv_round_trip_applies_edits_by_id(review_ws, tmp_path):
    path, rows = export_csv(review_ws, tmp_path)
    rows[0]["answer"] = "Edited in a spreadsheet."
    rows[1]["status"] = "KEPT"
    rows[2]["split"] = "heldout"
    rows[3]["flags"] = "checked, odd"
    rows.append({k: "" for k in rows[0]} | {"question": "A new question?", "answer": "A new answer.", "fact_id": "g1"})
    write_csv(path, rows)
    rep = import_pairs(review_ws, path)
    assert (rep.updated, rep.added, rep.unchanged, rep.errors) == (4, 1, len(rows) - 5, [])
    assert review_ws.get_pair(int(rows[3]["id"]))["flags"] == "checked,odd"
    assert review_ws.get_pair(int(rows[0]["id"]))["answer"] == "Edited in a spreadsheet."
    assert review_ws.get_pair(int(rows[1]["id"]))["status"] == "kept"
    assert review_ws.get_pair(int(rows[2]["id"]))["split"] == "heldout"
    new = list(review_ws.iter_pairs(PairFilter(kind="imported")))
    assert len(new) == 1 and new[0]["status"] == "pending" and new[0]["split"] == "train" and new[0]["fact_id"] == "g1"
    # the whole import is one undoable action
    undo_last(review_ws)
    assert review_ws.get_pair(int(rows[0]["id"]))["answer"] != "Edited in a spreadsheet."
    assert review_ws.count_pairs(PairFilter(kind="imported")) == 0


def test_bad_rows_are_reported_per_row_and_good_rows_applied(review_ws, tmp_path):
    path, rows = export_csv(review_ws, tmp_path)
    rows = rows[:6]
    rows[0]["id"] = "99999"                      # unknown id
    rows[1]["question"] = "  "                   # emptied question
    rows[2]["split"] = "testing"                 # bad value
    rows[3]["id"] = rows[4]["id"]                # repeated id (first use wins)
    rows[3]["answer"] = "First use of a repeated id."
    rows[5]["answer"] = "Fine edit."
    write_csv(path, rows)
    before = {p["id"]: p for p in review_ws.iter_pairs()}
    rep = import_pairs(review_ws, path)
    msgs = dict(rep.errors)
    assert "99999 is not in this workspace" in msgs[1]
    assert "empty question" in msgs[2]
    assert "unknown split 'testing'" in msgs[3]
    assert "appears twice" in msgs[5]
    assert rep.updated == 2 and rep.added == 0
    assert review_ws.get_pair(int(rows[5]["id"]))["answer"] == "Fine edit."
    assert review_ws.get_pair(int(rows[1]["id"]))["question"] == before[int(rows[1]["id"])]["question"]


def test_stale_version_is_not_overwritten(review_ws, tmp_path):
    path, rows = export_csv(review_ws, tmp_path)
    pid = int(rows[0]["id"])
    review_ws.update_pair(pid, answer="Edited in the app after the export.")
    rows[0]["answer"] = "Edited in the file."
    write_csv(path, rows[:1])
    rep = import_pairs(review_ws, path)
    assert rep.updated == 0 and "edited in the workspace after this file was exported" in rep.errors[0][1]
    assert review_ws.get_pair(pid)["answer"] == "Edited in the app after the export."


def test_missing_columns_named_in_the_error(review_ws, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [{"id": "1", "Frage": "x", "Antwort": "y"}])
    with pytest.raises(DatasetError, match=r"bad.csv: no unambiguous question and answer columns \(columns: id, Frage, Antwort\); confirm the mapping, for example question=Frage, answer=Antwort"):
        import_pairs(review_ws, path)
    rep = import_pairs(review_ws, path, parse_mapping(["question=Frage", "answer=Antwort"]))
    missing = write_csv(tmp_path / "missing.csv", [{"id": "1", "question": "only a question"}])
    with pytest.raises(DatasetError, match=r"missing.csv: no question/answer.*columns: id, question"):
        import_pairs(review_ws, missing)
    assert rep.updated == 1 and review_ws.get_pair(1)["question"] == "x"
    with pytest.raises(DatasetError, match="does not have: question<-Nope"):
        import_pairs(review_ws, path, {"question": "Nope"})
    with pytest.raises(DatasetError, match="write field=column"):
        parse_mapping(["question"])


def test_renamed_columns_are_recognised(review_ws, tmp_path):
    path = write_csv(tmp_path / "renamed.csv", [{"ID": "2", "Prompt": "Renamed?", "Response": "Yes.", "Group": "g9"}])
    rows, errors = read_import_rows(path)
    assert rows == [{"id": 2, "question": "Renamed?", "answer": "Yes.", "fact_id": "g9", "row": 1}] and errors == []
    assert import_pairs(review_ws, path).updated == 1
    assert review_ws.get_pair(2)["fact_id"] == "g9"


def test_jsonl_chat_rows_and_bad_json(review_ws, tmp_path):
    path = tmp_path / "chat.jsonl"
    path.write_text(json.dumps({"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "Q1?"},
                                             {"role": "assistant", "content": "A1."}]}) + "\n")
    rep = import_pairs(review_ws, path)
    assert rep.added == 1 and not rep.errors
    assert [p["question"] for p in review_ws.iter_pairs(PairFilter(kind="imported"))] == ["Q1?"]
    path = tmp_path / "edits.jsonl"
    path.write_text(json.dumps({"id": 3, "question": "Q3 edited?", "answer": "A3."}) + "\n")
    assert import_pairs(review_ws, path).updated == 1
    assert review_ws.get_pair(3)["question"] == "Q3 edited?"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "x", "answer": "y"}\n{oops\n')
    rep = import_pairs(review_ws, bad)
    assert rep.added == 1 and rep.errors[0][0] == 2 and "not valid JSON" in rep.errors[0][1]
    (tmp_path / "empty.csv").write_text("question,answer\n")
    with pytest.raises(DatasetError, match="no rows"):
        import_pairs(review_ws, tmp_path / "empty.csv")


def test_parquet_round_trip(review_ws, tmp_path):
    import pyarrow.parquet as pq

    res = export_dataset(review_ws, ExportOptions("parquet", tmp_path / "pq", split="val", status="all"))
    table = pq.read_table(res.files["val"]).to_pylist()
    table[0]["answer"] = "Parquet edit."
    import pyarrow as pa

    pq.write_table(pa.Table.from_pylist(table), res.files["val"])
    rep = import_pairs(review_ws, res.files["val"])
    assert rep.updated == 1 and rep.unchanged == len(table) - 1 and not rep.errors
