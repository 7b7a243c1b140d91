"""What the furniture cleaner drops on real public documents that no one on this project wrote.

For each file (Sphinx HTML of the Python docs, texinfo HTML, Markdown READMEs from PyPI sdists, PDF manuals
from /usr/share/doc) it loads the document twice, without and with the cleaner, chunks both with the default
settings and prints: chunks kept, chunks dropped (raw chunks minus kept), characters dropped and their share,
the reasons, and a sample of the dropped passages to check by eye for false positives. The files are not
in the repo; ones missing on this machine are skipped and listed. Results go to
``benchmarks/results/clean_real.json`` (figures, command, date, machine, versions).

Where the files come from (Debian/Ubuntu):
  apt-get install -y python3.11-doc                 # /usr/share/doc/python3.11/html (Sphinx)
  libffi8, libtasn1-doc, shared-mime-info           # texinfo HTML and PDF manuals under /usr/share/doc
  pip download --no-deps --no-binary :all: fastapi==0.115.0 rich==13.9.2 httpx==0.27.2 -d SDISTS
  then extract each sdist's README.md under SDISTS

``--baseline PATH`` also reads every file with another checkout's loaders (e.g. the commit before the cleaner,
extracted with ``git archive``) and counts the same junk strings in its chunks, for a before/after figure.

Run: .venv/bin/python benchmarks/clean_real.py [--sdists /tmp/sdists] [--samples 8] [--show-all] [--baseline PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

PYDOC = Path("/usr/share/doc/python3.11/html")
FILES = [
    *(PYDOC / p for p in ("index.html", "tutorial/classes.html", "tutorial/errors.html", "library/functions.html",
                          "library/os.html", "library/json.html", "library/stdtypes.html", "howto/logging.html",
                          "faq/general.html", "whatsnew/3.11.html", "library/index.html", "reference/datamodel.html")),
    Path("/usr/share/doc/libffi8/html/The-Basics.html"),
    Path("/usr/share/doc/libffi8/html/Closure-Example.html"),
    Path("/usr/share/doc/base-passwd/users-and-groups.html"),
    Path("/usr/share/doc/libtasn1-doc/libtasn1.pdf"),
    Path("/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf"),
    Path("/usr/share/doc/git/README.md"),
    Path("/usr/share/doc/python3-yaml/README.md"),
]
# strings that should not survive in kept chunks (furniture the cleaner missed)
JUNK_LEFT = ("¶", "<a ", "href=", "<img", "<!--", "Previous topic", "Next topic", "Show Source", "Report a Bug",
             "shields.io", "Table of Contents", ". . . . .", ".....", "Skip to content", "Edit on GitHub")
SDIST_READMES = ("fastapi-0.115.0/README.md", "rich-13.9.2/README.md", "httpx-0.27.2/README.md")


def measure(path: Path, samples: int) -> dict:
    from studio.ingest import IngestConfig
    from studio.ingest.chunking import chunk_blocks
    from studio.ingest.loaders import load
    from studio.ingest.sniff import detect
    from studio.ingest.tokens import get_counter

    config = IngestConfig()
    counter, _ = get_counter(None)
    kind, _ = detect(path, path.name)
    started = time.perf_counter()
    clean = load(kind, path, config)
    seconds = time.perf_counter() - started
    kept = chunk_blocks(clean.blocks, counter, config.chunk_tokens, config.overlap_tokens).chunks
    junk = [d.block for d in clean.dropped]  # counted as the pipeline counts them (no overlap)
    dropped = chunk_blocks(junk, counter, config.chunk_tokens, 0).chunks if junk else []
    stats = clean.meta["dropped"]
    text = "\n".join(c["text"] for c in kept)
    left = {j: text.count(j) for j in JUNK_LEFT if j in text}
    shown = [{"reason": d.reason, "text": d.block.text[:160]} for d in clean.dropped]
    step = max(1, len(shown) // samples) if samples else 1
    return {
        "file": str(path), "kind": kind, "seconds": round(seconds, 3),
        "chunks_kept": len(kept), "chunks_dropped": len(dropped),
        "passages_dropped": stats["blocks"], "chars_dropped": stats["chars"], "share_dropped": stats["share"],
        "reasons": stats["reasons"], "junk_left_in_kept_chunks": left, "sample": shown[::step][:samples], "all_dropped": shown,
    }


BASELINE = r"""
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from studio.ingest.chunking import chunk_blocks
from studio.ingest.config import IngestConfig
from studio.ingest.loaders import load
from studio.ingest.sniff import detect
from studio.ingest.tokens import get_counter
junk = json.loads(sys.argv[2])
config, (counter, _) = IngestConfig(), get_counter(None)
out = {}
for f in sys.argv[3:]:
    kind, _ = detect(Path(f), Path(f).name)
    try:
        chunks = chunk_blocks(load(kind, Path(f), config).blocks, counter, config.chunk_tokens, config.overlap_tokens).chunks
    except Exception as exc:
        out[f] = {"error": f"{type(exc).__name__}: {str(exc)[:100]}"}
        continue
    text = "\n".join(c["text"] for c in chunks)
    out[f] = {"chunks": len(chunks), "junk_left": {j: text.count(j) for j in junk if j in text}}
