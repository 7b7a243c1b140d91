"""Time to first page served: `python app.py` vs a bare Gradio hello-world app, same run, several repetitions.

Prints each median and the ratio (goal <= 1.5). Run: .venv/bin/python benchmarks/startup.py [--reps N]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HELLO = """
import gradio as gr
with gr.Blocks(analytics_enabled=False) as demo:
    gr.Markdown("hello")
demo.launch(server_name="127.0.0.1", server_port={port})
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def time_to_first_page(cmd: list[str], port: int, env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd} exited early")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    if r.status == 200 and b"<html" in r.read(2000).lower():
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="studio-bench-")
    env = {**os.environ, "STUDIO_HOME": home, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONPATH": str(ROOT)}
    hello = Path(home) / "hello.py"
    studio, bare = [], []
    for _ in range(args.reps):  # interleaved, so load on the machine hits both alike
        port = free_port()
        hello.write_text(HELLO.format(port=port))
        bare.append(time_to_first_page([sys.executable, str(hello)], port, env))
        port = free_port()
        studio.append(time_to_first_page([sys.executable, "app.py", "--port", str(port)], port, env))
    s, b = statistics.median(studio), statistics.median(bare)
    print(f"studio app.py  first page: median {s:.2f} s (min {min(studio):.2f}, max {max(studio):.2f})")
    print(f"gradio hello   first page: median {b:.2f} s (min {min(bare):.2f}, max {max(bare):.2f})")
    print(f"ratio studio/hello: {s / b:.2f} (goal <= 1.5)")
    sys.path.insert(0, str(ROOT))
    from benchmarks._results import write_result

    write_result("startup", {"studio_median_s": round(s, 2), "hello_median_s": round(b, 2), "ratio": round(s / b, 2),
                             "goal_max_ratio": 1.5, "reps": args.reps, "load_average_1min": round(os.getloadavg()[0], 1)},
                 " ".join(["python benchmarks/startup.py", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
