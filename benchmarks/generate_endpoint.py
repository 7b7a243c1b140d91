"""Endpoint backend throughput: the same prompts at concurrency 4 vs 1, in the same run, against one server.

By default it starts ``transformers serve`` on loopback with the bundled SmolLM2 (offline) and prints requests/min
and completion tokens/s for each concurrency, and their ratio. Runs alternate (1, 4, 1, 4, ...) so load on the
machine hits both alike. Point it at any OpenAI-compatible server instead with ``--base-url`` and ``--model``
(key from ``--api-key-env``).

Run: .venv/bin/python benchmarks/generate_endpoint.py [--requests 8] [--max-new-tokens 32] [--reps 1]
     [--device cpu|cuda] [--continuous-batching] [--base-url URL --model M] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

TOPICS = ["the water cycle", "photosynthesis", "the Roman Empire", "volcanoes", "the Moon", "honey bees",
          "the printing press", "glaciers", "the human heart", "electric cars", "coffee", "the Nile"]


def _requests(n: int, max_new_tokens: int):
    from studio.generate.backends.base import GenerationRequest

    return [GenerationRequest(
        messages=[{"role": "user", "content": f"Write one question and its answer about {TOPICS[i % len(TOPICS)]}."}],
        max_new_tokens=max_new_tokens, temperature=0.0, tag=i) for i in range(n)]


def _run(base_url: str, model: str, concurrency: int, n: int, max_new_tokens: int, api_key_env: str | None) -> dict:
    from studio.generate.backends.openai_compat import OpenAICompatBackend

    with OpenAICompatBackend(model, base_url=base_url, api_key_env=api_key_env, concurrency=concurrency,
                             timeout_s=600) as backend:
        start = time.perf_counter()
        results = backend.generate(_requests(n, max_new_tokens))
        seconds = time.perf_counter() - start
    failed = [r.error for r in results if not r.ok]
    tokens = sum(r.completion_tokens for r in results)
    return {"concurrency": concurrency, "seconds": seconds, "requests_per_min": 60 * (n - len(failed)) / seconds,
            "tokens_per_s": tokens / seconds, "failed": len(failed), "errors": failed[:3]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--reps", type=int, default=1)
    parser.add_argument("--device", default="cpu", help="device of the local transformers serve (cpu, cuda)")
    parser.add_argument("--continuous-batching", action="store_true", help="start transformers serve with it")
    parser.add_argument("--base-url", default=None, help="benchmark this server instead of starting one")
    parser.add_argument("--model", default=None)
    parser.add_argument("--api-key-env", default=None)
    parser.add_argument("--json", action="store_true", help="print one JSON line at the end")
    args = parser.parse_args()

    served = None
    if args.base_url:
        base_url, model = args.base_url, args.model or sys.exit("--model is required with --base-url")
    else:
        from studio.models import ensure_bundled_chat
        from tests.fixtures.endpoint_server import start_transformers_serve

        cache = Path(os.environ.get("STUDIO_TEST_CACHE", ROOT / ".test_cache"))
        folder = ensure_bundled_chat(cache)
        extra = ["--continuous-batching"] if args.continuous_batching else []
        log = Path(tempfile.mkdtemp(prefix="bench-endpoint-")) / "serve.log"
        t0 = time.perf_counter()
        served = start_transformers_serve(folder, log, device=args.device, extra_args=extra)
        print(f"transformers serve ({args.device}{', continuous batching' if extra else ''}) ready in "
              f"{time.perf_counter() - t0:.1f} s", flush=True)
        base_url, model = served.base_url, served.model
    try:
        runs: dict[int, list[dict]] = {1: [], 4: []}
        for rep in range(args.reps):
            for concurrency in (1, 4):
                r = _run(base_url, model, concurrency, args.requests, args.max_new_tokens, args.api_key_env)
                runs[concurrency].append(r)
                print(f"rep {rep + 1} concurrency {concurrency}: {r['seconds']:.1f} s, "
                      f"{r['requests_per_min']:.1f} requests/min, {r['tokens_per_s']:.1f} tokens/s, "
                      f"{r['failed']} failed {r['errors'] or ''}", flush=True)
    finally:
        if served:
            served.stop()
    med = {c: statistics.median(r["requests_per_min"] for r in rs) for c, rs in runs.items()}
    tok = {c: statistics.median(r["tokens_per_s"] for r in rs) for c, rs in runs.items()}
    ratio = med[4] / med[1] if med[1] else float("nan")
    print(f"concurrency 1: {med[1]:.1f} requests/min ({tok[1]:.1f} tokens/s)")
    print(f"concurrency 4: {med[4]:.1f} requests/min ({tok[4]:.1f} tokens/s)")
    print(f"ratio (4 vs 1): {ratio:.2f}x  [{args.requests} requests x {args.max_new_tokens} new tokens, "
          f"{args.reps} rep(s)]")
    sec = {c: statistics.median(r["seconds"] for r in rs) for c, rs in runs.items()}
    from benchmarks._results import write_result

    write_result("generate_endpoint", {
        "ratio": round(ratio, 2), "seconds_c1": round(sec[1], 1), "seconds_c4": round(sec[4], 1),
        "requests_per_min_c1": round(med[1], 1), "requests_per_min_c4": round(med[4], 1), "requests": args.requests,
        "max_new_tokens": args.max_new_tokens, "reps": args.reps, "device": args.device,
        "load_average_1min": round(os.getloadavg()[0], 1)},
        " ".join(["python benchmarks/generate_endpoint.py", *sys.argv[1:]]))
    if args.json:
        print(json.dumps({"requests_per_min_c1": med[1], "requests_per_min_c4": med[4], "ratio": ratio,
                          "tokens_per_s_c1": tok[1], "tokens_per_s_c4": tok[4], "requests": args.requests,
                          "max_new_tokens": args.max_new_tokens, "reps": args.reps}))


if __name__ == "__main__":
    main()
