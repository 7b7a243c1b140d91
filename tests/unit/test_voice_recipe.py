"""The voice recipe: split by document or section, passages, verbatim voice pairs, extractive pairs, the mix."""

from __future__ import annotations

import json

import pytest

from studio.voice.config import VoiceConfig
from studio.voice.passages import blocks_from_text, pack, words
from studio.voice.pipeline import run_voice_recipe
from studio.voice.recipe import (amount_check, collect_passages, curation_enabled, generator_params_b, mix_by_tokens,
                                 parse_extractive, parse_question, passage_sentences)
from studio.voice.replay import VoiceReplayBackend
from studio.voice.split import SETTING, get_split, heldout_chunk_ids
from studio.workspace import Workspace
from studio.workspace.pairs import PairFilter
from tests.unit.voice_helpers import TOPICS, add_text_document, real_text, synthetic_document


@pytest.fixture
def ws(tmp_path):
    w = Workspace.create(tmp_path / "ws")
    yield w
    w.close()


def _multi_doc(ws, n=8):
    topics = list(TOPICS)
    for i in range(n):
        add_text_document(ws, f"post-{i}.md", synthetic_document("a", topics[i % len(topics)], 6, seed=i, sentences=9))


def _pairs(ws, **flt):
    return list(ws.iter_pairs(PairFilter(**flt)))


def test_split_by_document_and_no_training_pair_from_heldout(ws):
    _multi_doc(ws, 8)
    cfg = VoiceConfig(curate=True)
    split = get_split(ws, cfg)
    assert split.mode == "document" and len(split.heldout_documents) == 1  # 15% of 8, at least one
    summary = run_voice_recipe(ws, VoiceReplayBackend("replay-7b"), cfg)
    assert summary["pairs_added"] > 0 and not summary["failures"]
    held_docs = set(split.heldout_documents)
    held_chunks = heldout_chunk_ids(ws, cfg)
    assert held_chunks and all(ws.get_chunk(c)["document_id"] in held_docs for c in held_chunks)
    train_pairs = [p for p in _pairs(ws) if p["split"] != "heldout"]
    assert train_pairs and all(p["document_id"] not in held_docs for p in train_pairs)
    assert all(p["chunk_id"] not in held_chunks for p in train_pairs)
    held_pairs = _pairs(ws, split="heldout")
    assert held_pairs and all(p["document_id"] in held_docs and p["kind"] == "voice" for p in held_pairs)
    # stable: stored in the settings, the same on a second call, and a rerun adds nothing new
    assert ws.get_setting(SETTING)["heldout_documents"] == split.heldout_documents
    assert get_split(ws, cfg).heldout_documents == split.heldout_documents
    assert run_voice_recipe(ws, VoiceReplayBackend("replay-7b"), cfg)["pairs_added"] == 0


def test_voice_answers_are_verbatim_and_extractive_answers_are_sentences(ws):
    from studio.voice.recipe import passage_hash

    _multi_doc(ws, 6)
    cfg = VoiceConfig(curate=False, author_name="Alex")
    run_voice_recipe(ws, VoiceReplayBackend(), cfg)
    ps = collect_passages(ws, cfg)
    by_hash = {passage_hash(p.text): p for p in ps.train + ps.heldout}
    voice, extractive = _pairs(ws, kind="voice"), _pairs(ws, kind="extractive")
    assert voice and extractive
    for p in voice:
        meta = json.loads(p["meta_json"])
        passage = by_hash[meta["passage_hash"]]
        assert p["answer"] == passage.text  # the passage, verbatim
        assert p["answer"] in synthetic_text_of(ws, p["document_id"])  # ...and a slice of the document
        assert meta["system_prompt"].startswith("You are Alex")
        assert 20 <= words(p["answer"]) <= 350
    for p in extractive:
        meta = json.loads(p["meta_json"])
        sentences = passage_sentences(by_hash[meta["passage_hash"]].text)
        assert p["answer"] == " ".join(sentences[i - 1] for i in meta["sentences"])
        assert all(s in synthetic_text_of(ws, p["document_id"]) for s in passage_sentences(p["answer"]))


def synthetic_text_of(ws, doc_id):
    from studio.voice.source import document_text

    return document_text(ws.list_chunks(doc_id))[0]


