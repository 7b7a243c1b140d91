"""It learns: the bundled SmolLM2-135M, trained by the studio's ``train`` job on invented facts, answers phrasings
it never saw; the base model answers none.

The facts (``tests/fixtures/train_data.py``) have 5 phrasings each: 3 trained, 1 val, 1 held out. The recipe is
the studio's (plain LoRA r16 on all linear layers on the CPU, prompt-completion data so the loss is on the answer
only, LR 1e-3 cosine, 8 epochs, batch 8). Base and tuned answer greedily; a hit is the key answer in the answer
(``tests/fixtures/learning_measure.py``, the same measure as the learning test). Prints the counts and writes
``benchmarks/results/learning.json``. About 3 minutes on 2 CPU cores for 12 facts.

    python benchmarks/learning.py [--facts 12] [--epochs 8] [--batch 8] [--lr 1e-3]
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
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, default=12)
    parser.add_argument("--epochs", type=float, default=8)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    from studio.jobs import JobRunner
    from studio.models import ensure_bundled_chat
    from tests.fixtures.learning_measure import measure
    from tests.fixtures.train_data import FACTS, make_facts_workspace

    if not 1 <= args.facts <= len(FACTS):
        print(f"--facts must be 1-{len(FACTS)} (the invented facts available)")
        return 2
    work = Path(tempfile.mkdtemp(prefix="bench_learning_"))
    os.environ["STUDIO_HOME"] = str(work / "home")
    base = ensure_bundled_chat()
    ws = make_facts_workspace(work / "home" / "workspaces" / "facts", n_facts=args.facts)
    recipe = {"base_model": str(base), "method": "lora", "lr": args.lr, "epochs": args.epochs,
              "batch_size": args.batch, "grad_accum": 1, "seed": args.seed}
    t0 = time.perf_counter()
    status = JobRunner(ws, root=work / "home").run_foreground("train", recipe, run_dir=work / "run")
    train_s = time.perf_counter() - t0
    if status.get("state") != "completed":
        print(f"the training job ended {status.get('state')}: {status.get('error')}")
        return 1
    learned = measure(work / "run", base)
    figures = {"model": "bundled:smollm2-135m-instruct", "facts": args.facts, "phrasings_trained_per_fact": 3,
               "recipe": {k: v for k, v in recipe.items() if k != "base_model"}, "train_wall_s": round(train_s, 1),
               **learned.to_dict()}
    print(learned.line())
    print(json.dumps(figures, indent=2))
    from benchmarks._results import write_result

    write_result("learning", figures, " ".join(["python benchmarks/learning.py", *sys.argv[1:]]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
