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


def test_stop_strings_end_each_row_and_stay_in_the_text(tiny_llama):
    backend = LocalBackend(str(tiny_llama), batch_size=4)
    backend.load()
    stops = backend._stop_token_ids(("?",))
    assert stops and all("?" in backend._tok.decode([i]) for i in stops)
    reqs = [GenerationRequest(messages=[{"role": "user", "content": "ask " * n}], max_new_tokens=40, temperature=0.8,
                              stop=("?",)) for n in range(1, 9)]
    for res in backend.generate(reqs):
        assert "?" not in res.text[:-1] and (res.text.endswith("?") or res.completion_tokens == 40)


def test_tiny_model_run_records_every_chunk(tmp_path, tiny_llama, embedder):
    """The full recipe (the model writes JSON): random weights write garbage, so chunks fail with the reason."""
    ws = make_workspace(tmp_path, {"rome.md": ("en", [ROME]), "milano.md": ("it", [MILANO])})
    cfg = GenerateConfig(backend="transformers", model=str(tiny_llama), max_new_tokens=24, batch_size=4, recipe="full")
    s = run_generation(ws, cfg, embedder=Embedder(model=embedder))
    assert s["chunks_done"] + s["chunks_failed"] == 2 and s["calls"] >= 2
    for row in failed_chunks(ws):  # random weights write garbage: failed, with the reason
        assert row["reason"] and row["reason"].startswith(("facts:", "qa:"))