def test_single_document_splits_by_section_and_heldout_sections_give_no_training_pair(ws):
    sections = [f"Chapter {i}" for i in range(1, 9)]
    parts = []
    for i, h in enumerate(sections):
        parts += [h, synthetic_document("b", list(TOPICS)[i % 5], 3, seed=i, sentences=7)]
    add_text_document(ws, "book.md", "\n\n".join(parts), headings=sections)
    cfg = VoiceConfig(curate=False)
    split = get_split(ws, cfg)
    assert split.mode == "section" and len(split.heldout_sections) == 1
    held_section = split.heldout_sections[0][1]
    run_voice_recipe(ws, VoiceReplayBackend(), cfg)
    held_chunks = heldout_chunk_ids(ws, cfg)
    assert held_chunks and all(ws.get_chunk(c)["heading_path"] == held_section for c in held_chunks)
    for p in _pairs(ws):
        meta = json.loads(p["meta_json"])
        assert (meta["section"] == held_section) == (p["split"] == "heldout")
        if p["split"] != "heldout":
            assert p["chunk_id"] not in held_chunks


def test_too_little_text_message_but_can_proceed(ws):
    add_text_document(ws, "short.md", synthetic_document("a", "travel", 3, sentences=8))
    cfg = VoiceConfig(curate=False)
    summary = run_voice_recipe(ws, VoiceReplayBackend(), cfg)
    amount = summary["words"]
    assert not amount["enough"] and amount["missing"] == 5000 - amount["words"] > 0
    assert f"{amount['missing']:,}" in amount["message"] and "still proceed" in amount["message"]
    assert summary["warnings"][0] == amount["message"]
    assert amount_check(6000, cfg) == {"enough": True, "words": 6000, "needed": 5000, "missing": 0, "message": ""}


def test_curation_off_for_small_generators_and_filters_low_scores(ws):
    assert generator_params_b("HuggingFaceTB/SmolLM2-135M-Instruct") == pytest.approx(0.135)
    assert generator_params_b("Qwen2.5-7B-Instruct") == 7.0 and generator_params_b("gpt-4o") is None
    on, warn = curation_enabled(VoiceConfig(), "bundled:smollm2-135m-instruct")
    assert not on and "too small" in warn
    assert curation_enabled(VoiceConfig(), "llama-3.1-70b")[0]
    _multi_doc(ws, 5)
    summary = run_voice_recipe(ws, VoiceReplayBackend("judge-7b", judge_score=2), VoiceConfig())
    assert summary["curation"] and summary["rejected"] > 0
    assert not _pairs(ws, kind="voice", split="train")  # every train voice pair scored 2 < 4


def test_parsers_reject_quotes_and_bad_indices():
    passage = "The quick brown fox jumps over the lazy dog near the quiet river bank today."
    with pytest.raises(ValueError, match="quotes"):
        parse_question('{"question": "Why did the quick brown fox jumps over the lazy dog near it?"}', passage)
    assert parse_question('```json\n{"question": "What do foxes do?",}\n```', passage) == "What do foxes do?"
    sents = ["One sentence here.", "Another one there.", "A third."]
    assert parse_extractive('{"question": "Q?", "sentences": [3, "1", 9]}', sents, 4) == ("Q?", [0, 2])
    with pytest.raises(ValueError):
        parse_extractive('{"question": "Q?", "sentences": [7]}', sents, 4)


