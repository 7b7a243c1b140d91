"""LLaMA-Factory dataset folders: data files plus ``dataset_info.json``, checked against its documented schema
(``data/README.md`` of hiyouga/LLaMA-Factory: one entry per dataset, ``file_name`` required when no hub/script
url, ``formatting`` alpaca|sharegpt, ``columns`` and ``tags`` with fixed key sets). As its parser does, a
``columns`` object replaces *every* column default (a key left out becomes None), so the alpaca ``prompt`` and
``response`` (or the sharegpt ``messages``) must then be named explicitly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import DatasetError

ENTRY_KEYS = {
    "hf_hub_url", "ms_hub_url", "script_url", "cloud_file_name", "file_name", "file_sha1", "formatting", "ranking",
    "subset", "split", "folder", "num_samples", "revision", "columns", "tags",
}
COLUMN_KEYS = {
    "prompt", "query", "response", "history", "messages", "system", "tools", "images", "videos", "audios",
    "chosen", "rejected", "kto_tag",
}
TAG_KEYS = {"role_tag", "content_tag", "user_tag", "assistant_tag", "observation_tag", "function_tag", "system_tag"}
ALPACA_COLUMNS = {"prompt": "instruction", "query": "input", "response": "output"}


def dataset_entry(file_name: str, system: bool) -> dict[str, Any]:
    """The ``dataset_info.json`` entry of an alpaca-format file written by the exporter."""
    columns = dict(ALPACA_COLUMNS)
    if system:
        columns["system"] = "system"
    return {"file_name": file_name, "formatting": "alpaca", "columns": columns}


def validate_dataset_info(folder: Path) -> list[str]:
    """Problems with ``folder/dataset_info.json`` and the files it names (empty list: valid)."""
    folder = Path(folder)
    path = folder / "dataset_info.json"
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [f"{path} is missing"]
    except ValueError as exc:
        return [f"{path} is not valid JSON: {exc}"]
    if not isinstance(info, dict) or not info:
        return ["dataset_info.json must be a non-empty object of dataset name -> description"]
    problems = []
    for name, entry in info.items():
        if not isinstance(entry, dict):
            problems.append(f"{name}: the description must be an object")
            continue
        for key in sorted(set(entry) - ENTRY_KEYS):
            problems.append(f"{name}: unknown key {key!r}")
        formatting = entry.get("formatting", "alpaca")
        if formatting not in ("alpaca", "sharegpt"):
            problems.append(f"{name}: formatting must be alpaca or sharegpt, not {formatting!r}")
        if not isinstance(entry.get("ranking", False), bool):
            problems.append(f"{name}: ranking must be true or false")
        columns = entry.get("columns", {})
        if not isinstance(columns, dict):
            problems.append(f"{name}: columns must be an object")
            columns = {}
        for key in sorted(set(columns) - COLUMN_KEYS):
            problems.append(f"{name}: unknown column key {key!r}")
        tags = entry.get("tags", {})
        for key in sorted(set(tags if isinstance(tags, dict) else {}) - TAG_KEYS):
            problems.append(f"{name}: unknown tag key {key!r}")
        if any(entry.get(k) for k in ("hf_hub_url", "ms_hub_url", "script_url")):
            continue
        if not entry.get("file_name"):
            problems.append(f"{name}: file_name is required (no hub or script url given)")
            continue
        data_path = folder / entry["file_name"]
        if not data_path.exists():
            problems.append(f"{name}: file {entry['file_name']} does not exist")
            continue
        problems += _check_records(name, data_path, formatting, columns, tags if isinstance(tags, dict) else {})
    return problems


def _check_records(name: str, path: Path, formatting: str, columns: dict, tags: dict) -> list[str]:
    text = path.read_text(encoding="utf-8")
    try:
        records = json.loads(text) if path.suffix == ".json" else [json.loads(l) for l in text.splitlines() if l.strip()]
    except ValueError as exc:
        return [f"{name}: {path.name} is not valid JSON: {exc}"]
    if not isinstance(records, list) or not records:
        return [f"{name}: {path.name} must hold a non-empty list of records"]
    problems = []
    if formatting == "alpaca":
        defaults = {} if columns else {"prompt": "instruction", "response": "output"}
        prompt, response = columns.get("prompt", defaults.get("prompt")), columns.get("response", defaults.get("response"))
        if not prompt or not response:
            return [f"{name}: columns must name the prompt and the response (a columns object replaces the defaults)"]
        for i, rec in enumerate(records):
            if not isinstance(rec.get(prompt), str) or not rec.get(prompt):
                problems.append(f"{name}: record {i} has no {prompt!r}")
            if not isinstance(rec.get(response), str) or not rec.get(response):
                problems.append(f"{name}: record {i} has no {response!r}")
            for role in ("query", "system", "history"):
                col = columns.get(role)
                if col and col not in rec:
                    problems.append(f"{name}: record {i} lacks the {role} column {col!r}")
            if len(problems) > 20:
                break
    else:
        messages = columns.get("messages") if columns else "conversations"
        if not messages:
            return [f"{name}: columns must name the messages (a columns object replaces the defaults)"]
        role_tag, content_tag = tags.get("role_tag", "from"), tags.get("content_tag", "value")
        user, assistant = tags.get("user_tag", "human"), tags.get("assistant_tag", "gpt")
        for i, rec in enumerate(records):
            turns = [t for t in rec.get(messages) or [] if t.get(role_tag) != tags.get("system_tag", "system")]
            roles = [t.get(role_tag) for t in turns]
            if not turns or any(r != (user if j % 2 == 0 else assistant) for j, r in enumerate(roles)):
                problems.append(f"{name}: record {i} must alternate {user!r} and {assistant!r} turns")
            if any(not isinstance(t.get(content_tag), str) for t in turns):
                problems.append(f"{name}: record {i} has a turn without {content_tag!r}")
            if len(problems) > 20:
                break
    return problems


def check_dataset_info(folder: Path) -> None:
    problems = validate_dataset_info(folder)
    if problems:
        raise DatasetError("invalid LLaMA-Factory folder: " + "; ".join(problems[:5]))
