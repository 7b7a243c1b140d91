"""What an adapter folder says about its run: the run folder, base model, recipe, system prompt, frozen data.

The training job writes ``adapter/studio_run.json`` naming the run folder and the base model (see the run
folder layout in docs/ARCHITECTURE.md). An adapter from elsewhere has no such file: the base model then comes from
``adapter_config.json`` and there is no run folder (no data summary, no report unless given).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .card import DataSummary

HUB_NAMES = {"bundled:smollm2-135m-instruct": "HuggingFaceTB/SmolLM2-135M-Instruct"}
RECIPE_NAMES = ("recipe.yaml", "training_recipe.yaml", "train.yaml", "config.yaml")
SYSTEM_PROMPT_NAMES = ("system_prompt.txt", "system_prompt.md")


class StagingError(ValueError):
    """The adapter or run cannot be staged; the message says why and what to do."""


@dataclass
class RunInfo:
    adapter_dir: Path
    run_dir: Path | None
    base_model: str  # what the studio loads (bundled:..., a Hub id or a local folder)
    adapter_config: dict
    recipe_path: Path | None = None
    recipe: dict = field(default_factory=dict)
    system_prompt: str = ""
    studio_run: dict = field(default_factory=dict)

    @property
    def hub_base_model(self) -> str | None:
        return hub_model_id(self.base_model) or hub_model_id(self.adapter_config.get("base_model_name_or_path", ""))

    @property
    def method(self) -> str:
        return str(self.recipe.get("method") or self.studio_run.get("method") or "")


def hub_model_id(name: str | None) -> str | None:
    """The Hub id for a base model name; None for a local folder the Hub cannot know."""
    name = (name or "").strip()
    if not name:
        return None
    if name.lower() in HUB_NAMES:
        return HUB_NAMES[name.lower()]
    path = Path(name)
    if path.is_absolute() or name.startswith((".", "~")) or path.exists():
        marker = path / "studio_converted.json"
        if marker.is_file():
            try:
                return HUB_NAMES.get(json.loads(marker.read_text()).get("name", "").lower())
            except (OSError, ValueError):
                return None
        return None
    parts = name.split("/")
    return name if len(parts) == 2 and all(parts) else None


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _read_yaml(path: Path) -> dict:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def read_run(adapter_dir: str | Path) -> RunInfo:
    adapter_dir = Path(adapter_dir).expanduser()
    if not adapter_dir.is_dir():
        raise StagingError(f"adapter folder not found: {adapter_dir}")
    if (adapter_dir / "adapter" / "adapter_config.json").is_file():  # a run folder was given
        adapter_dir = adapter_dir / "adapter"
    config_path = adapter_dir / "adapter_config.json"
    if not config_path.is_file():
        raise StagingError(f"{adapter_dir} is not a LoRA adapter: adapter_config.json is missing")
    if not (adapter_dir / "adapter_model.safetensors").is_file():
        extra = " (only a pickle .bin was found: the studio pushes safetensors only)" if (
            adapter_dir / "adapter_model.bin").is_file() else ""
        raise StagingError(f"{adapter_dir} has no adapter_model.safetensors{extra}")
    adapter_config = _read_json(config_path)
    studio_run = _read_json(adapter_dir / "studio_run.json")
    run_dir = None
    for key in ("run_dir", "run_folder", "output_dir"):
        if studio_run.get(key) and Path(studio_run[key]).is_dir():
            run_dir = Path(studio_run[key])
            break
    if run_dir is None and (adapter_dir.parent / "status.json").is_file():
        run_dir = adapter_dir.parent
    base = ""
    for key in ("base_model", "base_model_name_or_path", "model"):
        if isinstance(studio_run.get(key), str) and studio_run[key]:
            base = studio_run[key]
            break
    base = base or str(adapter_config.get("base_model_name_or_path") or "")
    recipe_path = next((adapter_dir / n for n in RECIPE_NAMES if (adapter_dir / n).is_file()), None)
    if recipe_path is None:
        recipe_path = next(iter(sorted(adapter_dir.glob("*.yaml"))), None)
    if recipe_path is None and run_dir and (run_dir / "config.yaml").is_file():
        recipe_path = run_dir / "config.yaml"
    recipe = _read_yaml(recipe_path) if recipe_path else {}
    system_prompt = ""
    for place in filter(None, (adapter_dir, run_dir, run_dir / "data" if run_dir else None)):
        hit = next((place / n for n in SYSTEM_PROMPT_NAMES if (place / n).is_file()), None)
        if hit:
            system_prompt = hit.read_text(encoding="utf-8").strip()
            break
    train_recipe = recipe.get("train") if isinstance(recipe.get("train"), dict) else recipe
    system_prompt = system_prompt or str(studio_run.get("system_prompt") or train_recipe.get("system_prompt") or "")
    return RunInfo(adapter_dir=adapter_dir, run_dir=run_dir, base_model=base, adapter_config=adapter_config,
                   recipe_path=recipe_path, recipe=train_recipe, system_prompt=system_prompt, studio_run=studio_run)


def _origin_model(row: dict) -> str:
    origin = row.get("origin")
    if isinstance(origin, str):
        try:
            origin = json.loads(origin)
        except ValueError:
            return origin
    if isinstance(origin, dict):
        return str(origin.get("model") or origin.get("generator") or "")
    return ""


def _workspace_sources(manifest: dict, ids: set) -> tuple[Counter, Counter]:
    """Documents and generator models of the frozen pairs, looked up in the run's workspace (when it still exists)."""
    docs: Counter = Counter()
    gens: Counter = Counter()
    path = manifest.get("workspace")
    if not path or not ids or not (Path(path) / "workspace.db").is_file():
        return docs, gens
    try:
        from ..workspace import Workspace

        ws = Workspace.open(Path(path))
        for pair in ws.iter_pairs():
            if pair.get("id") in ids:
                if pair.get("document"):
                    docs[str(pair["document"])] += 1
                gen = pair.get("model") or pair.get("generator")
                if gen:
                    gens[str(gen)] += 1
    except Exception:  # noqa: BLE001 - the summary is best effort: the frozen files are the record
        return Counter(), Counter()
    return docs, gens


