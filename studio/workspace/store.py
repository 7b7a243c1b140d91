"""The workspace: one folder with ``workspace.db`` (SQLite, WAL), ``documents/`` and ``runs/``.

Documents, chunks, runs and settings live here; QA pairs in :mod:`studio.workspace.pairs`.
Every write is its own committed transaction, so a crash loses at most the item in flight. A stored document is
copied under a temporary name in ``.staging/`` and renamed into place only after its row commits; opening
the workspace sweeps what a killed process left (a staged copy with no row, a file no row names) and finishes a
rename the kill interrupted.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from ..paths import StudioPathError, check_workspace_name, safe_filename, shorten
from .db import ConnectionPool, WorkspaceError, migrate
from .pairs import PairsMixin

DB_NAME = "workspace.db"
STAGING = ".staging"
ORPHAN_GRACE_S = 60.0  # a file younger than this is never swept (another process may be renaming it in)
_swept: set[str] = set()
_swept_lock = threading.Lock()


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _row(row) -> dict[str, Any] | None:
    return dict(row) if row is not None else None


class Workspace(PairsMixin):
    """A named workspace folder. Open with :meth:`open` or :meth:`create`."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.name = self.path.name
        self.db_path = self.path / DB_NAME
        self._pool = ConnectionPool(self.db_path)

    # ---- lifecycle -------------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path, exist_ok: bool = False) -> "Workspace":
        path = Path(path)
        check_workspace_name(path.name)
        if (path / DB_NAME).exists() and not exist_ok:
            raise WorkspaceError(f"workspace {path.name!r} already exists")
        try:
            for sub in ("", "documents", "runs"):
                (path / sub).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkspaceError(f"cannot create workspace folder {path}: {exc.strerror or exc}") from None
        ws = cls(path)
        migrate(ws.conn)
        ws.set_setting("created_at", ws.get_setting("created_at") or now_iso())
        return ws

    @classmethod
    def open(cls, path: Path, create: bool = False) -> "Workspace":
        path = Path(path)
        try:
            exists = (path / DB_NAME).is_file()
        except OSError:  # a name too long for the file system is no workspace either
            exists = False
        if not exists:
            if create:
                return cls.create(path, exist_ok=True)
            raise WorkspaceError(
                f"unknown workspace {shorten(path.name)!r} (looked in {shorten(str(path.parent), 80)}); create it "
                f"with: python -m studio workspace create {shorten(path.name)}"
            )
        ws = cls(path)
        migrate(ws.conn)
        key = str(path.resolve())
        with _swept_lock:
            first = key not in _swept
            _swept.add(key)
        if first:  # once per process: what a killed ingest left behind
            try:
                ws.sweep_files()
            except OSError:
                pass
        return ws

    @property
    def conn(self):
        return self._pool.get()

    def transaction(self):
        return self._pool.transaction()

    def close(self) -> None:
        self._pool.close()

    def delete(self) -> None:
        self.close()
        shutil.rmtree(self.path)

    @property
    def documents_dir(self) -> Path:
        return self.path / "documents"

    @property
    def runs_dir(self) -> Path:
        return self.path / "runs"

    # ---- settings --------------------------------------------------------------------------
    def get_setting(self, key: str, default: Any = None) -> Any:
        row = self.conn.execute("SELECT value_json FROM settings WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set_setting(self, key: str, value: Any) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT INTO settings(key, value_json) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json",
                (key, json.dumps(value)),
            )

    # ---- documents -------------------------------------------------------------------------
    def store_file(self, source: Path, name: str) -> Path:
        """Copy a file into ``documents/`` under a sanitised, unique name at once (no row: prefer :meth:`stage_file`)."""
        target = self.file_target(name)
        tmp = self.stage_file(source, "direct")
        os.replace(tmp, target)
        return target

    def stage_file(self, source: Path, sha256: str) -> Path:
        """Copy an upload to a temporary name in ``.staging/`` (same disk); :meth:`place_file` renames it into place
        once the document's row has committed, so a kill in between leaves nothing the sweep cannot clean."""
        staging = self.path / STAGING
        staging.mkdir(parents=True, exist_ok=True)
        tmp = staging / f"{sha256}.{os.getpid()}.{secrets.token_hex(3)}.part"
        try:
            shutil.copyfile(source, tmp)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp

    def file_target(self, name: str) -> Path:
        """A free, sanitised name in ``documents/`` (not on disk and not named by any row). Call it inside the
        transaction that adds the row, so two ingests never pick the same name."""
        clean = safe_filename(name)
        target = self.documents_dir / clean
        stem, suffix = target.stem, target.suffix
        n = 1
        while target.exists() or self.conn.execute(
                "SELECT 1 FROM documents WHERE stored_path = ?", (str(target),)).fetchone():
            target = self.documents_dir / f"{stem}-{n}{suffix}"
            n += 1
        if target.resolve().parent != self.documents_dir.resolve():
            raise StudioPathError(f"refusing to store {name!r} outside the workspace")
        return target

    def place_file(self, tmp: Path, target: Path) -> None:
        """Rename a staged copy to the name its committed row holds (a sweep may have done it already)."""
        try:
            os.replace(tmp, target)
        except FileNotFoundError:
            if not target.is_file():
                raise

    def sweep_files(self) -> dict[str, int]:
        """Clean up after a killed ingest: finish the rename of a staged copy whose row committed, delete a staged
        copy whose row never did (its process is gone), delete a stored file no row names. Returns the counts."""
        done = {"placed": 0, "removed": 0, "orphans": 0}
        staging = self.path / STAGING
        if staging.is_dir():
            for part in staging.glob("*.part"):
                sha, _, rest = part.name.partition(".")
                pid = rest.split(".", 1)[0]
                if pid.isdigit() and _alive(int(pid)):
                    continue  # an ingest in flight (another process or thread)
                row = self.find_document_by_hash(sha)
                target = Path(row["stored_path"]) if row and row.get("stored_path") else None
                if target is not None and not target.exists() and target.parent.resolve() == self.documents_dir.resolve():
                    os.replace(part, target)
                    done["placed"] += 1
                else:
                    part.unlink(missing_ok=True)
                    done["removed"] += 1
        if self.documents_dir.is_dir():
            named = {Path(r[0]).name for r in self.conn.execute("SELECT stored_path FROM documents WHERE stored_path IS NOT NULL")}
            cutoff = time.time() - ORPHAN_GRACE_S
            for f in self.documents_dir.iterdir():
                if f.is_file() and f.name not in named and f.stat().st_mtime < cutoff:
                    f.unlink(missing_ok=True)
                    done["orphans"] += 1
        return done

    def find_document_by_hash(self, sha256: str) -> dict | None:
        return _row(self.conn.execute("SELECT * FROM documents WHERE sha256 = ?", (sha256,)).fetchone())

    def add_document(self, name: str, sha256: str, **fields: Any) -> int:
        cols = {"name": name, "sha256": sha256, "added_at": now_iso(), **_encode(fields)}
        with self.transaction() as c:
            cur = c.execute(
                f"INSERT INTO documents({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", tuple(cols.values())
            )
            return int(cur.lastrowid)

    def update_document(self, doc_id: int, **fields: Any) -> None:
        if not fields:
            return
        enc = _encode(fields)
        with self.transaction() as c:
            c.execute(
                f"UPDATE documents SET {', '.join(f'{k} = ?' for k in enc)} WHERE id = ?", (*enc.values(), doc_id)
            )

    def get_document(self, doc_id: int) -> dict | None:
        return _row(self.conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone())

    def find_document(self, name_or_id: str | int) -> dict | None:
        if isinstance(name_or_id, int) or str(name_or_id).isdigit():
            doc = self.get_document(int(name_or_id))
            if doc:
                return doc
        return _row(self.conn.execute("SELECT * FROM documents WHERE name = ? ORDER BY id", (str(name_or_id),)).fetchone())

    def list_documents(self) -> list[dict]:
        rows = self.conn.execute(
            "SELECT d.*, (SELECT COUNT(*) FROM chunks c WHERE c.document_id = d.id) AS chunk_count "
            "FROM documents d ORDER BY d.id"
        ).fetchall()
        return [dict(r) for r in rows]

    def delete_document(self, doc_id: int, delete_pairs: bool = False) -> dict:
        """Remove a document and its chunks; its QA pairs too when ``delete_pairs`` (after the user confirmed)."""
        doc = self.get_document(doc_id)
        if not doc:
            raise WorkspaceError(f"no document with id {doc_id}")
        with self.transaction() as c:
            pairs = 0
            if delete_pairs:
                pairs = c.execute("DELETE FROM qa_pairs WHERE document_id = ?", (doc_id,)).rowcount
            chunks = c.execute("DELETE FROM chunks WHERE document_id = ?", (doc_id,)).rowcount
            c.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        if doc.get("stored_path"):
            stored = Path(doc["stored_path"])
            if stored.is_file() and stored.resolve().parent == self.documents_dir.resolve():
                stored.unlink()
        return {"document": doc["name"], "chunks": chunks, "pairs": pairs}

    # ---- chunks ----------------------------------------------------------------------------
    def replace_chunks(self, doc_id: int, chunks: Iterable[dict]) -> int:
        """Replace a document's chunks in one transaction (re-chunking with new settings)."""
        rows = [
            (
                doc_id,
                i,
                ch.get("heading_path", "") if isinstance(ch.get("heading_path", ""), str) else " > ".join(ch["heading_path"]),
                ch["text"],
                int(ch.get("tokens", 0)),
                ch.get("start_char"),
                ch.get("end_char"),
                ch.get("page"),
            )
            for i, ch in enumerate(chunks)
        ]
        with self.transaction() as c:
            c.execute("DELETE FROM chunks WHERE document_id = ?", (doc_id,))
            c.executemany(
                "INSERT INTO chunks(document_id, ordinal, heading_path, text, tokens, start_char, end_char, page) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)

    def list_chunks(self, document_id: int | None = None, limit: int | None = None, offset: int = 0) -> list[dict]:
        sql = "SELECT c.*, d.name AS document FROM chunks c JOIN documents d ON d.id = c.document_id"
        args: list[Any] = []
        if document_id is not None:
            sql += " WHERE c.document_id = ?"
            args.append(document_id)
        sql += " ORDER BY c.document_id, c.ordinal"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            args += [limit, offset]
        return [dict(r) for r in self.conn.execute(sql, args).fetchall()]

    def get_chunk(self, chunk_id: int) -> dict | None:
        return _row(
            self.conn.execute(
                "SELECT c.*, d.name AS document FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ?",
                (chunk_id,),
            ).fetchone()
        )

    # ---- runs ------------------------------------------------------------------------------
    def add_run(self, run_id: str, kind: str, config: dict, output_dir: str, status: str = "queued", needs_gpu: bool = False) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT INTO runs(id, kind, config_json, status, created_at, output_dir, needs_gpu) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (run_id, kind, json.dumps(config, default=str), status, now_iso(), output_dir, int(needs_gpu)),
            )

    def update_run(self, run_id: str, **fields: Any) -> None:
        enc = _encode(fields)
        if not enc:
            return
        with self.transaction() as c:
            c.execute(f"UPDATE runs SET {', '.join(f'{k} = ?' for k in enc)} WHERE id = ?", (*enc.values(), run_id))

    def get_run(self, run_id: str) -> dict | None:
        return _row(self.conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone())

    def list_runs(self, kind: str | None = None, limit: int = 100) -> list[dict]:
        if kind:
            rows = self.conn.execute(
                "SELECT * FROM runs WHERE kind = ? ORDER BY created_at DESC LIMIT ?", (kind, limit)
            ).fetchall()
        else:
            rows = self.conn.execute("SELECT * FROM runs ORDER BY created_at DESC LIMIT ?", (limit,)).fetchall()
        return [dict(r) for r in rows]

    # ---- summary ---------------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        c = self.conn
        one = lambda sql: c.execute(sql).fetchone()[0]  # noqa: E731
        by = lambda col: {r[0]: r[1] for r in c.execute(f"SELECT {col}, COUNT(*) FROM qa_pairs GROUP BY {col}")}  # noqa: E731
        return {
            "name": self.name,
            "path": str(self.path),
            "created_at": self.get_setting("created_at"),
            "schema_version": c.execute("PRAGMA user_version").fetchone()[0],
            "documents": one("SELECT COUNT(*) FROM documents"),
            "chunks": one("SELECT COUNT(*) FROM chunks"),
            "tokens": one("SELECT COALESCE(SUM(tokens), 0) FROM chunks"),
            "pairs": one("SELECT COUNT(*) FROM qa_pairs"),
            "pairs_by_status": by("status"),
            "pairs_by_split": by("split"),
            "pairs_by_kind": by("kind"),
            "runs": one("SELECT COUNT(*) FROM runs"),
        }


def _encode(fields: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in fields.items():
        if not k.replace("_", "").isalnum():
            raise ValueError(f"bad column name {k!r}")
        if k.endswith("_json") and not isinstance(v, (str, type(None))):
            v = json.dumps(v, default=str)
        elif isinstance(v, (list, tuple)) and k in ("warnings", "flags"):
            v = ",".join(map(str, v))
        out[k] = v
    return out


def list_workspaces(base: Path) -> list[str]:
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / DB_NAME).is_file())


def workspace_name_ok(name: str) -> bool:
    try:
        check_workspace_name(name)
        return True
    except StudioPathError:
        return False


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
