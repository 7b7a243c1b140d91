"""Imported pairs get held-out and val questions: by phrasing when the file groups them into facts, a held-out
share otherwise; the training plan warns when nothing is held out to evaluate on."""

from __future__ import annotations

import csv

import pytest

from studio.dataset.importer import import_pairs
from studio.ingest import IngestConfig, ingest_paths
from studio.train.config import TrainConfig
from studio.train.hardware import CPU
from studio.train.plan import make_plan
from studio.train.preview import preview_plan
from studio.workspace import PairFilter, Workspace


@pytest.fixture
def ws(tmp_path):
    return Workspace.create(tmp_path / "ws")


def _write_csv(path, rows, fields):
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    return path


def _pairs(ws, doc_id):
    rows, _ = ws.query_pairs(PairFilter(document_id=doc_id), limit=1000)
    return rows


def test_fact_column_holds_out_unseen_phrasings_of_taught_facts(tmp_path, ws):
    rows = [{"question": f"Phrasing {k} about fact {f}?", "answer": f"Answer {f}.", "fact": f"f{f}"}
            for f in range(20) for k in range(4)]
    path = _write_csv(tmp_path / "qa.csv", rows, ["question", "answer", "fact"])
    [report] = ingest_paths(ws, [path], IngestConfig())
    assert report.pairs == 80 and "split by phrasing" in report.message
    pairs = _pairs(ws, report.document_id)
    by_fact: dict[str, list[str]] = {}
    for p in pairs:
        by_fact.setdefault(p["fact_id"], []).append(p["split"])
    taught = {f for f, s in by_fact.items() if "train" in s}
    whole = {f for f, s in by_fact.items() if set(s) == {"heldout"}}
    assert len(by_fact) == 20 and len(whole) == 2  # 10% of the facts held out whole (the probe)
    for fact in taught:  # every taught fact has exactly one unseen phrasing in the test
        assert by_fact[fact].count("heldout") == 1 and by_fact[fact].count("train") >= 2
    assert taught | whole == set(by_fact)


def test_shared_answers_count_as_one_fact(tmp_path, ws):
    rows = [{"question": f"Way {k} to ask about {f}?", "answer": f"It is {f}."} for f in ("red", "blue", "green")
            for k in range(3)]
    path = _write_csv(tmp_path / "qa.csv", rows, ["question", "answer"])
    [report] = ingest_paths(ws, [path], IngestConfig())
    pairs = _pairs(ws, report.document_id)
    assert len({p["fact_id"] for p in pairs}) == 3
    assert sum(p["split"] == "heldout" for p in pairs) == 3 and "split by phrasing" in report.message


def test_without_fact_column_a_share_is_held_out(tmp_path, ws):
    rows = [{"question": f"What is item {i}?", "answer": f"Item {i} is thing {i}."} for i in range(40)]
    path = _write_csv(tmp_path / "qa.csv", rows, ["question", "answer"])
    [report] = ingest_paths(ws, [path], IngestConfig())
    splits = [p["split"] for p in _pairs(ws, report.document_id)]
    assert splits.count("heldout") == 4 and splits.count("val") == 2 and splits.count("train") == 34
    assert "4 of 40 pairs held out for the test and 2 for val" in report.message
    # a tiny file still holds some out
    path = _write_csv(tmp_path / "small.csv", rows[:10], ["question", "answer"])
    small_ws = Workspace.create(tmp_path / "ws2")
    [small] = ingest_paths(small_ws, [path], IngestConfig())
    assert [p["split"] for p in _pairs(small_ws, small.document_id)].count("heldout") == 3


def test_split_column_in_the_file_is_kept(tmp_path, ws):
    rows = [{"question": f"Q{i}?", "answer": f"A{i}.", "split": "val" if i == 0 else ""} for i in range(12)]
    path = _write_csv(tmp_path / "qa.csv", rows, ["question", "answer", "split"])
    [report] = ingest_paths(ws, [path], IngestConfig())
    splits = [p["split"] for p in _pairs(ws, report.document_id)]
    assert splits.count("val") == 1 and splits.count("train") == 11 and "held out" not in report.message


def test_import_pairs_new_rows_get_a_held_out_share(tmp_path, ws):
    rows = [{"question": f"What is item {i}?", "answer": f"Item {i} is thing {i}."} for i in range(20)]
    path = _write_csv(tmp_path / "new.csv", rows, ["question", "answer"])
    report = import_pairs(ws, path)
    splits = [p["split"] for p in ws.iter_pairs()]
    assert report.added == 20 and splits.count("heldout") == 3 and splits.count("val") == 1
    assert "held out for the test" in report.summary()


def test_plan_warns_when_nothing_to_evaluate_on(tmp_path, ws):
    cfg = TrainConfig(base_model="bundled:smollm2-135m-instruct")
    groups = {f"f{i}": 3 for i in range(6)}
    none = make_plan(cfg, CPU, groups, 2, {"max_length": 64}, 40, n_test=0)
    assert any("nothing to evaluate on" in w for w in none.warnings)
    some = make_plan(cfg, CPU, groups, 2, {"max_length": 64}, 40, n_test=5)
    assert not any("nothing to evaluate on" in w for w in some.warnings)
    ws.add_pairs([{"question": f"Q{i}?", "answer": f"A{i}.", "status": "kept", "split": "train", "fact_id": f"f{i}"}
                  for i in range(5)])
    shown = preview_plan(cfg.replace(base_model="no/such-model-135m"), ws, CPU)
    assert shown["n_test"] == 0 and any("nothing to evaluate on" in w for w in shown["warnings"])
