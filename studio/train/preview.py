"""What the Train tab and ``train --plan`` show before starting: the effective recipe for the live workspace.

Counts come from the workspace's kept pairs; token lengths from the model's tokenizer when it is on disk
(otherwise about 4 characters a token). Nothing is frozen or written here.
"""

from __future__ import annotations

from .config import TrainConfig
from .data import conversation, size_max_length, token_lengths
from .hardware import DeviceInfo, detect
from .plan import make_plan


def workspace_rows(ws, system_prompt: str = "") -> tuple[list[dict], int]:
    """Train rows (prompt/completion + group) and the number of val pairs, from the kept pairs."""
    train, n_val, _ = _split_rows(ws, system_prompt)
    return train, n_val


def _split_rows(ws, system_prompt: str = "", mix=None) -> tuple[list[dict], int, int]:
    from ..workspace import PairFilter

    train, n_val, n_test = [], 0, 0
    pairs = list(ws.iter_pairs(PairFilter(status="kept")))
    if mix is not None:  # a continued run trains its new pairs and a replay of the parent's (studio/train/lineage.py)
        pairs = [p for p in pairs if p["split"] != "train"] + mix([p for p in pairs if p["split"] == "train"])[0]
    for p in pairs:
        if p["split"] == "train":
            train.append({**conversation(p["question"], p["answer"], system_prompt),
                          "group": str(p.get("fact_id") or f"pair-{p['id']}")})
        elif p["split"] == "val":
            n_val += 1
        elif p["split"] == "heldout":
            n_test += 1
    return train, n_val, n_test


def _lengths(cfg: TrainConfig, rows: list[dict]) -> list[tuple[int, int]]:
    from pathlib import Path

    from ..models import is_bundled, resolve_model

    try:
        path = resolve_model(cfg.base_model)
        if Path(path).is_dir() or is_bundled(cfg.base_model):
            from .recipe import load_tokenizer

            return token_lengths(rows, load_tokenizer(path, cfg.trust_remote_code))
    except Exception:  # noqa: BLE001 - an estimate: fall back to characters
        pass
    out = []
    for r in rows:
        prompt = sum(len(m["content"]) for m in r["prompt"]) // 4 + 8
        out.append((prompt, prompt + len(r["completion"][0]["content"]) // 4 + 4))
    return out


def preview_plan(cfg: TrainConfig, ws, dev: DeviceInfo | None = None) -> dict:
    dev = dev or detect()
    mix = None
    if cfg.init_adapter:
        from .lineage import load_parent, mix_train

        parent = load_parent(cfg.init_adapter, cfg.base_model)
        mix = lambda train: mix_train(train, parent, cfg.replay_share, cfg.seed)  # noqa: E731
    rows, n_val, n_test = _split_rows(ws, cfg.system_prompt, mix)
    groups: dict[str, int] = {}
    for r in rows:
        groups[r["group"]] = groups.get(r["group"], 0) + 1
    lengths = _lengths(cfg, rows) if rows else []
    from .presets import get_preset

    cap = cfg.max_length or get_preset(cfg.preset, dev).max_length
    length = size_max_length(lengths, cfg.max_length, cap) if lengths else {}
    mean = sum(f for _, f in lengths) / len(lengths) if lengths else None
    plan = make_plan(cfg, dev, groups, n_val, length, mean, max(1, dev.count), n_test=n_test)
    warnings = list(plan.warnings)
    if not rows:
        warnings.insert(0, "no kept training pairs yet: keep some pairs in the Review tab first")
    return {"plan": plan.to_dict(), "lines": plan.summary_lines(), "warnings": warnings, "n_train": len(rows),
            "n_val": n_val, "n_test": n_test, "facts": len(groups)}


__all__ = ["preview_plan", "workspace_rows"]
