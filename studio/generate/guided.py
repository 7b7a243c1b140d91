"""The guided recipe: QA pairs from a small local model (the bundled 135M one) that cannot follow JSON prompts.

Facts come from the chunk itself (:mod:`.facts_extract`): self-contained sentences, verbatim, each with the
span that makes it true. The model gets one short few-shot prompt per call: "sentence + answer -> question",
then "question -> the same question in other words", greedy for the question and sampled for rewordings,
each stopping at the question mark. Every reply is checked (:func:`check_question`): it must be a question,
must not give the answer away, and may not name anything the sentence does not (the usual small-model
failure: "Who created the Linux kernel?" for a sentence about Git). The sentence itself is the answer, so
every pair is grounded by construction; the question with the key replaced by a question word ("echo") is a
phrasing that needs no model. Numeric facts also give a false-premise question with its correction.

The task has the same interface as :class:`~studio.generate.chunk_task.ChunkTask`, except that it hands out
several requests at a time (``next_requests``), so the backend batches across facts and chunks.
"""

from __future__ import annotations

import re
from typing import Any

from . import prompts
from .backends.base import GenerationRequest, GenerationResult
from .chunk_task import extra_counts, fact_id
from .config import GenerateConfig
from .facts_extract import PickedFact, echo_question, false_premise, pick_facts
from .quality import quality_flags
from .textutil import STOPWORDS, normalise, token_key

QUESTION_TOKENS = 40
STOP = ("?", "\n")
EXTRA_CANDIDATES = 2  # rewordings asked beyond the target, since some fail the check
_QWORDS = set(
    """what which who whom whose when where why how is are was were do does did can could will would should has
    have had in on at for by from to according under during with into within after before since until through
    between among across
    cosa che chi quale quali quando dove perché perche come quanto quanta quanti quante è sono era erano in a per
    da con di su secondo entro dopo prima fino tra fra""".split()
)
_GENERIC = set(
    """purpose name named called number year years many much long type kind used use uses mean means meaning role
    happen happens happened person people place time date amount reason way main known responsible exactly
    describe described part example work works made make value size following
    scopo nome chiamato numero anno anni tipo usato uso significa ruolo persona persone luogo tempo data quantità
    motivo modo principale noto fatto valore""".split()
)
_CAP_TOKEN = re.compile(r"(?<!^)(?<![.?!]\s)\b([A-Z][\w.-]*\w|\d[\d,.]*)")


def _tokens(text: str) -> list[str]:
    return [t for t in normalise(text).split() if t not in STOPWORDS and (len(t) > 2 or t.isdigit())]


def _stem(t: str) -> str:
    for suf in ("ing", "ed", "es", "s"):
        if len(t) > len(suf) + 3 and t.endswith(suf):
            return t[: -len(suf)]
    return t


def clean_reply(text: str) -> str:
    """The first question of a model reply: labels, quotes and anything after the question mark dropped."""
    text = (text or "").strip().split("\n")[0]
    text = re.sub(r"^(question|domanda|q)\s*[:.-]\s*", "", text, flags=re.I).strip().strip("\"'`*")
    cut = text.find("?")
    return " ".join(text[: cut + 1].split()) if cut >= 0 else ""


