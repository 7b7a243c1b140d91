"""Review table at 10,000 pairs: API round trip (gradio_client) of filter, page and edit-one-cell through the
running studio, vs the same actions when the whole table is sent each time; both in the same run.

The studio side calls the Review tab's named endpoints (``/review_query``, ``/review_edit``): each answer
carries one page (100 rows). The "whole table" side is a second app in the same process whose events take
and return a ``gr.Dataframe`` of every matching row (what an app without server-side paging does): filter
returns all matches, paging resends all 10,000 rows, and an edit uploads the whole table and gets it back.
Actions alternate between the two apps so machine load hits both alike. Prints medians in ms and ratios
(goal: each studio action < 300 ms).

Run: .venv/bin/python benchmarks/review.py [--pairs 10000] [--reps 15] [--json]
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
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _studio(root: Path):
    from studio.config import AppConfig
    from studio.ui.context import AppContext
    from studio.ui.layout import build_app

    demo = build_app(AppContext(config=AppConfig(data_dir=str(root)), root=root))
    demo.queue(default_concurrency_limit=4)
    port = _free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True)
    return demo, f"http://127.0.0.1:{port}/"


def _whole_table_app(ws):
    """The same engine, but every event sends the whole (filtered) table."""
    import gradio as gr

    from studio.dataset.view import DATATYPES, HEADERS, pair_to_row
    from studio.workspace import PairFilter

    def all_rows(search: str = ""):
        return {"headers": HEADERS, "data": [pair_to_row(p) for p in ws.iter_pairs(PairFilter(search=search or ""))]}

    def whole_filter(search):
        return all_rows(search)

    def whole_page(page):
        return all_rows()  # no server paging: the whole table again

    def whole_edit(table, row, col, value):
        data = table.values.tolist() if hasattr(table, "values") else table["data"]
        pair_id = int(data[int(row)][0])
        ws.update_pair(pair_id, **{HEADERS[int(col)]: value})
        return all_rows()

    with gr.Blocks(analytics_enabled=False) as demo:
        search, page, row, col, value = gr.Textbox(), gr.Number(), gr.Number(), gr.Number(), gr.Textbox()
        table = gr.Dataframe(headers=HEADERS, datatype=DATATYPES, interactive=True)
        gr.Button("f").click(whole_filter, search, table, api_name="whole_filter")
        gr.Button("p").click(whole_page, page, table, api_name="whole_page")
        gr.Button("e").click(whole_edit, [table, row, col, value], table, api_name="whole_edit")
    demo.queue(default_concurrency_limit=4)
    port = _free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True)
    return demo, f"http://127.0.0.1:{port}/"


def _ms(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _serve(kind: str, root: Path, port_file: Path) -> int:
    """Child process: run one app until killed (each app gets its own process, so neither slows the other)."""
    os.environ["STUDIO_HOME"] = str(root)
    if kind == "studio":
        demo, url = _studio(root)
    else:
        from studio.workspace import Workspace

        demo, url = _whole_table_app(Workspace.open(root / "workspaces" / "default"))
    port_file.write_text(url)
    while True:
        time.sleep(3600)


def _spawn(kind: str, root: Path):
    import subprocess
    import urllib.request

    port_file = root.parent / f"{kind}.url"
    proc = subprocess.Popen([sys.executable, __file__, "--serve", kind, "--root", str(root), "--port-file", str(port_file)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 180
    while time.time() < deadline:
        if port_file.exists() and port_file.read_text():
            url = port_file.read_text()
            try:
                urllib.request.urlopen(url, timeout=5).read(100)
                return proc, url
            except OSError:
                pass
        if proc.poll() is not None:
            raise SystemExit(f"the {kind} app did not start")
        time.sleep(0.5)
    proc.kill()
    raise SystemExit(f"the {kind} app did not start in 180 s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=10_000)
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--serve", choices=("studio", "whole"), help=argparse.SUPPRESS)
    ap.add_argument("--root", help=argparse.SUPPRESS)
    ap.add_argument("--port-file", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        return _serve(args.serve, Path(args.root), Path(args.port_file))

    root = Path(tempfile.mkdtemp(prefix="bench-review-")) / "home"
    os.environ["STUDIO_HOME"] = str(root)
    from gradio_client import Client

    from tests.fixtures.review_fixtures import big_workspace

    big_workspace(root / "workspaces" / "default", args.pairs).close()
    (studio, studio_url), (whole, whole_url) = _spawn("studio", root), _spawn("whole", root)
    sc, wc = Client(studio_url, verbose=False), Client(whole_url, verbose=False)
    searches = ["bridge", "harbour", "mill", "canal", "market"]
    times: dict[str, dict[str, list[float]]] = {a: {"studio": [], "whole": []} for a in ("filter", "page", "edit")}
    sizes: dict[str, dict[str, int]] = {a: {} for a in times}

    # warm up both (first call pays connection setup)
    sc.predict(workspace="default", api_name="/review_query")
    wc.predict("", api_name="/whole_filter")
    whole_table = wc.predict(0, api_name="/whole_page")
    for i in range(args.reps):
        q = searches[i % len(searches)]
        out = {}
        times["filter"]["studio"].append(_ms(lambda: out.setdefault(
            "f", sc.predict(workspace="default", search=q, api_name="/review_query"))))
        times["filter"]["whole"].append(_ms(lambda: out.setdefault("wf", wc.predict(q, api_name="/whole_filter"))))
        times["page"]["studio"].append(_ms(lambda: out.setdefault(
            "p", sc.predict(workspace="default", page=(i * 7) % 100, api_name="/review_query"))))
        times["page"]["whole"].append(_ms(lambda: out.setdefault("wp", wc.predict(i, api_name="/whole_page"))))
        pid, ver = out["p"]["state"]["ids"][i % 100], out["p"]["state"]["versions"][i % 100]
        times["edit"]["studio"].append(_ms(lambda: out.setdefault(
            "e", sc.predict("default", pid, ver, "answer", f"Edited answer {i}.", api_name="/review_edit"))))
        assert out["e"]["ok"], out["e"]
        times["edit"]["whole"].append(_ms(lambda: out.setdefault(
            "we", wc.predict(whole_table, i % 100, 3, f"Whole edit {i}.", api_name="/whole_edit"))))
        sizes["filter"] = {"studio": len(out["f"]["data"]), "whole": len(out["wf"]["data"])}
        sizes["page"] = {"studio": len(out["p"]["data"]), "whole": len(out["wp"]["data"])}
        sizes["edit"] = {"studio": 1, "whole": len(out["we"]["data"])}
    studio.kill()
    whole.kill()

    result = {"pairs": args.pairs, "reps": args.reps, "actions": {}}
    for action, t in times.items():
        s, w = statistics.median(t["studio"]), statistics.median(t["whole"])
        result["actions"][action] = {"studio_ms": round(s, 1), "whole_table_ms": round(w, 1), "ratio": round(w / s, 1),
                                     "rows_sent": sizes[action], "goal_met": s < 300}
    from benchmarks._results import write_result

    write_result("review", {**result, "load_average_1min": round(os.getloadavg()[0], 1)},
                 " ".join(["python benchmarks/review.py", *sys.argv[1:]]))
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"review table, {args.pairs} pairs, {args.reps} reps, median API round trip (gradio_client):")
    print(f"{'action':<8} {'studio (1 page)':>16} {'whole table':>12} {'ratio':>7}  rows sent (studio / whole)")
    for action, r in result["actions"].items():
        print(f"{action:<8} {r['studio_ms']:>13.1f} ms {r['whole_table_ms']:>9.1f} ms {r['ratio']:>6.1f}x  "
              f"{r['rows_sent']['studio']} / {r['rows_sent']['whole']}  {'< 300 ms' if r['goal_met'] else 'OVER 300 ms'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
