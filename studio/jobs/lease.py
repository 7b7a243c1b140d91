"""A first-come, first-served lease with a fixed capacity (one GPU; a bounded number of generation jobs).

Each waiting or holding job owns a ticket file ``<ns>-<run_id>.json`` (with its pid and start time) in the
lease folder; the oldest ``capacity`` live tickets hold the lease. A ticket whose process is gone is
removed, so a killed job never blocks the queue.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Callable

from .process import process_alive, process_start_time


class Lease:
    def __init__(self, folder: Path, capacity: int = 1):
        self.folder = Path(folder)
        self.capacity = max(1, int(capacity))
        self.folder.mkdir(parents=True, exist_ok=True)

    def _tickets(self) -> list[Path]:
        live = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                info = json.loads(path.read_text())
            except (OSError, json.JSONDecodeError):
                continue
            if process_alive(info.get("pid"), info.get("start_time")):
                live.append(path)
            else:
                path.unlink(missing_ok=True)
        return live

    def position(self, ticket: Path) -> int:
        """0 when holding the lease, else 1-based place in the queue."""
        tickets = self._tickets()
        if ticket not in tickets:
            return -1
        index = tickets.index(ticket)
        return 0 if index < self.capacity else index - self.capacity + 1

    def take_ticket(self, run_id: str, submitted_at: float | None = None) -> Path:
        """A place in the queue, ordered by submission time (workers may start in any order)."""
        pid = os.getpid()
        order = int(submitted_at * 1e9) if submitted_at else time.time_ns()
        ticket = self.folder / f"{order:020d}-{run_id}.json"
        ticket.write_text(json.dumps({"run_id": run_id, "pid": pid, "start_time": process_start_time(pid)}))
        return ticket

    def wait(self, ticket: Path, on_wait: Callable[[int], None] | None = None, should_stop: Callable[[], bool] | None = None, poll_s: float = 1.0) -> bool:
        """Block until ``ticket`` holds the lease (True) or ``should_stop`` says so (False)."""
        last = None
        while True:
            pos = self.position(ticket)
            if pos == 0:
                return True
            if pos < 0:  # ticket vanished (folder cleaned): take a new place at the end
                ticket.write_text(json.dumps({"run_id": ticket.stem, "pid": os.getpid(), "start_time": process_start_time(os.getpid())}))
                continue
            if on_wait and pos != last:
                on_wait(pos)
                last = pos
            if should_stop and should_stop():
                return False
            time.sleep(poll_s)

    @staticmethod
    def release(ticket: Path | None) -> None:
        if ticket:
            ticket.unlink(missing_ok=True)

    def queue(self) -> list[str]:
        return [p.stem.split("-", 1)[1] for p in self._tickets()]