print(json.dumps(out))
"""


def baseline(code: str, files: list[Path]) -> dict:
    import subprocess

    res = subprocess.run([sys.executable, "-c", BASELINE, code, json.dumps(JUNK_LEFT), *map(str, files)],
                         capture_output=True, text=True, timeout=900)
    if res.returncode != 0:
        raise SystemExit(f"baseline failed: {res.stderr.strip().splitlines()[-1:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sdists", default="/tmp/ing/sdists", help="folder with the extracted sdists")
    ap.add_argument("--samples", type=int, default=8)
    ap.add_argument("--show-all", action="store_true", help="print every dropped passage (to judge false positives)")
    ap.add_argument("--baseline", help="another checkout whose loaders read the same files (before/after)")
    args = ap.parse_args()
    files = FILES + [Path(args.sdists) / p for p in SDIST_READMES]
    rows, missing = [], [str(f) for f in files if not f.is_file()]
    for path in (f for f in files if f.is_file()):
        row = measure(path, args.samples)
        rows.append(row)
        print(f"\n{path} ({row['kind']}): {row['chunks_kept']} chunks kept, {row['chunks_dropped']} dropped; "
              f"{row['passages_dropped']} passages, {row['chars_dropped']:,} chars "
              f"({100 * row['share_dropped']:.1f}%) {row['reasons']}; junk left: {row['junk_left_in_kept_chunks'] or 'none'}")
        for s in row["all_dropped"] if args.show_all else row["sample"]:
            print(f"   - [{s['reason']}] {s['text'][:120]!r}")
    totals = Counter()
    for r in rows:
        totals.update({k: r[k] for k in ("chunks_kept", "chunks_dropped", "passages_dropped", "chars_dropped")})
        totals["junk_strings_left"] += sum(r["junk_left_in_kept_chunks"].values())
    if args.baseline:
        before = baseline(args.baseline, [Path(r["file"]) for r in rows])
        for r in rows:
            r["baseline"] = before.get(r["file"], {})
            totals["baseline_chunks"] += r["baseline"].get("chunks", 0)
            totals["baseline_junk_strings_left"] += sum(r["baseline"].get("junk_left", {}).values())
        print(f"baseline ({args.baseline}): {totals['baseline_chunks']} chunks, "
              f"{totals['baseline_junk_strings_left']} junk strings in them; now {totals['junk_strings_left']}")
    print(f"\n{len(rows)} documents: {totals['chunks_kept']} chunks kept, {totals['chunks_dropped']} dropped, "
          f"{totals['passages_dropped']} passages, {totals['chars_dropped']:,} characters")
    if missing:
        print("missing on this machine (skipped): " + ", ".join(missing))
    from importlib.metadata import version

    figures = {
        "baseline_code": args.baseline, "junk_strings": list(JUNK_LEFT), "totals": dict(totals),
        "documents": [{k: v for k, v in r.items() if k != "all_dropped"} for r in rows], "missing": missing,
        "parsers": {p: version(p) for p in ("lxml", "pypdfium2", "python-docx", "ebooklib")},
    }
    from benchmarks._results import write_result

    dest = write_result("clean_real", figures, ("python benchmarks/clean_real.py " + " ".join(sys.argv[1:])).strip())
    print(f"written: {dest.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
