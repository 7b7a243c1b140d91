"""HTML reading under hostile nesting: seconds, peak memory and outcome per page, each in its own process.

Pages (built here): one tag nested inside itself to 1, 5 and 57 MB (<div> and <b>); 50 MB of stray end
tags under 500 open ones (libxml2 scans its open-element stack for each, so this is the slow case the
time budget guards); and a 20 MB ordinary page (a Sphinx-like section repeated) for throughput.
``--code PATH`` reads the pages with another checkout's loaders (e.g. the commit before the streaming
reader, via ``git worktree add``) for the before/after figures; such a run gets a memory cap
(``--mem-cap-gb``) and a timeout so it cannot exhaust a shared machine. Writes
``benchmarks/results/ingest_nested.json`` (or ``ingest_nested_<label>.json`` with ``--label``).

Run: .venv/bin/python benchmarks/ingest_nested.py [--cases div1,div5,...] [--code PATH --label before]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from studio.ingest.config import IngestConfig
from studio.ingest.loaders import load
started = time.perf_counter()
try:
    out = load("html", Path(sys.argv[2]), IngestConfig())
    outcome = f"read: {len(out.blocks)} blocks"
except Exception as exc:
    outcome = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
print(json.dumps({"seconds": round(time.perf_counter() - started, 3), "outcome": outcome,
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
"""


def build(case: str, folder: Path) -> Path:
    from tests.fixtures.furniture_docs import SPHINX_PAGE, nested_html
    from tests.fixtures.ingest_docs import fact_sentences

    path = folder / f"{case}.html"
    if case.startswith(("div", "b")):
        tag = "div" if case.startswith("div") else "b"
        path.write_text(nested_html(float(case[len(tag):]), tag))
    elif case == "stray50":
        n = (50 * 2**20) // 7
        path.write_text("<html><body>" + "<div>" * 500 + "x" + "</span>" * n + "</body></html>")
    elif case == "page20":
        s = fact_sentences(6, seed=1)
        page = SPHINX_PAGE.format(**{f"s{i}": x for i, x in enumerate(s)})
        head, body = page.split("<body>", 1)
        section = body.split('<div class="body" role="main">', 1)[1].split("</div></div></div>", 1)[0]
        reps = (20 * 2**20) // len(section)
        path.write_text(head + '<body><div class="body" role="main">' + section * reps + "</div></body></html>")
    else:
        raise SystemExit(f"unknown case {case!r}")
    return path


def run_case(path: Path, code: Path, timeout: float, mem_cap_gb: float | None) -> dict:
    def limit():
        if mem_cap_gb:
            cap = int(mem_cap_gb * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    started = time.perf_counter()
    try:
        res = subprocess.run([sys.executable, "-c", CHILD, str(code), str(path)], capture_output=True, text=True,
                             timeout=timeout, preexec_fn=limit)
    except subprocess.TimeoutExpired:
        return {"seconds": round(time.perf_counter() - started, 1), "outcome": f"still running after {timeout:g} s: killed",
                "peak_rss_mb": None}
    lines = res.stdout.strip().splitlines()
    if res.returncode != 0 or not lines:
        tail = (res.stderr.strip().splitlines() or ["?"])[-1][:200]
        return {"seconds": round(time.perf_counter() - started, 1), "outcome": f"crashed (exit {res.returncode}): {tail}",
                "peak_rss_mb": None}
    return json.loads(lines[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default="div1,b1,div5,div57,stray50,page20")
    ap.add_argument("--code", default=str(ROOT), help="checkout whose studio/ingest reads the pages")
    ap.add_argument("--label", default="", help="suffix of the results file (e.g. before)")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--mem-cap-gb", type=float, default=3.0, help="address-space cap of each reading process")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in args.cases.split(","):
            path = build(case, Path(tmp))
            row = {"case": case, "mb": round(path.stat().st_size / 2**20, 2),
                   **run_case(path, Path(args.code), args.timeout, args.mem_cap_gb)}
            rows.append(row)
            print(f"{case:8} {row['mb']:7.2f} MB  {row['seconds']:8.2f} s  peak RSS {row['peak_rss_mb']} MB  {row['outcome']}",
                  flush=True)
            path.unlink()
    commit = subprocess.run(["git", "-C", args.code, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    from importlib.metadata import version

    figures = {"code": args.code, "commit": commit, "lxml": version("lxml"), "timeout_s": args.timeout,
               "mem_cap_gb": args.mem_cap_gb, "cases": {row["case"]: row for row in rows}}
    from benchmarks._results import write_result

    dest = write_result(f"ingest_nested{'_' + args.label if args.label else ''}", figures,
                        ("python benchmarks/ingest_nested.py " + " ".join(sys.argv[1:])).strip())
    print(f"written: {dest.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
