"""Continue training from an adapter: a NEW run (step 0, its own frozen data and schedule) whose LoRA weights start
from a finished run's adapter, on the same base model.

This is not resume: resume continues the SAME run from its last checkpoint (same data, same schedule, optimizer
state); continue starts another run, a round later, from the weights only.

The new run trains every kept train pair its parent did not train (the new pairs: more phrasings of missed facts,
pairs of added documents) plus a replay of the parent's pairs: ``replay_share`` x the number of new pairs, taken
round-robin over the parent's facts so each old fact is seen again. Without the replay, a run on new pairs alone
drifts away from what the parent learned (catastrophic forgetting); with it, the old facts keep being rehearsed at
a fraction of the cost of training everything again. The run records its parent, its round (parent's + 1) and the
facts its parent trained, so the evaluation can report earlier facts (forgetting) and new facts apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


class LineageError(ValueError):
    """The adapter cannot be continued from (readable message)."""


@dataclass
class Parent:
    adapter: str
    run_id: str
    base_model: str
    round: int = 1
    train_ids: set[int] = field(default_factory=set)
    groups: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"adapter": self.adapter, "run_id": self.run_id, "base_model": self.base_model, "round": self.round}


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def same_base(a: str, b: str) -> bool:
    """Two names of one base model (a bundled name and its folder count as the same)."""
    if a == b:
        return True
    from ..models import ModelNotFound, resolve_model

    try:
        return Path(resolve_model(a)).resolve() == Path(resolve_model(b)).resolve()
    except (ModelNotFound, OSError, ValueError):
        return False


def load_parent(adapter: str | Path, base_model: str) -> Parent:
    """The adapter to continue from, checked: a PEFT folder, trained on ``base_model``."""
    folder = Path(adapter).expanduser()
    if not (folder / "adapter_config.json").is_file():
        raise LineageError(f"no adapter to continue from in {folder.name!r}: pick a finished training run")
    info = _read(folder / "studio_run.json")
    parent_base = info.get("base_model") or _read(folder / "adapter_config.json").get("base_model_name_or_path") or ""
    run_dir = Path(info.get("run_dir") or folder.parent)
    if parent_base and not same_base(parent_base, base_model):
        raise LineageError(f"run {run_dir.name} was trained on {parent_base}, not {base_model}: "
                           "continue with the same base model, or start fresh")
    train_ids: set[int] = set()
    groups: dict[str, None] = {}
    train_file = run_dir / "data" / "train.jsonl"
    if train_file.is_file():
        for line in train_file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if isinstance(row.get("id"), int):
                    train_ids.add(row["id"])
                if row.get("group"):
                    groups.setdefault(str(row["group"]), None)
    return Parent(adapter=str(folder.resolve()), run_id=run_dir.name, base_model=parent_base or base_model,
                  round=int(info.get("round") or 1), train_ids=train_ids, groups=list(groups))


def mix_train(train_pairs: list[dict], parent: Parent, share: float, seed: int = 42) -> tuple[list[dict], dict]:
    """The new run's train pairs: every pair the parent did not train, plus ``share`` x that many of its pairs."""
    from ..generate.textutil import stable_unit

    new = [p for p in train_pairs if p["id"] not in parent.train_ids]
    old = [p for p in train_pairs if p["id"] in parent.train_ids]
    if not new:
        raise LineageError(f"no new training pairs since run {parent.run_id}: improve the missed facts or add "
                           "documents (and keep their pairs) first")
    want = min(len(old), int(round(share * len(new))))
    by_group: dict[str, list[dict]] = {}
    for p in sorted(old, key=lambda p: stable_unit("replay", seed, p["id"])):
        by_group.setdefault(str(p.get("fact_id") or f"pair-{p['id']}"), []).append(p)
    replay: list[dict] = []
    lanes = [by_group[g] for g in sorted(by_group, key=lambda g: stable_unit("replay-group", seed, g))]
    depth = 0
    while len(replay) < want:
        for lane in lanes:
            if depth < len(lane) and len(replay) < want:
                replay.append(lane[depth])
        depth += 1
    chosen = sorted(new + replay, key=lambda p: p["id"])
    info = {"parent": parent.to_dict(), "new_pairs": len(new), "replay_pairs": len(replay), "old_pairs": len(old),
            "replay_share": share, "parent_groups": parent.groups}
    return chosen, info


def adapter_of_run(ws, run: str) -> str:
    """The adapter folder of the workspace's finished training run ``run`` (its id), else a readable error."""
    run = (run or "").strip()
    row = ws.get_run(run) if run else None
    if not row or row.get("kind") != "train":
        raise LineageError(f"no training run {run!r} in workspace {ws.name!r}")
    adapter = Path(row.get("output_dir") or "") / "adapter"
    if not (adapter / "adapter_config.json").is_file():
        raise LineageError(f"run {run} has no finished adapter to continue from")
    return str(adapter)


def finished_runs(ws, limit: int = 50) -> list[str]:
    """Ids of the workspace's training runs with a finished adapter, newest first (what can be continued)."""
    return [r["id"] for r in ws.list_runs("train", limit=limit)
            if (Path(r.get("output_dir") or "") / "adapter" / "adapter_config.json").is_file()]


def continue_config(ws, cfg, run: str | None, replay_share: float | None = None):
    """``cfg`` continuing from the workspace's run ``run`` (checked: same base model); unchanged for no run."""
    if not (run or "").strip():
        return cfg
    adapter = adapter_of_run(ws, run)
    load_parent(adapter, cfg.base_model)
    share = cfg.replay_share if replay_share is None or replay_share == "" else float(replay_share)
    return cfg.replace(init_adapter=adapter, replay_share=share)


__all__ = ["Parent", "finished_runs", "continue_config", "LineageError", "load_parent", "mix_train", "same_base", "adapter_of_run"]
