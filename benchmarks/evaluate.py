"""Evaluation throughput, each figure side by side in one run.

1. The whole scorer (rules + one batched encode + calibration) in answers/s, against its physical limit here: a bare
   batched ``SentenceTransformer.encode`` of every text the scorer encodes (answers, references, calibration texts).
   Goal: scorer / bare >= 0.9.
2. The batched scorer against scoring one answer at a time (each answer and its reference encoded when it is
   scored). A bare batched encode of short answers is about 2.8x one-by-one on a 2-core CPU.
3. Answer generation (SmolLM2-135M, greedy, chat template, left padding) batched vs one prompt at a time.
   Plain transformers reaches about 3.7x at batch 8 on a 2-core CPU.

Run: .venv/bin/python benchmarks/evaluate.py [--answers 600] [--prompts 16] [--max-new-tokens 32] [--batch 8]
     [--skip-generation] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

SUBJECTS = ["the Harbor Bridge", "Villa Serena", "the Marlow museum", "coolant X7", "the Ortona Cooperative",
            "the Tessera trail", "the city library", "the Falco drone", "the treaty of Valmont", "Lorvia"]
VERBS = ["opened in", "was built in", "was renamed in", "was restored in", "was sold in", "was founded in"]
NAMES = ["John Bradfield", "Lucia Ferri", "Elena Marsh", "Giulia Sarti", "Marco Bellini", "Anna Neri"]


def make_items(n: int, seed: int = 0):
    """Questions with references and answers: right ones in other words, wrong numbers, wrong names, negations."""
    from studio.evaluate.scoring import Item

    rng = random.Random(seed)
    items = []
    for i in range(n):
        subj, verb, name = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(NAMES)
        year = rng.randint(1800, 2020)
        ref = f"{subj[0].upper() + subj[1:]} {verb} {year} by {name}."
        q = f"When and by whom was {subj} {verb.split()[0] if verb.startswith('was') else 'opened'}? ({i})"
        kind = i % 4
        if kind == 0:
            pred = f"It happened in {year}, thanks to {name}."
        elif kind == 1:
            pred = f"{subj[0].upper() + subj[1:]} {verb} {year + rng.randint(1, 9)} by {name}."
        elif kind == 2:
            pred = f"{subj[0].upper() + subj[1:]} {verb} {year} by {rng.choice(NAMES)}."
        else:
            pred = f"{subj[0].upper() + subj[1:]} was not {verb.split()[-2] if len(verb.split()) > 2 else 'opened'} in {year}."
        items.append(Item(q, ref, pred, group=f"g{i // 3}"))
    return items


def calibration(items):
    pos = [(it.prediction, it.reference) for it in items[::4]]
    neg = [(items[(i + 7) % len(items)].reference, it.reference) for i, it in enumerate(items[::4])]
    return pos, neg


def bench_scorer(model, n: int) -> dict:
    from studio.evaluate import textnorm as tn
    from studio.evaluate.scoring import Scorer

    items = make_items(n)
    pos, neg = calibration(items)
    texts = list(dict.fromkeys([t for it in items for t in (it.prediction, it.reference)] + [t for p in pos + neg for t in p]))
    model.encode(texts[:64], batch_size=64)  # warm up

    def bare():
        t0 = time.perf_counter()
        model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return time.perf_counter() - t0

    def whole():
        tn.clear_caches()
        t0 = time.perf_counter()
        sc = Scorer(model)
        sc.prepare_items(items, [t for p in pos + neg for t in p])
        sc.calibrate(pos, neg)
        sc.score_many(items)
        return time.perf_counter() - t0

    def one_by_one(k: int):
        tn.clear_caches()
        sub = items[:k]
        t0 = time.perf_counter()
        sc = Scorer(model)
        for it in sub:
            sc.score(it)  # encodes this answer and its reference now (batch of 2)
        return (time.perf_counter() - t0) * len(items) / k

    bare_t, whole_t = [], []
    for _ in range(3):  # alternate so machine load hits both alike
        bare_t.append(bare())
        whole_t.append(whole())
    single = one_by_one(min(len(items), 200))
    b, w = min(bare_t), min(whole_t)
    return {"answers": len(items), "texts_encoded": len(texts), "bare_encode_s": round(b, 3), "scorer_s": round(w, 3),
            "scorer_answers_per_s": round(len(items) / w, 1), "bare_answers_per_s": round(len(items) / b, 1),
            "ratio_scorer_vs_bare": round(b / w, 3), "one_by_one_s": round(single, 3),
            "ratio_batched_vs_one_by_one": round(single / w, 2)}


def bench_generation(n_prompts: int, max_new: int, batch: int) -> dict:
    from studio.evaluate.answers import AnswerModel, messages_for

    model = AnswerModel("bundled:smollm2-135m-instruct", max_new_tokens=max_new, batch_size=batch).load()
    convs = [messages_for(f"In one sentence, what is {s} known for? ({i})") for i, s in
             enumerate((SUBJECTS * 4)[:n_prompts])]
    model.generate(convs[:2], batch_size=2)  # warm up
    t0 = time.perf_counter()
    model.generate(convs, batch_size=batch)
    batched = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.generate(convs, batch_size=1)
    single = time.perf_counter() - t0
    return {"prompts": n_prompts, "max_new_tokens": max_new, "batch": batch, "batched_s": round(batched, 2),
            "sequential_s": round(single, 2), "ratio_batched_vs_sequential": round(single / batched, 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--answers", type=int, default=600)
    ap.add_argument("--prompts", type=int, default=16)
    ap.add_argument("--max-new-tokens", type=int, default=32)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--skip-generation", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from sentence_transformers import SentenceTransformer

    from studio.models import resolve_embedder

    model = SentenceTransformer(resolve_embedder(None), device="cpu")
    out = {"scorer": bench_scorer(model, args.answers)}
    if not args.skip_generation:
        out["generation"] = bench_generation(args.prompts, args.max_new_tokens, args.batch)
    if args.json:
        print(json.dumps(out))
        return 0
    s = out["scorer"]
    print(f"scorer: {s['scorer_answers_per_s']} answers/s ({s['answers']} answers, {s['texts_encoded']} texts encoded); "
          f"bare batched encode of the same texts {s['bare_answers_per_s']} answers/s")
    print(f"  scorer / bare encode = {s['ratio_scorer_vs_bare']:.2f}x (goal >= 0.9)")
    print(f"  batched scorer / one answer at a time = {s['ratio_batched_vs_one_by_one']:.2f}x")
    if "generation" in out:
        g = out["generation"]
        print(f"generation: {g['prompts']} prompts x {g['max_new_tokens']} new tokens: batched (batch {g['batch']}) "
              f"{g['batched_s']}s, one at a time {g['sequential_s']}s = {g['ratio_batched_vs_sequential']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