def check_question(q: str, sentence: str, key: str, existing: list[str], lang: str = "en",
                   keep: str | None = None, loose: int = 1, echo: bool = False) -> str | None:
    """Why the question is unusable, or None when it is fine.

    ``keep``: for a rewording, the question it rewords (its names and numbers must all stay).
    ``loose``: how many ordinary words the question may use that the sentence does not (synonyms).
    ``echo``: the rule-made question (the sentence with a question word for its key): only repeats are checked.
    """
    if echo:
        return "repeats another phrasing" if any(token_key(o) == token_key(q) for o in existing) else None
    if not q:
        return "not a question"
    words = q.split()
    if not 3 <= len(words) <= 40:
        return "too short or too long"
    if words[0].lower().strip("¿\"'") not in _QWORDS:
        return "does not start like a question"
    q_tokens = set(_tokens(q))
    key_tokens = set(_tokens(key))
    if key_tokens and key_tokens <= q_tokens:
        return "gives the answer away"
    vocab = {_stem(t) for t in _tokens(sentence)} | {_stem(t) for t in _tokens(keep or "")}
    unknown = [t for t in q_tokens if _stem(t) not in vocab and t not in _GENERIC]
    sentence_low = sentence.lower() + " " + (keep or "").lower()
    names = [m.group(1) for m in _CAP_TOKEN.finditer(q)]
    if any(n.lower().rstrip(".") not in sentence_low for n in names):
        return "names something the sentence does not"
    if len(unknown) > loose:
        return "strays from the sentence"
    if not (q_tokens - key_tokens) & {t for t in _tokens(sentence)} and not keep:
        return "not about the sentence"
    if keep:
        lost = [m.group(1) for m in _CAP_TOKEN.finditer(keep) if m.group(1).lower() not in q.lower()]
        if lost:
            return "drops a name of the question"
        src = {_stem(t) for t in _tokens(keep)}
        if src and len(src & {_stem(t) for t in q_tokens}) < len(src) / 4:
            return "drifts from the question it rewords"
    k = token_key(q)
    for other in existing:
        if token_key(other) == k or _jaccard(q, other) >= 0.85:
            return "repeats another phrasing"
    return None


def _jaccard(a: str, b: str) -> float:
    x, y = set(normalise(a).split()), set(normalise(b).split())
    return len(x & y) / len(x | y) if x | y else 1.0


