"""Every export format, loaded back with ``datasets``; LLaMA-Factory's dataset_info.json against its schema."""

from __future__ import annotations

import json

import pytest

from studio.dataset.actions import bulk_action
from studio.dataset.errors import DatasetError
from studio.dataset.export import ExportOptions, export_dataset, load_export
from studio.dataset.formats import FORMATS
from studio.dataset.llamafactory import validate_dataset_info
from studio.workspace import PairFilter


@pytest.fixture
def kept_ws(review_ws):
    bulk_action(review_ws, "keep", PairFilter(document_id=1))  # doc0 only: some of each split
    bulk_action(review_ws, "reject", PairFilter(flag="any"))
    return review_ws


def expected(ws, split, status="kept"):
    return {(p["question"], p["answer"]) for p in ws.iter_pairs(PairFilter(split=split, status=status))}


def pairs_of(fmt, record):
    if fmt == "openai":
        msgs = record["messages"]
        return msgs[-2]["content"], msgs[-1]["content"]
    if fmt in ("alpaca", "llamafactory"):
        return record["instruction"], record["output"]
    if fmt == "sharegpt":
        return record["conversations"][0]["value"], record["conversations"][1]["value"]
    return record["question"], record["answer"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_loads_back_with_datasets(kept_ws, tmp_path, fmt):
    res = export_dataset(kept_ws, ExportOptions(fmt, tmp_path / fmt, system_prompt="Answer from the manual."))
    assert set(res.files) == {"train", "val", "heldout"}  # separate files per split
    assert len({p.name for p in res.files.values()}) == 3
    for split in ("train", "val", "heldout"):
        ds = load_export(res, split)
        assert len(ds) == res.counts[split] == len(expected(kept_ws, split))
        assert {pairs_of(fmt, r) for r in ds} == expected(kept_ws, split)  # only kept pairs
        first = ds[0]
        if fmt == "openai":
            assert [m["role"] for m in first["messages"]] == ["system", "user", "assistant"]
            assert first["messages"][0]["content"] == "Answer from the manual."
        if fmt == "sharegpt":
            assert [t["from"] for t in first["conversations"]] == ["human", "gpt"] and first["system"]
        if fmt in ("csv", "parquet"):
            assert {"id", "version", "split", "status", "fact_id", "document"} <= set(ds.column_names)
            assert all(s == split for s in ds["split"]) and all(s == "kept" for s in ds["status"])


def test_llamafactory_folder_matches_documented_schema(kept_ws, tmp_path):
    res = export_dataset(kept_ws, ExportOptions("llamafactory", tmp_path / "lf", name="manual"))
    info = json.loads((tmp_path / "lf" / "dataset_info.json").read_text())
    assert set(info) == {"manual_train", "manual_val", "manual_heldout"}
    entry = info["manual_train"]
    assert entry["file_name"] == "manual_train.json" and entry["formatting"] == "alpaca"
    assert entry["columns"] == {"prompt": "instruction", "query": "input", "response": "output"}
    assert validate_dataset_info(tmp_path / "lf") == []
    assert res.extra == [tmp_path / "lf" / "dataset_info.json"]


@pytest.mark.parametrize("mutate,needle", [
    (lambda i: i["studio_train"].update(formatting="chatml"), "formatting must be"),
    (lambda i: i["studio_train"].update(file_name="missing.json"), "does not exist"),
    (lambda i: i["studio_train"].pop("file_name"), "file_name is required"),
    (lambda i: i["studio_train"].update(colums={}), "unknown key 'colums'"),
    (lambda i: i["studio_train"]["columns"].update(answer="output"), "unknown column key"),
    (lambda i: i["studio_train"]["columns"].pop("prompt"), "must name the prompt"),
    (lambda i: i["studio_train"]["columns"].update(response="reply"), "has no 'reply'"),
    (lambda i: i["studio_train"].update(formatting="sharegpt"), "columns must name the messages"),
])
def test_schema_check_catches_broken_dataset_info(kept_ws, tmp_path, mutate, needle):
    export_dataset(kept_ws, ExportOptions("llamafactory", tmp_path))
    path = tmp_path / "dataset_info.json"
    info = json.loads(path.read_text())
    mutate(info)
    path.write_text(json.dumps(info))
    problems = validate_dataset_info(tmp_path)
    assert any(needle in p for p in problems), problems


def test_sharegpt_records_pass_the_sharegpt_schema(kept_ws, tmp_path):
    res = export_dataset(kept_ws, ExportOptions("sharegpt", tmp_path, split="train"))
    (tmp_path / "dataset_info.json").write_text(json.dumps({"s": {
        "file_name": res.files["train"].name, "formatting": "sharegpt",
        "columns": {"messages": "conversations", "system": "system"}}}))
    assert validate_dataset_info(tmp_path) == []


def test_single_split_to_a_file_and_status_all(kept_ws, tmp_path):
    out = tmp_path / "only-train.jsonl"
    res = export_dataset(kept_ws, ExportOptions("openai", out, split="train", status="all"))
    assert res.files == {"train": out} and res.counts["train"] == kept_ws.count_pairs(PairFilter(split="train"))
    with pytest.raises(DatasetError, match="give a folder, or choose one split"):
        export_dataset(kept_ws, ExportOptions("openai", tmp_path / "all.jsonl"))


def test_nothing_kept_is_a_clear_error(review_ws, tmp_path):
    with pytest.raises(DatasetError, match="no kept pairs.*export with --status all"):
        export_dataset(review_ws, ExportOptions("csv", tmp_path / "out"))
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kw,needle", [
    ({"format": "xml"}, "unknown export format"), ({"split": "test"}, "split must be"), ({"status": "good"}, "status must be"),
])
def test_bad_options(tmp_path, kw, needle):
    with pytest.raises(DatasetError, match=needle):
        ExportOptions(**({"format": "csv", "out": tmp_path} | kw))
