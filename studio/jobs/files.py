"""The files of a run folder: ``job.json``, ``config.yaml``, ``status.json``, ``events.jsonl``, ``exit.json``.

Events are appended one JSON object per line (a reader never sees half a line: it stops at the last
newline); ``status.json`` is replaced atomically, so a reader always sees a whole file.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import yaml

JOB_FILE = "job.json"
CONFIG_FILE = "config.yaml"
STATUS_FILE = "status.json"
EVENTS_FILE = "events.jsonl"
EXIT_FILE = "exit.json"
STOP_FILE = "STOP"
LOG_FILE = "worker.log"

ACTIVE_STATES = ("queued", "running", "stopping")
FINAL_STATES = ("completed", "failed", "stopped", "killed")


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, default=str, ensure_ascii=False))
    os.replace(tmp, path)


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return None


def append_event(run_dir: Path, event: dict[str, Any]) -> dict[str, Any]:
    event = {"ts": round(time.time(), 3), **event}
    line = json.dumps(event, default=str, ensure_ascii=False) + "\n"
    fd = os.open(run_dir / EVENTS_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)
    return event


def read_events(run_dir: Path, offset: int = 0, types: set[str] | None = None) -> tuple[list[dict], int]:
    """Events written after byte ``offset``; returns them and the offset to read from next time."""
    path = Path(run_dir) / EVENTS_FILE
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            data = fh.read()
    except FileNotFoundError:
        return [], offset
    end = data.rfind(b"\n")
    if end < 0:
        return [], offset
    events = []
    for raw in data[: end + 1].splitlines():
        try:
            event = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if types is None or event.get("type") in types:
            events.append(event)
    return events, offset + end + 1


def write_config(run_dir: Path, config: dict[str, Any]) -> None:
    (run_dir / CONFIG_FILE).write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))


def read_config(run_dir: Path) -> dict[str, Any]:
    path = run_dir / CONFIG_FILE
    return (yaml.safe_load(path.read_text()) or {}) if path.exists() else {}
