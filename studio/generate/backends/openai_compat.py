"""Generation through any OpenAI-compatible chat endpoint.

Hugging Face Inference Providers (the default base URL), OpenAI, vLLM, TGI, Ollama, llama.cpp server and
``transformers serve`` all answer ``POST {base_url}/chat/completions``. One kept ``openai`` client serves every
request; a thread pool bounds how many are in flight at once (``concurrency``, default 4).

Per request: a timeout, then retries with exponential backoff and jitter on 429 (honouring ``Retry-After``),
408/409/5xx, connection errors and timeouts; none on other 4xx. A request that still fails is recorded in its
result (``error``), never raised. Problems that would make every request fail raise :class:`BackendError` with a
readable message: a rejected key (401), no access (403), an unknown model or URL (404, or a 400 naming the model),
a server that cannot be reached at all.

Optional parameters a server refuses (``response_format``, ``temperature``, ``max_tokens`` in favour of
``max_completion_tokens``) are dropped for the rest of the run after the first 400/422 that names them; the parser
never relies on JSON mode. Reasoning blocks (``<think>...</think>`` and the like) are stripped from the text.

The API key comes from the caller (a password field) or an environment variable, lives only inside the HTTP
client, and never appears in logs, errors, results, ``repr`` or anything written to disk.
"""

from __future__ import annotations

import logging
import os
import random
import re
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from .base import BackendError, GenerationRequest, GenerationResult, OnResult
from .endpoint_util import (
    cfg_get,
    default_key,
    message_text,
    normalise_base_url,
    redact,
    response_format,
    retry_after_seconds,
    server_message,
)
from .reasoning import strip_reasoning

log = logging.getLogger(__name__)

_RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529}
_MODEL_MISSING = re.compile(
    r"model.{0,60}(not (be )?found|does not exist|not exist|unknown|not supported|pinned|not available|"
    r"no such|invalid model)|(unknown|invalid) model|model_not_found|pinned to",
    re.IGNORECASE | re.DOTALL,
)
_UNSUPPORTED = re.compile(r"not supported|unsupported|unknown|unexpected|unrecognized|not allowed|invalid|extra", re.I)


class _Fatal(Exception):
    """Raised inside a worker: stop the whole batch and surface as BackendError."""


