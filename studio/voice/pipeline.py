"""Run the voice recipe on a workspace with any generator backend, and write the pairs."""

from __future__ import annotations

from typing import Callable

from .config import VoiceConfig, system_prompt
from .passages import Passage
from .prompts import PROMPT_VERSION, extract_messages, judge_messages, question_messages
from .recipe import (SETTING_SYSTEM, amount_check, collect_passages, curation_enabled, mix_by_tokens,
                     parse_extractive, parse_question, parse_score, passage_hash, passage_sentences)

Progress = Callable[[int, int, str], None]


def _requests(messages_list, config: VoiceConfig, tags):
    from ..generate.backends.base import GenerationRequest

    return [GenerationRequest(messages=m, max_new_tokens=config.max_new_tokens, temperature=config.temperature, tag=t)
            for m, t in zip(messages_list, tags)]


def _generate(backend, requests):
    return backend.generate(requests) if requests else []


def _done_hashes(workspace) -> set[str]:
    import json

    from ..workspace.pairs import PairFilter

    out = set()
    for kind in ("voice", "extractive"):
        for p in workspace.iter_pairs(PairFilter(kind=kind)):
            try:
                h = json.loads(p.get("meta_json") or "{}").get("passage_hash")
            except ValueError:
                h = None
            if h:
                out.add(f"{kind}:{h}")
    return out


def run_voice_recipe(workspace, backend, config: VoiceConfig | None = None, count_tokens=None,
                     progress: Progress | None = None, should_stop: Callable[[], bool] | None = None) -> dict:
    """Voice and extractive pairs for the train passages, held-out voice prompts; returns a summary.

    Passages that already have pairs (same text) are skipped, so a second run resumes.
    """
    cfg = config or VoiceConfig()
    cfg.validate()
    ps = collect_passages(workspace, cfg, count_tokens)
    amount = amount_check(ps.train_words, cfg)
    curate, curate_warning = curation_enabled(cfg, getattr(backend, "model", ""))
    sys_prompt = system_prompt(cfg.author_name, ps.lang)
    workspace.set_setting(SETTING_SYSTEM, sys_prompt)
    done = _done_hashes(workspace)
    warnings = [w for w in (amount["message"], curate_warning) if w]
    failures: list[dict] = []
    lang = ps.lang
    todo_voice = [(p, "train") for p in ps.train if f"voice:{passage_hash(p.text)}" not in done]
    todo_voice += [(p, "heldout") for p in ps.heldout if f"voice:{passage_hash(p.text)}" not in done]
    todo_ext = [p for p in ps.train if f"extractive:{passage_hash(p.text)}" not in done]
    total = len(todo_voice) * (2 if curate else 1) + len(todo_ext)
    step = 0

    def tick(msg: str) -> None:
        nonlocal step
        step += 1
        if progress:
            progress(step, total, msg)

    # 1. questions for every passage (train and held-out)
    questions: list[tuple[Passage, str, str]] = []
    results = _generate(backend, _requests([question_messages(p.text, lang) for p, _ in todo_voice], cfg,
                                         list(range(len(todo_voice)))))
    for (p, split), res in zip(todo_voice, results):
        tick("question")
        try:
            if not res.ok:
                raise ValueError(res.error or "generation failed")
            questions.append((p, split, parse_question(res.text, p.text)))
        except ValueError as exc:
            failures.append({"document_id": p.document_id, "step": "question", "reason": str(exc)})
    if should_stop and should_stop():
        return _summary(ps, amount, warnings, failures, {}, 0, stopped=True)

    # 2. curation of the train pairs (held-out prompts are not curated: they are only asked)
    scores: dict[int, tuple[int, str]] = {}
    if curate:
        train_q = [(i, p, q) for i, (p, split, q) in enumerate(questions) if split == "train"]
        results = _generate(backend, _requests([judge_messages(q, p.text, lang) for _, p, q in train_q], cfg,
                                             [i for i, _, _ in train_q]))
        for (i, p, _), res in zip(train_q, results):
            tick("curation")
            try:
                if not res.ok:
                    raise ValueError(res.error or "generation failed")
                scores[i] = parse_score(res.text)
            except ValueError as exc:
                failures.append({"document_id": p.document_id, "step": "curation", "reason": str(exc)})

    base = {"generator": getattr(backend, "name", ""), "model": getattr(backend, "model", ""),
            "prompt_version": PROMPT_VERSION, "lang": lang, "status": "pending"}
    voice, heldout, rejected = [], [], 0
    for i, (p, split, q) in enumerate(questions):
        score = scores.get(i)
        if split == "train" and curate:
            if score is None:
                continue
            if score[0] < cfg.curate_min_score:
                rejected += 1
                continue
        row = {**base, "question": q, "answer": p.text, "kind": "voice", "split": split,
               "chunk_id": p.chunk_ids[0] if p.chunk_ids else None, "document_id": p.document_id,
               "judge_score": score[0] if score else None, "judge_reason": score[1] if score else None,
               "meta_json": {"passage_hash": passage_hash(p.text), "section": p.section, "system_prompt": sys_prompt,
                             "chunk_ids": p.chunk_ids}}
        (voice if split == "train" else heldout).append(row)

    # 3. extractive pairs from the train passages
    extractive = []
    sents = [passage_sentences(p.text) for p in todo_ext]
    results = _generate(backend, _requests([extract_messages(s, cfg.extractive_max_sentences, lang) for s in sents], cfg,
                                         list(range(len(todo_ext)))))
    for p, s, res in zip(todo_ext, sents, results):
        tick("extractive")
        try:
            if not res.ok:
                raise ValueError(res.error or "generation failed")
            q, idx = parse_extractive(res.text, s, cfg.extractive_max_sentences)
        except ValueError as exc:
            failures.append({"document_id": p.document_id, "step": "extractive", "reason": str(exc)})
            continue
        extractive.append({**base, "question": q, "answer": " ".join(s[i] for i in idx), "kind": "extractive",
                           "split": "train", "chunk_id": p.chunk_ids[0] if p.chunk_ids else None,
                           "document_id": p.document_id,
                           "meta_json": {"passage_hash": passage_hash(p.text), "sentences": [i + 1 for i in idx],
                                         "section": p.section, "system_prompt": sys_prompt}})
    pairs, mix = mix_by_tokens(voice, extractive, cfg.voice_share, cfg.seed)
    ids = workspace.add_pairs(pairs + heldout)
    return _summary(ps, amount, warnings, failures, mix, len(ids), rejected=rejected, heldout_prompts=len(heldout),
                    curation=curate, system_prompt=sys_prompt)


def _summary(ps, amount, warnings, failures, mix, added, stopped=False, **extra) -> dict:
    return {
        "passages": {"train": len(ps.train), "heldout": len(ps.heldout), "skipped": len(ps.skipped),
                     "skipped_reasons": sorted({s.reason.split(" (")[0] for s in ps.skipped})},
        "split": ps.split.summary if ps.split else "", "words": amount, "warnings": warnings,
        "failures": failures, "mix": mix, "pairs_added": added, "stopped": stopped, "lang": ps.lang, **extra,
    }
