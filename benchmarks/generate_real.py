"""The bundled offline generator on real documents no one on this project wrote: yield, grounding, speed.

Documents are read from this machine (Debian's Node.js, Git and Python documentation: Markdown and Sphinx
HTML; nothing is committed), ingested by the studio, and a fixed, evenly spread sample of chunks goes through
the real generation pipeline with the default settings (5 facts x 5 phrasings, false premises) and the bundled
SmolLM2-135M on the CPU. Goals: >= 3 grounded pairs per chunk (the answer and its key found in the chunk),
>= 1 chunk per minute, >= 80% of chunks done, none silently (every chunk has a status and a reason).
Model loading is timed apart. ``--compare-full`` also runs the full JSON recipe on the first 2 chunks (slow).

Run: .venv/bin/python benchmarks/generate_real.py [--chunks 8] [--compare-full] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

DOCS = [
    "/usr/share/doc/nodejs/SECURITY.md",
    "/usr/share/doc/nodejs/BUILDING.md",
    "/usr/share/doc/git/README.md",
    "/usr/share/doc/python3.11/html/howto/sorting.html",
    "/usr/share/doc/python3.11/html/howto/ipaddress.html",
    "/usr/share/doc/python3.11/html/howto/unicode.html",
    "/usr/share/doc/python3.11/html/tutorial/introduction.html",
    "/usr/share/doc/python3.11/html/faq/general.html",
]
GOALS = {"grounded_pairs_per_chunk": 3.0, "chunks_per_minute": 1.0, "done_share": 0.8}


def _sample(chunks: list[dict], n: int) -> list[dict]:
    """``n`` chunks spread evenly over the documents (the same ones every run)."""
    by_doc: dict[int, list[dict]] = {}
    for c in chunks:
        by_doc.setdefault(c["document_id"], []).append(c)
    picked, i = [], 0
    while len(picked) < n and any(by_doc.values()):
        for doc in sorted(by_doc):
            rows = by_doc[doc]
            if rows and len(picked) < n:
                picked.append(rows[(i * 7 + 3) % len(rows)])
                rows.remove(picked[-1])
        i += 1
    return picked


def _run(ws, sample, cfg, backend, embedder) -> dict:
    from studio.generate.pipeline import run_generation

    keep = {c["id"] for c in sample}
    others = {r[0] for r in ws.conn.execute("SELECT id FROM chunks")} - keep
    ws.conn.execute("DELETE FROM qa_pairs")
    ws.conn.execute("DELETE FROM gen_chunks")
    ws.conn.commit()
    t0 = time.perf_counter()
    summary = run_generation(ws, cfg, backend=backend, embedder=embedder, exclude_chunk_ids=others)
    secs = time.perf_counter() - t0
    text = {c["id"]: " ".join(c["text"].split()) for c in sample}
    rows = ws.conn.execute("SELECT chunk_id, question, answer, key_answer, kind FROM qa_pairs").fetchall()
    grounded = [r for r in rows if r[4] in ("fact", "paraphrase", "false_premise") and r[3]
                and r[3] in text.get(r[0], "") and r[2].removeprefix("No. ") in text.get(r[0], "")]
    statuses = ws.conn.execute("SELECT status, reason FROM gen_chunks").fetchall()
    done = sum(s[0] == "done" for s in statuses)
    n = len(sample)
    return {
        "chunks": n, "seconds": round(secs, 1), "chunks_per_minute": round(n / (secs / 60), 2),
        "pairs": len(rows), "grounded_pairs": len(grounded), "grounded_pairs_per_chunk": round(len(grounded) / n, 2),
        "chunks_with_pairs": len({r[0] for r in rows}), "done_share": round(done / n, 2),
        "silent_chunks": n - len(statuses), "completion_tokens": summary.get("completion_tokens"),
        "tokens_per_s": round((summary.get("completion_tokens") or 0) / secs, 1) if secs else None,
        "examples": [{"question": r[1], "answer": r[2][:160], "key": r[3], "kind": r[4]} for r in rows[:: max(1, len(rows) // 12)][:12]],
        "reasons": sorted({s[1] for s in statuses if s[1]})[:10],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chunks", type=int, default=8)
    ap.add_argument("--compare-full", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from studio.generate.backends.local import LocalBackend
    from studio.generate.config import GenerateConfig
    from studio.generate.embed import Embedder
    from studio.ingest.pipeline import ingest_paths
    from studio.workspace import Workspace

    docs = [p for p in DOCS if Path(p).is_file()]
    if len(docs) < 2:
        print("skipped: the real documents are not on this machine (Debian packages nodejs, git, python3.11-doc)")
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="gen-real-"))
    ws = Workspace.create(tmp / "ws")
    reports = ingest_paths(ws, docs)
    chunks = [dict(r) for r in ws.conn.execute("SELECT c.*, d.lang FROM chunks c JOIN documents d ON d.id = c.document_id ORDER BY c.id")]
    sample = _sample(chunks, args.chunks)
    cfg = GenerateConfig(backend="transformers", model="bundled:smollm2-135m-instruct", seed=0)
    backend = LocalBackend(cfg.model, batch_size=cfg.batch_size)
    t0 = time.perf_counter()
    backend.load()
    load_s = time.perf_counter() - t0
    embedder = Embedder()
    out = {"documents": [Path(p).name for p in docs], "document_chunks": sum(r.chunks for r in reports if not r.error),
           "model": cfg.model, "device": backend.device, "load_seconds": round(load_s, 1), "cpu_count": os.cpu_count(),
           "settings": {"facts_per_chunk": cfg.facts_per_chunk, "paraphrases": cfg.paraphrases, "batch_size": cfg.batch_size},
           "guided": _run(ws, sample, cfg, backend, embedder), "goals": GOALS}
    if args.compare_full:
        full = GenerateConfig(**{**cfg.to_dict(), "recipe": "full"})
        out["full_recipe_first_2_chunks"] = _run(ws, sample[:2], full, backend, embedder)
    g = out["guided"]
    out["meets_goals"] = {k: g[k] >= v for k, v in GOALS.items()}
    from benchmarks._results import write_result

    write_result("generate_real", out, "benchmarks/generate_real.py" + (" --compare-full" if args.compare_full else ""))
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(f"{len(docs)} documents, {out['document_chunks']} chunks; sample of {g['chunks']} on {backend.device} "
              f"(model load {load_s:.0f} s, not counted)")
        print(f"guided recipe: {g['grounded_pairs']} grounded pairs of {g['pairs']} "
              f"({g['grounded_pairs_per_chunk']}/chunk, goal >= 3), {g['chunks_per_minute']} chunks/min (goal >= 1), "
              f"{g['done_share']:.0%} done (goal >= 80%), {g['silent_chunks']} silent, {g['tokens_per_s']} tokens/s")
        for e in g["examples"][:6]:
            print(f"  [{e['kind']}] {e['question']}  ->  {e['key']}")
        if "full_recipe_first_2_chunks" in out:
            f = out["full_recipe_first_2_chunks"]
            print(f"full JSON recipe, 2 chunks: {f['pairs']} pairs in {f['seconds']} s; {f['reasons']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
