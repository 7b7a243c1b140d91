"""Iterate from failures: round 1 trains briefly so some invented facts are missed; "Improve the missed facts"
asks the workspace's generator (the bundled SmolLM2, guided recipe) for more phrasings of each missed fact;
round 2 continues from the round-1 adapter on the new pairs plus a replay of the old ones. Both rounds are
evaluated by the studio's evaluation on the same frozen held-out questions (one unseen phrasing per fact).

Prints, against the goal: unseen-phrasing accuracy on the facts round 1 missed, before and after (goal: +30
points), and on the facts round 1 had learned (forgetting, goal: at most 5 points lost). Writes
``benchmarks/results/iterate.json``. The invented facts are those of ``tests/fixtures/train_data.py`` (3 trained,
1 val, 1 held-out phrasing each), each with its sentence as a document chunk so the generator has a source.

Caveat stated with the figures: "before" on the missed facts is 0% by selection (greedy answers are deterministic,
so re-asking gives the same miss); round 2 also trains those facts longer, so the gain is that of the whole
improve-and-continue step, not of the new phrasings alone.

    python benchmarks/iterate.py [--epochs1 3] [--epochs2 6] [--per-fact 6] [--replay-share 1.0] [--work DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def facts_workspace(path: Path):
    """The 12 invented facts as kept pairs, each fact's sentence a chunk of its own document (the generator's source)."""
    from studio.workspace import Workspace
    from studio.workspace.store import now_iso
    from tests.fixtures.train_data import FACTS, fact_pairs

    ws = Workspace.create(path, exist_ok=True)
    chunk_of = {}
    for fid, key, answer, _ in FACTS:
        doc = ws.add_document(f"{fid}.md", sha256=f"sha-{fid}", lang="en", chars=len(answer))
        ws.replace_chunks(doc, [{"text": answer, "tokens": len(answer.split())}])
        chunk = ws.list_chunks(doc)[0]
        chunk_of[fid] = (chunk["id"], doc)
        with ws.transaction() as c:
            c.execute("INSERT INTO facts(id, chunk_id, document_id, statement, key_answer, lang, created_at) "
                      "VALUES (?, ?, ?, ?, ?, 'en', ?)", (fid, chunk["id"], doc, answer, key, now_iso()))
    ws.add_pairs([{**p, "chunk_id": chunk_of[p["fact_id"]][0], "document_id": chunk_of[p["fact_id"]][1], "lang": "en"}
                  for p in fact_pairs()])
    return ws


def per_fact(folder: Path) -> dict[str, bool]:
    """fact -> its unseen phrasing answered right by the tuned model (the evaluation's own scoring)."""
    with open(folder / "answers.csv", encoding="utf-8") as fh:
        return {r["group"]: r["correct"] == "True" for r in csv.DictReader(fh)
                if r["arm"] == "tuned" and r["set"] == "phrasings"}


def evaluate(runner, base: Path, run_dir: Path) -> Path:
    cfg = {"base_model": str(base), "adapter": str(run_dir / "adapter"), "arms": ["tuned"], "sets": ["phrasings"],
           "max_facts": None, "forgetting": False, "bootstrap": 200, "max_new_tokens": 32}
    status = runner.run_foreground("evaluate", cfg)
    if status.get("state") != "completed":
        raise SystemExit(f"the evaluation ended {status.get('state')}: {status.get('error')}")
    return Path(status["result"]["out"])


def pct(hits: int, n: int) -> float | None:
    return round(100 * hits / n, 1) if n else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs1", type=float, default=3, help="round 1 epochs (short: some facts are missed)")
    parser.add_argument("--epochs2", type=float, default=6, help="round 2 epochs over the new + replayed pairs")
    parser.add_argument("--per-fact", type=int, default=6, help="new phrasings per missed fact")
    parser.add_argument("--replay-share", type=float, default=1.0, help="old pairs replayed, x the new pairs")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", metavar="DIR", help="go on in the folder of an earlier run of this script: steps "
                        "already done there (round 1, its evaluation, the improve step) are read back, not redone")
    args = parser.parse_args()

    from studio.evaluate.improve import improve
    from studio.jobs import JobRunner
    from studio.models import ensure_bundled_chat

    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="bench_iterate_"))
    os.environ["STUDIO_HOME"] = str(work / "home")
    base = ensure_bundled_chat()
    resumed = []
    if (work / "home" / "workspaces" / "facts" / "workspace.db").is_file():
        from studio.workspace import Workspace

        ws = Workspace.open(work / "home" / "workspaces" / "facts")
    else:
        ws = facts_workspace(work / "home" / "workspaces" / "facts")
    runner = JobRunner(ws, root=work / "home")
    recipe = {"base_model": str(base), "method": "lora", "lr": args.lr, "batch_size": args.batch, "grad_accum": 1,
              "seed": args.seed}
    t0 = time.perf_counter()
    if (work / "round1" / "adapter" / "studio_run.json").is_file():
        resumed.append("round 1")
    else:
        status = runner.run_foreground("train", {**recipe, "epochs": args.epochs1}, run_dir=work / "round1")
        if status.get("state") != "completed":
            print(f"round 1 ended {status.get('state')}: {status.get('error')}")
            return 1
    t1 = time.perf_counter()
    evals = sorted((work / "round1" / "eval").glob("*/answers.csv"), key=lambda p: p.stat().st_mtime)
    if evals:
        resumed.append("round 1 evaluation")
        report1 = evals[-1].parent
    else:
        report1 = evaluate(runner, base, work / "round1")
    before = per_fact(report1)
    missed = sorted(f for f, ok in before.items() if not ok)
    learned = sorted(f for f, ok in before.items() if ok)
    print(f"round 1 ({args.epochs1:g} epochs, {time.perf_counter() - t0:.0f} s): {len(learned)}/{len(before)} unseen "
          f"phrasings right; missed {missed}", flush=True)
    if not missed:
        print("round 1 missed nothing: shorten it (--epochs1) to have facts to improve")
        return 1
    t2 = time.perf_counter()
    from studio.workspace import PairFilter

    done = list(ws.iter_pairs(PairFilter(round=2)))
    if done:  # the improve step of an earlier run stored its pairs: read them back
        resumed.append("improve")
        added = {}
        for p in done:
            added[p["fact_id"]] = added.get(p["fact_id"], 0) + 1
        res = type("Read", (), {"n_added": len(done), "added": added, "missed": missed, "leaks_refused": None,
                                "flagged": [p for p in ws.iter_pairs() if "check_answer" in (p["flags"] or "")],
                                "skipped": {}})()
    else:
        res = improve(ws, report1, per_fact=args.per_fact)
    gen_s = time.perf_counter() - t2
    print(f"improve: {res.n_added} new pairs for {sum(1 for v in res.added.values() if v)} of {len(res.missed)} "
          f"missed facts ({gen_s:.0f} s), {res.leaks_refused} leaks refused, skipped {res.skipped}", flush=True)
    t3 = time.perf_counter()
    status = runner.run_foreground("train", {**recipe, "epochs": args.epochs2, "init_adapter": str(work / "round1" / "adapter"),
                                             "replay_share": args.replay_share}, run_dir=work / "round2")
    if status.get("state") != "completed":
        print(f"round 2 ended {status.get('state')}: {status.get('error')}")
        return 1
    t4 = time.perf_counter()
    folder2 = evaluate(runner, base, work / "round2")
    after = per_fact(folder2)
    report2 = json.loads((folder2 / "report.json").read_text())
    manifest2 = json.loads((work / "round2" / "data" / "manifest.json").read_text())
    m_before, m_after = sum(before[f] for f in missed), sum(after[f] for f in missed)
    l_before, l_after = sum(before[f] for f in learned), sum(after[f] for f in learned)
    figures = {
        "model": "bundled:smollm2-135m-instruct", "facts": len(before),
        "recipe": {k: v for k, v in recipe.items() if k != "base_model"},
        "round1_epochs": args.epochs1, "round2_epochs": args.epochs2, "per_fact": args.per_fact,
        "replay_share": args.replay_share, "generator": "transformers bundled:smollm2-135m-instruct (guided)",
        "missed_facts": len(missed), "learned_facts": len(learned),
        "new_pairs": res.n_added, "facts_improved": sum(1 for v in res.added.values() if v),
        "leaks_refused": res.leaks_refused, "flagged": len(res.flagged),
        "round2_train_rows": manifest2["files"]["train"]["rows"],
        "round2_replay_pairs": manifest2["continue"]["replay_pairs"],
        "missed_accuracy_before": pct(m_before, len(missed)), "missed_accuracy_after": pct(m_after, len(missed)),
        "missed_gain_points": round(pct(m_after, len(missed)) - pct(m_before, len(missed)), 1),
        "learned_accuracy_before": pct(l_before, len(learned)), "learned_accuracy_after": pct(l_after, len(learned)),
        "forgetting_points": round(pct(l_before, len(learned)) - pct(l_after, len(learned)), 1) if learned else None,
        "overall_before": pct(sum(before.values()), len(before)), "overall_after": pct(sum(after.values()), len(after)),
        "report_rounds": report2.get("rounds"),
        "goal_gain_30": None, "goal_forgetting_5": None,
        "round1_train_s": round(t1 - t0, 1),
        "round1_train_runtime_s": (json.loads((work / "round1" / "status.json").read_text()).get("result") or {})
        .get("train_runtime_s"), "improve_s": round(gen_s, 1), "round2_train_s": round(t4 - t3, 1),
        "total_s": round(time.perf_counter() - t0, 1),
        "steps_read_back": resumed,  # done by an earlier run of this script in --work, not redone (times then 0)
        "sample_new_questions": [p["question"] for p in ws.iter_pairs(PairFilter(round=2))][:12],
    }
    figures["goal_gain_30"] = figures["missed_gain_points"] >= 30
    figures["goal_forgetting_5"] = figures["forgetting_points"] is None or figures["forgetting_points"] <= 5
    print(f"missed facts ({len(missed)}): {m_before}/{len(missed)} -> {m_after}/{len(missed)} unseen phrasings right "
          f"({figures['missed_gain_points']:+.1f} points; goal +30: {'met' if figures['goal_gain_30'] else 'NOT met'})")
    print(f"learned facts ({len(learned)}): {l_before}/{len(learned)} -> {l_after}/{len(learned)} "
          f"(forgetting {figures['forgetting_points']} points; goal <= 5: "
          f"{'met' if figures['goal_forgetting_5'] else 'NOT met'})")
    print(json.dumps(figures, indent=2))
    from benchmarks._results import write_result

    write_result("iterate", figures, " ".join(["python benchmarks/iterate.py", *sys.argv[1:]]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
