"""Frozen data of a run: the kept pairs written once into ``RUN_DIR/data/`` and never read from the workspace again.

``train.jsonl`` / ``val.jsonl`` rows are prompt-completion conversations (TRL trains the completion only)::

    {"prompt": [{"role": "system", ...}?, {"role": "user", "content": Q}],
     "completion": [{"role": "assistant", "content": A}], "id": 12, "group": "f3", "kind": "paraphrase"}

``test.jsonl`` rows carry ``question``, ``reference``, ``key``, ``group`` (fact id), ``set`` (``phrasings``: unseen
phrasings of trained facts; ``facts``: facts held out whole; ``refusals``: out-of-documents questions;
``trained``: a sample of trained questions) and ``kind``. ``manifest.json`` records each file's sha256 and row
count, the system prompt and the chat template's sha256; :func:`load_frozen` refuses files that changed.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import re
from pathlib import Path
from typing import Any, Iterable

MANIFEST = "manifest.json"
SPLIT_FILES = ("train", "val", "test")


class DataError(ValueError):
    """Frozen data that cannot be made or used, with a readable message."""


def sha256_text(text: str | None) -> str | None:
    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text else None


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def conversation(question: str, answer: str, system_prompt: str = "") -> dict[str, list[dict]]:
    prompt = [{"role": "system", "content": system_prompt}] if system_prompt.strip() else []
    prompt.append({"role": "user", "content": question})
    return {"prompt": prompt, "completion": [{"role": "assistant", "content": answer}]}


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", (text or "").lower()).strip()


def _group(pair: dict) -> str:
    return str(pair.get("fact_id") or f"pair-{pair['id']}")


def _write_jsonl(path: Path, rows: Iterable[dict]) -> int:
    tmp = path.with_name(path.name + ".tmp")
    n = 0
    with open(tmp, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return n


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def split_rows(pairs: list[dict], system_prompt: str = "", trained_sample: int = 40, seed: int = 42,
               taught_groups: Iterable[str] = ()) -> dict[str, list]:
    """Kept pairs -> train/val/test rows (see the module docstring). ``taught_groups``: facts an earlier run
    taught (a continued run): their held-out questions stay unseen phrasings even when none of theirs is replayed."""
    train_pairs = [p for p in pairs if p["split"] == "train"]
    val_pairs = [p for p in pairs if p["split"] == "val"]
    test_pairs = [p for p in pairs if p["split"] == "heldout"]
    train_groups = {_group(p) for p in train_pairs} | set(taught_groups)
    train_questions = {_norm(p["question"]) for p in train_pairs}

    def chat_row(p: dict) -> dict:
        return {**conversation(p["question"], p["answer"], system_prompt), "id": p["id"], "group": _group(p),
                "kind": p.get("kind") or "fact"}

    def test_row(p: dict, set_name: str) -> dict:
        return {"id": p["id"], "question": p["question"], "reference": p["answer"], "key": p.get("key_answer") or "",
                "group": _group(p), "set": set_name, "kind": p.get("kind") or "fact"}

    test, leaks = [], 0
    for p in test_pairs:
        if _norm(p["question"]) in train_questions:
            leaks += 1  # the same question is trained: it would measure memory, not learning
            continue
        if p.get("kind") == "refusal":
            set_name = "refusals"
        elif _group(p) in train_groups:
            set_name = "phrasings"
        else:
            set_name = "facts"
        test.append(test_row(p, set_name))
    first_per_group: dict[str, dict] = {}
    for p in train_pairs:
        first_per_group.setdefault(_group(p), p)
    sample = list(first_per_group.values())
    random.Random(seed).shuffle(sample)
    test += [test_row(p, "trained") for p in sorted(sample[:trained_sample], key=lambda p: p["id"])]
    return {
        "train": [chat_row(p) for p in train_pairs],
        "val": [chat_row(p) for p in val_pairs],
        "test": test,
        "leaks": leaks,
    }


def freeze(ws, data_dir: Path, system_prompt: str = "", chat_template: str | None = None, trained_sample: int = 40,
           seed: int = 42, extra: dict[str, Any] | None = None, mix=None) -> dict:
    """Write the workspace's kept pairs into ``data_dir`` with a manifest; returns the manifest.

    ``mix(train_pairs) -> (train_pairs, info)`` picks the train pairs of a continued run
    (:func:`studio.train.lineage.mix_train`); ``info`` goes into the manifest as ``continue``."""
    from ..workspace import PairFilter

    pairs = list(ws.iter_pairs(PairFilter(status="kept")))
    if not any(p["split"] == "train" for p in pairs):
        raise DataError(
            f"workspace {ws.name!r} has no kept training pairs: generate or import pairs, then keep some in the Review tab"
        )
    mixed = None
    if mix is not None:
        chosen, mixed = mix([p for p in pairs if p["split"] == "train"])
        pairs = sorted([p for p in pairs if p["split"] != "train"] + chosen, key=lambda p: p["id"])
    rows = split_rows(pairs, system_prompt, trained_sample, seed, (mixed or {}).get("parent_groups", ()))
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    files = {}
    for name in SPLIT_FILES:
        path = data_dir / f"{name}.jsonl"
        count = _write_jsonl(path, rows[name])
        files[name] = {"rows": count, "sha256": sha256_file(path)}
    manifest = {
        "workspace": str(ws.path),
        "files": files,
        "system_prompt": system_prompt,
        "chat_template_sha256": sha256_text(chat_template),
        "test_sets": _count_by(rows["test"], "set"),
        "leaks_dropped": rows["leaks"],
        "round": (mixed["parent"]["round"] + 1) if mixed else 1,
        **({"continue": mixed} if mixed else {}),
        **(extra or {}),
    }
    tmp = data_dir / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    os.replace(tmp, data_dir / MANIFEST)
    return manifest


def _count_by(rows: list[dict], key: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rows:
        out[r[key]] = out.get(r[key], 0) + 1
    return out


def is_frozen(data_dir: Path) -> bool:
    return (Path(data_dir) / MANIFEST).is_file()


def load_frozen(data_dir: Path, verify: bool = True) -> tuple[dict, dict[str, list[dict]]]:
    """The manifest and the rows of each split; with ``verify`` a changed file is refused."""
    data_dir = Path(data_dir)
    try:
        manifest = json.loads((data_dir / MANIFEST).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"the run's frozen data is missing or unreadable ({data_dir / MANIFEST}): {exc}") from None
    rows = {}
    for name in SPLIT_FILES:
        path = data_dir / f"{name}.jsonl"
        if not path.is_file():
            raise DataError(f"the run's frozen {name} file is missing: {path}")
        if verify and sha256_file(path) != manifest["files"][name]["sha256"]:
            raise DataError(f"the run's frozen {name} file changed since the run started: {path}")
        rows[name] = read_jsonl(path)
    return manifest, rows


def phrasings_per_group(train_rows: list[dict]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in train_rows:
        out[r["group"]] = out.get(r["group"], 0) + 1
    return out


def token_lengths(rows: list[dict], tokenizer) -> list[tuple[int, int]]:
    """(prompt tokens, prompt + completion tokens) per row, with the model's chat template."""
    out = []
    for r in rows:
        prompt_ids = tokenizer.apply_chat_template(r["prompt"], tokenize=True, add_generation_prompt=True)
        full_ids = tokenizer.apply_chat_template(r["prompt"] + r["completion"], tokenize=True)
        out.append((len(_ids(prompt_ids)), len(_ids(full_ids))))
    return out


def _ids(value) -> list:
    if isinstance(value, dict) or hasattr(value, "keys"):
        value = value["input_ids"]
    return list(value)


def size_max_length(lengths: list[tuple[int, int]], requested: int | None, cap: int) -> dict:
    """``max_length`` from the longest pair (rounded up to 32, at most ``cap``) unless given, and what it cuts:
    ``dropped`` rows lose their whole answer (SFTTrainer drops them), ``truncated`` rows lose part of it."""
    longest = max((full for _, full in lengths), default=0)
    max_length = requested or min(cap, max(64, int(math.ceil((longest + 1) / 32.0) * 32)))
    dropped = sum(1 for prompt, _ in lengths if prompt >= max_length)
    truncated = sum(1 for prompt, full in lengths if prompt < max_length < full)
    return {"max_length": max_length, "longest": longest, "dropped": dropped, "truncated": truncated}

