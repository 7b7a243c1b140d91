"""Rewrite one pair of the review from its source chunk and its fact, through the workspace's generator.

The generator is the one the workspace last generated with (the config of its newest ``generate`` run;
the defaults when it has none), with any overrides the caller passes. One fact goes to the same QA prompt
the generation run uses, the reply is parsed by :mod:`.parsing` (one retry that shows the model its
error), and the first question that is not already a phrasing of this fact becomes the new question.

This module only computes the new text; :func:`studio.dataset.rows.regenerate` writes it as one undoable
review action.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..workspace import Workspace
from . import prompts
from .backends import Backend, BackendError, GenerationRequest, make_backend
from .config import GenerateConfig
from .parsing import ParseError, parse_qa
from .quality import quality_flags
from .textutil import normalise

# the kinds a fact prompt can rewrite; the others are explained, never silently skipped
REWRITABLE = ("fact", "paraphrase", "manual", "imported")
WHY_NOT = {
    "voice": "a voice pair's answer is the author's own passage: edit its question by hand",
    "extractive": "an extractive pair's answer is a passage of the document: edit its question by hand",
    "refusal": "a refusal is written against the whole document, not one fact: edit it by hand or delete it",
    "false_premise": "a false-premise question is written against the whole document: edit it by hand or delete it",
}


class RegenerateError(RuntimeError):
    """The pair cannot be regenerated, or the generator gave nothing usable; the message says why."""


@dataclass
class Rewrite:
    """The new text of a pair and where it came from."""

    question: str
    answer: str
    key_answer: str | None
    flags: list[str] = field(default_factory=list)
    generator: str = ""
    model: str = ""
    prompt_version: str = prompts.PROMPT_VERSION


def generator_settings(ws: Workspace, **overrides: Any) -> GenerateConfig:
    """The workspace's generator settings: its newest generation run's config, then ``overrides``."""
    runs = ws.list_runs("generate", limit=1)
    saved: dict[str, Any] = {}
    if runs:
        try:
            saved = json.loads(runs[0].get("config_json") or "{}")
        except ValueError:
            saved = {}
    return GenerateConfig.from_dict({**saved, **{k: v for k, v in overrides.items() if v is not None}}, strict=False)


def _source(ws: Workspace, pair: dict) -> tuple[dict, str, str | None, str]:
    """(chunk, fact statement, key answer, language) of a pair, or a readable reason why there is none."""
    kind = pair.get("kind") or "fact"
    if kind in WHY_NOT:
        raise RegenerateError(WHY_NOT[kind])
    if kind not in REWRITABLE:
        raise RegenerateError(f"pairs of kind {kind!r} cannot be regenerated")
    chunk = ws.get_chunk(pair["chunk_id"]) if pair.get("chunk_id") else None
    if chunk is None:
        raise RegenerateError("this pair has no source chunk (imported or written by hand): edit it by hand instead")
    row = ws.conn.execute("SELECT lang FROM documents WHERE id = ?", (chunk["document_id"],)).fetchone()
    doc_lang = row[0] if row else None
    fact = None
    if pair.get("fact_id"):
        fact = ws.conn.execute("SELECT statement, key_answer FROM facts WHERE id = ?", (pair["fact_id"],)).fetchone()
    # without a stored fact (pairs imported with a chunk, or added by hand) the answer states the fact
    statement = (fact["statement"] if fact and fact["statement"] else pair.get("answer") or "").strip()
    key = (fact["key_answer"] if fact and fact["key_answer"] else pair.get("key_answer")) or None
    if not statement:
        raise RegenerateError("this pair has neither a stored fact nor an answer to regenerate from")
    return chunk, statement, key, doc_lang or ""


def _taken(ws: Workspace, pair: dict) -> set[str]:
    """Normalised questions this fact already has (this pair's included): the rewrite must be new."""
    taken = {normalise(pair["question"])}
    if pair.get("fact_id"):
        rows = ws.conn.execute("SELECT question FROM qa_pairs WHERE fact_id = ?", (pair["fact_id"],))
        taken |= {normalise(r[0]) for r in rows}
    return taken


def _ask(backend: Backend, messages: list[dict[str, str]], cfg: GenerateConfig, lang: str) -> list[dict[str, Any]]:
    """One QA request with one retry that shows the model its error; the parsed items."""
    error = ""
    for attempt in range(2):
        req = GenerationRequest(messages=messages, max_new_tokens=cfg.max_new_tokens, temperature=cfg.temperature,
                                tag=("regenerate", attempt))
        (result,) = backend.generate([req])
        if not result.ok:
            error = result.error or "the request failed"
            continue
        try:
            return parse_qa(result.text, 1)
        except ParseError as exc:
            error = str(exc)
            messages = prompts.retry_messages(messages, result.text, error, lang)
    raise RegenerateError(f"the generator gave no usable question: {error}")


def rewrite_pair(ws: Workspace, pair: dict, cfg: GenerateConfig | None = None,
                 backend: Backend | None = None) -> Rewrite:
    """A new question (and answer) for ``pair`` from its chunk and fact; the workspace is not changed."""
    cfg = cfg or generator_settings(ws)
    chunk, statement, key, doc_lang = _source(ws, pair)
    lang = prompts.prompt_lang(doc_lang, cfg.language)
    listing = f"1. {statement}" + (f" (key: {key})" if key else "")
    taken = _taken(ws, pair)
    # ask for as many paraphrases as the fact already has phrasings, plus the usual number: room for a new one
    k = min(20, max(cfg.paraphrases, 1) + len(taken))
    messages = prompts.messages("qa", lang, k=k, chunk=chunk["text"], facts=listing)
    own = backend is None
    try:
        backend = backend or make_backend(cfg)
    except BackendError as exc:
        raise RegenerateError(str(exc)) from None
    try:
        if _guided(cfg, backend):
            return _rewrite_guided(backend, pair, chunk, statement, key, lang, doc_lang, taken, cfg)
        items = _ask(backend, messages, cfg, lang)
    except BackendError as exc:
        raise RegenerateError(str(exc)) from None
    finally:
        if own:
            backend.close()
    item = items[0]
    candidates = [{"question": item["question"], "answer": item["answer"], "key_answer": item["key_answer"]}]
    candidates += [{"question": p["question"], "answer": p.get("answer") or item["answer"],
                    "key_answer": p.get("key_answer") or item["key_answer"]} for p in item["paraphrases"]]
    fresh = next((c for c in candidates if normalise(c["question"]) not in taken), None)
    if fresh is None:
        raise RegenerateError("the generator only gave back phrasings this fact already has; "
                              "raise the temperature or edit the question by hand")
    key_answer = fresh["key_answer"] or key
    flags = quality_flags(fresh["question"], fresh["answer"], key_answer, chunk["text"], doc_lang or None,
                          pair.get("kind") or "fact")
    return Rewrite(question=fresh["question"], answer=fresh["answer"], key_answer=key_answer or None, flags=flags,
                   generator=backend.name, model=backend.model)


def _guided(cfg: GenerateConfig, backend: Backend) -> bool:
    from .guided import GuidedChunkTask
    from .pipeline import _task_class

    return _task_class(cfg, backend) is GuidedChunkTask


def _rewrite_guided(backend: Backend, pair: dict, chunk: dict, statement: str, key: str | None, lang: str,
                    doc_lang: str, taken: set[str], cfg: GenerateConfig) -> Rewrite:
    """A small model: a new question for the fact sentence, and rewordings of the pair's question, each checked
    as in the guided recipe; the answer stays the fact sentence."""
    from .guided import QUESTION_TOKENS, STOP, check_question, clean_reply

    temp = cfg.temperature if cfg.temperature > 0 else 0.8
    reqs = [GenerationRequest(messages=prompts.question_messages(statement, key or "", lang), max_new_tokens=QUESTION_TOKENS,
                              temperature=temp, stop=STOP)]
    reqs += [GenerationRequest(messages=prompts.paraphrase_messages(pair["question"], lang), max_new_tokens=QUESTION_TOKENS,
                               temperature=temp, stop=STOP) for _ in range(5)]
    existing = [pair["question"]]
    for i, result in enumerate(backend.generate(reqs)):
        q = clean_reply(result.text) if result.ok else ""
        loose = 2 if i else 1  # a rewording may use a synonym more; it must still be about the fact sentence
        if q and normalise(q) not in taken and not check_question(q, statement, key or "", existing, lang, loose=loose):
            answer = pair.get("answer") or statement
            flags = quality_flags(q, answer, key, chunk["text"], doc_lang or None, pair.get("kind") or "fact")
            return Rewrite(question=q, answer=answer, key_answer=key, flags=flags, generator=backend.name,
                           model=backend.model, prompt_version=prompts.GUIDED_VERSION)
    raise RegenerateError("the generator gave no usable new question for this fact (a small model: try again, "
                          "or edit the question by hand)")


def more_phrasings(ws: Workspace, pair: dict, n: int, cfg: GenerateConfig | None = None,
                   backend: Backend | None = None, avoid: set[str] | None = None) -> list[Rewrite]:
    """Up to ``n`` new questions for the fact of ``pair`` (its answer kept), none a phrasing the fact already has
    nor one in ``avoid``: the same prompts as :func:`rewrite_pair`, asked for several at once. The workspace is
    not changed; the caller checks leaks and stores them."""
    cfg = cfg or generator_settings(ws)
    chunk, statement, key, doc_lang = _source(ws, pair)
    lang = prompts.prompt_lang(doc_lang, cfg.language)
    taken = _taken(ws, pair) | set(avoid or ())
    own = backend is None
    try:
        backend = backend or make_backend(cfg)
    except BackendError as exc:
        raise RegenerateError(str(exc)) from None
    found: list[Rewrite] = []
    try:
        if _guided(cfg, backend):
            questions = _guided_candidates(backend, ws, pair, statement, key, lang, taken, n, cfg)
            answer, key_answer, version = pair.get("answer") or statement, key, prompts.GUIDED_VERSION
            items = [{"question": q, "answer": answer, "key_answer": key_answer} for q in questions]
        else:
            listing = f"1. {statement}" + (f" (key: {key})" if key else "")
            k = min(20, max(cfg.paraphrases, 1) + n + len(taken))
            item = _ask(backend, prompts.messages("qa", lang, k=k, chunk=chunk["text"], facts=listing), cfg, lang)[0]
            version = prompts.PROMPT_VERSION
            # the answer stays the pair's own (it is the one reviewed); only the wording of the question changes
            items = [{"question": p["question"], "answer": pair.get("answer") or item["answer"],
                      "key_answer": key or item["key_answer"]} for p in [item, *item["paraphrases"]]]
    except BackendError as exc:
        raise RegenerateError(str(exc)) from None
    finally:
        if own:
            backend.close()
    for it in items:
        norm = normalise(it["question"])
        if not norm or norm in taken or len(found) >= n:
            continue
        taken.add(norm)
        flags = quality_flags(it["question"], it["answer"], it["key_answer"], chunk["text"], doc_lang or None,
                              pair.get("kind") or "fact")
        found.append(Rewrite(question=it["question"], answer=it["answer"], key_answer=it["key_answer"] or None,
                             flags=flags, generator=backend.name, model=backend.model, prompt_version=version))
    return found


def _guided_candidates(backend: Backend, ws: Workspace, pair: dict, statement: str, key: str | None, lang: str,
                       taken: set[str], n: int, cfg: GenerateConfig) -> list[str]:
    """A small model: rewordings of each trained phrasing of the fact and new questions for the fact sentence,
    each checked as in the guided recipe (about the sentence, not giving the answer away)."""
    from .guided import QUESTION_TOKENS, STOP, check_question, clean_reply

    temp = cfg.temperature if cfg.temperature > 0 else 0.8
    sources = [pair["question"]]
    if pair.get("fact_id"):
        rows = ws.conn.execute("SELECT question FROM qa_pairs WHERE fact_id = ? AND split = 'train' AND status != "
                               "'rejected' ORDER BY id", (pair["fact_id"],))
        sources = list(dict.fromkeys([pair["question"], *(r[0] for r in rows)]))
    reqs = [GenerationRequest(messages=prompts.question_messages(statement, key or "", lang),
                              max_new_tokens=QUESTION_TOKENS, temperature=temp, stop=STOP) for _ in range(n)]
    reqs += [GenerationRequest(messages=prompts.paraphrase_messages(sources[i % len(sources)], lang),
                               max_new_tokens=QUESTION_TOKENS, temperature=temp, stop=STOP) for i in range(3 * n)]
    out: list[str] = []
    seen = set(taken)
    existing = list(sources)
    for i, result in enumerate(backend.generate(reqs)):
        q = clean_reply(result.text) if result.ok else ""
        loose = 1 if i < n else 2  # a rewording may use a synonym more; it must still be about the fact sentence
        if q and normalise(q) not in seen and not check_question(q, statement, key or "", existing, lang, loose=loose):
            seen.add(normalise(q))
            existing.append(q)
            out.append(q)
    return out
