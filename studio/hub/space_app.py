"""A ready-to-push chat Space for an adapter: app.py, space_config.json, requirements.txt, README.md, the adapter.

The app (``templates/space_app.py.tmpl``, copied verbatim) loads the base model and applies the adapter with
transformers + PEFT (safetensors only, no remote code) and serves a ``gr.ChatInterface``. From a local run the
adapter files travel inside the Space (``adapter/``); from a Hub repo id the app downloads the adapter when it
starts. ``space_config.json`` names both; the ``BASE_MODEL``/``ADAPTER`` environment variables override it.

Suggested hardware follows the base model's size (parameters counted from its config, or read from its name):
up to 0.6 B parameters ``cpu-basic`` (fp32 fits the 16 GB free CPU Space and answers at a few tokens/s), up to 3 B
``t4-small`` (fp16 on a 16 GB T4), larger ``a10g-small`` (fp16 on a 24 GB A10G, about 10 B at most).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable

from ..config import Config, check, help_field
from .runinfo import StagingError, hub_model_id, read_run
from .staging import ADAPTER_FILES, REPO_ID_RE, TOKENIZER_FILES

TEMPLATE = Path(__file__).resolve().parent / "templates" / "space_app.py.tmpl"
HARDWARE_RULE = ((0.6e9, "cpu-basic"), (3e9, "t4-small"), (float("inf"), "a10g-small"))
RUNTIME_PACKAGES = ("torch", "transformers", "peft", "safetensors", "accelerate")


@dataclass
class SpaceOptions(Config):
    space_id: str = help_field("", "the Space to create: owner/name (a bare name goes to your user)")
    private: bool = help_field(True, "private Space (default)")
    base_model: str | None = help_field(None, "Hub id of the base model (default: the one the adapter names)")
    hardware: str | None = help_field(None, "suggested hardware (default: from the base model's size)")
    title: str = help_field("", "the Space's title (default: from the Space name)")
    max_new_tokens: int = help_field(256, "longest answer the app generates")

    def validate(self) -> None:
        check(bool(REPO_ID_RE.match(self.space_id or "")),
              f"invalid Space id {self.space_id!r}: use owner/name (letters, digits, '-', '_', '.')")
        check(1 <= self.max_new_tokens <= 4096, "max_new_tokens must be between 1 and 4096")


@dataclass
class SpaceStage:
    folder: Path
    files: dict[str, int]
    base_model: str
    adapter: str  # "adapter" (inside the Space) or a Hub repo id
    hardware: str
    params: int | None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"folder": str(self.folder), "files": self.files, "base_model": self.base_model,
                "adapter": self.adapter, "hardware": self.hardware, "params": self.params, "warnings": self.warnings}


def count_params(config: dict) -> int | None:
    """Parameters of a decoder from its config.json (embeddings, attention, gated MLP); None when unknown."""
    try:
        hidden, layers = int(config["hidden_size"]), int(config["num_hidden_layers"])
        vocab, inter = int(config["vocab_size"]), int(config["intermediate_size"])
    except (KeyError, TypeError, ValueError):
        return None
    heads = int(config.get("num_attention_heads") or 1)
    kv = int(config.get("num_key_value_heads") or heads)
    head_dim = int(config.get("head_dim") or hidden // heads)
    attn = 2 * hidden * heads * head_dim + 2 * hidden * kv * head_dim
    emb = vocab * hidden * (1 if config.get("tie_word_embeddings") else 2)
    return emb + layers * (attn + 3 * hidden * inter)


def params_from_name(name: str) -> int | None:
    """``Qwen2.5-0.5B-Instruct`` -> 500_000_000; ``SmolLM2-135M`` -> 135_000_000; None when the name says nothing."""
    match = re.search(r"(?<![A-Za-z0-9.])(\d+(?:\.\d+)?)([MB])(?![A-Za-z])", name.split("/")[-1], re.I)
    if not match:
        return None
    return int(float(match.group(1)) * (1e9 if match.group(2).upper() == "B" else 1e6))


def suggest_hardware(params: int | None) -> str:
    if params is None:
        return "t4-small"
    return next(hw for limit, hw in HARDWARE_RULE if params <= limit)


def _base_params(base_model: str, local_base: str | None) -> int | None:
    if local_base:
        try:
            from ..models import resolve_model

            cfg = Path(resolve_model(local_base)) / "config.json"
            if cfg.is_file():
                found = count_params(json.loads(cfg.read_text()))
                if found:
                    return found
        except (OSError, ValueError):
            pass
    return params_from_name(base_model)


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def requirements_text() -> str:
    """The app's packages pinned to the versions installed here (gradio itself comes from ``sdk_version``)."""
    lines = []
    for name in RUNTIME_PACKAGES:
        version = _version(name)
        lines.append(f"{name}=={version}" if version and name != "torch" else name)
    return "\n".join(lines) + "\n"


