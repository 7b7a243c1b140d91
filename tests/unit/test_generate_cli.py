"""``python -m studio generate --json``, config validation, and the tab's estimate (exposures per fact)."""

from __future__ import annotations

import json

import pytest

from studio.config import ConfigError
from studio.generate.config import GenerateConfig
from studio.generate.view import estimate, train_phrasings
from tests.unit.generate_helpers import make_workspace


def test_cli_json_summary_and_resume(tmp_path, capsys):
    from studio.cli import main

    ws = make_workspace(tmp_path)
    argv = ["generate", "--workspace", str(ws.path), "--backend", "replay", "--paraphrases", "4",
            "--refusal-share", "0.34", "--heldout-facts-share", "0.1", "--limit-chunks", "2", "--json"]
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    for key in ("chunks_done", "chunks_failed", "pairs", "train", "heldout", "heldout_phrasings", "heldout_facts", "val", "leaks_fixed"):
        assert isinstance(summary[key], int), key
    assert summary["chunks_done"] == 2 and summary["pairs"] == summary["train"] + summary["val"] + summary["heldout"]
    assert summary["heldout_phrasings"] >= 4
    assert main(argv[:-3] + ["--json"]) == 0  # the rest: only the third chunk is generated
    again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert again["chunks_done"] == 3 and again["calls"] <= 4


def test_cli_errors_are_one_line(tmp_path, capsys):
    from studio.cli import main

    ws = make_workspace(tmp_path)
    assert main(["generate", "--workspace", str(ws.path), "--backend", "replay", "--paraphrases", "99"]) == 2
    assert capsys.readouterr().err.strip() == "error: paraphrases must be 0-20"
    assert main(["generate", "--workspace", str(ws.path), "--backend", "transformers", "--model", str(tmp_path / "none"),
                 "--json"]) == 1
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last["state"] == "failed" and "cannot load model" in last["error"]


def test_config_validation():
    with pytest.raises(ConfigError, match="facts per chunk"):
        GenerateConfig.from_dict({"facts_per_chunk": 0})
    with pytest.raises(ConfigError, match="backend"):
        GenerateConfig.from_dict({"backend": "magic"})
    assert GenerateConfig.from_dict({"curate": "yes", "limit_chunks": ""}).curate is True


def test_estimate_and_exposures(tmp_path):
    ws = make_workspace(tmp_path)
    assert train_phrasings(GenerateConfig(paraphrases=4)) == 3  # 5 phrasings: 1 test, 1 val, 3 trained
    assert train_phrasings(GenerateConfig(paraphrases=1)) == 2  # 2 phrasings: nothing held out
    est = estimate(ws, GenerateConfig(backend="replay"), epochs=3, gpu=False)
    assert est["chunks"] == 3 and est["calls"] >= 6 and est["exposures"] == 9 and est["low_exposures"]
    assert not estimate(ws, GenerateConfig(backend="replay", paraphrases=6), epochs=3, gpu=False)["low_exposures"]