def _count_heldout(summary: DataSummary, row: dict, groups: set[str]) -> None:
    """A frozen test row: an unseen phrasing of a trained fact, a held-out voice passage, or neither."""
    if row.get("kind") == "voice":
        summary.voice_heldout += 1
    elif row.get("set") == "phrasings":
        summary.heldout_phrasings += 1
        groups.add(str(row.get("group", row.get("fact_id", ""))))


def base_origin(run: RunInfo) -> str:
    """A sentence naming where the base weights came from when they are not the Hub checkpoint (bundled GGUF)."""
    from ..models import BUNDLED_CHAT, bundled_chat_source

    names = {run.base_model.lower(), str(run.adapter_config.get("base_model_name_or_path", "")).lower()}
    marker = Path(run.base_model) / "studio_converted.json" if run.base_model and not run.base_model.startswith("bundled:") else None
    if marker is not None and marker.is_file():
        try:
            names.add(str(json.loads(marker.read_text()).get("name", "")).lower())
        except (OSError, ValueError):
            pass
    if BUNDLED_CHAT not in names:
        return ""
    return (f"The base weights were not downloaded from the Hub: they are {bundled_chat_source()}, de-quantised to "
            "float32. They are close to, not identical with, the Hub checkpoint named above, so answers with the "
            "adapter on the Hub model can differ slightly from the evaluation below.")


def data_summary(run_dir: Path | None) -> DataSummary:
    """Counts from the run's frozen data (data/{train,val,test}.jsonl + manifest.json): splits, facts, kinds,
    test sets, and (from the workspace, when it still exists) the source documents and the generator model."""
    summary = DataSummary()
    if not run_dir or not (run_dir / "data").is_dir():
        return summary
    manifest = _read_json(run_dir / "data" / "manifest.json")
    facts: set[str] = set()
    ids: set = set()
    docs: Counter = Counter()
    gens: Counter = Counter()
    kinds: Counter = Counter()
    heldout_groups: set[str] = set()
    for split in ("train", "val", "test"):
        path = run_dir / "data" / f"{split}.jsonl"
        if not path.is_file():
            continue
        n = 0
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    row = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(row, dict):
                    continue
                n += 1
                if row.get("id") is not None:
                    ids.add(row["id"])
                group = row.get("group", row.get("fact_id"))
                if group not in (None, "") and row.get("kind") != "refusal":
                    facts.add(str(group))
                for key in ("document", "document_name", "doc_name", "source_document"):
                    if isinstance(row.get(key), str) and row[key]:
                        docs[row[key]] += 1
                        break
                if row.get("kind") and split != "test":
                    kinds[str(row["kind"])] += 1
                if split == "test":
                    _count_heldout(summary, row, heldout_groups)
                gen = _origin_model(row)
                if gen:
                    gens[gen] += 1
        summary.counts[split] = n
    if not docs or not gens:
        ws_docs, ws_gens = _workspace_sources(manifest, ids)
        docs = docs or ws_docs
        gens = gens or ws_gens
    summary.heldout_phrasing_facts = len(heldout_groups)
    summary.facts = len(facts) if facts else None
    summary.documents = sorted(docs)
    summary.generator = ", ".join(g for g, _ in gens.most_common(3))
    summary.kinds = dict(kinds.most_common())
    test_sets = manifest.get("test_sets")
    if isinstance(test_sets, dict):
        summary.test_sets = {str(k): int(v) for k, v in test_sets.items() if isinstance(v, int)}
    return summary
