"""Local transformers backend: any causal chat model by Hub id, local path or ``bundled:`` name.

Prompts go through the model's chat template and are generated in batches with left padding by the shared
runtime (:mod:`studio.runtime`); requests with the same settings are batched together, rows end at their own
stop strings. On a CUDA GPU the model loads in 4-bit NF4 when bitsandbytes is installed.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

from .base import BackendError, GenerationRequest, GenerationResult, OnResult

log = logging.getLogger(__name__)


class LocalBackend:
    name = "transformers"

    def __init__(self, model: str, batch_size: int = 8, seed: int = 0, load_in_4bit: bool | None = None,
                 trust_remote_code: bool = False):
        self.model = model
        self.batch_size = max(1, int(batch_size))
        self.seed = seed
        self.load_in_4bit = load_in_4bit
        self.trust_remote_code = trust_remote_code
        self._model = None
        self._tok = None
        self.device = "cpu"
        self.quantized = False

    # ---- loading ---------------------------------------------------------------------------
    def load(self) -> None:
        if self._model is not None:
            return
        from ...models import ModelNotFound, resolve_model
        from ...runtime import load_causal_lm

        try:
            path = resolve_model(self.model)
        except ModelNotFound as exc:
            raise BackendError(str(exc)) from None
        try:
            loaded = load_causal_lm(path, load_in_4bit=self.load_in_4bit, trust_remote_code=self.trust_remote_code)
        except (OSError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise BackendError(f"cannot load model {self.model!r}: {first}") from None
        self._tok, self._model = loaded.tokenizer, loaded.model
        self.device, self.quantized = loaded.device, loaded.quantized

    def _stop_token_ids(self, stops: tuple[str, ...]) -> set[int]:
        from ...runtime import stop_token_ids

        cache = self.__dict__.setdefault("_stop_cache", {})
        if stops not in cache:
            cache[stops] = stop_token_ids(self._tok, stops)
        return cache[stops]

    def parameter_count(self) -> int:
        """Parameters of the loaded model (loads it): the pipeline picks the guided recipe under 1B."""
        self.load()
        return sum(p.numel() for p in self._model.parameters())

    # ---- generation ------------------------------------------------------------------------
    def render(self, messages: list[dict[str, str]]) -> str:
        from ...runtime import render_chat

        return render_chat(self._tok, messages)

    def generate(self, requests: list[GenerationRequest], on_result: OnResult | None = None) -> list[GenerationResult]:
        self.load()
        results: list[GenerationResult | None] = [None] * len(requests)
        prompts = [self.render(r.messages) for r in requests]
        lengths = [len(self._tok(p, add_special_tokens=False)["input_ids"]) for p in prompts]
        # batches of similar settings and length waste the least padding
        order = sorted(range(len(requests)), key=lambda i: (*_settings(requests[i]), lengths[i]))
        # continuous batching (a CUDA GPU) takes every request of the same settings at once and frees a row's slot
        # the moment it ends; padded batches hold ``batch_size`` rows of similar length
        continuous = self.continuous()
        size = len(requests) if continuous else self.batch_size
        batches, cur = [], []
        for i in order:  # the scheduler caps each row itself: one group per sampling setting
            if cur and (len(cur) >= size or _settings(requests[cur[0]], cap=not continuous)
                        != _settings(requests[i], cap=not continuous)):
                batches.append(cur)
                cur = []
            cur.append(i)
        if cur:
            batches.append(cur)
        for batch in batches:
            def report(k: int, res: GenerationResult, batch=batch) -> None:
                results[batch[k]] = res
                if on_result:
                    on_result(batch[k], res)

            self._run_batch([requests[i] for i in batch], [prompts[i] for i in batch], report)
        return [r for r in results if r is not None]

    def continuous(self) -> bool:
        """Whether this model generates through continuous batching (see :func:`studio.runtime.continuous_batching_wanted`)."""
        from ...runtime import continuous_batching_wanted

        return self._model is not None and continuous_batching_wanted(self._model)

    def _run_batch(self, reqs: list[GenerationRequest], prompts: list[str],
                   report: Callable[[int, GenerationResult], None]) -> None:
        from ...runtime import generate_batch, try_continuous

        req = reqs[0]
        args = dict(temperature=req.temperature, seed=self.seed, stop_ids=self._stop_token_ids(tuple(req.stop or ())))
        done: set[int] = set()
        clock = [time.perf_counter()]

        def result(k: int, row, seconds: float, continuous: bool) -> None:
            done.add(k)  # the seconds of all rows add up to the wall time
            report(k, GenerationResult(text=row.text, prompt_tokens=row.prompt_tokens, completion_tokens=row.new_tokens,
                                       seconds=seconds, tag=reqs[k].tag,
                                       meta={"batch": len(reqs), "truncated": row.truncated, "continuous": continuous}))

        def streamed(k: int, row) -> None:
            now = time.perf_counter()
            result(k, row, now - clock[0], True)
            clock[0] = now

        try:
            if try_continuous(self._model, self._tok, prompts, req.max_new_tokens, on_row=streamed,
                              row_caps=[r.max_new_tokens for r in reqs], **args) is not None:
                return  # rows reached the caller as each ended; after a failure, padded batches take the rest
            left = [k for k in range(len(reqs)) if k not in done]
            for start in range(0, len(left), self.batch_size):
                part = left[start:start + self.batch_size]
                t0 = time.perf_counter()
                rows = generate_batch(self._model, self._tok, [prompts[k] for k in part],
                                      max(reqs[k].max_new_tokens for k in part), **args,
                                      row_caps=[reqs[k].max_new_tokens for k in part])
                secs = time.perf_counter() - t0
                for k, row in zip(part, rows):
                    result(k, row, secs / len(part), False)
        except Exception as exc:  # noqa: BLE001 - one failed batch must not end the run (OOM, bad input)
            msg = f"local generation failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            log.warning(msg)
            for k in range(len(reqs)):
                if k not in done:
                    report(k, GenerationResult(error=msg, tag=reqs[k].tag))

    def close(self) -> None:
        self._model = None
        self._tok = None
        try:
            import torch

            if torch.cuda.is_available():
                torch.cuda.empty_cache()
        except ImportError:
            pass


def _settings(req: GenerationRequest, cap: bool = True) -> tuple:
    return (req.temperature, tuple(req.stop or ()), *((req.max_new_tokens,) if cap else ()))
