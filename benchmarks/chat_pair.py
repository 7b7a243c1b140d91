"""Side-by-side chat: base and tuned from ONE shared PEFT model (mixed-adapter batch) vs two loaded models.

Prints, for the bundled SmolLM2-135M-Instruct with a LoRA r16 on all linear layers, the wall time of one
side-by-side answer each way (same prompt, greedy, N new tokens) and the model memory held, side by side in
one run. Run: ``.venv/bin/python benchmarks/chat_pair.py [--tokens 48]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _bytes(model) -> int:
    seen, total = set(), 0
    for p in model.parameters():
        if p.data_ptr() not in seen:
            seen.add(p.data_ptr())
            total += p.numel() * p.element_size()
    return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=48)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads (1 by default: on a shared 2-core box, 2 OpenMP threads oversubscribe badly)")
    args = ap.parse_args()
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from studio.chat.engine import ChatSettings, ModelCache, build_messages, stream_pair
    from studio.models import resolve_model

    base_path = resolve_model("bundled:smollm2-135m-instruct")
    adapter = Path(tempfile.mkdtemp()) / "adapter"
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(base_path),
                           LoraConfig(r=16, lora_alpha=32, target_modules="all-linear", task_type="CAUSAL_LM"))
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.02)
    model.save_pretrained(adapter)
    del model
    torch.set_num_threads(args.threads)
    cache = ModelCache(3)
    tuned = cache.get(base_path, str(adapter))
    base = cache.get(base_path)
    messages = build_messages([], "Explain in two sentences what a LoRA adapter is.")
    settings = ChatSettings(max_new_tokens=args.tokens)
    list(stream_pair(None, tuned, messages, settings=ChatSettings(max_new_tokens=4)))  # warm-up
    list(stream_pair(base, tuned, messages, settings=ChatSettings(max_new_tokens=4)))
    shared, separate = [], []
    for _ in range(args.repeats):
        t = time.perf_counter()
        a = list(stream_pair(None, tuned, messages, settings=settings))[-1]
        shared.append(time.perf_counter() - t)
        t = time.perf_counter()
        b = list(stream_pair(base, tuned, messages, settings=settings))[-1]
        separate.append(time.perf_counter() - t)
    mb_shared = _bytes(tuned.model) / 1e6
    mb_separate = (_bytes(tuned.model) + _bytes(base.model)) / 1e6
    print(f"same answers both ways: {a == b}")
    print(f"shared PEFT model (one batched generate): {min(shared):.2f} s, {mb_shared:.0f} MB of weights")
    print(f"two models (two threads):                 {min(separate):.2f} s, {mb_separate:.0f} MB of weights")
    print(f"ratio time two/shared: {min(separate) / min(shared):.2f}x; memory two/shared: {mb_separate / mb_shared:.2f}x")
    import os
    import sys

    from benchmarks._results import write_result

    write_result("chat_pair", {"shared_s": round(min(shared), 2), "two_models_s": round(min(separate), 2),
                               "shared_mb": round(mb_shared), "two_models_mb": round(mb_separate),
                               "same_answers": a == b, "tokens": args.tokens, "threads": args.threads,
                               "load_average_1min": round(os.getloadavg()[0], 1)},
                 " ".join(["python benchmarks/chat_pair.py", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
