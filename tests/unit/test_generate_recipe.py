"""The whole recipe: replay backend (grounded JSON), bad generators, a backend error, resume after a kill."""

from __future__ import annotations

import time

import pytest

from studio.generate.backends.base import BackendError, GenerationResult
from studio.generate.config import GenerateConfig
from studio.generate.embed import Embedder
from studio.generate.pipeline import run_generation
from studio.generate.progress_store import coverage, failed_chunks
from tests.unit.generate_helpers import MILANO, PARIS, ROME, make_workspace


@pytest.fixture(scope="module")
def emb(embedder):
    return Embedder(model=embedder)


def _pairs(ws):
    return [dict(r) for r in ws.conn.execute("SELECT * FROM qa_pairs ORDER BY id")]


def test_replay_recipe_end_to_end(tmp_path, emb):
    ws = make_workspace(tmp_path)
    cfg = GenerateConfig(backend="replay", model="replay", refusal_share=0.34, false_premise_share=0.34, curate=True)
    s = run_generation(ws, cfg, embedder=emb)
    assert (s["chunks_done"], s["chunks_failed"]) == (3, 0)
    pairs = _pairs(ws)
    assert {p["kind"] for p in pairs} == {"fact", "paraphrase", "refusal", "false_premise"}
    assert all(p["generator"] == "replay" and p["prompt_version"] == "knowledge-v1" and p["fact_id"] for p in pairs)
    assert all(p["judge_score"] == 5 and p["status"] == "kept" for p in pairs if "answerable" not in p["flags"])
    it = [p for p in pairs if p["kind"] == "refusal" and p["lang"] == "it"]
    assert it and all(p["answer"].startswith("Mi dispiace") for p in it)  # refusal in the document's language
    facts = [p for p in pairs if p["kind"] in ("fact", "paraphrase")]
    assert all(p["key_answer"] for p in facts)
    assert s["heldout_phrasings"] > 0 and s["train"] > s["heldout"] and s["val"] > 0
    assert s["heldout_facts"] >= 1  # 9 facts, 10% share: at least one held out whole
    rows = ws.conn.execute("SELECT COUNT(*) FROM facts").fetchone()[0]
    assert rows >= 9
    cov = coverage(ws)
    assert [d["pairs"] > 0 for d in cov["documents"]] == [True, True, True] and cov["empty"] == []
    # a rerun skips every done chunk and keeps each pair's split
    before = {p["id"]: p["split"] for p in pairs}
    s2 = run_generation(ws, cfg, embedder=emb)
    assert s2["calls"] == 0 and {p["id"]: p["split"] for p in _pairs(ws)} == before


class _Scripted:
    """A backend that answers from a function of the request (prose, empty, truncated, errors)."""

    name, model = "scripted", "scripted"

    def __init__(self, answer):
        self.answer, self.calls = answer, 0

    def generate(self, requests, on_result=None):
        out = []
        for req in requests:
            self.calls += 1
            out.append(self.answer(req))
        return out

    def close(self):
        pass


def test_bad_outputs_fail_chunks_with_reasons(tmp_path, emb):
    ws = make_workspace(tmp_path)
    replies = iter(["Sure! The text is about monuments.", "", '{"facts": [{"fact": "The Colosseum was complet',
                    "<think>hmm</think>", GenerationResult(error="timed out after 60 s")] + [None] * 20)

    def answer(req):
        r = next(replies)
        return r if isinstance(r, GenerationResult) else GenerationResult(text=r or "I don't know.", tag=req.tag)

    backend = _Scripted(answer)
    cfg = GenerateConfig(backend="replay", refusal_share=0, false_premise_share=0, concurrency=4)
    s = run_generation(ws, cfg, backend=backend, embedder=emb)
    assert s["chunks_failed"] == 3 and s["chunks_done"] == 0 and s["pairs"] == 0
    reasons = [f["reason"] for f in failed_chunks(ws)]
    assert len(reasons) == 3 and all(r.startswith("facts: ") for r in reasons)
    assert backend.calls == 6  # each chunk: one try plus one retry showing the error


