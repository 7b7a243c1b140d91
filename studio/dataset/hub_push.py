"""Push the reviewed dataset to the Hugging Face Hub as a dataset repo (private by default), with a card.

The card (``README.md``) names the source documents, the counts per split, the generator model(s) and
prompt version(s), and carries the licence in its metadata; the YAML ``configs`` map the exported files
to the Hub's train/validation/test splits so the dataset viewer and ``load_dataset(repo)`` find them.
The token lives only in memory: it is passed to ``HfApi`` and removed from any error message.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..workspace import PairFilter, Workspace
from .errors import DatasetError
from .export import ExportOptions, ExportResult, export_dataset

HUB_SPLIT = {"train": "train", "val": "validation", "heldout": "test"}
PUSH_FORMATS = ("openai", "parquet", "csv", "alpaca", "sharegpt")


@dataclass
class DatasetPushOptions:
    repo_id: str
    private: bool = True
    license: str = "other"
    format: str = "openai"
    status: str = "kept"
    split: str = "all"
    system_prompt: str | None = None
    pretty_name: str = ""

    def __post_init__(self) -> None:
        self.repo_id = (self.repo_id or "").strip()
        parts = self.repo_id.split("/")
        if len(parts) != 2 or not all(p and p.replace("-", "").replace("_", "").replace(".", "").isalnum() for p in parts):
            raise DatasetError(f"repo id must look like owner/name, not {self.repo_id!r}")
        if self.format not in PUSH_FORMATS:
            raise DatasetError(f"push format must be one of {', '.join(PUSH_FORMATS)}")
        self.license = (self.license or "other").strip().lower()


def _distinct(ws: Workspace, col: str, flt: PairFilter) -> list[str]:
    where, args = flt.where()
    rows = ws.conn.execute(f"SELECT DISTINCT p.{col} FROM qa_pairs p{where} ORDER BY 1", args)
    return [str(r[0]) for r in rows if r[0] not in (None, "")]


def card_facts(ws: Workspace, status: str) -> dict[str, Any]:
    flt = PairFilter(status=None if status == "all" else status)
    where, args = flt.where()
    docs = [r[0] for r in ws.conn.execute(
        f"SELECT DISTINCT d.name FROM qa_pairs p JOIN documents d ON d.id = p.document_id{where} ORDER BY 1", args)]
    return {
        "documents": docs,
        "generators": _distinct(ws, "model", flt) or _distinct(ws, "generator", flt),
        "prompt_versions": _distinct(ws, "prompt_version", flt),
        "kinds": {k: n for k, n in ws.conn.execute(f"SELECT p.kind, COUNT(*) FROM qa_pairs p{where} GROUP BY 1", args)},
        "languages": _distinct(ws, "lang", flt),
    }


def build_card(opts: DatasetPushOptions, export: ExportResult, facts: dict[str, Any]) -> str:
    """The dataset card text (YAML metadata + Markdown)."""
    from huggingface_hub import DatasetCard, DatasetCardData

    configs = [{"config_name": "default", "data_files": [
        {"split": HUB_SPLIT[s], "path": p.name} for s, p in export.files.items()]}]
    data = DatasetCardData(
        license=opts.license,
        language=facts["languages"] or None,
        pretty_name=opts.pretty_name or opts.repo_id.split("/")[1],
        task_categories=["question-answering", "text-generation"],
        tags=["fine-tuning-studio", "synthetic", "qa"],
        size_categories=[_size_category(export.total)],
        configs=configs,
    )
    counts = "\n".join(f"| {HUB_SPLIT[s]} (`{export.files[s].name}`) | {n} |" for s, n in export.counts.items() if n)
    docs = "\n".join(f"- {d}" for d in facts["documents"]) or "- (no source documents recorded: imported or hand-written pairs)"
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(facts["kinds"].items())) or "none"
    body = f"""
# {data.pretty_name}

Question-answer pairs written from a set of documents with Fine-Tuning Studio and reviewed by hand
({opts.status} pairs only unless stated). Format: `{opts.format}`.

## Counts per split

| split | pairs |
|---|---|
{counts}

Kinds: {kinds}.

## Source documents

{docs}

## Generation

- Generator model(s): {", ".join(facts["generators"]) or "not recorded"}
- Prompt version(s): {", ".join(facts["prompt_versions"]) or "not recorded"}
- System prompt: {opts.system_prompt or "none"}

## Licence

`{opts.license}`. The pairs restate the content of the source documents: their licence and rights apply.

## Splits

`test` holds phrasings never trained on (and facts held out whole); `validation` is for eval loss during
training. Do not train on `test`.
"""
    return DatasetCard.from_template(data, template_str="---\n{{ card_data }}\n---\n" + body).content


def _size_category(n: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return label
    return "1M<n<10M"


def stage_dataset(ws: Workspace, opts: DatasetPushOptions, folder: Path) -> tuple[ExportResult, Path]:
    """Export the files and write README.md into ``folder`` (what would be uploaded)."""
    export = export_dataset(ws, ExportOptions(opts.format, folder, split=opts.split, status=opts.status,
                                              system_prompt=opts.system_prompt))
    readme = folder / "README.md"
    readme.write_text(build_card(opts, export, card_facts(ws, opts.status)), encoding="utf-8")
    return export, readme


def push_dataset(ws: Workspace, opts: DatasetPushOptions, token: str | None = None, api: Any = None) -> dict[str, Any]:
    """Create (or update) the dataset repo and upload the export and its card. Returns url and counts."""
    from ..hub.auth import redact, require_token
    from ..hub.errors import HubError, explain

    try:
        token = require_token(token)
    except HubError as exc:
        raise DatasetError(str(exc)) from None
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi(token=token)
    with tempfile.TemporaryDirectory(prefix="studio-dataset-") as tmp:
        export, _ = stage_dataset(ws, opts, Path(tmp))
        try:
            if api.repo_exists(opts.repo_id, repo_type="dataset", token=token):
                api.update_repo_settings(opts.repo_id, private=opts.private, repo_type="dataset", token=token)
            else:
                api.create_repo(opts.repo_id, repo_type="dataset", private=opts.private, exist_ok=True, token=token)
            info = api.upload_folder(repo_id=opts.repo_id, folder_path=tmp, repo_type="dataset", token=token,
                                     commit_message=f"Fine-Tuning Studio: {export.total} QA pairs")
        except Exception as exc:  # every Hub failure becomes one readable line without the token
            raise DatasetError(redact(str(explain(exc, opts.repo_id, "push the dataset")), token)) from None
    url = f"https://huggingface.co/datasets/{opts.repo_id}"
    return {"repo_id": opts.repo_id, "url": url, "private": opts.private, "counts": export.counts,
            "commit": getattr(info, "oid", None) if info is not None else None}
