"""PDF ingestion: our full ingest (extract + clean + chunk + language + commit) vs the raw extractor alone.

On the same multi-page PDF (built here with fpdf2: running header, page numbers, outline, numbered
sections, known sentences), in one run with alternating repetitions (best of each), it prints:
- pages/s of pypdfium2's plain text extraction alone, and of ``ingest_paths`` into a fresh workspace,
  and their ratio (goal >= 0.8);
- the share of known sentences found verbatim in the stored chunks (goal 100%);
- with ``--compare``: the same two figures for pypdf, the other kept extractor (why pypdfium2 was chosen);
- peak Python memory of the full ingest (tracemalloc), to show it stays bounded.
Wall-clock figures swing with other load on a shared 2-core machine; the CPU-time ratio (process
time of each side, all threads) is printed too and is the steadier one.

Run: .venv/bin/python benchmarks/ingest.py [--pages 400] [--reps 5] [--compare] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def build_pdf(folder: Path, pages: int) -> tuple[Path, Path, list[str]]:
    """A ``pages``-page PDF (copies of a 20-page document with unique sentences) and that document."""
    import pypdfium2 as pdfium

    from tests.fixtures.ingest_docs import make_long_pdf

    unit = min(20, pages)
    base, sentences = make_long_pdf(folder / "base.pdf", pages=unit)
    src = pdfium.PdfDocument(str(base))
    big = pdfium.PdfDocument.new()
    while len(big) < pages:
        big.import_pages(src, pages=list(range(min(unit, pages - len(big)))))
    big.save(str(folder / "big.pdf"))
    big.close()
    src.close()
    return folder / "big.pdf", base, sentences


def raw_pdfium(path: Path) -> tuple[int, str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    parts = []
    for i in range(len(doc)):
        page = doc[i]
        tp = page.get_textpage()
        parts.append(tp.get_text_range())
        tp.close()
        page.close()
    n = len(doc)
    doc.close()
    return n, "\n".join(parts)


def raw_pypdf(path: Path) -> tuple[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    parts = [page.extract_text() or "" for page in reader.pages]
    return len(reader.pages), "\n".join(parts)


def full_ingest(path: Path, work: Path) -> tuple[float, float, int, str]:
    """Wall and CPU seconds of ``ingest_paths`` alone (a fresh, already open workspace each time), pages, chunk text."""
    from studio.ingest import IngestConfig, ingest_paths
    from studio.workspace import Workspace

    ws_dir = work / "ws"
    if ws_dir.exists():
        shutil.rmtree(ws_dir)
    ws = Workspace.create(ws_dir)
    start, cpu = time.perf_counter(), time.process_time()
    [report] = ingest_paths(ws, [path], IngestConfig())
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if report.status == "error":
        raise SystemExit(f"ingest failed: {report.error}")
    text = "\n".join(c["text"] for c in ws.list_chunks(report.document_id))
    ws.close()
    return seconds, cpu, report.pages or 0, text


def recovered(sentences: list[str], text: str) -> float:
    flat = " ".join(text.split())
    return sum(s in flat for s in sentences) / len(sentences)


def timed(fn, *args) -> tuple[float, float, tuple]:
    start, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    return time.perf_counter() - start, time.process_time() - cpu, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=400)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--compare", action="store_true", help="also measure pypdf")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["STUDIO_HOME"] = str(work / "home")
        big, base, sentences = build_pdf(work, args.pages)
        from studio.ingest.lang import detect_language

        detect_language("warm up the language model once")  # loaded once per process, not per document
        full_ingest(base, work)  # warm imports
        raw_t, ours_t, pypdf_t, raw_cpu, ours_cpu = [], [], [], [], []
        for _ in range(args.reps):  # alternate so machine load hits both alike
            t, cpu, (pages, _) = timed(raw_pdfium, big)
            raw_t.append(t)
            raw_cpu.append(cpu)
            t, cpu, ours_pages, _ = full_ingest(big, work)
            ours_t.append(t)
            ours_cpu.append(cpu)
            if args.compare:
                t, _, _ = timed(raw_pypdf, big)
                pypdf_t.append(t)
        _, _, _, ours_text = full_ingest(base, work)
        _, raw_text = raw_pdfium(base)
        import tracemalloc

        tracemalloc.start()
        full_ingest(big, work)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        result = {
            "pages": pages,
            "raw_pypdfium2_pages_per_s": round(pages / min(raw_t), 1),
            "ingest_pages_per_s": round(ours_pages / min(ours_t), 1),
            "ratio": round(min(raw_t) / min(ours_t), 3),
            "ratio_median": round(sorted(raw_t)[len(raw_t) // 2] / sorted(ours_t)[len(ours_t) // 2], 3),
            "ratio_cpu_time": round(min(raw_cpu) / min(ours_cpu), 3),
            "goal_ratio": 0.8,
            "sentences": len(sentences),
            "verbatim_recovered_ingest": round(recovered(sentences, ours_text), 4),
            "verbatim_recovered_raw_pypdfium2": round(recovered(sentences, raw_text), 4),
            "ingest_peak_python_mb": round(peak / 2**20, 1),
        }
        if args.compare:
            _, pypdf_text = raw_pypdf(base)
            result["raw_pypdf_pages_per_s"] = round(pages / min(pypdf_t), 1)
            result["verbatim_recovered_raw_pypdf"] = round(recovered(sentences, pypdf_text), 4)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks._results import write_result

    write_result("ingest", {**result, "reps": args.reps, "load_average_1min": round(os.getloadavg()[0], 1)},
                 " ".join(["python benchmarks/ingest.py", *sys.argv[1:]]))
    if args.json:
        print(json.dumps(result))
    else:
        print(f"PDF of {result['pages']} pages, best of {args.reps} alternating runs")
        print(f"  pypdfium2 text extraction alone: {result['raw_pypdfium2_pages_per_s']:>8} pages/s")
        print(f"  full ingest (extract+clean+chunk+lang+commit): {result['ingest_pages_per_s']:>8} pages/s")
        print(f"  ratio ingest / raw extractor: {result['ratio']} (median runs {result['ratio_median']}; goal >= 0.8)")
        print(f"  same ratio in CPU time (steadier on a busy machine): {result['ratio_cpu_time']}")
        print(f"  known sentences recovered verbatim: {result['verbatim_recovered_ingest']:.1%} of {len(sentences)} "
              f"(raw pypdfium2 text: {result['verbatim_recovered_raw_pypdfium2']:.1%}; goal 100%)")
        print(f"  peak Python memory of the full ingest: {result['ingest_peak_python_mb']} MB")
        if args.compare:
            print(f"  pypdf text extraction alone: {result['raw_pypdf_pages_per_s']:>8} pages/s, "
                  f"sentences verbatim in its raw text: {result['verbatim_recovered_raw_pypdf']:.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
