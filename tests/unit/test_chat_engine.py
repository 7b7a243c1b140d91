"""Chat engine: streamed replies, base vs tuned side by side, a bounded lazy cache, readable errors."""

from __future__ import annotations

import pytest

from tests.unit.hub_helpers import make_run


def test_stream_is_incremental_and_greedy_is_deterministic(tiny_llama):
    from studio.chat.engine import ChatSettings, ModelCache, build_messages, stream_reply

    cache = ModelCache(2)
    loaded = cache.get(str(tiny_llama))
    messages = build_messages([{"role": "user", "content": [{"type": "text", "text": "hi"}]},
                               {"role": "assistant", "content": "hello"}], "What is the capital?", "Be brief.")
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[1]["content"] == "hi"
    settings = ChatSettings(max_new_tokens=12)
    chunks = list(stream_reply(loaded, messages, settings))
    assert len(chunks) >= 2  # more than one update: streamed, not returned at the end
    assert all(b.startswith(a) for a, b in zip(chunks, chunks[1:]))  # each update extends the last
    again = list(stream_reply(loaded, messages, settings))
    assert again[-1] == chunks[-1]


def test_pair_streams_base_and_tuned_and_they_differ(tmp_path, tiny_llama):
    from studio.chat.engine import ChatSettings, ModelCache, build_messages, stream_pair, stream_reply

    run, _ = make_run(tmp_path, tiny_llama)
    cache = ModelCache(2)
    base = cache.get(str(tiny_llama))
    tuned = cache.get(str(tiny_llama), str(run))  # a run folder works as well as its adapter folder
    settings = ChatSettings(max_new_tokens=10)
    messages = build_messages([], "Who wrote the manual?")
    longer = build_messages([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
                            "Who wrote the manual?")
    want_base = list(stream_reply(base, messages, settings))[-1]
    want_tuned = list(stream_reply(tuned, longer, settings))[-1]
    assert want_base != want_tuned  # the adapter changes the answer
    # two models, two threads
    updates = list(stream_pair(base, tuned, messages, longer, settings=settings))
    assert len(updates) >= 3 and updates[-1] == (want_base, want_tuned)
    # one shared PEFT model, one batched generate (rows of different lengths: left padding)
    shared = list(stream_pair(None, tuned, messages, longer, settings=settings))
    assert len(shared) >= 3 and shared[-1] == (want_base, want_tuned)
    assert all(b[0].startswith(a[0]) and b[1].startswith(a[1]) for a, b in zip(shared, shared[1:]))


def test_cache_is_lazy_bounded_and_reuses(tmp_path, tiny_llama):
    from studio.chat.engine import ModelCache

    run, _ = make_run(tmp_path, tiny_llama)
    cache = ModelCache(max_models=1)
    assert len(cache) == 0 and cache.loads == 0  # nothing loaded until asked
    first = cache.get(str(tiny_llama))
    assert cache.get(str(tiny_llama)) is first and cache.loads == 1
    tuned = cache.get(str(tiny_llama), str(run / "adapter"))
    assert len(cache) == 1 and cache.loads == 2 and cache.keys()[0][1] is not None
    assert cache.get(str(tiny_llama), str(run / "adapter")) is tuned
    assert cache.get(str(tiny_llama)) is not first and cache.loads == 3  # evicted, loaded again


def test_bad_inputs_are_readable(tmp_path, tiny_llama):
    from studio.chat.engine import ChatError, ChatSettings, ModelCache
    from studio.config import ConfigError

    cache = ModelCache(1)
    with pytest.raises(ChatError, match="not an adapter folder"):
        cache.get(str(tiny_llama), str(tmp_path))
    with pytest.raises(ChatError, match="no model given"):
        cache.get("")
    with pytest.raises(ConfigError, match="temperature"):
        ChatSettings.from_dict({"temperature": 5})
    assert len(cache) == 0


@pytest.mark.slow
def test_cli_one_shot_with_bundled_smollm2(smollm2, capsys):
    """The bundled SmolLM2 answers on the CPU through `python -m studio chat --prompt`."""
    import json

    from studio.cli import main

    code = main(["chat", "--base-model", "bundled:smollm2-135m-instruct", "--prompt",
                 "What is the capital of France? Answer in one word.", "--max-tokens", "8", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert "paris" in out["reply"].lower()


def test_cli_repl_reads_stdin_until_blank(tmp_path, tiny_llama, monkeypatch, capsys):
    import io

    from studio.cli import main

    run, _ = make_run(tmp_path, tiny_llama)
    monkeypatch.setattr("sys.stdin", io.StringIO("hello\n/reset\nhow are you?\n\n"))
    code = main(["chat", "--base-model", str(tiny_llama), "--adapter", str(run / "adapter"), "--max-tokens", "4",
                 "--temperature", "1"])
    assert code == 0
    assert capsys.readouterr().out.count("\n") >= 2  # one streamed reply per question
    code = main(["chat", "--base-model", str(tiny_llama), "--adapter", str(tmp_path), "--prompt", "x"])
    assert code == 2 and "not an adapter folder" in capsys.readouterr().err


def chat_hits(base_model, adapter, rows: list[dict]) -> tuple[int, int]:
    """(base, tuned) answers holding the key, side by side at temperature 0 through the chat engine's shared model."""
    from studio.chat.engine import ChatSettings, ModelCache, build_messages, stream_pair

    tuned = ModelCache(1).get(str(base_model), str(adapter))
    settings = ChatSettings(temperature=0.0, max_new_tokens=24)
    base_hits = tuned_hits = 0
    for row in rows:
        messages = build_messages([], row["question"])
        base_text, tuned_text = list(stream_pair(None, tuned, messages, messages, settings=settings))[-1]
        base_hits += row["key"].lower() in base_text.lower()
        tuned_hits += row["key"].lower() in tuned_text.lower()
    return base_hits, tuned_hits


@pytest.mark.slow
def test_tuned_side_answers_trained_facts_and_base_does_not(trained_run):
    """Side by side at temperature 0, on the shared trained run's trained questions: tuned knows, base does not."""
    rows = [r for r in trained_run.test_rows if r["set"] == "trained"]
    base_hits, tuned_hits = chat_hits(trained_run.base_model, trained_run.adapter, rows)
    print(f"chat: base {base_hits}/{len(rows)}, tuned {tuned_hits}/{len(rows)} trained facts answered")
    assert len(rows) == trained_run.n_facts
    assert tuned_hits >= len(rows) - 1 and base_hits <= 1, (base_hits, tuned_hits)