def _evaluation_summary(run) -> str:
    from .card_format import evaluation_table, md_text
    from .report_view import find_latest_report, load_report

    report = load_report(find_latest_report(run.run_dir)) if run is not None and run.run_dir else None
    if report is None or not report.evaluated:
        return "Not evaluated: no evaluation report was found for this adapter."
    parts = [evaluation_table(report)]
    if report.verdict:
        parts.append(f"Verdict: {md_text(report.verdict)}")
    return "\n\n".join(parts)


def readme_text(opts: SpaceOptions, base_model: str, adapter_ref: str, hardware: str, params: int | None,
                evaluation: str) -> str:
    import yaml

    name = opts.space_id.split("/")[-1]
    title = opts.title or name.replace("-", " ").replace("_", " ").strip().title()
    front = {"title": title[:60], "emoji": "💬", "colorFrom": "indigo", "colorTo": "blue", "sdk": "gradio",
             "sdk_version": _version("gradio") or "", "app_file": "app.py", "pinned": False,
             "suggested_hardware": hardware, "models": [m for m in (base_model, adapter_ref) if "/" in m],
             "short_description": f"Chat with a LoRA fine-tune of {base_model.split('/')[-1]}"[:60]}
    size = f"about {params / 1e9:.2f} B parameters" if params else "an unknown size"
    adapter_line = ("The adapter files are in this Space (`adapter/`)." if adapter_ref == "adapter"
                    else f"The adapter is downloaded from [{adapter_ref}](https://huggingface.co/{adapter_ref}).")
    body = [
        f"# {title}", "",
        f"A chat with [{base_model}](https://huggingface.co/{base_model}) plus a LoRA adapter trained with "
        f"Fine-Tuning Studio. {adapter_line} The app loads both with transformers and PEFT (safetensors only).", "",
        f"Suggested hardware: `{hardware}` (the base model has {size}; up to 0.6 B runs on the free CPU, up to 3 B "
        "on a T4, larger on an A10G).", "",
        "## Evaluation", "", evaluation, "",
        "Settings are in `space_config.json`; the `BASE_MODEL` and `ADAPTER` variables override them.", "",
    ]
    return "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n\n" + "\n".join(body)


