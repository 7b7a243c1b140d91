"""The staged push folder, checked in full: files, card, metadata, evaluation numbers, and weights that load back."""

from __future__ import annotations

import json

import pytest

from tests.unit.hub_helpers import REPORT, TUNED_NUMBERS, make_run


def _logits(model, tok_dir):
    import torch
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tok_dir))
    ids = tok("What is the capital of France?", return_tensors="pt")
    with torch.no_grad():
        return model(**ids).logits


@pytest.fixture
def run_folder(tmp_path, tiny_llama):
    return make_run(tmp_path, tiny_llama)


def test_staged_adapter_folder_complete_and_loads_back(tmp_path, tiny_llama, run_folder):
    import torch
    from huggingface_hub import ModelCard, ModelCardData
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from studio.hub.staging import StageOptions, stage

    run, model = run_folder
    before = _logits(model, tiny_llama)
    out = tmp_path / "staged"
    res = stage(run / "adapter", out, StageOptions(repo_id="alice/manual-lora", license="apache-2.0",
                                                   language=["en"], tags=["manual"]))
    assert set(res.files) == {
        "README.md", "adapter_model.safetensors", "adapter_config.json", "tokenizer.json", "tokenizer_config.json",
        "chat_template.jinja", "training_recipe.yaml", "system_prompt.txt", "eval/report.json", "eval/accuracy.png",
    }
    assert "studio_run.json" not in res.files  # local paths stay home
    # no local path leaks into what is pushed
    for rel in ("adapter_config.json", "training_recipe.yaml", "README.md"):
        text = (out / rel).read_text()
        assert str(tmp_path) not in text and str(tiny_llama) not in text, rel
    assert "mirror_dir" not in (out / "training_recipe.yaml").read_text()
    pushed_report = json.loads((out / "eval/report.json").read_text())
    assert pushed_report["metrics"] == REPORT["metrics"]  # numbers unchanged; local paths scrubbed
    assert "/home/someone" not in (out / "eval/report.json").read_text()

    card = ModelCard.load(out / "README.md")
    data = card.data
    assert data.library_name == "peft" and data.license == "apache-2.0" and data.language == ["en"]
    assert {"peft", "lora", "fine-tuning-studio", "manual"} <= set(data.tags)
    again = ModelCardData(**data.to_dict())  # metadata round trip
    assert again.to_dict() == data.to_dict()
    # model-index carries exactly the tuned arm's numbers from report.json
    got = {(r.dataset_config, r.metric_type): r.metric_value for r in data.eval_results}
    assert got == TUNED_NUMBERS
    assert got[("phrasings", "accuracy")] == REPORT["metrics"]["tuned"]["phrasings"]["accuracy"]
    assert got[("forgetting", "perplexity")] == REPORT["forgetting"]["arms"]["tuned"]["perplexity"]
    assert all(r.dataset_split == "test" for r in data.eval_results)
    # sections and the table (base vs tuned vs retrieval, consistency, forgetting) with the plot
    for heading in ("## Summary", "## Training data", "## Training configuration", "## Evaluation",
                    "## How to use", "## Limitations"):
        assert heading in card.text
    assert "| unseen phrasings of trained facts | accuracy | 0.0% [0.0%, 40.0%] | 75.0% [25.0%, 100.0%] | 100.0%" in card.text
    assert "consistency" in card.text and "general knowledge probe (forgetting)" in card.text
    assert "![accuracy](eval/accuracy.png)" in card.text
    assert "PeftModel.from_pretrained(base, \"alice/manual-lora\")" in card.text and "--enable-lora" in card.text
    assert "manual &lt;b&gt;v2&lt;/b&gt;.pdf" in card.text and "<b>" not in card.text  # user text as text
    assert "train 6, val 1, test 1" in card.text and "gen-model-x" in card.text

    base = AutoModelForCausalLM.from_pretrained(str(tiny_llama), dtype=torch.float32)
    reloaded = PeftModel.from_pretrained(base, str(out)).eval()
    after = _logits(reloaded, out)
    assert torch.equal(before, after)
    plain = _logits(AutoModelForCausalLM.from_pretrained(str(tiny_llama), dtype=torch.float32), tiny_llama)
    assert not torch.allclose(plain, after, atol=1e-3)  # the adapter really changes the model


def test_merged_export_matches_base_plus_adapter(tmp_path, tiny_llama, run_folder):
    import torch
    from huggingface_hub import ModelCard
    from transformers import AutoModelForCausalLM

    from studio.hub.staging import StageOptions, stage

    run, model = run_folder
    expected = _logits(model, tiny_llama)
    out = tmp_path / "merged"
    res = stage(run / "adapter", out, StageOptions(repo_id="alice/manual-merged", merged=True))
    assert "model.safetensors" in res.files and "config.json" in res.files
    assert "adapter_model.safetensors" not in res.files
    merged = AutoModelForCausalLM.from_pretrained(str(out), dtype=torch.float32).eval()
    assert torch.allclose(_logits(merged, out), expected, atol=1e-4)
    card = ModelCard.load(out / "README.md")
    assert card.data.library_name == "transformers" and "merged" in card.data.tags
    assert not card.data.eval_results  # merged weights were not re-evaluated
    assert "not re-evaluated" in card.text


