"""An OpenAI-compatible local endpoint for base + adapter: ``transformers serve`` pinned to the merged folder.

The studio ships no server of its own: transformers' (FastAPI + uvicorn, ``transformers[serving]``) answers
``/v1/chat/completions``, ``/v1/completions`` and ``/v1/models``. The adapter is merged once (``RUN/merged``,
reused while the adapter is unchanged) and the server is pinned to that folder, so the model name clients send
is the folder's absolute path. On a GPU machine vLLM can serve the adapter unmerged instead (``--enable-lora``).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ..config import Config, check, help_field


@dataclass
class ServeOptions(Config):
    host: str = help_field("127.0.0.1", "address to listen on (loopback: only this machine)")
    port: int = help_field(8000, "port to listen on")
    device: str = help_field("auto", "device: auto, cpu, cuda:0, ...")
    merged_dir: str | None = help_field(None, "merged model folder (default: RUN/merged, merged if needed)")

    def validate(self) -> None:
        check(1 <= int(self.port) <= 65535, f"port must be between 1 and 65535, not {self.port}")
        check(bool(self.host.strip()), "host is empty")


def transformers_cli() -> list[str]:
    script = Path(sys.executable).with_name("transformers")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from transformers.cli.transformers import main; main()"]


def serve_command(merged_dir: str | Path, opts: ServeOptions) -> list[str]:
    return transformers_cli() + ["serve", str(Path(merged_dir).resolve()), "--host", opts.host, "--port",
                                 str(int(opts.port)), "--device", opts.device]


def endpoint(merged_dir: str | Path, opts: ServeOptions) -> dict:
    """The base URL and model name clients use (an OpenAI client: ``OpenAI(base_url=..., api_key="none")``)."""
    host = "127.0.0.1" if opts.host in ("0.0.0.0", "::") else opts.host
    return {"base_url": f"http://{host}:{int(opts.port)}/v1", "model": str(Path(merged_dir).resolve())}


def cli_hint(run_label: str = "RUN") -> str:
    """The command the Export tab shows (the UI never starts a server)."""
    return f"python -m studio serve {shlex.quote(run_label)} --port 8000"


def run_server(merged_dir: str | Path, opts: ServeOptions) -> int:
    """Run ``transformers serve`` in the foreground until it stops (Ctrl-C). On POSIX this process becomes the
    server (exec), so a signal to it reaches the server and nothing is left behind; elsewhere it waits on a child."""
    cmd = serve_command(merged_dir, opts)
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        os.execv(cmd[0], cmd)
    proc = subprocess.Popen(cmd)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        raise
