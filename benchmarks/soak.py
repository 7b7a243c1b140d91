"""Soak: 10 gradio_client editors on the Review table for a minute while an ingest and a replay generation write to
the same workspace, through the launched studio. Reports page reads, edits, errors, lost updates and the p50/p95
latency of a page read (50 rows) with the machine's load average (other processes); fails (exit 1) on any error or lost update. The suite runs the 20 s version
(tests/api/test_load_review.py); the load itself is tests/fixtures/review_load.py.

Run: .venv/bin/python benchmarks/soak.py [--seconds 60] [--editors 10] [--pairs 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--editors", type=int, default=10)
    parser.add_argument("--pairs", type=int, default=2000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="studio-soak-") as tmp:
        root = Path(tmp) / "studio_home"
        os.environ["STUDIO_HOME"] = str(root)
        from tests.fixtures.app_fixtures import launch_app
        from tests.fixtures.review_fixtures import fill_workspace
        from tests.fixtures.review_load import run_load

        load_before = os.getloadavg()[0]
        live = launch_app(root)
        try:
            ws = live.workspace("default")
            fill_workspace(ws, n_pairs=args.pairs, n_docs=4)
            figures = run_load(live.url, ws, Path(tmp), seconds=args.seconds, editors=args.editors)
        finally:
            live.demo.close()
    errors = figures.pop("errors")
    lost = figures.pop("lost_updates")
    figures.update(error_count=len(errors), errors_sample=errors[:5], lost_update_count=len(lost),
                   pairs_at_start=args.pairs, cpu_count=os.cpu_count(),
                   # other processes on the machine: latency figures are only comparable at a similar load
                   load_average_1m_before=round(load_before, 2), load_average_1m_after=round(os.getloadavg()[0], 2))
    from benchmarks._results import write_result

    dest = write_result("soak", figures, ("python benchmarks/soak.py " + " ".join(sys.argv[1:])).strip())
    print(json.dumps(figures, indent=2))
    print(f"wrote {dest}")
    ok = not errors and not lost and figures["shared_lost_updates"] == 0 and figures["integrity"] == "ok"
    print("soak: ok" if ok else "soak: FAILED (errors or lost updates above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
