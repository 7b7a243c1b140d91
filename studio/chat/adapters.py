"""Adapters a user can pick: the workspace's finished training runs, or any folder with an adapter_config.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class AdapterChoice:
    label: str
    path: str
    base_model: str


def adapter_base_model(adapter_dir: str | Path) -> str:
    """The base model an adapter was trained on: studio_run.json, else adapter_config.json."""
    adapter_dir = Path(adapter_dir)
    for name, keys in (("studio_run.json", ("base_model",)), ("adapter_config.json", ("base_model_name_or_path",))):
        try:
            data = json.loads((adapter_dir / name).read_text())
        except (OSError, ValueError):
            continue
        for key in keys:
            if isinstance(data, dict) and isinstance(data.get(key), str) and data[key]:
                return data[key]
    return ""


def find_adapters(workspace, limit: int = 50) -> list[AdapterChoice]:
    """Adapters from the workspace's training runs, newest first (runs without an adapter are skipped)."""
    if workspace is None:
        return []
    out = []
    for row in workspace.list_runs(kind="train", limit=limit):
        folder = Path(row.get("output_dir") or "")
        adapter = folder / "adapter"
        if not (adapter / "adapter_config.json").is_file():
            continue
        label = f"{row['id']} ({row.get('status') or '?'})"
        out.append(AdapterChoice(label=label, path=str(adapter), base_model=adapter_base_model(adapter)))
    return out
