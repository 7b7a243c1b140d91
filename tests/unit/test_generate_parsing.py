"""The tolerant parser on a corpus of malformed generator outputs (tests/data/generate/malformed_outputs.jsonl)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.generate.parsing import ParseError, extract_json, parse_extra, parse_facts, parse_judge, parse_qa, strip_reasoning

CORPUS = [json.loads(line) for line in (Path(__file__).parent.parent / "data" / "generate" / "malformed_outputs.jsonl").read_text().splitlines() if line.strip()]


def _parse(step: str, text: str):
    return {"facts": lambda t: parse_facts(t, 10), "qa": lambda t: parse_qa(t, 2), "extra": parse_extra,
            "judge": lambda t: parse_judge(t, 2)}[step](text)


@pytest.mark.parametrize("case", CORPUS, ids=[c["name"] for c in CORPUS])
def test_corpus(case):
    if case["expect"] == "error":
        with pytest.raises(ParseError) as info:
            _parse(case["step"], case["text"])
        assert str(info.value)  # the reason is stored with the chunk and shown to the model on retry
    else:
        assert len(_parse(case["step"], case["text"])) == case["expect"]


def test_reasoning_blocks_are_stripped():
    assert strip_reasoning("<think>a {b}</think>\n[1]") == "[1]"
    assert extract_json('<reasoning>{"x": 2}</reasoning> {"x": 1}') == {"x": 1}


def test_qa_keeps_paraphrases_and_fact_numbers():
    case = next(c for c in CORPUS if c["name"] == "qa_ok")
    item = parse_qa(case["text"], 1)[0]
    assert item["fact"] == 1 and item["key_answer"] == "80 AD"
    assert [p["question"] for p in item["paraphrases"]] == [
        "In what year was the Colosseum finished?", "Which year saw the Colosseum completed?"]


def test_prose_error_quotes_the_reply():
    with pytest.raises(ParseError, match="no JSON"):
        parse_facts("I cannot help with that request.", 5)


def test_quality_flags():
    from studio.generate.quality import quality_flags

    chunk = "The Colosseum in Rome was completed in 80 AD under Emperor Titus."
    assert quality_flags("When was the Colosseum completed?", "It was completed in 80 AD.", "80 AD", chunk, "en", "fact") == []
    assert "unsupported" in quality_flags("When was it completed?", "It was completed in 95 AD.", "95 AD", chunk, "en", "fact")
    assert "answer_in_question" in quality_flags("Was the Colosseum completed in 80 AD?", "Yes, in 80 AD.", "80 AD", chunk, "en", "fact")
    it_answer = "Il Colosseo di Roma fu completato nell'anno 80 dopo Cristo sotto l'imperatore Tito."
    assert "lang_mismatch" in quality_flags("When was the Colosseum completed?", it_answer, "80", chunk, "en", "paraphrase")
    assert "too_short" in quality_flags("When?", "80 AD.", "80 AD", chunk, "en", "fact")


def test_refusal_and_false_premise_shares_spread_exactly():
    from studio.generate.chunk_task import extra_counts
    from studio.generate.config import GenerateConfig

    cfg = GenerateConfig(refusal_share=0.1, false_premise_share=0.05, facts_per_chunk=5)
    counts = [extra_counts(i, 5, cfg) for i in range(20)]
    assert sum(r for r, _ in counts) == 10 and sum(p for _, p in counts) == 5
