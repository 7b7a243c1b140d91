"""What a user can and cannot expect from a trained adapter, said before they chat with it or publish it.

One assessment for the Chat tab, the Export step and the model card: little training data (few pairs or few
exposures per fact), no evaluation report, or a tiny base model each add a plain sentence. Each item has a
``code`` and ``params`` (the UI translates it) and ``text`` (English, used by the card and the CLI).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

SMALL_TRAIN = 50  # train pairs
LOW_EXPOSURES = 12  # times each fact is seen in training (presets.MIN_EXPOSURES)
TINY_PARAMS = 1e9
WEAK_ACCURACY = 0.5  # tuned accuracy on unseen phrasings below this: the evaluation says it did not learn well


@dataclass
class RunFacts:
    """What the assessment needs to know about a run (None: not known)."""

    params: float | None = None
    n_train: int | None = None
    min_exposures: float | None = None
    evaluated: bool = False
    tuned_accuracy: float | None = None  # on unseen phrasings of taught facts


@dataclass
class Expectation:
    code: str
    params: dict = field(default_factory=dict)
    text: str = ""


def assess(facts: RunFacts) -> list[Expectation]:
    """The sentences that apply to a run, most important first (empty: nothing to warn about)."""
    out: list[Expectation] = []
    if facts.params and facts.params < TINY_PARAMS:
        size = f"{int(facts.params / 1e6 + 0.5)}M"
        out.append(Expectation("tiny", {"size": size}, (
            f"The base model is tiny ({size} parameters): expect short, often wrong or garbled answers, even on "
            "trained questions. Use it to try the workflow; for usable answers train a model of 1B parameters or "
            "more on a GPU.")))
    if facts.n_train is not None and facts.n_train < SMALL_TRAIN:
        out.append(Expectation("small_data", {"n": facts.n_train, "min": SMALL_TRAIN}, (
            f"Only {facts.n_train} training pairs (fewer than {SMALL_TRAIN}): the adapter can at best repeat some "
            "trained answers; it cannot be expected to know the documents.")))
    if facts.min_exposures is not None and facts.min_exposures < LOW_EXPOSURES:
        out.append(Expectation("few_exposures", {"n": _num(facts.min_exposures), "min": LOW_EXPOSURES}, (
            f"Some facts were seen only {_num(facts.min_exposures)} times in training (fewer than {LOW_EXPOSURES}): "
            "those are probably not learned.")))
    if not facts.evaluated:
        out.append(Expectation("not_evaluated", {}, (
            "This adapter was not evaluated: nothing shows yet that it answers better than the base model. "
            "Run an evaluation before trusting or publishing it.")))
    elif facts.tuned_accuracy is not None and facts.tuned_accuracy < WEAK_ACCURACY:
        pct = f"{100 * facts.tuned_accuracy:.0f}%"
        out.append(Expectation("weak", {"pct": pct}, (
            f"The evaluation found {pct} right on questions phrased in new words: most answers about the documents "
            "will be wrong.")))
    return out


def _num(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def run_facts(path: str | Path) -> RunFacts:
    """Read a run folder or its ``adapter/`` folder: base model size, train pairs, exposures, evaluation."""
    from ..train.presets import model_shape
    from .report_view import find_latest_report, load_report

    path = Path(path).expanduser()
    adapter = path / "adapter" if (path / "adapter").is_dir() else path
    info = _read_json(adapter / "studio_run.json")
    run_dir = Path(info["run_dir"]) if info.get("run_dir") and Path(info["run_dir"]).is_dir() else (
        adapter.parent if (adapter.parent / "data").is_dir() or (adapter.parent / "plan.json").is_file() else None)
    base = str(info.get("base_model") or _read_json(adapter / "adapter_config.json").get("base_model_name_or_path") or "")
    facts = RunFacts()
    if base:
        try:
            from ..models import resolve_model

            shape = model_shape(base) if base.startswith("bundled:") else model_shape(resolve_model(base))
        except Exception:  # noqa: BLE001 - a model that cannot be found: judge by its name
            shape = model_shape(base)
        facts.params = shape.params or None
    plan = _read_json(run_dir / "plan.json") if run_dir else {}
    if isinstance(plan.get("n_train"), int):
        facts.n_train = plan["n_train"]
    elif run_dir and (run_dir / "data" / "train.jsonl").is_file():
        with (run_dir / "data" / "train.jsonl").open(encoding="utf-8") as fh:
            facts.n_train = sum(1 for line in fh if line.strip())
    low = (plan.get("exposures") or {}).get("min")
    facts.min_exposures = float(low) if isinstance(low, (int, float)) and low > 0 else None
    report = load_report(find_latest_report(run_dir)) if run_dir else None
    facts.evaluated = bool(report and report.evaluated)
    if facts.evaluated:
        row = report.get("tuned", "phrasings", "accuracy")
        facts.tuned_accuracy = row.value if row else None
    return facts


def expectations(run_dir: str | Path) -> list[str]:
    """The sentences for a run folder or adapter folder, in English."""
    return [e.text for e in assess(run_facts(run_dir))]


def card_expectations(base_model: str, n_train: int | None, report, voice_evaluated: bool = False) -> list[str]:
    """The model card's lines: the same assessment, less "not evaluated" (the card says that in its own words)."""
    from ..train.presets import model_shape

    params = model_shape(base_model or "").params or None
    tuned = report.get("tuned", "phrasings", "accuracy") if report and report.evaluated else None
    facts = RunFacts(params=params, n_train=n_train, evaluated=bool(report and report.evaluated) or voice_evaluated,
                     tuned_accuracy=tuned.value if tuned else None)
    return [e.text for e in assess(facts) if e.code != "not_evaluated"]


__all__ = ["RunFacts", "Expectation", "assess", "run_facts", "expectations", "card_expectations"]
