"""GPU proof of the QLoRA recipe: our worker vs a plain TRL + bitsandbytes script, same model, data and settings.

Runs with the repository and pip packages only (no Hub access): a Llama-shaped model (TinyLlama 1.1B shape by
default) is built from a config with random weights and saved as safetensors; a byte-level BPE tokenizer with a
ChatML template is trained in-process; the data are invented facts in several phrasings. Prints one JSON object:
peak GPU memory and tokens/s for (1) our recipe with padding, (2) our recipe with packing, (3) the plain script
with padding, (4) the plain script with packing, and (5) our recipe on the T4 dtype path (compute capability
forced to 7.5: fp16 autocast with the LoRA weights kept in fp32), each for the same number of steps.

    python benchmarks/gpu_qlora.py [--steps 30] [--batch 16] [--hidden 2048 --layers 22] [--out result.json]

Both sides are warmed up in both modes before the measured runs, which go in A B B A order. A run writes
``benchmarks/results/gpu_qlora.json``. Without a CUDA GPU it prints "skipped: no CUDA GPU" and exits 0;
``--record-earlier`` writes the results file from the figures an earlier version of this script measured (README's
table until the next GPU run), marked as such.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
WORDS = ("amber basalt cobalt delta ember fjord granite harbor indigo juniper kelp lumen marble nectar onyx "
         "pewter quartz russet sable tundra umber velvet willow xenon yarrow zephyr").split()


def build_model(target: Path, hidden: int, layers: int, vocab: int) -> Path:
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    target.mkdir(parents=True, exist_ok=True)
    special = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<pad>"]
    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    corpus = [" ".join(random.Random(i).choices(WORDS, k=20)) + " What is the code of item? The code is" for i in range(400)]
    tok.train_from_iterator(corpus, trainer=trainers.BpeTrainer(vocab_size=2000, special_tokens=special,
                                                                initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|im_start|>", eos_token="<|im_end|>",
                                   pad_token="<pad>", unk_token="<|endoftext|>")
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(target)
    torch.manual_seed(0)
    heads = max(1, hidden // 64)
    config = LlamaConfig(vocab_size=vocab, hidden_size=hidden, intermediate_size=int(hidden * 2.75) // 64 * 64,
                         num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=max(1, heads // 4),
                         max_position_embeddings=2048, bos_token_id=fast.bos_token_id, eos_token_id=fast.eos_token_id,
                         pad_token_id=fast.pad_token_id, tie_word_embeddings=False, dtype="bfloat16")
    with torch.device("cuda" if torch.cuda.is_available() else "cpu"):
        model = LlamaForCausalLM(config).to(torch.bfloat16)
    model.save_pretrained(target, safe_serialization=True)
    del model
    torch.cuda.empty_cache()
    return target


def make_workspace(path: Path, n_facts: int):
    from studio.workspace import Workspace

    ws = Workspace.create(path, exist_ok=True)
    rng = random.Random(1)
    pairs = []
    for i in range(n_facts):
        code = " ".join(rng.choices(WORDS, k=3))
        answer = f"The code of item {i} is {code}."
        for j, q in enumerate((f"What is the code of item {i}?", f"Which code does item {i} have?",
                               f"Tell me the code of item {i}.", f"Item {i} has which code?")):
            pairs.append({"fact_id": f"f{i}", "question": q, "answer": answer, "key_answer": code,
                          "split": "train", "status": "kept", "kind": "fact" if j == 0 else "paraphrase"})
    ws.add_pairs(pairs)
    return ws


def ours(ws, model_dir: Path, run_dir: Path, steps: int, batch: int, packing: bool, capability: str | None = None) -> dict:
    import torch

    from studio.jobs import JobRunner

    if capability:
        os.environ["STUDIO_CUDA_CAPABILITY"] = capability
    else:
        os.environ.pop("STUDIO_CUDA_CAPABILITY", None)
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    tps, stamps = [], []

    def on_event(e):
        if e.get("type") == "train":
            stamps.append(e["ts"])
            if e.get("tokens_per_s") and e["step"] > 3:
                tps.append(e["tokens_per_s"])

    cfg = {"base_model": str(model_dir), "method": "qlora", "max_steps": steps, "batch_size": batch, "grad_accum": 1,
           "packing": packing, "save_steps": 10 * steps, "lr": 2e-4, "max_length": 256}
    t0 = time.perf_counter()
    status = JobRunner(ws, root=run_dir.parent).run_foreground("train", cfg, run_dir=run_dir, on_event=on_event)
    wall = time.perf_counter() - t0
    result = status.get("result") or {}
    plan = json.loads((run_dir / "plan.json").read_text())
    lora_dtypes = _adapter_dtypes(run_dir)
    return {"state": status.get("state"), "error": status.get("error"), "wall_s": round(wall, 2),
            "train_runtime_s": result.get("train_runtime_s"), "peak_mem_gb": round(torch.cuda.max_memory_allocated() / 1024**3, 3),
            "tokens_per_s_median": _median(tps), "step_s_median": _median_step(stamps), "final_loss": result.get("train_loss"),
            "dtype": plan["dtype"],
            "packing": plan["packing"], "adapter_dtypes": lora_dtypes}


def _adapter_dtypes(run_dir: Path) -> list[str]:
    try:
        from safetensors import safe_open

        with safe_open(str(run_dir / "adapter" / "adapter_model.safetensors"), "pt") as fh:
            return sorted({str(fh.get_tensor(k).dtype) for k in fh.keys()})
    except Exception as exc:  # noqa: BLE001
        return [f"unreadable: {exc}"]


def plain(train_file: Path, model_dir: Path, out_dir: Path, steps: int, batch: int, packing: bool, max_length: int) -> dict:
    """The same recipe written the way a TRL user would: no studio code."""
    import torch
    from datasets import load_dataset
    from peft import LoraConfig, prepare_model_for_kbit_training
    from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig, TrainerCallback
    from trl import SFTConfig, SFTTrainer

    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    tok = AutoTokenizer.from_pretrained(model_dir)
    bnb = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                             bnb_4bit_compute_dtype=torch.bfloat16)
    model = AutoModelForCausalLM.from_pretrained(model_dir, quantization_config=bnb, dtype=torch.bfloat16,
                                                 device_map={"": 0}, attn_implementation="sdpa")
    model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=True,
                                            gradient_checkpointing_kwargs={"use_reentrant": False})
    ds = load_dataset("json", data_files=str(train_file), split="train").select_columns(["prompt", "completion"])
    args = SFTConfig(output_dir=str(out_dir), max_steps=steps, per_device_train_batch_size=batch,
                     gradient_accumulation_steps=1, learning_rate=2e-4, lr_scheduler_type="cosine", warmup_steps=0.03,
                     max_length=max_length, packing=packing, packing_strategy="bfd", completion_only_loss=True,
                     activation_checkpointing=True, activation_checkpointing_kwargs={"use_reentrant": False},
                     bf16=True, logging_steps=1, save_strategy="no", report_to="none", disable_tqdm=True, seed=42)
    tps, state, stamps = [], {}, []

    class Tokens(TrainerCallback):
        def on_log(self, a, s, c, logs=None, **kw):
            now = time.perf_counter()
            if logs and "loss" in logs:
                stamps.append(now)
            if logs and "num_tokens" in logs:
                if "t" in state and s.global_step > 3:
                    tps.append((logs["num_tokens"] - state["n"]) / (now - state["t"]))
                state.update(t=now, n=logs["num_tokens"])

    lora = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.05, target_modules="all-linear", task_type="CAUSAL_LM")
    t0 = time.perf_counter()
    trainer = SFTTrainer(model=model, args=args, train_dataset=ds, processing_class=tok, peft_config=lora,
                         callbacks=[Tokens()])
    t1 = time.perf_counter()
    out = trainer.train()
    t2 = time.perf_counter()
    result = {"wall_s": round(t2 - t0, 2), "train_runtime_s": round(t2 - t1, 2),
              "peak_mem_gb": round(torch.cuda.max_memory_allocated() / 1024**3, 3),
              "tokens_per_s_median": _median(tps), "step_s_median": _median_step(stamps),
              "mean_loss": round(out.training_loss, 4)}
    del trainer, model
    torch.cuda.empty_cache()
    return result


def _median_step(stamps: list[float]) -> float | None:
    gaps = [b - a for a, b in zip(stamps[3:], stamps[4:])]
    return round(sorted(gaps)[len(gaps) // 2], 4) if gaps else None


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    v = sorted(values)
    return round(v[len(v) // 2], 1)


# What an earlier version of this script measured (NVIDIA H100 80GB; warm-up on the studio's side only, so the
# packing pair was not a fair comparison). Kept so the README table has a results file until the next GPU run.
EARLIER = {
    "status": "from the earlier script (not re-measured: no GPU since the warm-up was made symmetric)",
    "gpu": "NVIDIA H100 80GB", "versions_then": "torch 2.11, transformers 5.24, TRL 1.16, bitsandbytes 0.50.2",
    "model": "1.12B Llama-shaped, random weights", "batch": 16, "max_length": 256, "steps": 20,
    "runs": {
        "ours_padding": {"train_runtime_s": 13.0, "peak_mem_gb": 2.18, "tokens_per_s_median": 1226, "step_s_median": 0.61},
        "plain_padding": {"train_runtime_s": 14.5, "peak_mem_gb": 2.22, "tokens_per_s_median": 1351, "step_s_median": 0.56},
        "ours_packing": {"train_runtime_s": 19.0, "peak_mem_gb": 2.64, "tokens_per_s_median": 4862, "step_s_median": 0.83},
        "plain_packing": {"train_runtime_s": 12.3, "peak_mem_gb": 2.64, "tokens_per_s_median": 6341, "step_s_median": 0.63},
        "ours_t4_dtype_path": {"tokens_per_s_median": 1380},
    },
    "ratios": {"packing_vs_padding_tokens_per_s_ours": 3.97, "packing_vs_padding_tokens_per_s_plain": 4.69,
               "ours_vs_plain_train_time_padding": 0.90, "ours_vs_plain_step_time_padding": 1.08},
}


def record_earlier() -> int:
    from benchmarks._results import write_result

    path = write_result("gpu_qlora", EARLIER, "python benchmarks/gpu_qlora.py --record-earlier")
    print(f"wrote {path.relative_to(ROOT)} ({EARLIER['status']})")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--hidden", type=int, default=2048)
    parser.add_argument("--layers", type=int, default=22)
    parser.add_argument("--vocab", type=int, default=32000)
    parser.add_argument("--facts", type=int, default=200)
    parser.add_argument("--out", default=None)
    parser.add_argument("--record-earlier", action="store_true", help="write the earlier figures as the results file")
    args = parser.parse_args()
    if args.record_earlier:
        return record_earlier()
    import torch

    if not torch.cuda.is_available():
        print("skipped: no CUDA GPU")
        return 0
    work = Path(tempfile.mkdtemp(prefix="gpu_qlora_"))
    os.environ["STUDIO_HOME"] = str(work / "home")
    report: dict = {"gpu": torch.cuda.get_device_name(0), "capability": list(torch.cuda.get_device_capability(0)),
                    "torch": torch.__version__, "steps": args.steps, "batch": args.batch}
    t = time.perf_counter()
    model_dir = build_model(work / "model", args.hidden, args.layers, args.vocab)
    from studio.train.presets import model_shape

    report["model"] = {"shape": f"llama hidden {args.hidden} x {args.layers} layers", "params_b": round(model_shape(str(model_dir)).billions, 3),
                       "build_s": round(time.perf_counter() - t, 1)}
    ws = make_workspace(work / "home" / "workspaces" / "bench", args.facts)
    runs = {}
    # warm-up (CUDA context, bitsandbytes kernels) outside the comparison; it also freezes the data
    warm = ours(ws, model_dir, work / "runs" / "warmup", 5, args.batch, packing=False)
    report["warmup_wall_s"] = warm["wall_s"]
    # the first run of each mode pays for shape-dependent kernel caches: warm packing too (measured: the side that
    # ran first in a mode was 1.3-1.5x slower)
    ours(ws, model_dir, work / "runs" / "warmup_packing", 5, args.batch, packing=True)
    train_file = work / "runs" / "warmup" / "data" / "train.jsonl"
    max_length = json.loads((work / "runs" / "warmup" / "plan.json").read_text())["max_length"]
    # the plain script gets the same warm-up in both modes: neither side pays a first run in the comparison
    plain(train_file, model_dir, work / "plain_warmup", 5, args.batch, False, max_length)
    plain(train_file, model_dir, work / "plain_warmup_packing", 5, args.batch, True, max_length)
    # A B B A order, so a drift of the card's speed does not favour either side
    runs["plain_padding"] = plain(train_file, model_dir, work / "plain_padding", args.steps, args.batch, False, max_length)
    runs["ours_padding"] = ours(ws, model_dir, work / "runs" / "ours_padding", args.steps, args.batch, packing=False)
    runs["ours_packing"] = ours(ws, model_dir, work / "runs" / "ours_packing", args.steps, args.batch, packing=True)
    runs["plain_packing"] = plain(train_file, model_dir, work / "plain_packing", args.steps, args.batch, True, max_length)
    runs["ours_t4_dtype_path"] = ours(ws, model_dir, work / "runs" / "ours_t4", args.steps, args.batch, packing=False,
                                      capability="7.5")
    report["runs"] = runs
    report["max_length"] = max_length

    def ratio(a, b, key):
        x, y = runs[a].get(key), runs[b].get(key)
        return round(x / y, 3) if x and y else None

    report["ratios"] = {
        "ours_vs_plain_train_time_padding": ratio("ours_padding", "plain_padding", "train_runtime_s"),
        "ours_vs_plain_train_time_packing": ratio("ours_packing", "plain_packing", "train_runtime_s"),
        "ours_vs_plain_step_time_padding": ratio("ours_padding", "plain_padding", "step_s_median"),
        "ours_vs_plain_step_time_packing": ratio("ours_packing", "plain_packing", "step_s_median"),
        "packing_vs_padding_tokens_per_s": ratio("ours_packing", "ours_padding", "tokens_per_s_median"),
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    from benchmarks._results import write_result

    write_result("gpu_qlora", {"status": "measured by the current script", **report},
                 " ".join(["python benchmarks/gpu_qlora.py", *sys.argv[1:]]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
