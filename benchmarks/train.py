"""CPU training benchmark: the studio's training job vs a plain TRL ``SFTTrainer`` script, same model, data, steps.

The studio side is what the Train tab runs: ``JobRunner.submit("train", ...)`` starts the worker subprocess
(``python -m studio.jobs.worker RUN_DIR``), which freezes the data, plans, trains, checkpoints and saves the
adapter; the benchmark polls its status like the page does. The plain side is a TRL script run in its own
subprocess too, so both pay a fresh interpreter and the same imports. Both train LoRA r16 on all linear layers,
fp32, batch 8, prompt-completion data, LR 1e-3 cosine, for ``--steps`` steps, and both save at the end. Each side
gets one warm-up run (1 step) before the measured ones, which go A B B A so a drift of the machine's speed favours
neither. Prints one JSON object with wall times, train-only times and the ratio (goal: ours / plain <= 1.05), and
writes ``benchmarks/results/train.json``.

    python benchmarks/train.py [--steps 8] [--model bundled:smollm2-135m-instruct | --shape smollm2] [--threads 2]

``--shape smollm2`` builds a SmolLM2-135M-shaped model with random weights from its config (same compute), for
machines without the bundled model.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def smollm2_shaped(target: Path) -> Path:
    """SmolLM2-135M's architecture (576 hidden, 30 layers, 9/3 heads, 49152 vocab) with random weights."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    sys.path.insert(0, str(ROOT))
    from benchmarks.gpu_qlora import build_model  # the tokenizer and ChatML template

    build_model(target, hidden=64, layers=1, vocab=49152)  # writes the tokenizer; the weights are replaced below
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
                         num_attention_heads=9, num_key_value_heads=3, max_position_embeddings=2048,
                         tie_word_embeddings=True, bos_token_id=1, eos_token_id=2, pad_token_id=3)
    LlamaForCausalLM(config).save_pretrained(target, safe_serialization=True)
    return target


def ours(ws, model: str, run_dir: Path, steps: int, batch: int, threads: int | None) -> dict:
    """The Train tab's path: a submitted job, its worker subprocess, status polled until it ends."""
    from studio.jobs import FINAL_STATES, JobRunner

    cfg = {"base_model": model, "method": "lora", "max_steps": steps, "batch_size": batch, "grad_accum": 1,
           "lr": 1e-3, "save_steps": 10 * steps}
    runner = JobRunner(ws, root=run_dir.parent.parent / "home")
    env = {"OMP_NUM_THREADS": str(threads)} if threads else None
    t0 = time.perf_counter()
    run_id = runner.submit("train", cfg, run_dir=run_dir, extra_env=env)
    while (status := runner.status(run_id))["state"] not in FINAL_STATES:
        time.sleep(0.2)
    wall = time.perf_counter() - t0
    if status["state"] != "completed":
        raise SystemExit(f"the studio's training job ended {status['state']}: {status.get('error')}")
    result = status.get("result") or {}
    return {"wall_s": round(wall, 2), "train_s": result.get("train_runtime_s"),
            "max_length": json.loads((run_dir / "plan.json").read_text())["max_length"]}


def plain_subprocess(train_file: Path, model: str, out_dir: Path, steps: int, batch: int, max_length: int,
                     threads: int | None) -> dict:
    """The plain script in a fresh interpreter, timed from outside like the studio's worker."""
    cmd = [sys.executable, __file__, "--plain-child", str(train_file), "--model", model, "--out", str(out_dir),
           "--steps", str(steps), "--batch", str(batch), "--max-length", str(max_length)]
    env = {**os.environ, **({"OMP_NUM_THREADS": str(threads)} if threads else {})}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"the plain script failed: {proc.stderr.strip().splitlines()[-1:]}")
    return {"wall_s": round(wall, 2), "train_s": json.loads(proc.stdout.strip().splitlines()[-1])["train_s"]}


