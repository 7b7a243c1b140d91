"""Bulk actions on a filtered view and the undo log (table ``actions``).

Every change the review makes (a cell edit, a bulk keep/reject/move/delete, an import, a duplicate
resolution) is recorded with the values it replaced and the row versions it produced. Undo restores
those values only where the row is still at that version: a row edited since (another tab, a later
action) is left alone and reported, so undo never silently overwrites newer work.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..workspace import PairFilter, Workspace, now_iso
from .errors import DatasetError

UNDO_DEPTH = 20
# action name -> (field, value) it sets, or None for delete
ACTIONS: dict[str, tuple[str, str] | None] = {
    "keep": ("status", "kept"),
    "reject": ("status", "rejected"),
    "pending": ("status", "pending"),
    "train": ("split", "train"),
    "val": ("split", "val"),
    "heldout": ("split", "heldout"),
    "delete": None,
}


@dataclass
class ActionResult:
    action: str
    count: int
    action_id: int | None
    message: str


@dataclass
class UndoResult:
    label: str
    restored: int
    skipped: list[int] = field(default_factory=list)
    message: str = ""


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _table_columns(ws: Workspace) -> list[str]:
    return [r[1] for r in ws.conn.execute("PRAGMA table_info(qa_pairs)")]


def current_rows(ws: Workspace, ids: list[int], columns: Iterable[str] = ("*",)) -> dict[int, dict]:
    """Raw ``qa_pairs`` rows (no joins) by id."""
    cols = ", ".join(["id", *[c for c in columns if c != "id"]]) if "*" not in columns else "*"
    out: dict[int, dict] = {}
    for part in _chunks([int(i) for i in ids]):
        q = f"SELECT {cols} FROM qa_pairs WHERE id IN ({', '.join('?' * len(part))})"
        for row in ws.conn.execute(q, part):
            out[int(row["id"])] = dict(row)
    return out


def record_action(
    ws: Workspace,
    kind: str,
    label: str,
    changed: dict[int, dict] | None = None,
    added: Iterable[int] = (),
    deleted: Iterable[dict] = (),
    prev_versions: dict[int, int] | None = None,
) -> int:
    """Log an action. ``changed`` maps pair id -> the field values it had before; versions are read now.

    ``prev_versions`` are the versions before the action (default: one less than now, as every
    workspace update bumps the version once); undo uses them to keep older log entries valid.
    """
    changed = changed or {}
    added = [int(i) for i in added]
    versions = {i: r["version"] for i, r in current_rows(ws, list(changed) + added, ("version",)).items()}
    prev_versions = prev_versions or {}
    payload = {
        "label": label,
        "changed": {
            str(i): {"before": before, "version": versions.get(int(i)),
                     "prev": prev_versions.get(int(i), (versions.get(int(i)) or 1) - 1)}
            for i, before in changed.items()
        },
        "added": {str(i): versions.get(i) for i in added},
        "deleted": list(deleted),
    }
    with ws.transaction() as c:
        cur = c.execute(
            "INSERT INTO actions(ts, action, payload_json) VALUES (?, ?, ?)",
            (now_iso(), kind, json.dumps(payload, default=str)),
        )
        c.execute(
            "DELETE FROM actions WHERE id NOT IN (SELECT id FROM actions ORDER BY id DESC LIMIT ?)", (UNDO_DEPTH,)
        )
        return int(cur.lastrowid)


def list_actions(ws: Workspace, limit: int = UNDO_DEPTH) -> list[dict[str, Any]]:
    """The undo log, newest first: id, ts, kind, label."""
    rows = ws.conn.execute("SELECT id, ts, action, payload_json FROM actions ORDER BY id DESC LIMIT ?", (limit,))
    out = []
    for r in rows:
        try:
            label = json.loads(r["payload_json"]).get("label", r["action"])
        except (ValueError, AttributeError):
            label = r["action"]
        out.append({"id": r["id"], "ts": r["ts"], "kind": r["action"], "label": label})
    return out


def bulk_action(ws: Workspace, action: str, flt: PairFilter | None = None, ids: list[int] | None = None) -> ActionResult:
    """Apply ``action`` (keep, reject, pending, train, val, heldout, delete) to the filtered view or to ``ids``."""
    if action not in ACTIONS:
        raise DatasetError(f"unknown action {action!r}: use one of {', '.join(ACTIONS)}")
    flt = PairFilter(ids=list(ids)) if ids is not None else (flt or PairFilter())
    where, args = flt.where()
    target = ACTIONS[action]
    with ws.transaction() as c:
        if target is None:
            rows = [dict(r) for r in c.execute(f"SELECT p.* FROM qa_pairs p{where}", args)]
            if not rows:
                return ActionResult(action, 0, None, "no pairs in this view: nothing deleted")
            count = ws.delete_pairs([r["id"] for r in rows])
            label = f"delete {count} pairs"
            action_id = record_action(ws, f"bulk:{action}", label, deleted=rows)
        else:
            col, value = target
            joiner = " AND" if where else " WHERE"
            sql = f"SELECT p.id, p.{col} FROM qa_pairs p{where}{joiner} p.{col} != ?"
            rows = [dict(r) for r in c.execute(sql, (*args, value))]
            if not rows:
                return ActionResult(action, 0, None, f"every pair in this view already has {col} {value}")
            count = ws.bulk_update_pairs([r["id"] for r in rows], **{col: value})
            label = f"{col} -> {value} for {count} pairs"
            action_id = record_action(ws, f"bulk:{action}", label, changed={r["id"]: {col: r[col]} for r in rows})
    return ActionResult(action, count, action_id, label)


def undo_last(ws: Workspace) -> UndoResult:
    """Undo the newest logged action; rows changed since are skipped and reported."""
    row = ws.conn.execute("SELECT id, action, payload_json FROM actions ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        return UndoResult("", 0, message="nothing to undo")
    payload = json.loads(row["payload_json"])
    label = payload.get("label", row["action"])
    restored, skipped = 0, []
    remap: dict[str, tuple[int, int]] = {}  # id -> (version before the action, version after the undo)
    ts = now_iso()
    with ws.transaction() as c:
        for sid, entry in payload.get("changed", {}).items():
            before = entry["before"]
            sets = ", ".join(f"{k} = ?" for k in before)
            n = c.execute(
                f"UPDATE qa_pairs SET {sets}, edited_at = ?, version = version + 1 WHERE id = ? AND version = ?",
                (*before.values(), ts, int(sid), entry["version"]),
            ).rowcount
            restored += n
            if not n:
                skipped.append(int(sid))
            elif entry.get("prev") is not None:
                remap[sid] = (int(entry["prev"]), int(entry["version"]) + 1)
        for sid, version in payload.get("added", {}).items():
            n = c.execute("DELETE FROM qa_pairs WHERE id = ? AND version = ?", (int(sid), version)).rowcount
            restored += n
            if not n:
                skipped.append(int(sid))
        deleted = payload.get("deleted", [])
        if deleted:
            cols = [k for k in _table_columns(ws) if k in deleted[0]]
            for r in deleted:
                exists = c.execute("SELECT 1 FROM qa_pairs WHERE id = ?", (r["id"],)).fetchone()
                use = cols if not exists else [k for k in cols if k != "id"]  # id reused: restore under a new id
                c.execute(
                    f"INSERT INTO qa_pairs({', '.join(use)}) VALUES ({', '.join('?' * len(use))})",
                    [r[k] for k in use],
                )
                restored += 1
        c.execute("DELETE FROM actions WHERE id = ?", (row["id"],))
        if remap:
            _remap_versions(c, remap)
    msg = f"undone: {label} ({restored} pairs restored"
    msg += f"; {len(skipped)} changed since and left as they are)" if skipped else ")"
    return UndoResult(label, restored, skipped, msg)


def _remap_versions(c, remap: dict[str, tuple[int, int]]) -> None:
    """After an undo, the rows it restored carry a new version with the content they had before the action:
    older log entries that expected the old version now expect the new one (so undo can go on)."""
    for row in c.execute("SELECT id, payload_json FROM actions ORDER BY id DESC").fetchall():
        payload = json.loads(row["payload_json"])
        dirty = False
        for sid, entry in payload.get("changed", {}).items():
            if sid in remap and entry.get("version") == remap[sid][0]:
                entry["version"] = remap[sid][1]
                dirty = True
        for sid, version in payload.get("added", {}).items():
            if sid in remap and version == remap[sid][0]:
                payload["added"][sid] = remap[sid][1]
                dirty = True
        if dirty:
            c.execute("UPDATE actions SET payload_json = ? WHERE id = ?", (json.dumps(payload, default=str), row["id"]))