def test_passages_respect_limits_lists_and_code():
    long_para = " ".join(f"Sentence number {i} is here." for i in range(120))  # ~600 words
    code = "```\n" + "\n".join(f"x{i} = {i}" for i in range(5)) + "\n```"
    big_list = "\n".join(f"- item {i} " + "word " * 30 for i in range(20))
    text = "\n\n".join(["# Intro", "Short intro paragraph " * 10, code, long_para, big_list])
    passages, skipped = pack(blocks_from_text(text), 50, 120, max_tokens=200, count_tokens=lambda t: len(t) // 4)
    assert all(words(p.text) <= 120 and len(p.text) // 4 <= 200 for p in passages)
    assert any(code in p.text for p in passages)  # a small code block kept whole
    assert any("list block too long" in s.reason for s in skipped)
    for p in passages:
        for para in p.text.split("\n\n"):
            assert para in text  # cut only at paragraph or sentence boundaries
    kinds = [b.kind for b in blocks_from_text(text)]
    assert kinds[:3] == ["heading", "text", "code"] and kinds[-1] == "list"


def test_mix_by_assistant_tokens():
    voice = [{"answer": "w " * 70}] * 2
    extractive = [{"answer": "w " * 10}] * 20
    pairs, mix = mix_by_tokens(voice, extractive, 0.7)
    assert mix["voice_tokens"] == 140 and 55 <= mix["extractive_tokens"] <= 70
    assert 0.65 <= mix["voice_share"] <= 0.72 and len(pairs) == 2 + mix["extractive_pairs"]


def test_one_document_without_headings_splits_by_part_and_heldout_gives_no_training_pair(ws):
    add_text_document(ws, "emma.txt", real_text("austen_emma"))
    cfg = VoiceConfig(max_length=256, curate=False)
    ps = collect_passages(ws, cfg)
    assert ps.train and ps.heldout and ps.split.mode == "part"
    assert 0.05 <= len(ps.heldout) / (len(ps.train) + len(ps.heldout)) <= 0.35
    assert all(len(p.text) // 4 <= 256 - 96 for p in ps.train + ps.heldout)
    run_voice_recipe(ws, VoiceReplayBackend(), cfg)
    held_chunks = heldout_chunk_ids(ws, cfg)
    held_text = [p.text for p in ps.heldout]
    for p in _pairs(ws):
        if p["split"] == "heldout":
            assert p["answer"] in held_text
        else:
            assert p["chunk_id"] not in held_chunks
            assert not any(p["answer"] in h or h in p["answer"] for h in held_text)


def test_frozen_run_rows_and_card_section(tmp_path):
    from studio.voice.card import voice_section
    from studio.voice.evaluate import frozen_voice_rows

    data = tmp_path / "data"
    data.mkdir()
    (data / "train.jsonl").write_text(json.dumps({"prompt": [{"role": "user", "content": "q"}], "kind": "voice",
                                                  "completion": [{"role": "assistant", "content": "my passage"}]}) + "\n")
    (data / "test.jsonl").write_text(json.dumps({"question": "hq", "reference": "held passage", "kind": "voice"}) + "\n"
                                     + json.dumps({"question": "f", "reference": "x", "kind": "fact"}) + "\n")
    (data / "manifest.json").write_text(json.dumps({"system_prompt": "You are Alex."}))
    assert frozen_voice_rows(data) == ([{"question": "hq", "answer": "held passage"}], ["my passage"], "You are Alex.")
    assert voice_section(None) is None
    card = voice_section({"n": 8, "win_rate": 0.75, "win_rate_ci": [0.5, 1.0], "gap_closure": 0.4,
                               "gap_closure_ci": [0.1, 0.7], "validity": {"author_vs_base": 1.0, "author_vs_base_ci": [1, 1]},
                               "verdict": "ok", "memorisation": {"flagged": 0, "limit": 30, "max_shared_ngram": 5}})
    assert card.startswith("Trained on the author's own passages") and "| win rate W" in card and "0.75 | 0.50-1.00" in card


def test_voice_generate_cli(ws, capsys):
    from studio.cli import main

    _multi_doc(ws, 5)
    path = str(ws.path)
    ws.close()
    assert main(["voice-generate", "--workspace", path, "--backend", "replay", "--author-name", "Alex", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["pairs_added"] > 0 and summary["mix"]["voice_pairs"] > 0
    assert summary["system_prompt"].startswith("You are Alex")


def test_voice_job_runs_with_a_job_context(ws):
    from studio.voice.job import run

    _multi_doc(ws, 5)

    class Ctx:
        config = {"backend": "replay", "voice": {"author_name": "Alex", "curate": False}}
        results, logs, ticks = {}, [], []

        def workspace(self):
            return ws

        def progress(self, done, total, message=""):
            self.ticks.append((done, total))

        def stop_requested(self):
            return False

        def log(self, message):
            self.logs.append(message)

        def set_result(self, **fields):
            self.results.update(fields)

    ctx = Ctx()
    summary = run(ctx)
    assert summary["pairs_added"] > 0 and ctx.results["voice"] is summary
    assert ctx.ticks and ctx.ticks[-1][0] == ctx.ticks[-1][1]
    assert any("recommended" in m for m in ctx.logs)  # too little text is said, the job still ran


def test_a_real_local_backend_with_unusable_replies_records_failures(ws, tiny_llama):
    from studio.generate.backends.local import LocalBackend

    add_text_document(ws, "a.md", synthetic_document("a", "travel", 3, sentences=9))
    backend = LocalBackend(str(tiny_llama), batch_size=4)
    try:
        summary = run_voice_recipe(ws, backend, VoiceConfig(curate=False, max_new_tokens=16, temperature=0.0))
    finally:
        backend.close()
    assert summary["failures"] and all(f["reason"] for f in summary["failures"])  # random model: no usable JSON
    assert {f["step"] for f in summary["failures"]} <= {"question", "extractive"}
    assert summary["pairs_added"] == len(_pairs(ws))
