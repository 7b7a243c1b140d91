"""One chunk's way through the recipe: facts -> QA + paraphrases -> refusals/false premises -> judge.

A :class:`ChunkTask` hands out one request at a time (so many chunks can be batched together) and takes
the reply back. Every step gets one retry that shows the model its error; a facts or QA step that still
fails marks the chunk failed with the reason; a failed refusal or judge step is noted, never silent.
"""

from __future__ import annotations

from typing import Any

from . import prompts
from .backends.base import GenerationRequest, GenerationResult
from .config import GenerateConfig
from .parsing import ParseError, parse_extra, parse_facts, parse_judge, parse_qa
from .quality import quality_flags
from .textutil import normalise, short_hash


def extra_counts(ordinal: int, n_facts: int, cfg: GenerateConfig) -> tuple[int, int]:
    """Refusal and false-premise questions for the chunk at ``ordinal``: the shares spread exactly over the run."""
    def spread(share: float) -> int:
        return int((ordinal + 1) * share * n_facts) - int(ordinal * share * n_facts)

    return spread(cfg.refusal_share), spread(cfg.false_premise_share)


def fact_id(document_id: Any, statement: str, prefix: str = "f") -> str:
    return prefix + short_hash(document_id, normalise(statement))


class ChunkTask:
    def __init__(self, chunk: dict, cfg: GenerateConfig, position: int, generator: str, model: str):
        self.chunk, self.cfg = chunk, cfg
        self.lang = prompts.prompt_lang(chunk.get("lang"), cfg.language)
        self.generator, self.model = generator, model
        self.n_refusal, self.n_false = extra_counts(position, cfg.facts_per_chunk, cfg)
        self.step = "facts"
        self.retried = False
        self.messages: list[dict[str, str]] = prompts.messages(
            "facts", self.lang, n=cfg.facts_per_chunk, chunk=chunk["text"])
        self.facts: list[dict] = []
        self.pairs: list[dict] = []
        self.notes: list[str] = []
        self.failed: str | None = None
        self.calls = self.prompt_tokens = self.completion_tokens = 0

    @property
    def finished(self) -> bool:
        return self.step == "done"

    def next_request(self) -> GenerationRequest | None:
        if self.finished:
            return None
        return GenerationRequest(messages=self.messages, max_new_tokens=self.cfg.max_new_tokens,
                                 temperature=self.cfg.temperature, tag=(self.chunk["id"], self.step))

    def next_requests(self) -> list[GenerationRequest]:
        req = self.next_request()
        return [req] if req else []

    def feed_many(self, results: list[GenerationResult]) -> None:
        self.feed(results[0])

    _FRACTION = {"facts": 0.0, "qa": 0.35, "extra": 0.75, "judge": 0.85, "done": 1.0}
    _LABEL = {"facts": "finding facts", "qa": "writing questions and paraphrases",
              "extra": "writing refusals and false premises", "judge": "judging pairs", "done": "done"}

    def fraction(self) -> tuple[float, float]:
        """How far this chunk is (0-1) now and once the requests out now come back."""
        order = list(self._FRACTION)
        now = self._FRACTION[self.step]
        return now, self._FRACTION[order[min(order.index(self.step) + 1, len(order) - 1)]]

    @property
    def step_label(self) -> str:
        return self._LABEL[self.step]

    # ---- replies ---------------------------------------------------------------------------
    def feed(self, result: GenerationResult) -> None:
        self.calls += 1
        self.prompt_tokens += result.prompt_tokens
        self.completion_tokens += result.completion_tokens
        if not result.ok:
            return self._problem(result.error or "the request failed", None)
        try:
            getattr(self, f"_take_{self.step}")(result.text)
        except ParseError as exc:
            self._problem(str(exc), result.text)

    def _problem(self, error: str, reply: str | None) -> None:
        if not self.retried:
            self.retried = True
            if reply is not None:  # show the model what was wrong; a transport error just asks again
                self.messages = prompts.retry_messages(self.messages, reply, error, self.lang)
            return
        if self.step in ("facts", "qa"):
            self.failed = f"{self.step}: {error}"
            self.pairs = []
            self.step = "done"
        elif self.step == "extra":
            self.notes.append(f"refusal/false-premise questions not generated: {error}")
            self._after_extra()
        else:
            self.notes.append(f"judge failed, pairs kept unjudged: {error}")
            for p in self.pairs:
                p["flags"].append("unjudged")
            self.step = "done"

    def _goto(self, step: str, messages: list[dict[str, str]]) -> None:
        self.step, self.messages, self.retried = step, messages, False

    def _take_facts(self, text: str) -> None:
        self.facts = parse_facts(text, self.cfg.facts_per_chunk)
        listing = "\n".join(f"{i}. {f['fact']}" + (f" (key: {f['key']})" if f["key"] else "")
                            for i, f in enumerate(self.facts, 1))
        self._goto("qa", prompts.messages("qa", self.lang, k=self.cfg.paraphrases, chunk=self.chunk["text"], facts=listing))

    def _take_qa(self, text: str) -> None:
        items = parse_qa(text, len(self.facts))
        covered = set()
        for item in items:
            fact = self.facts[item["fact"] - 1]
            fid = fact_id(self.chunk["document_id"], fact["fact"])
            covered.add(item["fact"])
            key = item["key_answer"] or fact["key"]
            self._add(item["question"], item["answer"], key, "fact", fid)
            for para in item["paraphrases"][: self.cfg.paraphrases]:
                self._add(para["question"], para.get("answer") or item["answer"], para.get("key_answer") or key, "paraphrase", fid)
        missing = len(self.facts) - len(covered)
        if missing:
            self.notes.append(f"{missing} of {len(self.facts)} facts got no question")
        if self.n_refusal + self.n_false > 0:
            self._goto("extra", prompts.messages("extra", self.lang, r=self.n_refusal, p=self.n_false,
                                                 k=self.cfg.paraphrases, chunk=self.chunk["text"]))
        else:
            self._after_extra()

    def _take_extra(self, text: str) -> None:
        items = parse_extra(text)
        want = {"refusal": self.n_refusal, "false_premise": self.n_false}
        for item in items:
            kind = item["type"]
            if want[kind] <= 0:
                continue
            want[kind] -= 1
            prefix = "r" if kind == "refusal" else "p"
            gid = fact_id(self.chunk["document_id"], item["question"], prefix)
            answer = prompts.REFUSAL_ANSWER[self.lang] if kind == "refusal" else item["answer"]
            key = "" if kind == "refusal" else item["key_answer"]
            for q in [item["question"], *[p["question"] for p in item["paraphrases"][: self.cfg.paraphrases]]]:
                self._add(q, answer, key, kind, gid)
        self._after_extra()

    def _after_extra(self) -> None:
        if self.cfg.curate and self.pairs:
            listing = "\n".join(f"{i}. Q: {p['question']}\n   A: {p['answer']}" for i, p in enumerate(self.pairs, 1))
            self._goto("judge", prompts.messages("judge", self.lang, chunk=self.chunk["text"], pairs=listing))
        else:
            self.step = "done"

    def _take_judge(self, text: str) -> None:
        scores = parse_judge(text, len(self.pairs))
        for i, p in enumerate(self.pairs, 1):
            if i in scores:
                score, reason = scores[i]
                p["judge_score"], p["judge_reason"] = float(score), reason
                p["status"] = "kept" if score >= self.cfg.judge_min_score else "rejected"
            else:
                p["flags"].append("unjudged")
        self.step = "done"

    # ---- pairs -----------------------------------------------------------------------------
    def _add(self, question: str, answer: str, key: str, kind: str, fid: str) -> None:
        flags = quality_flags(question, answer, key, self.chunk["text"], self.chunk.get("lang"), kind)
        self.pairs.append({
            "chunk_id": self.chunk["id"], "document_id": self.chunk["document_id"], "fact_id": fid,
            "question": question, "answer": answer, "key_answer": key or None, "kind": kind, "split": "train",
            "status": "pending", "generator": self.generator, "model": self.model,
            "prompt_version": prompts.PROMPT_VERSION, "flags": flags, "lang": self.lang,
        })

    def fact_rows(self) -> list[dict]:
        """Facts and refusal/false-premise groups for the ``facts`` table."""
        rows, seen = [], set()
        for f in self.facts:
            fid = fact_id(self.chunk["document_id"], f["fact"])
            if fid not in seen:
                seen.add(fid)
                rows.append({"id": fid, "statement": f["fact"], "key_answer": f["key"], "kind": "fact"})
        for p in self.pairs:
            if p["kind"] in ("refusal", "false_premise") and p["fact_id"] not in seen:
                seen.add(p["fact_id"])
                rows.append({"id": p["fact_id"], "statement": p["question"], "key_answer": p["key_answer"], "kind": p["kind"]})
        return rows
