"""Stage the exact folder that will be pushed: adapter (or merged) weights, tokenizer, recipe, report, README.

Nothing leaves the machine here. ``stage`` writes into a fresh folder and replaces the target only when
everything is written, so a failed stage never leaves half a folder behind. Local paths are scrubbed
from what is copied (``adapter_config.json``'s base model, the recipe's paths).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import yaml

from ..config import Config, check, help_field
from .card import CardContext, build_card, check_card_text
from .report_view import find_latest_report, load_report
from .runinfo import RunInfo, StagingError, base_origin, data_summary, read_run

REPO_ID_RE = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,95}/)?[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")
ADAPTER_FILES = ("adapter_model.safetensors", "adapter_config.json")
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja",
                   "chat_template.json", "tokenizer.model", "vocab.json", "merges.txt", "added_tokens.json")
RECIPE_NAME = "training_recipe.yaml"
REPORT_DIR = "eval"
_PRIVATE_RECIPE_KEYS = {"mirror_dir", "workspace", "workspace_path", "output_dir", "run_dir", "data_dir", "base_path",
                        "test_file", "adapter"}


@dataclass
class StageOptions(Config):
    repo_id: str = help_field("", "owner/name on the Hub (the card's snippets use it)")
    merged: bool = help_field(False, "push merged full weights instead of the adapter")
    merge_dtype: str = help_field("auto", "dtype of merged weights: auto (the base's fp16/bf16), bfloat16, float16, float32")
    report: str | None = help_field(None, "evaluation report.json (default: the run's latest)")
    license: str = help_field("other", "licence id for the card (e.g. apache-2.0, mit, cc-by-4.0, other)")
    language: list[str] = help_field([], "languages of the documents (ISO codes)")
    tags: list[str] = help_field([], "extra tags")
    datasets: list[str] = help_field([], "Hub dataset ids the model was trained on")
    card_text: str | None = help_field(None, "an edited README.md to use instead of the generated one")

    def validate(self) -> None:
        check(bool(REPO_ID_RE.match(self.repo_id or "")),
              f"invalid repo id {self.repo_id!r}: use owner/name (letters, digits, '-', '_', '.')")
        check(self.merge_dtype in ("auto", "bfloat16", "float16", "float32"),
              f"merge_dtype must be auto, bfloat16, float16 or float32, not {self.merge_dtype!r}")
        check(bool((self.license or "").strip()), "license is empty: use a licence id or 'other'")


@dataclass
class StageResult:
    folder: Path
    files: dict[str, int]  # relative path -> bytes
    card_text: str
    warnings: list[str] = field(default_factory=list)
    report_path: Path | None = None
    run: RunInfo | None = None

    @property
    def total_bytes(self) -> int:
        return sum(self.files.values())

    def to_dict(self) -> dict:
        return {"folder": str(self.folder), "files": self.files, "total_bytes": self.total_bytes,
                "warnings": self.warnings, "report": str(self.report_path) if self.report_path else None,
                "evaluated": self.report_path is not None}


def scrub_paths(obj, hub_base: str | None = None):
    """A copy of ``obj`` without this machine's absolute paths (a file's name is kept) or private keys."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k in _PRIVATE_RECIPE_KEYS:
                continue
            if k in ("base_model", "base") and isinstance(v, str) and hub_base and os.path.isabs(v):
                v = hub_base
            out[k] = scrub_paths(v, hub_base)
        return out
    if isinstance(obj, list):
        return [scrub_paths(v, hub_base) for v in obj]
    if isinstance(obj, str) and os.path.isabs(obj) and len(obj) > 1 and "\n" not in obj:
        return Path(obj).name
    return obj