class GuidedChunkTask:
    """One chunk through the guided recipe: pick facts -> questions -> rewordings -> pairs."""

    def __init__(self, chunk: dict, cfg: GenerateConfig, position: int, generator: str, model: str):
        self.chunk, self.cfg = chunk, cfg
        self.lang = prompts.prompt_lang(chunk.get("lang"), cfg.language)
        self.generator, self.model = generator, model
        self.n_refusal, self.n_false = extra_counts(position, cfg.facts_per_chunk, cfg)
        self.picked: list[PickedFact] = pick_facts(chunk["text"], cfg.facts_per_chunk)
        self.phrasings: list[list[str]] = [[] for _ in self.picked]
        self.facts: list[dict] = []
        self.pairs: list[dict] = []
        self.notes: list[str] = []
        self.failed: str | None = None
        self.rejected: dict[str, int] = {}
        self.calls = self.prompt_tokens = self.completion_tokens = 0
        self.step = "question" if self.picked else "done"
        self._pending: list[GenerationRequest] = []
        if not self.picked:
            self.notes.append("no self-contained fact sentence in this chunk")

    @property
    def finished(self) -> bool:
        return self.step == "done"

    # ---- requests ------------------------------------------------------------------------------
    def next_requests(self) -> list[GenerationRequest]:
        if self.finished:
            return []
        if self.step == "question":
            reqs = [GenerationRequest(messages=prompts.question_messages(f.sentence, f.key, self.lang),
                                      max_new_tokens=QUESTION_TOKENS, temperature=0.0, stop=STOP, tag=(i, None))
                    for i, f in enumerate(self.picked)]
        else:
            reqs = []
            temp = self.cfg.temperature if self.cfg.temperature > 0 else 0.8
            for i, have in enumerate(self.phrasings):
                want = self.cfg.phrasings_per_fact - len(have)
                if not have or want <= 0:
                    continue
                for j in range(want + EXTRA_CANDIDATES):
                    src = have[j % len(have)]
                    reqs.append(GenerationRequest(messages=prompts.paraphrase_messages(src, self.lang),
                                                  max_new_tokens=QUESTION_TOKENS, temperature=temp, stop=STOP,
                                                  tag=(i, src)))
        self._pending = reqs
        return reqs

    def next_request(self) -> GenerationRequest | None:  # the one-request interface, for callers that want it
        reqs = self.next_requests()
        return reqs[0] if reqs else None

    def feed_many(self, results: list[GenerationResult]) -> None:
        for req, res in zip(self._pending, results):
            self.calls += 1
            self.prompt_tokens += res.prompt_tokens
            self.completion_tokens += res.completion_tokens
            i, src = req.tag
            fact = self.picked[i]
            if self.step == "question":
                self._take(i, clean_reply(res.text) if res.ok else "", None)
                echo = echo_question(fact, self.lang)
                if echo and not check_question(echo, fact.sentence, fact.key, self.phrasings[i], self.lang, echo=True):
                    self.phrasings[i].append(echo)
            elif len(self.phrasings[i]) < self.cfg.phrasings_per_fact:
                self._take(i, clean_reply(res.text) if res.ok else "", src)
        self._pending = []
        if self.step == "question" and self.cfg.paraphrases > 0 and any(self.phrasings):
            self.step = "paraphrase"
        else:
            self._finish()

    def fraction(self) -> tuple[float, float]:
        return {"question": (0.0, 0.3), "paraphrase": (0.3, 1.0)}.get(self.step, (1.0, 1.0))

    @property
    def step_label(self) -> str:
        return {"question": "writing questions", "paraphrase": "rewording questions"}.get(self.step, "done")

    def feed(self, result: GenerationResult) -> None:
        self.feed_many([result])

    def _take(self, i: int, q: str, src: str | None) -> None:
        fact = self.picked[i]
        why = check_question(q, fact.sentence, fact.key, self.phrasings[i], self.lang, keep=src)
        if why:
            self.rejected[why] = self.rejected.get(why, 0) + 1
        else:
            self.phrasings[i].append(q)

    # ---- pairs -----------------------------------------------------------------------------
    def _finish(self) -> None:
        fp_left = self.n_false
        for fact, qs in zip(self.picked, self.phrasings):
            if not qs:
                continue
            fid = fact_id(self.chunk["document_id"], fact.sentence)
            self.facts.append({"fact": fact.sentence, "key": fact.key, "id": fid})
            for n, q in enumerate(qs):
                self._add(q, fact.sentence, fact.key, "fact" if n == 0 else "paraphrase", fid)
            if fp_left > 0 and (made := false_premise(fact, self.lang)):
                fp_left -= 1
                question, answer = made
                self._add(question, answer, fact.key, "false_premise", fact_id(self.chunk["document_id"], question, "p"))
        dropped = len(self.picked) - len(self.facts)
        if dropped:
            self.notes.append(f"{dropped} of {len(self.picked)} fact sentences got no usable question")
        if self.rejected:
            reasons = ", ".join(f"{k} ({v})" for k, v in sorted(self.rejected.items(), key=lambda kv: -kv[1]))
            self.notes.append(f"model questions set aside: {reasons}")
        if self.n_refusal:
            self.notes.append("refusal questions need a larger generator (an endpoint or a 1B+ model)")
        if self.cfg.curate:
            self.notes.append("curation by a judge needs a larger generator: pairs kept unjudged")
        self.step = "done"

    def _add(self, question: str, answer: str, key: str, kind: str, fid: str) -> None:
        flags = quality_flags(question, answer, key, self.chunk["text"], self.chunk.get("lang"), kind)
        if self.cfg.curate:
            flags.append("unjudged")
        self.pairs.append({
            "chunk_id": self.chunk["id"], "document_id": self.chunk["document_id"], "fact_id": fid,
            "question": question, "answer": answer, "key_answer": key or None, "kind": kind, "split": "train",
            "status": "pending", "generator": self.generator, "model": self.model,
            "prompt_version": prompts.GUIDED_VERSION, "flags": flags, "lang": self.lang,
        })

    def fact_rows(self) -> list[dict[str, Any]]:
        rows, seen = [], set()
        for f in self.facts:
            if f["id"] not in seen:
                seen.add(f["id"])
                rows.append({"id": f["id"], "statement": f["fact"], "key_answer": f["key"], "kind": "fact"})
        for p in self.pairs:
            if p["kind"] == "false_premise" and p["fact_id"] not in seen:
                seen.add(p["fact_id"])
                rows.append({"id": p["fact_id"], "statement": p["question"], "key_answer": p["key_answer"], "kind": p["kind"]})
        return rows
