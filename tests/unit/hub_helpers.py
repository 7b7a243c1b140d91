"""Shared builders for the hub tests: a LoRA on the tiny model inside a run folder shaped like a training run."""

from __future__ import annotations

import json
from pathlib import Path

def _m(acc, ci, strict, cons, n, correct):
    return {"accuracy": acc, "accuracy_ci": ci, "strict_accuracy": strict, "strict_accuracy_ci": None,
            "correct": correct, "n": n, "n_facts": 2, "refused": 0, "consistency": cons, "consistency_ci": None,
            "agreement": 0.5, "agreement_ci": None}


# the shape studio/evaluate/report.py writes (schema studio.evaluate/1)
REPORT = {
    "schema": "studio.evaluate/1",
    "created_at": "2026-11-25T19:00:00Z",
    "seconds": 12.5,
    "config": {"arms": ["base", "tuned", "base+rag"], "bootstrap": 1000},
    "models": {"base": "bundled:smollm2-135m-instruct", "base_path": "/home/someone/cache/smollm2",
               "adapter": "/home/someone/run-1/adapter", "run_dir": "/home/someone/run-1"},
    "dataset": {"source": "run", "path": "/home/someone/run-1/data/test.jsonl", "sha256": "ab12", "counts": {}},
    "arms": ["base", "tuned", "base+rag"],
    "threshold": {"value": 0.61, "how": "calibrated"},
    "metrics": {
        "base": {"phrasings": _m(0.0, [0.0, 0.4], 0.0, 0.0, 4, 0),
                 "refusals": {"refusal_accuracy": 0.5, "refusal_accuracy_ci": [0.0, 1.0], "n": 2, "accuracy": 0.5,
                              "accuracy_ci": [0.0, 1.0], "strict_accuracy": None, "consistency": None}},
        "tuned": {"phrasings": _m(0.75, [0.25, 1.0], 0.5, 0.5, 4, 3),
                  "refusals": {"refusal_accuracy": 1.0, "refusal_accuracy_ci": [1.0, 1.0], "n": 2, "accuracy": 1.0,
                               "accuracy_ci": [1.0, 1.0], "strict_accuracy": None, "consistency": None}},
        "base+rag": {"phrasings": _m(1.0, [0.5, 1.0], 1.0, 1.0, 4, 4)},
    },
    "differences": {"phrasings": {"difference": 0.75, "ci": [0.25, 1.0], "n": 4}},
    "retrieval_gap_recovered": {"set": "phrasings", "value": 0.75, "ci": [0.2, 1.0], "defined": True, "reason": ""},
    "retrieval": {"top_k": 3},
    "forgetting": {"probe_size": 10, "text_words": 300,
                   "arms": {"base": {"probe_accuracy": 0.8, "probe_correct": 8, "perplexity": 12.5},
                            "tuned": {"probe_accuracy": 0.7, "probe_correct": 7, "perplexity": 13.25}},
                   "probe_change": -0.1, "perplexity_ratio": 1.06},
    "judge": None,
    "warnings": [],
    "style": {"evaluated": False, "note": "voice/style score: not part of this evaluation"},
    "verdict": {"learned": True, "set": "phrasings",
                "text": "Learned: 3 of 4 unseen phrasings right (95% CI 25-100%), base 0 of 4, base + retrieval 4 of 4.",
                "advice": ["Only 4 questions: the interval is wide; more held-out questions give a firmer answer."]},
}

# what the model-index must carry: the tuned arm's numbers, exactly as in REPORT
TUNED_NUMBERS = {
    ("phrasings", "accuracy"): 0.75, ("phrasings", "strict_accuracy"): 0.5, ("phrasings", "consistency"): 0.5,
    ("phrasings", "agreement"): 0.5, ("refusals", "refusal_accuracy"): 1.0,
    ("forgetting", "probe_accuracy"): 0.7, ("forgetting", "perplexity"): 13.25,
}


def make_lora(base_dir: Path, seed: int = 1):
    """A LoRA on the tiny Llama with non-zero B matrices (so it changes the logits)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(str(base_dir), dtype=torch.float32)
    cfg = LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", lora_dropout=0.0, task_type="CAUSAL_LM")
    model = get_peft_model(base, cfg)
    torch.manual_seed(seed)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.3)
    model.eval()
    return model


def make_run(tmp: Path, base_dir: Path, with_report: bool = True, base_model: str | None = None) -> tuple[Path, object]:
    """A run folder (config, frozen data, adapter with studio_run.json, eval report + plot); returns (run_dir, peft model)."""
    from transformers import AutoTokenizer

    run = tmp / "run-1"
    adapter = run / "adapter"
    model = make_lora(base_dir)
    model.save_pretrained(str(adapter), safe_serialization=True)
    AutoTokenizer.from_pretrained(str(base_dir)).save_pretrained(str(adapter))
    (run / "status.json").write_text(json.dumps({"state": "completed"}))
    recipe = (f"base_model: {base_dir}\nmethod: lora\nlora_r: 4\nlora_alpha: 8\nlr: 0.001\nepochs: 8\n"
              f"batch_size: 8\nsystem_prompt: Answer from the manual.\nmirror_dir: /home/someone/drive\n")
    (run / "config.yaml").write_text(recipe)
    (adapter / "recipe.yaml").write_text(recipe)
    (adapter / "system_prompt.txt").write_text("Answer from the manual.")
    (adapter / "studio_run.json").write_text(json.dumps({"run_dir": str(run), "base_model": base_model or str(base_dir)}))
    data = run / "data"
    data.mkdir()
    rows = [{"question": f"q{i}", "answer": f"a{i}", "group": f"f{i % 4}", "kind": "fact",
             "document": "manual <b>v2</b>.pdf", "origin": {"model": "gen-model-x"}} for i in range(8)]
    (data / "train.jsonl").write_text("\n".join(json.dumps(r) for r in rows[:6]) + "\n")
    (data / "val.jsonl").write_text(json.dumps(rows[6]) + "\n")
    (data / "test.jsonl").write_text(json.dumps(rows[7]) + "\n")
    if with_report:
        ev = run / "eval" / "eval-1"
        ev.mkdir(parents=True)
        (ev / "report.json").write_text(json.dumps(REPORT))
        (ev / "accuracy.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    return run, model
