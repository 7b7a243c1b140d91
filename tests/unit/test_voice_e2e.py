"""End to end on the CPU: a short LoRA of the bundled SmolLM2 on one synthetic author's own words moves its
answers' style score toward that author (W above 0.5 on held-out prompts on other topics)."""

from __future__ import annotations

import random

import pytest

from studio.voice.config import VoiceConfig, system_prompt
from studio.voice.evaluate import answer, voice_report

from tests.unit.voice_helpers import synthetic_passage

TRAIN_TOPICS = ["cooking", "gardening", "travel"]
HELDOUT_TOPICS = ["music", "weather"]
QUESTIONS = ["What do you think about {t}?", "Tell me about {t}.", "Any advice on {t}?", "How do you feel about {t}?"]


def _rows(topics, n, seed):
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        t = topics[i % len(topics)]
        rows.append({"question": rng.choice(QUESTIONS).format(t=t), "answer": synthetic_passage("a", t, rng, sentences=4)})
    return rows


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_lora_on_author_moves_style_toward_author(smollm2, tmp_path):
    from datasets import Dataset
    from peft import LoraConfig
    from trl import SFTConfig, SFTTrainer

    sys_msg = system_prompt("Alex")
    train = _rows(TRAIN_TOPICS, 16, seed=1)  # kept small: the suite budget is about 3 minutes per capability
    heldout = _rows(HELDOUT_TOPICS, 8, seed=2)
    data = Dataset.from_list([
        {"prompt": [{"role": "system", "content": sys_msg}, {"role": "user", "content": r["question"]}],
         "completion": [{"role": "assistant", "content": r["answer"]}]}
        for r in train
    ])
    args = SFTConfig(output_dir=str(tmp_path / "run"), learning_rate=1.5e-3, num_train_epochs=2, per_device_train_batch_size=4,
                     lr_scheduler_type="cosine", logging_steps=3, save_strategy="no", report_to="none", use_cpu=True,
                     bf16=False, max_length=256, completion_only_loss=True, seed=0, dataloader_num_workers=0)
    peft_cfg = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.0, target_modules="all-linear", task_type="CAUSAL_LM")
    trainer = SFTTrainer(model=str(smollm2), args=args, train_dataset=data, peft_config=peft_cfg)
    trainer.train()
    adapter = tmp_path / "adapter"
    trainer.model.save_pretrained(str(adapter))
    del trainer

    msgs = [[{"role": "system", "content": sys_msg}, {"role": "user", "content": r["question"]}] for r in heldout]
    base = answer(str(smollm2), msgs, 48)
    tuned = answer(str(smollm2), msgs, 48, adapter=str(adapter))
    report = voice_report([r["question"] for r in heldout], [r["answer"] for r in heldout], base, tuned,
                          [r["answer"] for r in train], VoiceConfig())
    print({k: report[k] for k in ("win_rate", "win_rate_ci", "gap_closure", "gap_closure_ci", "mean_scores", "valid")})
    assert report["valid"], report["validity"]  # the author's own held-out passages beat the base answers
    assert report["win_rate"] > 0.5, report["rows"]
    assert report["mean_scores"]["tuned"] > report["mean_scores"]["base"]
    assert report["memorisation"]["flagged"] == 0  # imitation, not copying whole train passages