def _scrub_recipe(recipe_path: Path, hub_base: str | None) -> str:
    try:
        data = yaml.safe_load(recipe_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        data = None
    if not isinstance(data, dict):
        return recipe_path.read_text(encoding="utf-8", errors="replace")
    return yaml.safe_dump(scrub_paths(data, hub_base), sort_keys=False, allow_unicode=True)


def build_context(run: RunInfo, opts: StageOptions, report_path: Path | None, plots: list[str],
                  report_file: str) -> CardContext:
    report = load_report(report_path)
    rank = run.adapter_config.get("r")
    recipe = dict(run.recipe)
    for key, source in (("lora_r", "r"), ("lora_alpha", "lora_alpha"), ("lora_dropout", "lora_dropout")):
        if recipe.get(key) is None and run.adapter_config.get(source) is not None:
            recipe[key] = run.adapter_config[source]  # what the adapter really used (the recipe may say "default")
    return CardContext(
        repo_id=opts.repo_id if "/" in opts.repo_id else f"your-name/{opts.repo_id}",
        base_model=run.hub_base_model or "", base_display=Path(run.base_model).name if run.base_model else "",
        base_origin=base_origin(run),
        merged=opts.merged, license=opts.license, language=list(opts.language), tags=list(opts.tags),
        datasets=list(opts.datasets), recipe=recipe, recipe_file=RECIPE_NAME if run.recipe_path else "",
        method=run.method, data=data_summary(run.run_dir), report=report, report_file=report_file,
        plots=plots, system_prompt=run.system_prompt, lora_rank=rank if isinstance(rank, int) else None,
    )


def preview_card(adapter_dir: str | Path, opts: StageOptions) -> str:
    """The README the push would carry, without writing anything (for the Export tab's preview)."""
    run = read_run(adapter_dir)
    report_path = Path(opts.report) if opts.report else find_latest_report(run.run_dir)
    report = load_report(report_path)
    plots = [f"{REPORT_DIR}/{p.name}" for p in report.plots] if report else []
    ctx = build_context(run, opts, report_path if report else None, plots, f"{REPORT_DIR}/report.json" if report else "")
    return str(build_card(ctx))


def stage(adapter_dir: str | Path, out_dir: str | Path, opts: StageOptions,
          on_progress: Callable[[str], None] | None = None) -> StageResult:
    """Write the complete push folder to ``out_dir`` (replaced if present); nothing is uploaded."""
    opts.validate()
    say = on_progress or (lambda _m: None)
    run = read_run(adapter_dir)
    out_dir = Path(out_dir).expanduser().resolve()
    if run.adapter_dir.resolve() == out_dir or (run.run_dir and run.run_dir.resolve() == out_dir):
        raise StagingError("the staging folder must not be the adapter or run folder: pick an empty folder")
    warnings: list[str] = []
    hub_base = run.hub_base_model
    if not hub_base:
        warnings.append(f"the base model {run.base_model or '(unknown)'} is a local folder: the card cannot name "
                        "it on the Hub; edit base_model in the card if it has a Hub id")
    report_path = Path(opts.report).expanduser() if opts.report else find_latest_report(run.run_dir)
    if opts.report and not (report_path.is_file() or (report_path / "report.json").is_file()):
        raise StagingError(f"evaluation report not found: {opts.report}")
    report = load_report(report_path)
    if report is None:
        warnings.append("no evaluation report found: the card says 'not evaluated'")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    _sweep_stale(out_dir.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".stage-{os.getpid()}-", dir=out_dir.parent))
    try:
        if opts.merged:
            from .merge import memory_warning, merge_adapter

            from ..models import resolve_model

            warn = memory_warning(resolve_model(run.base_model), opts.merge_dtype)
            if warn:
                warnings.append(warn)
            say("merging the adapter into the base model")
            merge_adapter(run.base_model, run.adapter_dir, tmp, opts.merge_dtype, on_progress=say)
            cfg_path = tmp / "config.json"
            if hub_base and cfg_path.is_file():
                cfg = json.loads(cfg_path.read_text())
                cfg["_name_or_path"] = hub_base
                cfg_path.write_text(json.dumps(cfg, indent=2))
        else:
            say("copying the adapter")
            shutil.copy2(run.adapter_dir / "adapter_model.safetensors", tmp / "adapter_model.safetensors")
            cfg = dict(run.adapter_config)
            cfg["base_model_name_or_path"] = hub_base or Path(str(cfg.get("base_model_name_or_path") or "")).name
            (tmp / "adapter_config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True))
            for name in TOKENIZER_FILES:
                if (run.adapter_dir / name).is_file():
                    shutil.copy2(run.adapter_dir / name, tmp / name)
            if not any((tmp / n).is_file() for n in ("tokenizer.json", "tokenizer.model", "vocab.json")):
                warnings.append("the adapter folder has no tokenizer files: users load the base model's tokenizer")
        if run.recipe_path:
            (tmp / RECIPE_NAME).write_text(_scrub_recipe(run.recipe_path, hub_base), encoding="utf-8")
        if run.system_prompt:
            (tmp / "system_prompt.txt").write_text(run.system_prompt + "\n", encoding="utf-8")
        plots: list[str] = []
        report_file = ""
        if report is not None:
            (tmp / REPORT_DIR).mkdir()
            (tmp / REPORT_DIR / "report.json").write_text(
                json.dumps(scrub_paths(report.raw, hub_base), indent=2, ensure_ascii=False), encoding="utf-8")
            report_file = f"{REPORT_DIR}/report.json"
            for plot in report.plots:
                shutil.copy2(plot, tmp / REPORT_DIR / plot.name)
                plots.append(f"{REPORT_DIR}/{plot.name}")
        say("writing the model card")
        ctx = build_context(run, opts, report.path if report else None, plots, report_file)
        if opts.card_text and opts.card_text.strip():
            check_card_text(opts.card_text)
            card_text = opts.card_text if opts.card_text.endswith("\n") else opts.card_text + "\n"
        else:
            card_text = str(build_card(ctx))
            warnings += ctx.problems
        (tmp / "README.md").write_text(card_text, encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    except StagingError:
        raise
    except OSError as exc:
        full = "the disk is full: " if exc.errno == 28 else ""
        raise StagingError(f"{full}could not write the staging folder {out_dir}: {exc.strerror or exc}") from None
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    files = {str(p.relative_to(out_dir)): p.stat().st_size for p in sorted(out_dir.rglob("*")) if p.is_file()}
    return StageResult(folder=out_dir, files=files, card_text=card_text, warnings=warnings,
                       report_path=report.path if report else None, run=run)


def _sweep_stale(parent: Path) -> None:
    """Remove the temporary folders of staging processes that are gone (killed while staging)."""
    for tmp in parent.glob(".stage-*-*"):
        pid = tmp.name.split("-")[1]
        if not pid.isdigit() or not tmp.is_dir():
            continue
        try:
            os.kill(int(pid), 0)
            alive = True  # this process (another thread staging now) or a live one
        except ProcessLookupError:
            alive = False
        except PermissionError:
            alive = True
        if not alive:
            shutil.rmtree(tmp, ignore_errors=True)


def plan_files(adapter_dir: str | Path, opts: StageOptions) -> dict[str, int]:
    """The files a stage would write, with sizes (merged weights estimated), without writing anything."""
    run = read_run(adapter_dir)
    files: dict[str, int] = {"README.md": 8000}
    if opts.merged:
        from ..models import resolve_model
        from .merge import memory_estimate

        try:
            files["model.safetensors"] = memory_estimate(resolve_model(run.base_model), opts.merge_dtype) // 2
        except (OSError, ValueError):
            files["model.safetensors"] = 0
        files["config.json"] = 1000
        files["tokenizer_config.json"] = 1000
    else:
        for name in ADAPTER_FILES + TOKENIZER_FILES:
            if (run.adapter_dir / name).is_file():
                files[name] = (run.adapter_dir / name).stat().st_size
    if run.recipe_path:
        files[RECIPE_NAME] = run.recipe_path.stat().st_size
    if run.system_prompt:
        files["system_prompt.txt"] = len(run.system_prompt.encode())
    report = load_report(Path(opts.report) if opts.report else find_latest_report(run.run_dir))
    if report is not None:
        files[f"{REPORT_DIR}/report.json"] = report.path.stat().st_size
        for plot in report.plots:
            files[f"{REPORT_DIR}/{plot.name}"] = plot.stat().st_size
    return files


def describe_upload(result: StageResult | dict[str, int], private: bool, push_dataset: bool = False) -> str:
    """Plain words on what leaves the machine (shown before a push, and asked to confirm when public)."""
    files = result.files if isinstance(result, StageResult) else result
    mb = sum(files.values()) / 1e6
    kinds = []
    names = set(files)
    if "adapter_model.safetensors" in names:
        kinds.append("the LoRA adapter weights")
    if any(n.startswith("model") and n.endswith(".safetensors") for n in names):
        kinds.append("the merged model weights")
    if "tokenizer_config.json" in names:
        kinds.append("the tokenizer")
    if RECIPE_NAME in names:
        kinds.append("the training recipe")
    if "system_prompt.txt" in names:
        kinds.append("the system prompt")
    if f"{REPORT_DIR}/report.json" in names:
        kinds.append("the evaluation report and plots")
    kinds.append("the model card (README.md: document names, counts, metrics)")
    if push_dataset:
        kinds.append("the question-answer dataset (text drawn from your documents) as a separate dataset repo")
    who = "PRIVATE (only you and your organisation can see it)" if private else \
        "PUBLIC: anyone on the internet can see and download it"
    return (f"{len(files)} files, about {mb:.1f} MB, will be uploaded to the Hugging Face Hub, {who}: "
            + "; ".join(kinds) + ". Your documents themselves are not uploaded.")