def stage_space(source: str | Path, out_dir: str | Path, opts: SpaceOptions,
                on_progress: Callable[[str], None] | None = None) -> SpaceStage:
    """Write the Space folder for ``source`` (a run/adapter folder, or an adapter repo id on the Hub)."""
    opts.validate()
    say = on_progress or (lambda _m: None)
    source_text = str(source).strip()
    local = Path(source_text).expanduser()
    warnings: list[str] = []
    run = None
    if local.exists():
        run = read_run(local)
        base = opts.base_model or run.hub_base_model
        if not base:
            raise StagingError(f"the base model {run.base_model or '(unknown)'} is a local folder: a Space loads it "
                               "from the Hub, so give its Hub id (--base-model owner/name)")
        adapter_ref, local_base = "adapter", run.base_model
    elif REPO_ID_RE.match(source_text) and "/" in source_text:
        base = opts.base_model or ""
        if not base:
            raise StagingError("from a Hub adapter the base model is not known offline: give --base-model owner/name")
        adapter_ref, local_base = source_text, None
        warnings.append("the Space downloads the adapter from the Hub when it starts: it must be public, or the "
                        "Space needs an HF_TOKEN secret that can read it")
    else:
        raise StagingError(f"{source_text!r} is neither an adapter folder nor a Hub repo id (owner/name)")
    if hub_model_id(base) != base:
        raise StagingError(f"the base model must be a Hub id (owner/name), not {base!r}")
    params = _base_params(base, local_base)
    hardware = opts.hardware or suggest_hardware(params)
    out_dir = Path(out_dir).expanduser().resolve()
    if run is not None and out_dir in (run.adapter_dir.resolve(), (run.run_dir or run.adapter_dir).resolve()):
        raise StagingError("the Space folder must not be the adapter or run folder: pick an empty folder")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".space-", dir=out_dir.parent))
    try:
        say("writing the Space app")
        shutil.copy2(TEMPLATE, tmp / "app.py")
        if run is not None:
            (tmp / "adapter").mkdir()
            for name in ADAPTER_FILES + TOKENIZER_FILES:
                if (run.adapter_dir / name).is_file():
                    shutil.copy2(run.adapter_dir / name, tmp / "adapter" / name)
            cfg = json.loads((tmp / "adapter" / "adapter_config.json").read_text())
            cfg["base_model_name_or_path"] = base  # never this machine's path
            (tmp / "adapter" / "adapter_config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True))
        name = opts.space_id.split("/")[-1]
        config = {"base_model": base, "adapter": adapter_ref, "system_prompt": run.system_prompt if run else "",
                  "max_new_tokens": opts.max_new_tokens, "title": opts.title or name,
                  "description": f"{base} + LoRA adapter, trained with Fine-Tuning Studio."}
        (tmp / "space_config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False), encoding="utf-8")
        (tmp / "requirements.txt").write_text(requirements_text(), encoding="utf-8")
        (tmp / "README.md").write_text(readme_text(opts, base, adapter_ref, hardware, params,
                                                   _evaluation_summary(run)), encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    except OSError as exc:
        raise StagingError(f"could not write the Space folder {out_dir}: {exc.strerror or exc}") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    files = {str(p.relative_to(out_dir)): p.stat().st_size for p in sorted(out_dir.rglob("*")) if p.is_file()}
    return SpaceStage(folder=out_dir, files=files, base_model=base, adapter=adapter_ref, hardware=hardware,
                      params=params, warnings=warnings)


def push_space(folder: str | Path, opts: SpaceOptions, token: str, api=None,
               on_progress: Callable[[str], None] | None = None) -> str:
    """Create the Space (gradio SDK, suggested hardware) and upload the folder; returns the Space's URL."""
    from .errors import HubError, explain
    from .push import _make_api, full_repo_id

    opts.validate()
    if not token:
        raise HubError("no Hugging Face token: log in, paste a token, or set HF_TOKEN")
    folder = Path(folder)
    if not (folder / "app.py").is_file() or not (folder / "README.md").is_file():
        raise HubError(f"{folder} is not a staged Space folder (app.py or README.md is missing): stage it first")
    say = on_progress or (lambda _m: None)
    api = _make_api(api)
    space_id = full_repo_id(opts.space_id, token, api)
    action = "create the Space"
    try:
        say(f"creating or reusing the Space {space_id}")
        api.create_repo(space_id, token=token, private=opts.private, repo_type="space", space_sdk="gradio",
                        exist_ok=True)
        action = "upload"
        say("uploading the Space files")
        api.upload_folder(repo_id=space_id, folder_path=str(folder), repo_type="space", token=token,
                          commit_message="Chat Space from Fine-Tuning Studio")
    except Exception as exc:  # noqa: BLE001 - every Hub failure becomes one readable line
        raise explain(exc, space_id, action) from None
    return f"https://huggingface.co/spaces/{space_id}"