def plain(train_file: Path, model: str, out_dir: Path, steps: int, batch: int, max_length: int) -> dict:
    """What a TRL user would write for the same run."""
    import torch
    from datasets import load_dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    t0 = time.perf_counter()
    tok = AutoTokenizer.from_pretrained(model)
    mdl = AutoModelForCausalLM.from_pretrained(model, dtype=torch.float32)
    train = load_dataset("json", data_files=str(train_file), split="train").select_columns(["prompt", "completion"])
    args = SFTConfig(output_dir=str(out_dir), max_steps=steps, per_device_train_batch_size=batch,
                     gradient_accumulation_steps=1, learning_rate=1e-3, lr_scheduler_type="cosine", warmup_steps=0.03,
                     max_length=max_length, completion_only_loss=True, logging_steps=1, save_steps=10 * steps,
                     report_to="none", disable_tqdm=True, use_cpu=True, seed=42,
                     bf16=False)  # TRL defaults to bf16, which a CPU without bf16 units emulates many times slower
    lora = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.05, target_modules="all-linear", task_type="CAUSAL_LM")
    trainer = SFTTrainer(model=mdl, args=args, train_dataset=train, processing_class=tok, peft_config=lora)
    t1 = time.perf_counter()
    trainer.train()
    t2 = time.perf_counter()
    trainer.save_model(str(out_dir / "adapter"))
    return {"wall_s": round(time.perf_counter() - t0, 2), "train_s": round(t2 - t1, 2)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plain-child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--max-length", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--model", default="bundled:smollm2-135m-instruct")
    parser.add_argument("--shape", choices=["smollm2"], default=None, help="build a random model of this shape")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    if args.plain_child:
        print(json.dumps(plain(Path(args.plain_child), args.model, Path(args.out), args.steps, args.batch,
                               args.max_length)))
        return 0
    import torch

    work = Path(tempfile.mkdtemp(prefix="bench_train_"))
    os.environ["STUDIO_HOME"] = str(work / "home")
    from studio.models import resolve_model
    from tests.fixtures.train_data import make_facts_workspace

    model = str(smollm2_shaped(work / "model")) if args.shape else resolve_model(args.model)
    ws = make_facts_workspace(work / "home" / "workspaces" / "bench")
    runs: dict = {}
    t = args.threads
    first = ours(ws, model, work / "runs" / "ours_warm", 1, args.batch, t)  # warm-up; also freezes the data
    train_file = work / "runs" / "ours_warm" / "data" / "train.jsonl"
    max_length = first["max_length"]
    warm_plain = plain_subprocess(train_file, model, work / "plain_warm", 1, args.batch, max_length, t)  # warm-up
    runs["plain_1"] = plain_subprocess(train_file, model, work / "plain_1", args.steps, args.batch, max_length, t)
    runs["ours_1"] = ours(ws, model, work / "runs" / "ours_1", args.steps, args.batch, t)
    runs["ours_2"] = ours(ws, model, work / "runs" / "ours_2", args.steps, args.batch, t)
    runs["plain_2"] = plain_subprocess(train_file, model, work / "plain_2", args.steps, args.batch, max_length, t)

    def total(prefix, key):
        return sum(runs[f"{prefix}_{i}"][key] or 0 for i in (1, 2))

    report = {
        "model": "smollm2-shaped (random weights)" if args.shape else args.model, "steps": args.steps,
        "batch": args.batch, "threads": t or torch.get_num_threads(), "max_length": max_length,
        "warmup": {"ours_wall_s": first["wall_s"], "plain_wall_s": warm_plain["wall_s"]}, "runs": runs,
        "ratio_wall": round(total("ours", "wall_s") / total("plain", "wall_s"), 3),
        "ratio_train": round(total("ours", "train_s") / total("plain", "train_s"), 3),
        "plain_s_per_step": round(total("plain", "train_s") / (2 * args.steps), 2), "goal": "ratio <= 1.05",
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    from benchmarks._results import write_result

    write_result("train", report, " ".join(["python benchmarks/train.py", *sys.argv[1:]]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
