"""Existing QA data: CSV/JSONL/JSON/Parquet, three layouts, mapping detection, imported pairs."""

from __future__ import annotations

import json

import pytest

from studio.ingest import IngestConfig, IngestError, ingest_paths, read_qa_file
from studio.ingest.pipeline import reimport_qa
from studio.workspace import PairFilter, Workspace


@pytest.fixture
def ws(tmp_path):
    return Workspace.create(tmp_path / "ws")


def test_csv_question_answer_with_split_and_group(tmp_path):
    path = tmp_path / "qa.csv"
    path.write_text("Question,Answer,split,group\nWhat is X?,X is Y.,test,f1\nWhat's X again?,Y.,train,f1\n"
                    "Who?,,train,f2\nWhere?,Here.,bogus,f3\n", encoding="utf-8")
    read = read_qa_file(path)
    assert read.format == "csv" and read.mapping["question"] == "Question" and not read.ambiguous
    assert [(r["question"], r["split"], r["group"]) for r in read.rows] == [
        ("What is X?", "heldout", "f1"), ("What's X again?", "train", "f1")]
    assert read.errors == ["row 3: empty answer", "row 4: unknown split 'bogus' (use train, val or heldout)"]


def test_jsonl_chat_messages_openai_and_sharegpt(tmp_path):
    path = tmp_path / "chat.jsonl"
    rows = [
        {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Capital of Italy?"},
                      {"role": "assistant", "content": "Rome."}]},
        {"messages": [{"role": "user", "content": [{"type": "text", "text": "2+2?"}]}, {"role": "assistant", "content": "4"},
                      {"role": "user", "content": "And 3+3?"}, {"role": "assistant", "content": "6"}]},
        {"conversations": [{"from": "human", "value": "Hi?"}, {"from": "gpt", "value": "Hello."}]},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n")
    read = read_qa_file(path)
    assert read.mapping == {"messages": "messages"}
    assert [(r["question"], r["answer"]) for r in read.rows[:2]] == [("Capital of Italy?", "Rome."), ("And 3+3?", "6")]
    assert read.rows[0]["system"] == "Be brief."
    assert "line 4: not valid JSON" in read.errors[0]
    assert any("multi-turn" in w for w in read.warnings)


def test_json_alpaca_instruction_input_output_and_parquet(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "alpaca.json"
    path.write_text(json.dumps([{"instruction": "Translate", "input": "ciao", "output": "hello"},
                                {"instruction": "Say hi", "input": "", "output": "hi"}]))
    read = read_qa_file(path)
    assert [r["question"] for r in read.rows] == ["Translate\n\nciao", "Say hi"]
    pq.write_table(pa.table({"prompt": ["P1", "P2"], "response": ["R1", "R2"], "id": [None, None]}), tmp_path / "d.parquet")
    read = read_qa_file(tmp_path / "d.parquet")
    assert read.format == "parquet" and [r["answer"] for r in read.rows] == ["R1", "R2"]


def test_ambiguous_columns_are_flagged_and_mapping_overrides(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("question,prompt,answer\nQ1,P1,A1\n")
    read = read_qa_file(path)
    assert read.ambiguous and "several possible question columns" in read.warnings[0]
    read = read_qa_file(path, {"question": "prompt", "answer": "answer"})
    assert read.rows[0]["question"] == "P1" and not read.ambiguous
    unnamed = tmp_path / "unnamed.csv"
    unnamed.write_text("col1;col2\nDomanda uno?;Risposta uno.\n")
    read = read_qa_file(unnamed)
    assert read.ambiguous and read.rows[0]["answer"] == "Risposta uno." and read.raw_preview[0]["col1"] == "Domanda uno?"
    with pytest.raises(IngestError, match="no question/answer"):
        (tmp_path / "bad.csv").write_text("notes\nonly one column\n")
        read_qa_file(tmp_path / "bad.csv")
    with pytest.raises(IngestError, match="does not have"):
        read_qa_file(path, {"question": "nope", "answer": "answer"})


def test_ingest_adds_imported_pairs_with_fact_ids_and_duplicates(tmp_path, ws):
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"question": "Quando si cambia il filtro?", "answer": "Ogni 500 ore di funzionamento.", "group": "filtro"},
        {"question": "Ogni quanto va cambiato il filtro?", "answer": "Dopo 500 ore.", "group": "filtro"},
        {"question": "Quanti litri contiene il circuito?", "answer": "Contiene 42 litri.", "split": "val"},
    ]))
    [report] = ingest_paths(ws, [path], IngestConfig())
    assert report.status == "ok" and report.kind == "qa" and report.pairs == 3 and report.chunks == 0
    pairs, total = ws.query_pairs(PairFilter(document_id=report.document_id))
    assert total == 3
    assert {p["kind"] for p in pairs} == {"imported"} and {p["status"] for p in pairs} == {"pending"}
    assert [p["split"] for p in pairs] == ["train", "train", "val"]
    assert pairs[0]["fact_id"] == pairs[1]["fact_id"] != pairs[2]["fact_id"]
    assert pairs[0]["lang"] == "it"
    [again] = ingest_paths(ws, [path], IngestConfig())
    assert again.duplicate_of == "pairs.jsonl" and ws.count_pairs() == 3
    ws.delete_document(report.document_id, delete_pairs=True)
    assert ws.count_pairs() == 0


def test_known_ids_left_to_import_pairs_and_reimport_with_mapping(tmp_path, ws):
    [existing] = ws.add_pairs([{"question": "Old?", "answer": "Old."}])
    path = tmp_path / "export.csv"
    path.write_text(f"id,question,prompt,answer\n{existing},Edited?,P,Edited.\n,New?,P2,New.\n")
    [report] = ingest_paths(ws, [path], IngestConfig())
    assert report.pairs == 1 and "import-pairs" in report.message and report.status == "warning"
    assert ws.get_pair(existing)["question"] == "Old?"
    result = reimport_qa(ws, report.document_id, {"question": "prompt", "answer": "answer", "id": "id"})
    assert result["pairs"] == 1
    assert [p["question"] for p in ws.iter_pairs(PairFilter(document_id=report.document_id))] == ["P2"]
