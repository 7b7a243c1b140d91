"""The local transformers backend: batched, left-padded generation on the tiny model; the recipe on SmolLM2."""

from __future__ import annotations

import pytest

from studio.generate.backends import make_backend
from studio.generate.backends.base import BackendError, GenerationRequest
from studio.generate.backends.local import LocalBackend
from studio.generate.config import GenerateConfig
from studio.generate.embed import Embedder
from studio.generate.pipeline import run_generation
from studio.generate.progress_store import failed_chunks
from tests.unit.generate_helpers import MILANO, ROME, make_workspace


def test_batched_generation_keeps_order_and_reports_each(tiny_llama):
    backend = LocalBackend(str(tiny_llama), batch_size=3)
    reqs = [GenerationRequest(messages=[{"role": "user", "content": "hi " * n}], max_new_tokens=8, temperature=0.0, tag=n)
            for n in (1, 9, 3, 5, 2)]
    seen = []
    results = backend.generate(reqs, on_result=lambda i, r: seen.append(i))
    assert [r.tag for r in results] == [1, 9, 3, 5, 2] and sorted(seen) == [0, 1, 2, 3, 4]
    assert all(r.ok and 0 < r.completion_tokens <= 8 and r.meta["batch"] in (2, 3) for r in results)
    assert backend._tok.padding_side == "left"
    # greedy output of a prompt does not depend on the batch it was padded into
    alone = LocalBackend(str(tiny_llama), batch_size=1).generate([reqs[0]])[0]
    assert alone.text == results[0].text
    backend.close()


def test_unknown_model_is_a_backend_error(tmp_path):
    with pytest.raises(BackendError, match="cannot load model"):
        LocalBackend(str(tmp_path / "nothing-here")).load()
    with pytest.raises(BackendError, match="unknown bundled"):
        make_backend(GenerateConfig(backend="transformers", model="bundled:nope")).load()


def test_tiny_model_run_records_every_chunk(tmp_path, tiny_llama, embedder):
    ws = make_workspace(tmp_path, {"rome.md": ("en", [ROME]), "milano.md": ("it", [MILANO])})
    cfg = GenerateConfig(backend="transformers", model=str(tiny_llama), max_new_tokens=24, batch_size=4)
    s = run_generation(ws, cfg, embedder=Embedder(model=embedder))
    assert s["chunks_done"] + s["chunks_failed"] == 2 and s["calls"] >= 2
    for row in failed_chunks(ws):  # random weights write garbage: failed, with the reason
        assert row["reason"] and row["reason"].startswith(("facts:", "qa:"))


def test_smollm2_recipe_finishes_with_reasons(tmp_path, smollm2, embedder):
    """The bundled SmolLM2 really writes messy JSON: every chunk ends done or failed with its reason."""
    ws = make_workspace(tmp_path, {"rome.md": ("en", [ROME])})
    cfg = GenerateConfig(backend="transformers", model="bundled:smollm2-135m-instruct", facts_per_chunk=2, paraphrases=1,
                         max_new_tokens=64, temperature=0.0, batch_size=2, refusal_share=0, false_premise_share=0)
    s = run_generation(ws, cfg, embedder=Embedder(model=embedder))
    statuses = dict(ws.conn.execute("SELECT chunk_id, status FROM gen_chunks").fetchall())
    assert sorted(statuses.values()) == sorted(["done"] * s["chunks_done"] + ["failed"] * s["chunks_failed"])
    assert len(statuses) == 1
    assert all(r["reason"] for r in failed_chunks(ws))
    pairs = ws.conn.execute("SELECT generator, model, fact_id, question, answer FROM qa_pairs").fetchall()
    assert all(p[0] == "transformers" and p[1] == "bundled:smollm2-135m-instruct" and p[2] for p in pairs)
    print("smollm2:", s["chunks_done"], "done,", s["chunks_failed"], "failed,", s["pairs"], "pairs;",
          [r["reason"] for r in failed_chunks(ws)])