def test_backend_error_pauses_and_keeps_work(tmp_path, emb):
    from studio.generate.backends.replay import ReplayBackend

    ws = make_workspace(tmp_path, {"a.md": ("en", [ROME, PARIS]), "b.md": ("it", [MILANO])})
    real = ReplayBackend()
    state = {"n": 0}

    class Flaky(ReplayBackend):
        def generate(self, requests, on_result=None):
            state["n"] += 1
            if state["n"] > 2:
                raise BackendError("401 Unauthorized: check the API key")
            return real.generate(requests)

    cfg = GenerateConfig(backend="replay", refusal_share=0, false_premise_share=0, concurrency=1)
    s = run_generation(ws, cfg, backend=Flaky(), embedder=emb)
    assert s["error"].startswith("401") and s["chunks_done"] == 2
    status = dict(ws.conn.execute("SELECT chunk_id, status FROM gen_chunks").fetchall())
    assert sorted(status.values()) == ["done", "done", "pending"]
    s = run_generation(ws, cfg, backend=real, embedder=emb)
    assert s["chunks_done"] == 3 and s["error"] is None


def test_resume_after_kill(tmp_path, monkeypatch, emb):
    from studio.jobs import JobRunner

    texts = [f"The station number {i} in Rome opened in {1900 + i} with {i + 2} platforms. "
             f"The station number {i} was designed by architect Person{i} Rossi." for i in range(8)]
    ws = make_workspace(tmp_path, {"stations.md": ("en", texts)})
    monkeypatch.setenv("STUDIO_REPLAY_DELAY", "0.4")
    runner = JobRunner(ws)
    cfg = GenerateConfig(backend="replay", model="replay", refusal_share=0, false_premise_share=0, concurrency=1)
    run_id = runner.submit("generate", cfg.to_dict())
    deadline = time.time() + 60
    while time.time() < deadline:
        if ws.conn.execute("SELECT COUNT(*) FROM gen_chunks WHERE status = 'done'").fetchone()[0] >= 2:
            break
        time.sleep(0.2)
    runner.kill(run_id)
    assert runner.status(run_id)["state"] == "killed"
    done = ws.conn.execute("SELECT COUNT(*) FROM gen_chunks WHERE status = 'done'").fetchone()[0]
    assert 2 <= done < 8
    monkeypatch.setenv("STUDIO_REPLAY_DELAY", "0")
    status = runner.run_foreground("generate", cfg.to_dict())
    assert status["state"] == "completed"
    assert status["result"]["chunks_done"] == 8 and status["result"]["chunks_this_run"] == 8 - done
    per_chunk = ws.conn.execute(
        "SELECT g.pairs, (SELECT COUNT(*) FROM qa_pairs p WHERE p.chunk_id = g.chunk_id) FROM gen_chunks g").fetchall()
    assert all(a == b and a > 0 for a, b in per_chunk)  # nothing lost, nothing written twice


def test_recorded_outputs_replay_exactly(tmp_path, emb):
    """studio/generate/recordings/sample.jsonl holds messy real-style replies (think block, fence, trailing comma,
    a reply cut off mid-paraphrase) for the Rome chunk: they are replayed and parsed, the cut paraphrase dropped."""
    ws = make_workspace(tmp_path, {"rome.md": ("en", [ROME])})
    cfg = GenerateConfig(backend="replay", model="replay", refusal_share=0, false_premise_share=0)
    s = run_generation(ws, cfg, embedder=emb)
    questions = {p["question"]: p for p in _pairs(ws)}
    assert s["chunks_done"] == 1 and len(questions) == 14  # 5 + 5 + 4 phrasings
    assert "In what year was the construction of the Colosseum finished?" in questions
    assert not any(q.startswith("The Pantheon as we know it") for q in questions)
    assert len({p["fact_id"] for p in questions.values()}) == 3
