"""The OpenAI-compatible backend against a real server (`transformers serve` + SmolLM2 on loopback).

Rate limits, 500s, stalls, bad keys and refused fields come from the fault proxy in front of the server
(``tests/fixtures/endpoint_server.py``; fixtures in ``tests/fixtures/server_fixtures.py``): the real server never answers 429. Canned replies from the proxy stand in
for the real model where only the backend's handling is under test, to keep the file fast on 2 cores.
"""

from __future__ import annotations

import logging
import time
from types import SimpleNamespace

import pytest

from studio.generate.backends.base import BackendError, GenerationRequest
from studio.generate.backends.openai_compat import OpenAICompatBackend
from studio.generate.backends.reasoning import strip_reasoning

SECRET = "sk-live-SECRET-0123456789abcdef"
SCHEMA = {"type": "object", "properties": {"facts": {"type": "array", "items": {"type": "string"}}}}


def _req(text: str, tag=None, max_new_tokens: int = 8, schema=None) -> GenerationRequest:
    return GenerationRequest(messages=[{"role": "user", "content": text}], max_new_tokens=max_new_tokens,
                             temperature=0.0, json_schema=schema, tag=tag)


def _backend(server, proxy=None, **kw) -> OpenAICompatBackend:
    opts = dict(timeout_s=120, backoff_base_s=0.05, max_retries=3)
    opts.update(kw)
    return OpenAICompatBackend(server.model, base_url=(proxy or server).base_url, **opts)


@pytest.mark.slow  # the session's transformers serve + SmolLM2
def test_real_completions_bounded_concurrency_and_usage(endpoint_server, fault_proxy):
    prompts = ["Name a colour.", "Name a fruit.", "Name a city.", "Name an animal."]
    seen = []
    with _backend(endpoint_server, fault_proxy, concurrency=2) as backend:
        results = backend.generate([_req(p, tag=i, schema=SCHEMA, max_new_tokens=4) for i, p in enumerate(prompts)],
                                   on_result=lambda i, r: seen.append(i))
        usage = dict(backend.usage)
    assert sorted(seen) == list(range(4))
    assert [r.tag for r in results] == list(range(4))
    for r in results:
        assert r.ok, r.error
        assert r.text.strip()
        assert r.prompt_tokens > 5 and 0 < r.completion_tokens <= 4
        assert r.meta["attempts"] == 1 and r.meta["usage_reported"]
    assert usage["requests"] == 4 and usage["retries"] == 0
    assert usage["completion_tokens"] == sum(r.completion_tokens for r in results)
    # at most `concurrency` requests reached the server at once, and the backend did run them in parallel
    assert fault_proxy.max_in_flight == 2
    # JSON mode was asked for; transformers serve takes the field and ignores it, the text still comes back
    sent = [r["json"] for r in fault_proxy.requests]
    assert all(b["response_format"]["type"] == "json_schema" for b in sent)
    assert all(b["max_tokens"] == 4 and b["model"] == endpoint_server.model for b in sent)
    assert all(r.meta["response_format"] for r in results)


@pytest.mark.slow  # the session's transformers serve + SmolLM2
def test_429_honours_retry_after_then_succeeds(endpoint_server, fault_proxy):
    fault_proxy.fail_next(2, 429, retry_after=1)
    with _backend(endpoint_server, fault_proxy, concurrency=1) as backend:
        start = time.monotonic()
        (result,) = backend.generate([_req("Say hello.", max_new_tokens=4)])
        elapsed = time.monotonic() - start
        assert backend.usage["retries"] == 2
    assert result.ok and result.text.strip()
    assert result.meta["attempts"] == 3
    assert fault_proxy.outcomes() == ["429", "429", "forwarded-200"]
    assert elapsed >= 2.0  # waited what Retry-After asked, not the 0.05 s backoff


@pytest.mark.slow  # the session's transformers serve + SmolLM2
def test_5xx_retried_and_exhausted_retries_recorded_not_raised(endpoint_server, fault_proxy):
    fault_proxy.fail_next(1, 500)
    fault_proxy.fail_next(1, 503)
    fault_proxy.reply_next(1, "yes")
    with _backend(endpoint_server, fault_proxy, concurrency=1, max_retries=2) as backend:
        (ok,) = backend.generate([_req("Say yes.")])
        assert ok.ok and ok.text == "yes" and ok.meta["attempts"] == 3
        fault_proxy.reset()
        fault_proxy.fail_next(3, 500)
        fault_proxy.reply_next(1, "second chunk answer")
        failed, second = backend.generate([_req("a", tag="c1"), _req("b", tag="c2")], on_result=None)
    assert not failed.ok and failed.tag == "c1"
    assert "HTTP 500" in failed.error and "3 attempts" in failed.error
    assert second.ok and second.text == "second chunk answer"
    assert fault_proxy.outcomes() == ["500", "500", "500", "reply"]


