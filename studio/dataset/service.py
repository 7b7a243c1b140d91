"""Plain functions behind the Review tab and its API endpoints (no gradio here): each takes a workspace
and simple values, and returns data or a readable message."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from ..workspace import Workspace
from .actions import ACTIONS, bulk_action, list_actions, undo_last
from .errors import DatasetError
from .export import ExportOptions, export_dataset
from .view import HEADERS, ViewState, edit_cell, load_page

ALL = "all"


def make_view(document: Any = None, split: str | None = None, status: str | None = None, kind: str | None = None,
              flag: str | None = None, search: str = "", sort: str = "id", descending: bool = False, page: int = 0,
              page_size: int = 100) -> ViewState:
    return ViewState(document_id=document, split=split, status=status, kind=kind, flag=flag, search=search or "",
                     sort=sort or "id", descending=bool(descending), page=int(page or 0), page_size=int(page_size or 100))


def page_info(state: ViewState) -> str:
    first = state.page * state.page_size + 1 if state.total else 0
    last = min(state.total, (state.page + 1) * state.page_size)
    return f"page {state.page + 1} of {state.pages} · rows {first}-{last} of {state.total}"


def query(ws: Workspace, state: ViewState) -> dict[str, Any]:
    """One page as plain data (the API's answer and the table's value)."""
    rows, state = load_page(ws, state)
    return {"headers": HEADERS, "data": rows, "total": state.total, "page": state.page, "pages": state.pages,
            "info": page_info(state), "state": state.to_dict()}


def edit_by_id(ws: Workspace, pair_id: int, version: int, column: str, value: Any) -> dict[str, Any]:
    """Edit one cell of pair ``pair_id`` as seen at ``version`` (the API form of a table edit)."""
    if column not in HEADERS:
        raise DatasetError(f"no column {column!r}: use one of {', '.join(HEADERS)}")
    state = ViewState(ids=[int(pair_id)], versions=[int(version)])
    out = edit_cell(ws, state, 0, HEADERS.index(column), value)
    return {"ok": out.ok, "message": out.message, "row": out.row, "version": state.versions[0]}


def bulk(ws: Workspace, state: ViewState, action: str) -> str:
    if action not in ACTIONS:
        raise DatasetError(f"pick an action: {', '.join(ACTIONS)}")
    return bulk_action(ws, action, state.filter()).message


def undo(ws: Workspace) -> str:
    return undo_last(ws).message


def action_log(ws: Workspace) -> list[list[Any]]:
    return [[a["ts"][:19].replace("T", " "), a["label"]] for a in list_actions(ws)]


def document_choices(ws: Workspace) -> list[tuple[str, Any]]:
    return [("all", ALL)] + [(d["name"], str(d["id"])) for d in ws.list_documents()]


def stats_summary(stats: dict[str, Any]) -> str:
    lines = [f"{stats['total']} pairs, {stats['facts']} facts"]
    for key, title in (("by_split", "split"), ("by_status", "status"), ("by_kind", "kind"),
                       ("by_document", "document"), ("by_flag", "flags")):
        if stats.get(key):
            lines.append(f"{title}: " + ", ".join(f"{k} {v}" for k, v in stats[key].items()))
    for key in ("question_chars", "answer_chars"):
        s = stats[key]
        lines.append(f"{key.replace('_', ' ')}: min {s['min']}, median {s['median']}, mean {s['mean']}, max {s['max']}")
    return "\n".join(lines)


def export_for_download(ws: Workspace, fmt: str, split: str, status: str, system_prompt: str | None) -> tuple[str, list[str]]:
    """Export into a fresh temporary folder (servable by the app) and add a zip of it; returns (message, files)."""
    folder = Path(tempfile.mkdtemp(prefix="studio-export-")) / f"{ws.name}-{fmt}"
    try:
        result = export_dataset(ws, ExportOptions(fmt, folder, split=split or ALL, status=status or "kept",
                                                  system_prompt=system_prompt))
    except DatasetError:
        shutil.rmtree(folder.parent, ignore_errors=True)
        raise
    files = [str(p) for p in [*result.files.values(), *result.extra]]
    archive = folder.parent / f"{folder.name}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in [*result.files.values(), *result.extra]:
            zf.write(path, arcname=f"{folder.name}/{path.name}")
    return result.summary().replace(str(folder), folder.name), [str(archive), *files]


def import_file(ws: Workspace, path: str | None, mapping_text: str = "") -> str:
    from .importer import import_pairs
    from .reader import parse_mapping

    if not path:
        raise DatasetError("choose a file to import first")
    items = [p.strip() for p in (mapping_text or "").replace(";", ",").split(",") if p.strip()]
    report = import_pairs(ws, path, parse_mapping(items))
    lines = [report.summary()] + [f"row {r}: {m}" for r, m in report.errors[:200]]
    if len(report.errors) > 200:
        lines.append(f"... and {len(report.errors) - 200} more rejected rows")
    return "\n".join(lines)


def push(ws: Workspace, repo_id: str, private: bool, license: str, token: str | None, fmt: str = "openai",
         system_prompt: str | None = None, api: Any = None) -> str:
    from .hub_push import DatasetPushOptions, push_dataset

    opts = DatasetPushOptions(repo_id, private=bool(private), license=license or "other", format=fmt or "openai",
                              system_prompt=system_prompt)
    out = push_dataset(ws, opts, token=token or None, api=api)
    counts = ", ".join(f"{k} {v}" for k, v in out["counts"].items())
    return f"pushed to {out['url']} ({'private' if out['private'] else 'public'}; {counts})"