def test_missing_report_says_not_evaluated(tmp_path, tiny_llama):
    from huggingface_hub import ModelCard

    from studio.hub.staging import StageOptions, stage

    run, _ = make_run(tmp_path, tiny_llama, with_report=False, base_model="bundled:smollm2-135m-instruct")
    res = stage(run / "adapter", tmp_path / "s", StageOptions(repo_id="bob/x"))
    card = ModelCard.load(res.folder / "README.md")
    assert "**Not evaluated.**" in card.text and not card.data.eval_results
    assert any("not evaluated" in w for w in res.warnings)
    assert not any(name.startswith("eval/") for name in res.files)
    # a bundled base is named by its Hub id, in the card and in the pushed adapter config
    assert card.data.base_model == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert "de-quantised" in card.text and "`SmolLM2-135M-Instruct.Q4_1.gguf`" in card.text
    cfg = json.loads((res.folder / "adapter_config.json").read_text())
    assert cfg["base_model_name_or_path"] == "HuggingFaceTB/SmolLM2-135M-Instruct"


def test_edited_card_is_used_and_bad_input_is_readable(tmp_path, tiny_llama, run_folder):
    from studio.config import ConfigError
    from studio.hub.runinfo import StagingError
    from studio.hub.staging import StageOptions, preview_card, stage

    run, _ = run_folder
    text = preview_card(run / "adapter", StageOptions(repo_id="alice/m"))
    edited = text.replace("## Limitations", "## Limitations\n\nMy own note.")
    res = stage(run / "adapter", tmp_path / "s", StageOptions(repo_id="alice/m", card_text=edited))
    assert "My own note." in (res.folder / "README.md").read_text()
    with pytest.raises(ValueError, match="metadata"):
        stage(run / "adapter", tmp_path / "s2", StageOptions(repo_id="alice/m", card_text="---\n[bad: yaml\n---\nx"))
    assert not (tmp_path / "s2").exists()  # nothing half-written
    with pytest.raises(ConfigError, match="invalid repo id"):
        StageOptions.from_dict({"repo_id": "a/b/c"})
    with pytest.raises(StagingError, match="adapter_config.json is missing"):
        stage(tmp_path, tmp_path / "s3", StageOptions(repo_id="alice/m"))
    (run / "adapter" / "adapter_model.safetensors").rename(run / "adapter" / "adapter_model.bin")
    with pytest.raises(StagingError, match="safetensors only"):
        stage(run / "adapter", tmp_path / "s4", StageOptions(repo_id="alice/m"))


def test_refuses_merge_on_quantized_base(tmp_path):
    from studio.hub.merge import check_mergeable, memory_warning
    from studio.hub.runinfo import StagingError

    (tmp_path / "config.json").write_text(json.dumps({"quantization_config": {"load_in_4bit": True,
                                                                              "quant_method": "bitsandbytes"}}))
    with pytest.raises(StagingError, match="fp16/bf16 original"):
        check_mergeable(str(tmp_path))
    assert memory_warning(str(tmp_path)) is None  # nothing to load: no warning


def test_trained_run_stages(tmp_path, trained_run):
    """The shared SmolLM2 run trained by the real train job stages into a folder whose adapter loads back unchanged."""
    trained = trained_run
    import torch
    from huggingface_hub import ModelCard
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from studio.hub.staging import StageOptions, stage

    res = stage(trained.adapter, tmp_path / "staged", StageOptions(repo_id="alice/trained"))
    card = ModelCard.load(res.folder / "README.md")
    assert card.data.base_model == "HuggingFaceTB/SmolLM2-135M-Instruct"  # the bundled model's Hub id
    assert {"adapter_model.safetensors", "adapter_config.json", "training_recipe.yaml", "tokenizer.json"} <= set(res.files)
    counts = {s: sum(1 for line in (trained.run_dir / "data" / f"{s}.jsonl").open() if line.strip())
              for s in ("train", "val", "test")}
    assert f"train {counts['train']}, val {counts['val']}, test {counts['test']}" in card.text
    assert "| lr | 0.001 |" in card.text
    held = [json.loads(line) for line in (trained.run_dir / "data" / "test.jsonl").open() if line.strip()]
    facts = {r["group"] for r in held if r["set"] == "phrasings"}
    assert f"for each of {len(facts)} trained facts, one phrasing was held out" in card.text
    assert "Q4_1.gguf" in card.text  # the shared run trains the bundled SmolLM2
    text = (res.folder / "training_recipe.yaml").read_text() + (res.folder / "adapter_config.json").read_text()
    assert str(trained.run_dir) not in text and str(trained.base_model) not in text

    def logits(adapter_dir):
        base = AutoModelForCausalLM.from_pretrained(str(trained.base_model), dtype=torch.float32)
        model = PeftModel.from_pretrained(base, str(adapter_dir)).eval()
        ids = torch.tensor([[1, 2, 3, 4, 5, 6]])
        with torch.no_grad():
            return model(input_ids=ids).logits

    assert torch.equal(logits(trained.adapter), logits(res.folder))


def test_merge_job_writes_merged_weights(tmp_path, tiny_llama, run_folder, _isolated_home):
    import torch
    from transformers import AutoModelForCausalLM

    from studio.jobs import JobRunner

    run, model = run_folder
    out = tmp_path / "merged-by-job"
    status = JobRunner(None, root=_isolated_home).run_foreground("merge", {"adapter": str(run), "out": str(out)})
    assert status["state"] == "completed", status
    assert status["result"]["merged"] == str(out)
    merged = AutoModelForCausalLM.from_pretrained(str(out), dtype=torch.float32).eval()
    assert torch.allclose(_logits(merged, out), _logits(model, tiny_llama), atol=1e-4)
    bad = JobRunner(None, root=_isolated_home).run_foreground("merge", {"adapter": str(tmp_path / "nowhere")})
    assert bad["state"] == "failed" and "adapter folder not found" in bad["error"]
