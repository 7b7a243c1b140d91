"""What a user can expect from an adapter: tiny base model, little data, few exposures, no or a weak evaluation."""

from __future__ import annotations

import json

from studio.hub.expectations import RunFacts, assess, expectations, run_facts
from tests.unit.hub_helpers import REPORT


def _codes(items):
    return [e.code for e in items]


def test_assess_names_each_limit_and_nothing_for_a_sound_run():
    bad = assess(RunFacts(params=134.5e6, n_train=20, min_exposures=8, evaluated=False))
    assert _codes(bad) == ["tiny", "small_data", "few_exposures", "not_evaluated"]
    assert "135M" in bad[0].text and "Only 20 training pairs" in bad[1].text and "8 times" in bad[2].text
    assert bad[3].text.startswith("This adapter was not evaluated")
    sound = RunFacts(params=7e9, n_train=400, min_exposures=24, evaluated=True, tuned_accuracy=0.8)
    assert assess(sound) == []
    weak = assess(RunFacts(params=7e9, n_train=400, min_exposures=24, evaluated=True, tuned_accuracy=0.2))
    assert _codes(weak) == ["weak"] and "20%" in weak[0].text
    edge = assess(RunFacts(params=1e9, n_train=50, min_exposures=12, evaluated=True))
    assert edge == []  # the thresholds themselves are fine


def _run(tmp_path, n_train=20, low=8.0, report=None):
    run = tmp_path / "run"
    (run / "adapter").mkdir(parents=True)
    (run / "adapter" / "studio_run.json").write_text(json.dumps({"run_dir": str(run),
                                                                  "base_model": "bundled:smollm2-135m-instruct"}))
    (run / "plan.json").write_text(json.dumps({"n_train": n_train, "exposures": {"min": low, "median": low}}))
    if report:
        (run / "eval" / "e1").mkdir(parents=True)
        (run / "eval" / "e1" / "report.json").write_text(json.dumps(report))
    return run


def test_run_folder_facts_and_sentences(tmp_path):
    run = _run(tmp_path)
    facts = run_facts(run / "adapter")
    assert (facts.params, facts.n_train, facts.min_exposures, facts.evaluated) == (134.5e6, 20, 8.0, False)
    text = expectations(run)
    assert len(text) == 4 and any("not evaluated" in t for t in text)


def test_an_evaluation_report_removes_not_evaluated(tmp_path):
    run = _run(tmp_path, n_train=200, low=24, report=REPORT)
    facts = run_facts(run)
    assert facts.evaluated and facts.tuned_accuracy == 0.75
    assert _codes(assess(facts)) == ["tiny"]


def test_card_carries_the_expectations():
    from studio.hub.card import CardContext, DataSummary, build_card

    ctx = CardContext(repo_id="alice/m", base_model="HuggingFaceTB/SmolLM2-135M-Instruct",
                      data=DataSummary(counts={"train": 20}))
    text = str(build_card(ctx))
    assert "The base model is tiny (135M parameters)" in text and "Only 20 training pairs" in text
    assert "This adapter was not evaluated" in text
    big = CardContext(repo_id="alice/m", base_model="mistralai/Mistral-7B-Instruct-v0.3",
                      data=DataSummary(counts={"train": 500}))
    assert "is tiny" not in str(build_card(big)) and "training pairs (fewer" not in str(build_card(big))