class OpenAICompatBackend:
    """Backend for OpenAI-compatible chat endpoints (see the module docstring).

    ``OpenAICompatBackend(model, base_url=None, api_key=None, api_key_env=None, concurrency=4, timeout_s=120,
    max_retries=4, ...)``; ``model`` may also be a config object or mapping with those fields
    (see :meth:`from_config`). ``base_url`` defaults to Hugging Face Inference Providers.
    """

    name = "openai"

    def __init__(
        self,
        model: Any,
        base_url: str | None = None,
        api_key: str | None = None,
        api_key_env: str | None = None,
        concurrency: int = 4,
        timeout_s: float = 120.0,
        max_retries: int = 4,
        backoff_base_s: float = 1.0,
        backoff_max_s: float = 60.0,
        max_retry_after_s: float = 300.0,
        use_response_format: bool = True,
        seed: int | None = None,
    ):
        if model is not None and not isinstance(model, str):  # a config object or a mapping
            cfg = model
            model = cfg_get(cfg, "model")
            base_url = base_url or cfg_get(cfg, "base_url")
            api_key_env = api_key_env or cfg_get(cfg, "api_key_env")
            concurrency = cfg_get(cfg, "concurrency", concurrency)
            timeout_s = cfg_get(cfg, "timeout_s", timeout_s)
            max_retries = cfg_get(cfg, "max_retries", max_retries)
            # cfg.seed is for local sampling; an endpoint gets a seed only when asked for one explicitly
        if not model or not str(model).strip():
            raise BackendError("Choose a model for the endpoint (for example meta-llama/Llama-3.1-8B-Instruct).")
        try:
            concurrency, timeout_s, max_retries = int(concurrency), float(timeout_s), int(max_retries)
        except (TypeError, ValueError):
            raise BackendError("Concurrency, timeout and retries must be numbers.") from None
        if not 1 <= concurrency <= 64:
            raise BackendError(f"Concurrency must be between 1 and 64 (got {concurrency}).")
        if not timeout_s > 0:
            raise BackendError(f"The request timeout must be a positive number of seconds (got {timeout_s}).")
        if not 0 <= max_retries <= 20:
            raise BackendError(f"Retries must be between 0 and 20 (got {max_retries}).")
        self.model = str(model).strip()
        self.base_url = normalise_base_url(base_url)
        self.concurrency = concurrency
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_base_s = float(backoff_base_s)
        self.backoff_max_s = float(backoff_max_s)
        self.max_retry_after_s = float(max_retry_after_s)
        self.seed = seed
        self.api_key_env = api_key_env or None  # the variable's name only, never its value

        import openai  # one kept client: one connection pool for the whole run

        self._openai = openai
        self._client = openai.OpenAI(
            api_key=self._resolve_key(api_key), base_url=self.base_url, max_retries=0, timeout=self.timeout_s
        )
        self._pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="endpoint")
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._send_response_format = bool(use_response_format)
        self._send_temperature = True
        self._send_seed = seed is not None
        self._token_param = "max_tokens"
        self._token_param_switched = False
        self._ever_answered = False
        self.usage = {"requests": 0, "failed": 0, "retries": 0, "prompt_tokens": 0, "completion_tokens": 0}

    @classmethod
    def from_config(cls, cfg: Any, api_key: str | None = None, **overrides: Any) -> "OpenAICompatBackend":
        """Build from a config object or mapping with ``model``, ``base_url``, ``api_key_env``, ``concurrency``
        (and optionally ``timeout_s``, ``max_retries``); ``api_key`` is the password-field value."""
        return cls(cfg, api_key=api_key, **overrides)

    def _resolve_key(self, api_key: str | None) -> str:
        if api_key and api_key.strip():
            self._key_source = "the API key field"
            return api_key.strip()
        if self.api_key_env:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", self.api_key_env):
                raise BackendError(f"{self.api_key_env!r} is not a valid environment variable name.")
            value = os.environ.get(self.api_key_env, "").strip()
            if not value:
                raise BackendError(
                    f"The environment variable {self.api_key_env} is not set or is empty: set it to your API key."
                )
            self._key_source = f"the environment variable {self.api_key_env}"
            return value
        key, self._key_source = default_key(self.base_url)
        return key

    def __repr__(self) -> str:
        return f"OpenAICompatBackend(model={self.model!r}, base_url={self.base_url!r}, concurrency={self.concurrency})"

    def __reduce__(self):  # holds a live client and a secret: never pickled into a job or a file
        raise TypeError("OpenAICompatBackend cannot be pickled; build a new one from its config.")

    def __enter__(self) -> "OpenAICompatBackend":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ------------------------------------------------------------------ public API
    def generate(self, requests: list[GenerationRequest], on_result: OnResult | None = None) -> list[GenerationResult]:
        """Answer every request, at most ``concurrency`` at a time; ``on_result`` runs in the calling thread.

        An exception raised by ``on_result`` (a stop request) cancels the requests not yet sent and propagates.
        """
        if self._closed.is_set():
            raise BackendError("This endpoint connection was closed; start a new run.")
        results: list[GenerationResult | None] = [None] * len(requests)
        abort = threading.Event()
        futures: dict[Future, int] = {self._pool.submit(self._one, req, abort): i for i, req in enumerate(requests)}
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in sorted(done, key=futures.__getitem__):
                    i = futures[fut]
                    try:
                        res = fut.result()
                    except _Fatal as exc:
                        raise BackendError(str(exc)) from None
                    except Exception as exc:  # noqa: BLE001 - one request's bug must not lose the others
                        log.exception("endpoint request failed unexpectedly")
                        res = GenerationResult(error=f"internal error: {type(exc).__name__}", tag=requests[i].tag)
                    results[i] = res
                    if on_result is not None:
                        on_result(i, res)
        finally:
            if pending:
                abort.set()
                for fut in pending:
                    fut.cancel()
        return [r if r is not None else GenerationResult(error="cancelled") for r in results]

    def check(self) -> None:
        """Send one tiny request; raise :class:`BackendError` with the reason when the endpoint cannot answer."""
        probe = GenerationRequest(messages=[{"role": "user", "content": "Reply with OK."}], max_new_tokens=4,
                                  temperature=0.0)
        result = self.generate([probe])[0]
        if not result.ok:
            raise BackendError(f"The endpoint at {self.base_url} did not answer a test request: {result.error}")

    def close(self) -> None:
        self._closed.set()
        self._pool.shutdown(wait=False, cancel_futures=True)
        try:
            self._client.close()
        except Exception:  # noqa: BLE001 - closing twice or a dead pool is harmless
            pass

    # ------------------------------------------------------------------ one request
    def _kwargs(self, req: GenerationRequest) -> dict[str, Any]:
        kw: dict[str, Any] = {"model": self.model, "messages": req.messages, self._token_param: int(req.max_new_tokens)}
        if self._send_temperature:
            kw["temperature"] = float(req.temperature)
        if self._send_seed:
            kw["seed"] = int(self.seed)
        if req.json_schema and self._send_response_format:
            kw["response_format"] = response_format(req.json_schema)
        return kw

    def _one(self, req: GenerationRequest, abort: threading.Event) -> GenerationResult:
        openai = self._openai
        start = time.monotonic()
        attempts = retries = 0

        def fail(error: str) -> GenerationResult:
            with self._lock:
                self.usage["requests"] += 1
                self.usage["failed"] += 1
            log.warning("endpoint request failed: %s", error)
            return GenerationResult(error=error, tag=req.tag, seconds=time.monotonic() - start,
                                    meta={"attempts": attempts})

        while True:
            if abort.is_set() or self._closed.is_set():
                return GenerationResult(error="cancelled", tag=req.tag, seconds=time.monotonic() - start)
            attempts += 1
            kw = self._kwargs(req)
            retry_after = None
            try:
                resp = self._client.chat.completions.create(**kw, timeout=self.timeout_s)
            except openai.APIStatusError as exc:
                self._ever_answered = True
                status, msg = exc.status_code, self._server_message(exc)
                if status in (400, 422) and self._drop_refused_param(msg, kw):
                    attempts -= 1  # the server told us what it does not take: not a failed attempt
                    continue
                try:
                    self._raise_if_fatal(status, msg)
                except _Fatal:
                    abort.set()  # before this worker takes the next queued request: nothing more is sent
                    raise
                if status not in _RETRY_STATUS and status < 500:
                    return fail(f"HTTP {status}: {msg}")
                error, retry_after, connection = f"HTTP {status}: {msg}", retry_after_seconds(exc), False
            except openai.APITimeoutError:
                error, connection = f"timed out after {self.timeout_s:g} s", False
            except openai.APIConnectionError as exc:
                cause = exc.__cause__ or exc
                error, connection = f"cannot connect to {self.base_url} ({type(cause).__name__})", True
            except Exception as exc:  # noqa: BLE001 - a malformed answer fails this request only
                return fail(f"unexpected answer from the endpoint: {type(exc).__name__}: {self._redact(str(exc))[:200]}")
            else:
                self._ever_answered = True
                return self._result(req, resp, kw, attempts, start)
            if retries >= self.max_retries:
                if connection and not self._ever_answered:
                    raise _Fatal(
                        f"Cannot reach the endpoint at {self.base_url}: check the URL and that the server is running."
                    )
                return fail(f"{error} (gave up after {attempts} attempts)")
            delay = self._delay(retries, retry_after)
            retries += 1
            with self._lock:
                self.usage["retries"] += 1
            log.info("endpoint: %s; retry %d of %d in %.1f s", error, retries, self.max_retries, delay)
            if abort.wait(delay) or self._closed.is_set():
                return GenerationResult(error="cancelled", tag=req.tag, seconds=time.monotonic() - start)

    def _result(self, req: GenerationRequest, resp: Any, kw: dict, attempts: int, start: float) -> GenerationResult:
        choices = getattr(resp, "choices", None) or []
        choice = choices[0] if choices else None
        message = getattr(choice, "message", None)
        raw = message_text(getattr(message, "content", None))
        text, stripped = strip_reasoning(raw)
        usage = getattr(resp, "usage", None)
        prompt_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
        completion_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
        with self._lock:
            self.usage["requests"] += 1
            self.usage["prompt_tokens"] += prompt_tokens
            self.usage["completion_tokens"] += completion_tokens
        meta = {
            "attempts": attempts,
            "finish_reason": getattr(choice, "finish_reason", None),
            "response_format": "response_format" in kw,
            "reasoning_stripped": stripped,
            "usage_reported": usage is not None,
        }
        error = None if choice is not None else "the endpoint answered without any choices"
        return GenerationResult(text=text, error=error, prompt_tokens=prompt_tokens,
                                completion_tokens=completion_tokens, seconds=time.monotonic() - start,
                                tag=req.tag, meta=meta)

    # ------------------------------------------------------------------ errors and retries
    def _delay(self, retries: int, retry_after: float | None) -> float:
        if retry_after is not None:  # honour the server, plus a little jitter so workers do not stampede
            return min(retry_after, self.max_retry_after_s) + random.uniform(0, 0.1 * self.backoff_base_s)
        backoff = min(self.backoff_max_s, self.backoff_base_s * (2 ** retries))
        return backoff * random.uniform(0.5, 1.0)

    def _drop_refused_param(self, msg: str, kw: dict[str, Any]) -> bool:
        """True when the 400/422 names an optional parameter we sent: stop sending it and retry at once."""
        low = msg.lower()
        with self._lock:
            if "response_format" in kw and any(w in low for w in ("response_format", "json_schema", "json mode",
                                                                   "response format", "guided")):
                if self._send_response_format:
                    log.info("endpoint does not take response_format; continuing without JSON mode")
                self._send_response_format = False
                return True
            if not self._token_param_switched and "max_tokens" in kw and "max_tokens" in low and (
                    "max_completion_tokens" in low or _UNSUPPORTED.search(low)):
                self._token_param, self._token_param_switched = "max_completion_tokens", True
                return True
            if "temperature" in kw and "temperature" in low and _UNSUPPORTED.search(low):
                self._send_temperature = False
                return True
            if "seed" in kw and re.search(r"\bseed\b", low):
                self._send_seed = False
                return True
        return False

    def _raise_if_fatal(self, status: int, msg: str) -> None:
        where = f"the endpoint at {self.base_url}"
        if status == 401:
            if self._key_source == "no key":
                raise _Fatal(f"{where.capitalize()} needs an API key (HTTP 401: {msg}). Paste one in the API key "
                             "field or name the environment variable that holds it.")
            raise _Fatal(f"{where.capitalize()} rejected the API key from {self._key_source} (HTTP 401: {msg}). "
                         "Check that the key is right and not expired.")
        if status == 403:
            raise _Fatal(f"The API key from {self._key_source} has no access to model {self.model!r} at {where} "
                         f"(HTTP 403: {msg}). For a gated model accept its licence on the model page; check the "
                         "key's permissions.")
        if status == 404:
            raise _Fatal(f"Model {self.model!r} or the chat API was not found at {where} (HTTP 404: {msg}). "
                         "Check the model id and the base URL (it usually ends in /v1).")
        if status in (400, 422) and _MODEL_MISSING.search(msg):
            raise _Fatal(f"{where.capitalize()} does not serve model {self.model!r} (HTTP {status}: {msg}).")

    def _server_message(self, exc: Any) -> str:
        return server_message(exc, self._redact)

    def _redact(self, text: str) -> str:
        return redact(text, getattr(self._client, "api_key", "") or "")