@pytest.mark.slow  # the session's transformers serve + SmolLM2
def test_timeout_retried_then_recorded_per_request(endpoint_server, fault_proxy):
    fault_proxy.stall_next(2, 20)
    fault_proxy.reply_next(1, "on time")
    with _backend(endpoint_server, fault_proxy, concurrency=1, timeout_s=1, max_retries=1) as backend:
        start = time.monotonic()
        slow, fine = backend.generate([_req("slow", tag=1), _req("fine", tag=2)])
        elapsed = time.monotonic() - start
    assert not slow.ok and "timed out after 1 s" in slow.error and "2 attempts" in slow.error
    assert slow.meta["attempts"] == 2
    assert fine.ok and fine.text == "on time"
    assert fault_proxy.outcomes()[:2] == ["stall", "stall"]
    assert elapsed < 15  # the client gave up at its timeout, it did not wait out the stalls


@pytest.mark.slow  # the session's transformers serve + SmolLM2
def test_bad_key_is_a_readable_error_without_the_key(endpoint_server, fault_proxy, monkeypatch, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    fault_proxy.require_key = "sk-good-key-000111222333"  # the proxy echoes a wrong key back, like some providers
    backend = _backend(endpoint_server, fault_proxy, api_key=SECRET)
    with pytest.raises(BackendError) as err:
        backend.generate([_req("hi")])
    message = str(err.value)
    assert "401" in message and "rejected the API key" in message and "API key field" in message
    assert SECRET not in message and SECRET[8:] not in message
    assert fault_proxy.requests[0]["auth"] == f"Bearer {SECRET}"  # it was sent, to the server only
    assert SECRET not in repr(backend) and SECRET not in str(vars(backend))
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(backend)
    backend.close()

    # the right key from an environment variable: works; the message names the variable, never its value
    monkeypatch.setenv("STUDIO_TEST_ENDPOINT_KEY", "sk-good-key-000111222333")
    fault_proxy.reply_next(1, "welcome")
    with OpenAICompatBackend.from_config(SimpleNamespace(
            backend="openai", model=endpoint_server.model, base_url=fault_proxy.base_url,
            api_key_env="STUDIO_TEST_ENDPOINT_KEY", concurrency=1, temperature=0.0, max_new_tokens=8)) as good:
        (result,) = good.generate([_req("hi")])
    assert result.ok and result.text == "welcome"
    monkeypatch.delenv("STUDIO_TEST_ENDPOINT_KEY")
    with pytest.raises(BackendError, match="STUDIO_TEST_ENDPOINT_KEY is not set"):
        OpenAICompatBackend(endpoint_server.model, base_url=fault_proxy.base_url, api_key_env="STUDIO_TEST_ENDPOINT_KEY")

    assert SECRET not in caplog.text and "sk-good-key-000111222333" not in caplog.text
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(SECRET not in p.read_text(errors="ignore") for p in written)


@pytest.mark.slow  # the session's transformers serve + SmolLM2
@pytest.mark.parametrize("status, words", [(403, "no access"), (404, "not found")])
def test_403_404_stop_the_run(endpoint_server, fault_proxy, status, words):
    fault_proxy.fail_next(1, status)
    with _backend(endpoint_server, fault_proxy, concurrency=1) as backend:
        with pytest.raises(BackendError, match=words):
            backend.generate([_req("a"), _req("b"), _req("c")])
        time.sleep(1.0)  # a request the pool's worker took after the fatal answer would arrive now
    assert len(fault_proxy.requests) == 1  # no retry, and the other requests were never sent


@pytest.mark.slow  # the session's transformers serve + SmolLM2
def test_unknown_model_on_the_real_server(endpoint_server):
    with OpenAICompatBackend("no-such/model", base_url=endpoint_server.base_url, max_retries=0) as backend:
        with pytest.raises(BackendError, match="does not serve model 'no-such/model'"):
            backend.generate([_req("hi")])


def test_unreachable_server_is_a_backend_error():
    with OpenAICompatBackend("m", base_url="http://127.0.0.1:9", max_retries=1, backoff_base_s=0.01) as backend:
        assert backend.base_url == "http://127.0.0.1:9/v1"
        with pytest.raises(BackendError, match="Cannot reach the endpoint"):
            backend.generate([_req("hi")])


@pytest.mark.slow  # the session's transformers serve + SmolLM2
def test_refused_response_format_and_max_tokens_are_dropped(endpoint_server, fault_proxy):
    fault_proxy.reject_fields = {"response_format", "max_tokens"}
    fault_proxy.reply_next(3, '{"facts": []}')
    with _backend(endpoint_server, fault_proxy, concurrency=1) as backend:
        results = backend.generate([_req(f"q{i}", schema=SCHEMA) for i in range(3)])
    assert all(r.ok and r.text == '{"facts": []}' for r in results)
    assert all(r.meta["attempts"] == 1 and not r.meta["response_format"] for r in results)
    outcomes = fault_proxy.outcomes()
    assert outcomes == ["400-refused", "400-refused", "reply", "reply", "reply"]
    last = fault_proxy.requests[-1]["json"]
    assert "response_format" not in last and "max_tokens" not in last and last["max_completion_tokens"] == 8


@pytest.mark.slow  # the session's transformers serve + SmolLM2
def test_reasoning_block_stripped_from_endpoint_text(endpoint_server, fault_proxy):
    fault_proxy.reply_next(1, '<think>The user wants JSON. Let me list facts.</think>\n[{"q": "Who?", "a": "Ada"}]',
                           usage={"prompt_tokens": 11, "completion_tokens": 22, "total_tokens": 33})
    with _backend(endpoint_server, fault_proxy) as backend:
        (result,) = backend.generate([_req("facts")])
    assert result.text == '[{"q": "Who?", "a": "Ada"}]'
    assert result.meta["reasoning_stripped"]
    assert (result.prompt_tokens, result.completion_tokens) == (11, 22)


@pytest.mark.slow  # the session's transformers serve + SmolLM2
def test_on_result_exception_cancels_the_rest(endpoint_server, fault_proxy):
    fault_proxy.reply_next(5, "x")

    def stop(i, result):
        raise KeyboardInterrupt  # what a job's stop request looks like to the backend

    with _backend(endpoint_server, fault_proxy, concurrency=1) as backend:
        with pytest.raises(KeyboardInterrupt):
            backend.generate([_req(str(i)) for i in range(5)], on_result=stop)
    time.sleep(0.2)
    assert len(fault_proxy.requests) <= 2


@pytest.mark.parametrize("raw, expected", [
    ("<think>plan</think>answer", "answer"),
    ("<THINKING>\nhmm\n</THINKING>\n\n{\"a\": 1}", '{"a": 1}'),
    ("the template opened it\n</think>\nfinal", "final"),  # DeepSeek-R1 / Qwen3 style
    ("[THINK]plan[/THINK]ok", "ok"),  # Magistral
    ("<reasoning>x</reasoning><think>y</think>both", "both"),
    ("<|channel|>analysis<|message|>plan<|end|><|start|>assistant<|channel|>final<|message|>done<|return|>", "done"),
    ("answer first <think>cut off while reasoning", "answer first"),
    ("<think>never closed", ""),
    ('{"q": "what does <b>think</b> mean"}', '{"q": "what does <b>think</b> mean"}'),
    ("", ""),
])
def test_strip_reasoning(raw, expected):
    text, stripped = strip_reasoning(raw)
    assert text == expected
    assert stripped == (expected != raw.strip())


def test_construction_from_generate_config_and_validation():
    from studio.generate.config import GenerateConfig

    cfg = GenerateConfig(backend="openai", model="my-model", base_url="http://127.0.0.1:8000/v1/chat/completions",
                         concurrency=3)
    with OpenAICompatBackend.from_config(cfg) as backend:
        assert (backend.model, backend.base_url, backend.concurrency) == ("my-model", "http://127.0.0.1:8000/v1", 3)
        assert backend.name == "openai"
    with OpenAICompatBackend({"model": "m", "base_url": "http://localhost:11434"}) as ollama:
        assert ollama.base_url == "http://localhost:11434/v1" and ollama.concurrency == 4
    for bad, words in [(dict(concurrency=0), "Concurrency"), (dict(timeout_s=0), "timeout"),
                       (dict(base_url="localhost:8000"), "http://"), (dict(api_key_env="not a var"), "not a valid")]:
        kwargs = {"base_url": "http://127.0.0.1:8000", **bad}
        with pytest.raises(BackendError, match=words):
            OpenAICompatBackend("m", **kwargs)
    with pytest.raises(BackendError, match="Choose a model"):
        OpenAICompatBackend("  ", base_url="http://127.0.0.1:8000")


@pytest.mark.slow  # the session's transformers serve + SmolLM2
def test_check_probe(endpoint_server, fault_proxy):
    fault_proxy.reply_next(1, "OK")
    fault_proxy.fail_next(1, 400, body={"error": {"message": "messages: bad role"}})
    with _backend(endpoint_server, fault_proxy) as backend:
        backend.check()  # answered
        with pytest.raises(BackendError, match="did not answer a test request: HTTP 400: messages: bad role"):
            backend.check()  # a plain 400 is not retried and not fatal: check() turns it into a readable error
    assert fault_proxy.outcomes() == ["reply", "400"]
