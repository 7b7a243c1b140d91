"""Chunks: token-sized, overlapping, sentence boundaries kept, heading paths, exact slices; re-chunking."""

from __future__ import annotations

import pytest

from studio.ingest import IngestConfig, IngestError, ingest_paths, rechunk
from studio.ingest.chunking import chunk_blocks, split_sentences
from studio.config import ConfigError
from studio.ingest.model import HEADING, TABLE, TEXT, Block
from studio.ingest.tokens import TokenCounter, get_counter
from studio.workspace import Workspace
from tests.fixtures.ingest_docs import fact_sentences

EST = TokenCounter()


def _doc(n=60):
    sentences = fact_sentences(n, seed=3)
    blocks = [Block(HEADING, "Manual", 1), Block(HEADING, "Pumps", 2)]
    blocks += [Block(TEXT, " ".join(sentences[i : i + 5])) for i in range(0, n // 2, 5)]
    blocks += [Block(HEADING, "Valves", 2)]
    blocks += [Block(TEXT, " ".join(sentences[i : i + 5])) for i in range(n // 2, n, 5)]
    return blocks, sentences


def test_sentence_splitting_respects_abbreviations_and_decimals():
    text = "Dr. Rossi measured 2.5 bar, e.g. at noon. The valve opened! Was it safe? Sì. Il sig. Bianchi no."
    got = [text[a:b] for a, b in split_sentences(text)]
    assert got == ["Dr. Rossi measured 2.5 bar, e.g. at noon.", "The valve opened!", "Was it safe?", "Sì.",
                   "Il sig. Bianchi no."]


def test_chunks_are_token_sized_exact_slices_with_overlap_and_heading_paths():
    blocks, sentences = _doc()
    result = chunk_blocks(blocks, EST, chunk_tokens=100, overlap_tokens=25)
    chunks = result.chunks
    assert len(chunks) > 6
    for c in chunks:
        assert c["text"] == result.text[c["start_char"] : c["end_char"]]
        assert c["tokens"] <= 100
        assert c["text"].rstrip().endswith((".", "Pumps", "Valves"))  # never cut mid-sentence
    assert {c["heading_path"] for c in chunks} == {"Manual > Pumps", "Manual > Valves"}
    # every sentence is in some chunk, neighbours in one section share a sentence, no overlap across headings
    assert all(any(s in c["text"] for c in chunks) for s in sentences)
    for a, b in zip(chunks, chunks[1:]):
        if a["heading_path"] == b["heading_path"]:
            assert b["start_char"] < a["end_char"], "no overlap"
            assert a["end_char"] - b["start_char"] <= 25 * 4 + 2
        else:
            assert b["text"].startswith("Valves")


def test_zero_overlap_tiles_the_text():
    blocks, _ = _doc()
    chunks = chunk_blocks(blocks, EST, 80, 0).chunks
    for a, b in zip(chunks, chunks[1:]):
        assert b["start_char"] >= a["end_char"]


def test_tables_rows_kept_whole_and_long_sentences_cut_at_words():
    long = " ".join(["word"] * 400) + "."
    blocks = [Block(TABLE, "Part | Interval"), Block(TABLE, "Filter | 500 hours"), Block(TEXT, long)]
    result = chunk_blocks(blocks, EST, 64, 8)
    assert result.chunks[0]["text"].startswith("Part | Interval\nFilter | 500 hours")
    assert all(c["tokens"] <= 64 for c in result.chunks)
    assert "".join(c["text"] for c in result.chunks).count("word") >= 400


def test_real_tokenizer_counts_when_named(embedder_path):
    counter, warning = get_counter(str(embedder_path))
    assert warning is None and counter.exact
    assert counter.count("hello world") == 2
    fallback, warning = get_counter("some-org/not-cached-model")
    assert not fallback.exact and "not available offline" in warning
    blocks, _ = _doc(20)
    chunks = chunk_blocks(blocks, counter, 64, 8).chunks
    assert all(c["tokens"] <= 64 + 4 for c in chunks)  # the joins between sentences may add a token


def test_config_validation_messages():
    with pytest.raises(ConfigError, match="at most half"):
        IngestConfig(chunk_tokens=100, overlap_tokens=80).validate()
    with pytest.raises(ConfigError, match="32-8192"):
        IngestConfig.from_dict({"chunk_tokens": 5})
    assert IngestConfig.with_overlap_share(200).overlap_tokens == 30


def test_rechunk_preview_then_commit_and_refusal_when_pairs_use_chunks(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    path = tmp_path / "doc.md"
    path.write_text("# Title\n\n" + " ".join(fact_sentences(80)))
    [report] = ingest_paths(ws, [path], IngestConfig())
    preview = rechunk(ws, report.document_id, IngestConfig(chunk_tokens=64, overlap_tokens=8), commit=False)
    assert len(preview) > report.chunks
    assert len(ws.list_chunks(report.document_id)) == report.chunks  # a preview stores nothing
    rechunk(ws, report.document_id, IngestConfig(chunk_tokens=64, overlap_tokens=8))
    chunks = ws.list_chunks(report.document_id)
    assert len(chunks) == len(preview)
    ws.add_pairs([{"question": "Q?", "answer": "A.", "chunk_id": chunks[0]["id"]}])
    with pytest.raises(IngestError, match="delete them before re-chunking"):
        rechunk(ws, report.document_id, IngestConfig())
