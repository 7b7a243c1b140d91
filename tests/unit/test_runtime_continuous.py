"""Continuous batching in the shared runtime: on where it should be, the same greedy rows as the padded path,
rows streamed as each ends, and a model the scheduler cannot run still answers through padded batches.

The scheduler is transformers' own (``generate_batch`` / ``continuous_batching_context_manager``); the studio
turns it on by itself on a CUDA GPU. Here ``STUDIO_CONTINUOUS_BATCHING=1`` forces it on the CPU so its logic
(caps per row, stop tokens, order, streaming, fallback) is tested without one.
"""

from __future__ import annotations

import types

import pytest

from studio import runtime
from studio.generate.backends.base import GenerationRequest
from studio.generate.backends.local import LocalBackend


def _requests(n_tokens=(12, 5, 12, 3, 9)):
    words = ["hello", "tell me about rome", "a", "what is the capital of italy and why", "list three rivers"]
    return [GenerationRequest(messages=[{"role": "user", "content": w}], max_new_tokens=m, temperature=0.0, tag=i)
            for i, (w, m) in enumerate(zip(words, n_tokens))]


def test_on_only_on_a_cuda_gpu_unless_asked(monkeypatch):
    cpu = types.SimpleNamespace(device=types.SimpleNamespace(type="cpu"), generate_batch=lambda *a, **k: None)
    gpu = types.SimpleNamespace(device=types.SimpleNamespace(type="cuda"), generate_batch=lambda *a, **k: None)
    old = types.SimpleNamespace(device=types.SimpleNamespace(type="cuda"))  # a transformers without the scheduler
    monkeypatch.delenv("STUDIO_CONTINUOUS_BATCHING", raising=False)
    assert runtime.continuous_batching_wanted(gpu) and not runtime.continuous_batching_wanted(cpu)
    assert not runtime.continuous_batching_wanted(old)
    monkeypatch.setenv("STUDIO_CONTINUOUS_BATCHING", "1")
    assert runtime.continuous_batching_wanted(cpu) and not runtime.continuous_batching_wanted(old)
    monkeypatch.setenv("STUDIO_CONTINUOUS_BATCHING", "0")
    assert not runtime.continuous_batching_wanted(gpu)
    monkeypatch.setenv("STUDIO_CONTINUOUS_BATCHING", "auto")
    gpu._studio_continuous_failed = True  # failed once on this model: padded batches from then on
    assert not runtime.continuous_batching_wanted(gpu)


def test_same_greedy_rows_as_padded_batches_streamed_as_each_ends(tiny_llama, monkeypatch):
    reqs = _requests()
    monkeypatch.setenv("STUDIO_CONTINUOUS_BATCHING", "0")
    padded = LocalBackend(str(tiny_llama), batch_size=2)
    want = padded.generate(reqs)
    assert not padded.continuous() and all(r.meta["continuous"] is False for r in want)

    monkeypatch.setenv("STUDIO_CONTINUOUS_BATCHING", "1")
    backend = LocalBackend(str(tiny_llama), batch_size=2)
    backend._model, backend._tok = padded._model, padded._tok
    calls = []
    real = backend._model.continuous_batching_context_manager
    monkeypatch.setattr(backend._model, "continuous_batching_context_manager",
                        lambda **kw: calls.append(kw) or real(**kw), raising=False)
    seen = []
    got = backend.generate(reqs, on_result=lambda i, r: seen.append(i))
    assert backend.continuous() and len(calls) == 1  # all five rows in one scheduler, not batches of two
    assert sorted(seen) == [0, 1, 2, 3, 4] and [r.tag for r in got] == [0, 1, 2, 3, 4]
    assert all(r.meta["continuous"] is True and r.ok for r in got)
    assert [r.text for r in got] == [r.text for r in want]
    # each row keeps its own cap (5 and 3 tokens here, 12 for others)
    assert [r.completion_tokens <= q.max_new_tokens for r, q in zip(got, reqs)] == [True] * 5
    assert [r.completion_tokens for r in got] == [r.completion_tokens for r in want]
    assert sum(r.seconds for r in got) > 0


def test_generate_all_and_stop_tokens_through_the_scheduler(tiny_llama, monkeypatch):
    loaded = runtime.load_causal_lm(str(tiny_llama))
    model, tok = loaded.model, loaded.tokenizer
    prompts = [runtime.render_chat(tok, [{"role": "user", "content": "ask " * n}]) for n in range(1, 7)]
    stops = runtime.stop_token_ids(tok, ("?",))
    monkeypatch.setenv("STUDIO_CONTINUOUS_BATCHING", "0")
    want = runtime.generate_batch(model, tok, prompts, 30, stop_ids=stops)
    monkeypatch.setenv("STUDIO_CONTINUOUS_BATCHING", "1")
    got = runtime.generate_continuous(model, tok, prompts, 30, stop_ids=stops)
    assert [(g.text, g.new_tokens, g.truncated) for g in got] == [(w.text, w.new_tokens, w.truncated) for w in want]
    progress = []
    texts = runtime.generate_all(model, tok, prompts, [30, 4, 30, 4, 30, 4], on_batch=progress.append)
    assert progress == [1, 2, 3, 4, 5, 6]  # one tick per finished row, not per batch
    assert texts[0] == want[0].text.strip() and len(tok(texts[1], add_special_tokens=False)["input_ids"]) <= 4


def test_a_model_the_scheduler_cannot_run_answers_through_padded_batches(tiny_llama, monkeypatch, caplog):
    monkeypatch.setenv("STUDIO_CONTINUOUS_BATCHING", "1")
    backend = LocalBackend(str(tiny_llama), batch_size=2)
    backend.load()

    def broken(**_kw):
        raise RuntimeError("paged attention is not supported for this model")

    monkeypatch.setattr(backend._model, "continuous_batching_context_manager", broken, raising=False)
    reqs = _requests()
    got = backend.generate(reqs)
    assert all(r.ok for r in got) and [r.tag for r in got] == [0, 1, 2, 3, 4]
    assert all(r.meta["continuous"] is False for r in got)
    assert "continuous batching failed" in caplog.text and "paged attention" in caplog.text
    assert not backend.continuous()  # remembered: the next call goes straight to padded batches
    monkeypatch.setenv("STUDIO_CONTINUOUS_BATCHING", "0")
    assert [r.text for r in got] == [r.text for r in LocalBackend(str(tiny_llama), batch_size=5).generate(reqs)]


@pytest.mark.parametrize("temperature", [0.7])
def test_sampling_settings_reach_the_scheduler(tiny_llama, monkeypatch, temperature):
    monkeypatch.setenv("STUDIO_CONTINUOUS_BATCHING", "1")
    loaded = runtime.load_causal_lm(str(tiny_llama))
    seen = {}
    real = loaded.model.continuous_batching_context_manager

    def spy(**kw):
        seen.update(kw["generation_config"].to_dict())
        return real(**kw)

    monkeypatch.setattr(loaded.model, "continuous_batching_context_manager", spy, raising=False)
    prompts = [runtime.render_chat(loaded.tokenizer, [{"role": "user", "content": "hi"}])] * 2
    rows = runtime.generate_continuous(loaded.model, loaded.tokenizer, prompts, 6, temperature=temperature)
    assert seen["do_sample"] is True and seen["temperature"] == temperature and seen["max_new_tokens"] == 6
    assert all(0 < r.new_tokens <= 6 for r in rows)
