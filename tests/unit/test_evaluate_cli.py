"""``python -m studio score`` and ``python -m studio evaluate`` through the real CLI entry point."""

from __future__ import annotations

import json

from studio.cli import main


def test_score_cli_fields_and_summary(tmp_path, embedder_path, capsys):
    rows = [
        {"id": 1, "group": "g1", "question": "When did the bridge open?", "reference": "The bridge opened in 1932.",
         "prediction": "It opened in 1932."},
        {"id": 2, "group": "g1", "question": "In what year did the bridge open?", "reference": "The bridge opened in 1932.",
         "prediction": "The bridge was opened in 1932."},
        {"id": 3, "group": "g2", "question": "Who designed it?", "reference": "It was designed by Ilsa Marrow.",
         "prediction": "Ilsa Marrow designed it.", "key": "Ilsa Marrow"},
        {"id": 4, "group": "g2", "question": "Name its designer.", "reference": "It was designed by Ilsa Marrow.",
         "prediction": "It was designed by Tom Berry."},
    ]
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    inp.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert main(["score", "--input", str(inp), "--out", str(out), "--embedder", str(embedder_path)]) == 0
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    scored, summary = lines[:-1], lines[-1]
    assert [r["id"] for r in scored] == [1, 2, 3, 4]
    for r in scored:
        assert {"question", "reference", "prediction", "similarity", "token_f1", "correct"} <= set(r)
        assert isinstance(r["correct"], bool) and 0 <= r["token_f1"] <= 1
    assert [r["correct"] for r in scored] == [True, True, True, False]
    assert summary["summary"] is True and summary["accuracy"] == 0.75
    assert summary["consistency"] == 0.5 and summary["groups"] == 2
    assert 0 <= summary["agreement"] <= 1
    assert summary["threshold_source"] == "default" and summary["threshold"] == 0.55
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert printed["threshold"] == 0.55


def test_score_cli_bad_input_is_one_line(tmp_path, capsys):
    inp = tmp_path / "in.jsonl"
    inp.write_text('{"question": "q", "reference": "r"}\n')
    assert main(["score", "--input", str(inp), "--out", str(tmp_path / "o.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "line 1: missing prediction" in err and "Traceback" not in err
    assert main(["score", "--input", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "o.jsonl")]) == 2


def test_evaluate_cli_json_summary(tmp_path, tiny_llama, capsys):
    qfile = tmp_path / "q.jsonl"
    qfile.write_text("\n".join(json.dumps({"question": q, "reference": r, "group": g, "key": k}) for q, r, g, k in [
        ("How long is the Zorblat River?", "The Zorblat River is 412 kilometres long.", "f2", "412"),
        ("What length does the Zorblat River have?", "The Zorblat River is 412 kilometres long.", "f2", "412"),
        ("Who designed the Quellstone bridge?", "The Quellstone bridge was designed by Ilsa Marrow.", "f3", "Ilsa Marrow"),
    ]) + "\n")
    out = tmp_path / "eval"
    code = main(["evaluate", "--base-model", str(tiny_llama), "--arms", "base", "--questions", str(qfile),
                 "--out", str(out), "--max-new-tokens", "4", "--no-forgetting", "--json"])
    assert code == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    m = last["results"]["base"]["phrasings"]
    assert set(m) == {"accuracy", "accuracy_ci", "strict_accuracy", "consistency", "n"} and m["n"] == 3
    report = json.loads((out / "report.json").read_text())
    assert report["dataset"]["source"] == "file" and len(report["dataset"]["sha256"]) == 64
    assert (out / "answers.csv").is_file()
    # a tuned arm without an adapter is refused before anything loads
    assert main(["evaluate", "--base-model", str(tiny_llama), "--arms", "base,tuned", "--questions", str(qfile),
                 "--out", str(tmp_path / "e2")]) == 2
    assert "need an adapter" in capsys.readouterr().err
