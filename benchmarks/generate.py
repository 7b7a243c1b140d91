"""Local transformers generation: tokens/s batched (batch 8, left padding) vs one prompt at a time, and on a
CUDA GPU continuous batching vs those padded batches.

Same prompts (the recipe's real "facts" prompts over eight different chunks), same model, same run, both
sides warmed up alike; the modes alternate so load on the machine hits both alike. Goals: batched >= 3x one at
a time; on a GPU, continuous batching (transformers' scheduler with a paged cache, what the studio uses there)
>= 5x the padded batches on ``--gpu-prompts`` prompts, with the same greedy text. Without a GPU that pair
prints "skipped: no CUDA GPU" unless ``--continuous`` asks for it on the CPU too.

Run: .venv/bin/python benchmarks/generate.py [--model bundled:smollm2-135m-instruct] [--prompts 8]
     [--max-new-tokens 48] [--reps 1] [--continuous] [--gpu-prompts 256] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

CHUNKS = [
    "The Colosseum in Rome was completed in 80 AD under Emperor Titus and could hold about 50000 spectators.",
    "The Eiffel Tower in Paris was finished in 1889 for the World Fair and is 330 metres tall.",
    "Honey bees communicate the direction of flowers with a waggle dance inside the hive.",
    "The printing press of Johannes Gutenberg was built around 1440 in Mainz.",
    "The Nile is about 6650 kilometres long and flows north into the Mediterranean Sea.",
    "Glaciers store about 69 percent of the fresh water on Earth.",
    "The human heart beats about 100000 times a day and pumps blood through 96000 kilometres of vessels.",
    "Mount Etna in Sicily is one of the most active volcanoes in the world and rises 3357 metres.",
]


def _requests(n: int, max_new_tokens: int):
    from studio.generate import prompts
    from studio.generate.backends.base import GenerationRequest

    return [GenerationRequest(messages=prompts.messages("facts", "en", n=3, chunk=CHUNKS[i % len(CHUNKS)]),
                              max_new_tokens=max_new_tokens, temperature=0.0, tag=i) for i in range(n)]


def _timed(backend, requests) -> dict:
    t0 = time.perf_counter()
    results = backend.generate(requests)
    secs = time.perf_counter() - t0
    tokens = sum(r.completion_tokens for r in results)
    return {"seconds": secs, "tokens": tokens, "tokens_per_s": tokens / secs if secs else 0.0}


def _continuous_pair(batched, args) -> dict:
    """Padded batches vs the scheduler on the same prompts and weights, both warmed up, in one run."""
    import torch

    from studio.generate.backends.local import LocalBackend

    if batched.device != "cuda" and not args.continuous:
        return {"skipped": "skipped: no CUDA GPU (continuous batching is the GPU path; --continuous measures it here)"}
    n = args.gpu_prompts if batched.device == "cuda" else args.prompts
    requests = _requests(n, args.max_new_tokens)
    fast = LocalBackend(args.model, batch_size=args.batch_size)
    fast._model, fast._tok, fast.device = batched._model, batched._tok, batched.device

    def side(flag: str, backend, reqs):
        os.environ["STUDIO_CONTINUOUS_BATCHING"] = flag
        if batched.device == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        results = backend.generate(reqs)
        if batched.device == "cuda":
            torch.cuda.synchronize()
        secs = time.perf_counter() - t0
        tokens = sum(r.completion_tokens for r in results)
        return results, {"seconds": round(secs, 3), "tokens": tokens, "tokens_per_s": round(tokens / secs, 2)}

    side("0", batched, requests[:8])  # warm-up, the same on both sides
    side("1", fast, requests[:8])
    padded_rows, padded = side("0", batched, requests)
    fast_rows, cont = side("1", fast, requests)
    os.environ.pop("STUDIO_CONTINUOUS_BATCHING", None)
    same = sum(a.text == b.text for a, b in zip(padded_rows, fast_rows)) / max(1, len(requests))
    return {"device": batched.device, "prompts": n, "padded_tokens_per_s": padded["tokens_per_s"],
            "continuous_tokens_per_s": cont["tokens_per_s"],
            "ratio": round(cont["tokens_per_s"] / padded["tokens_per_s"], 2) if padded["tokens_per_s"] else None,
            "same_text_share": round(same, 3), "all_continuous": all(r.meta.get("continuous") for r in fast_rows),
            "goal": 5.0, "padded": padded, "continuous": cont}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="bundled:smollm2-135m-instruct")
    ap.add_argument("--prompts", type=int, default=8)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--max-new-tokens", type=int, default=48)
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--continuous", action="store_true", help="measure continuous batching on the CPU too")
    ap.add_argument("--gpu-prompts", type=int, default=256, help="prompts for the continuous-batching pair")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from studio.generate.backends.local import LocalBackend

    os.environ["STUDIO_CONTINUOUS_BATCHING"] = "0"  # the first pair is padded batches vs one at a time, on any device
    batched = LocalBackend(args.model, batch_size=args.batch_size)
    batched.load()
    single = LocalBackend(args.model, batch_size=1)
    single._model, single._tok = batched._model, batched._tok  # the very same weights
    requests = _requests(args.prompts, args.max_new_tokens)
    _timed(single, requests[:2])  # warm-up, the same on both sides
    _timed(batched, requests[:2])
    runs = {"one_at_a_time": [], "batched": []}
    for _ in range(args.reps):
        runs["one_at_a_time"].append(_timed(single, requests))
        runs["batched"].append(_timed(batched, requests))
    one = statistics.median(r["tokens_per_s"] for r in runs["one_at_a_time"])
    bat = statistics.median(r["tokens_per_s"] for r in runs["batched"])
    out = {
        "model": args.model, "device": batched.device, "prompts": args.prompts, "batch_size": args.batch_size,
        "max_new_tokens": args.max_new_tokens, "one_at_a_time_tokens_per_s": round(one, 2),
        "batched_tokens_per_s": round(bat, 2), "ratio": round(bat / one, 2) if one else None, "goal": 3.0,
        "runs": runs,
    }
    out["continuous"] = _continuous_pair(batched, args)
    from benchmarks._results import write_result

    write_result("generate", {k: v for k, v in out.items() if k != "runs"}, "benchmarks/generate.py")
    if args.json:
        print(json.dumps(out))
    else:
        print(f"{args.model} on {batched.device}: one at a time {one:.1f} tok/s, batch {args.batch_size} {bat:.1f} tok/s "
              f"-> {out['ratio']}x (goal >= 3x)")
        cont = out["continuous"]
        if "skipped" in cont:
            print(f"continuous batching: {cont['skipped']}")
        else:
            print(f"continuous batching on {cont['prompts']} prompts: padded batches {cont['padded_tokens_per_s']} tok/s, "
                  f"continuous {cont['continuous_tokens_per_s']} tok/s -> {cont['ratio']}x (goal >= {cont['goal']}x on a "
                  f"GPU); same text on {cont['same_text_share']:.0%} of the prompts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
