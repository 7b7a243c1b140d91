"""Real learning: the shared SmolLM2 run answers trained AND unseen phrasings with the trained facts."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def _answers(model, tok, questions: list[str], system_prompt: str = "") -> list[str]:
    import torch

    tok.padding_side = "left"
    prompts = []
    for q in questions:
        msgs = ([{"role": "system", "content": system_prompt}] if system_prompt else []) + [{"role": "user", "content": q}]
        prompts.append(tok.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True))
    batch = tok(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
    with torch.no_grad():
        out = model.generate(**batch, max_new_tokens=20, do_sample=False, pad_token_id=tok.pad_token_id)
    return [tok.decode(o[batch["input_ids"].shape[1]:], skip_special_tokens=True) for o in out]


def _hits(rows: list[dict], answers: list[str]) -> int:
    return sum(r["key"].lower() in a.lower() for r, a in zip(rows, answers))


def test_trained_and_unseen_phrasings_move_to_the_trained_facts(trained_run):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    rows = trained_run.test_rows
    unseen = [r for r in rows if r["set"] == "phrasings"]
    trained = [r for r in rows if r["set"] == "trained"]
    n = trained_run.n_facts
    assert len(unseen) == n and len(trained) == n
    questions = [r["question"] for r in unseen + trained]
    tok = AutoTokenizer.from_pretrained(trained_run.adapter)
    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(trained_run.base_model, dtype=torch.float32).eval()
    base_answers = _answers(base, tok, questions)
    tuned = PeftModel.from_pretrained(base, trained_run.adapter).eval()
    tuned_answers = _answers(tuned, tok, questions)
    base_unseen, base_trained = _hits(unseen, base_answers[:n]), _hits(trained, base_answers[n:])
    tuned_unseen, tuned_trained = _hits(unseen, tuned_answers[:n]), _hits(trained, tuned_answers[n:])
    report = f"base {base_unseen}/{n} unseen {base_trained}/{n} trained; tuned {tuned_unseen}/{n} unseen {tuned_trained}/{n} trained"
    print(report)
    assert base_unseen <= n // 4 and base_trained <= n // 4, report  # invented facts: the base model cannot know them
    assert tuned_trained >= (3 * n) // 4, report
    assert tuned_unseen >= n // 2 and tuned_unseen >= base_unseen + (5 * n) // 12, report


def test_shared_run_layout_and_loss_curve(trained_run):
    import json

    info = json.loads((trained_run.adapter / "studio_run.json").read_text())
    assert info["run_dir"] == str(trained_run.run_dir.resolve())
    assert (trained_run.adapter / "adapter_model.safetensors").is_file()
    assert not (trained_run.adapter / "training_args.bin").exists()
    events = trained_run.events()
    losses = [e["loss"] for e in events if e["type"] == "train"]
    evals = [e["eval_loss"] for e in events if e["type"] == "eval"]
    assert len(losses) >= 20 and evals
    assert sum(losses[-5:]) / 5 < 0.5 * sum(losses[:3]) / 3  # the answer loss fell
    assert evals[-1] < evals[0]
