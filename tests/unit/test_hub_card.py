"""Model card pieces: the report reader (real and older shapes, missing, broken), the section hook, card checks."""

from __future__ import annotations

import json

import pytest

from tests.unit.hub_helpers import REPORT, TUNED_NUMBERS


def _ctx(report=None, **kw):
    from studio.hub.card import CardContext

    return CardContext(repo_id="alice/m", base_model="HuggingFaceTB/SmolLM2-135M-Instruct", report=report, **kw)


def test_reader_takes_the_evaluation_report(tmp_path):
    from studio.hub.report_view import load_report

    (tmp_path / "report.json").write_text(json.dumps(REPORT))
    view = load_report(tmp_path)
    tuned = {(r.set, r.metric): r.value for r in view.rows if r.arm == "tuned"}
    assert tuned == TUNED_NUMBERS
    assert view.arms() == ["base", "tuned", "base+rag"]
    acc = view.get("tuned", "phrasings", "accuracy")
    assert acc.ci == (0.25, 1.0) and acc.n == 4
    assert view.gap_recovered == 0.75 and view.verdict.startswith("Learned: 3 of 4")
    assert view.get("base", "refusals", "accuracy") is None  # an alias of refusal_accuracy, not shown twice
    assert not any(r.metric in ("correct", "n", "refused", "seconds") for r in view.rows)


def test_reader_tolerates_other_shapes_and_bad_files(tmp_path):
    from studio.hub.report_view import load_report, rows_from_report

    rows = rows_from_report({"arms": {"tuned": {"phrasings": {"accuracy": {"value": 0.5, "ci": [0.2, 0.8]}}}},
                             "results": [{"arm": "base", "set": "facts", "accuracy": 0.25}]})
    assert {(r.arm, r.set, r.metric, r.value) for r in rows} == {("tuned", "phrasings", "accuracy", 0.5),
                                                                ("base", "facts", "accuracy", 0.25)}
    undefined = dict(REPORT, retrieval_gap_recovered={"value": None, "defined": False, "reason": "not defined"})
    (tmp_path / "report.json").write_text(json.dumps(undefined))
    assert load_report(tmp_path).gap_recovered is None
    assert load_report(None) is None and load_report(tmp_path / "nope.json") is None
    (tmp_path / "bad.json").write_text("{not json")
    assert load_report(tmp_path / "bad.json") is None


def test_section_hook_and_not_evaluated_card():
    from huggingface_hub import ModelCard

    from studio.hub import card as card_mod

    def voice(ctx):
        return ("Voice", "Style score 0.8 against the author's centroid.")

    card_mod.register_section(voice)
    try:
        text = str(card_mod.build_card(_ctx()))
    finally:
        card_mod._SECTIONS.remove(voice)
    assert text.index("## Evaluation") < text.index("## Voice") < text.index("## How to use")
    assert "**Not evaluated.**" in text and "model-index" not in text
    card = ModelCard(text)
    assert card.data.base_model == "HuggingFaceTB/SmolLM2-135M-Instruct" and card.data.library_name == "peft"

    def broken(ctx):
        raise RuntimeError("plug-in bug")

    card_mod.register_section(broken)
    try:
        assert "## Summary" in str(card_mod.build_card(_ctx()))  # a broken plug-in never breaks the card
    finally:
        card_mod._SECTIONS.remove(broken)


def test_user_text_is_escaped_and_card_checked():
    from studio.hub.card import CardContext, DataSummary, build_card, check_card_text

    ctx = CardContext(repo_id="alice/m", base_model="", base_display="my-model",
                      data=DataSummary(documents=["<script>alert(1)</script>.pdf", "a|b.txt"]),
                      system_prompt="Be <b>brief</b>")
    text = str(build_card(ctx))
    assert "<script>" not in text and "&lt;script&gt;" in text and "a\\|b.txt" in text
    assert "`my-model` (a local model)" in text and "base_model" not in text.split("---")[1]
    with pytest.raises(ValueError, match="empty"):
        check_card_text("  ")
    assert "## Summary" in check_card_text(text).text
