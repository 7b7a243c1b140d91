"""The voice recipe: backtranslated voice pairs (the author's passage verbatim as the answer) and extractive pairs.

For each train passage the generator writes one question a reader would put to the author (the answer is
the passage, verbatim); a curation call that sees the passage scores the pair 1-5 (kept at or above the
minimum); an extractive call returns a question and the numbers of the sentences that answer it (the answer
is those sentences joined, so every assistant token is the author's). Pairs are mixed by assistant tokens
(default 70% voice, 30% extractive) and written with kind ``voice`` / ``extractive``. Held-out passages get
a question too, stored as ``heldout`` voice pairs: the voice evaluation's prompts, never trained on.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from typing import Callable

from .config import MIN_JUDGE_PARAMS_B, VoiceConfig
from .passages import PROMPT_OVERHEAD_TOKENS, Passage, Skipped, pack, split_sentences, words
from .source import document_text, text_blocks, text_documents
from .split import VoiceSplit, get_split

QUOTE_RUN = 8  # a question sharing this many consecutive words with its passage quotes it
SETTING_SYSTEM = "voice_system_prompt"


@dataclass
class PassageSet:
    train: list[Passage] = field(default_factory=list)
    heldout: list[Passage] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    split: VoiceSplit | None = None
    lang: str | None = None

    @property
    def train_words(self) -> int:
        return sum(p.words for p in self.train)


def collect_passages(workspace, config: VoiceConfig, count_tokens: Callable[[str], int] | None = None) -> PassageSet:
    """The author's passages, each marked train or held-out by the stored split."""
    split = get_split(workspace, config)
    out = PassageSet(split=split)
    budget = config.max_length - PROMPT_OVERHEAD_TOKENS
    langs: dict[str, int] = {}
    for doc in text_documents(workspace):
        chunks = workspace.list_chunks(doc["id"])
        text, marks = document_text(chunks)
        passages, skipped = pack(text_blocks(text, marks), config.min_passage_words,
                                 config.max_passage_words, budget, count_tokens, doc["id"])
        out.skipped += skipped
        pos = 0
        for p in passages:
            _locate(p, text, pos, chunks)
            pos = p.end_char if p.end_char is not None else pos
            ordinals = [c["ordinal"] for c in chunks if int(c["id"]) in p.chunk_ids]
            (out.heldout if split.is_heldout(doc["id"], p.section, ordinals) else out.train).append(p)
        if doc.get("lang"):
            langs[doc["lang"]] = langs.get(doc["lang"], 0) + sum(x.words for x in passages)
    out.lang = max(langs, key=langs.get) if langs else None
    return out


def _locate(p: Passage, text: str, start: int, chunks: list[dict]) -> None:
    """The passage's character span in the rebuilt document and the chunks that overlap it."""
    at = text.find(p.text, start)
    if at < 0:
        at = text.find(p.text)
    if at >= 0:
        p.start_char, p.end_char = at, at + len(p.text)
        p.chunk_ids = [int(c["id"]) for c in chunks if c.get("start_char") is not None and c.get("end_char") is not None
                       and c["start_char"] < p.end_char and c["end_char"] > p.start_char]
    if not p.chunk_ids:  # chunks without offsets: match by content
        head, tail = p.text[:80], p.text[-80:]
        p.chunk_ids = [int(c["id"]) for c in chunks if head in c["text"] or tail in c["text"]]


def amount_check(train_words: int, config: VoiceConfig) -> dict:
    """Whether there is enough of the author's text; a message saying how much more is needed when not."""
    short = max(0, config.min_words - train_words)
    msg = "" if not short else (
        f"Only {train_words:,} words of your own text are available for training; about {config.min_words:,} are "
        f"recommended, so add about {short:,} more words (more documents) for the model to pick up your voice. "
        "You can still proceed."
    )
    return {"enough": not short, "words": train_words, "needed": config.min_words, "missing": short, "message": msg}


_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([bm])\b", re.I)


def generator_params_b(model: str) -> float | None:
    """Billions of parameters read from a model name (``SmolLM2-135M`` -> 0.135), None when it does not say."""
    found = _SIZE.findall(re.sub(r"[-_/:]", " ", model or ""))
    if not found:
        return None
    num, unit = found[-1]
    return float(num) / (1000.0 if unit.lower() == "m" else 1.0)


def curation_enabled(config: VoiceConfig, model: str) -> tuple[bool, str]:
    if not config.curate:
        return False, ""
    size = generator_params_b(model)
    if size is not None and size < MIN_JUDGE_PARAMS_B:
        return False, (f"curation is off: the generator ({model}, about {size:g}B parameters) is too small to judge "
                       f"pairs reliably (needs {MIN_JUDGE_PARAMS_B:g}B or more); review the pairs yourself")
    return True, ""


def passage_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _parse(text: str):
    from ..generate.parsing import extract_json

    return extract_json(text)


def parse_question(reply: str, passage: str) -> str:
    """The question of a voice reply; raises ValueError with a reason when unusable."""
    value = _parse(reply)
    q = value.get("question") if isinstance(value, dict) else None
    if not isinstance(q, str) or not q.strip():
        raise ValueError("the reply has no question")
    q = " ".join(q.split())
    if words(q) > 80:
        raise ValueError("the question is longer than 80 words")
    if _shares_run(q, passage, QUOTE_RUN):
        raise ValueError(f"the question quotes the passage ({QUOTE_RUN}+ words in a row)")
    return q


def parse_score(reply: str) -> tuple[int, str]:
    value = _parse(reply)
    if not isinstance(value, dict) or "score" not in value:
        raise ValueError("the reply has no score")
    try:
        score = int(round(float(value["score"])))
    except (TypeError, ValueError):
        raise ValueError(f"the score {value['score']!r} is not a number") from None
    return max(1, min(5, score)), str(value.get("reason") or "")[:300]


def parse_extractive(reply: str, sentences: list[str], max_sentences: int) -> tuple[str, list[int]]:
    """(question, 0-based sentence indices) of an extractive reply; raises ValueError when unusable."""
    value = _parse(reply)
    if not isinstance(value, dict):
        raise ValueError("the reply is not a JSON object")
    q = value.get("question")
    if not isinstance(q, str) or not q.strip():
        raise ValueError("the reply has no question")
    raw = value.get("sentences")
    raw = raw if isinstance(raw, list) else [raw]
    idx = []
    for x in raw:
        try:
            i = int(x) - 1
        except (TypeError, ValueError):
            continue
        if 0 <= i < len(sentences) and i not in idx:
            idx.append(i)
    if not idx:
        raise ValueError("no valid sentence numbers in the reply")
    if len(idx) > max_sentences:
        raise ValueError(f"{len(idx)} sentences chosen, at most {max_sentences} allowed")
    q = " ".join(q.split())
    if any(_shares_run(q, sentences[i], QUOTE_RUN) for i in idx):
        raise ValueError("the question copies a sentence of its answer")
    return q, sorted(idx)


def _shares_run(a: str, b: str, n: int) -> bool:
    ta, tb = re.findall(r"\w+", a.lower()), re.findall(r"\w+", b.lower())
    grams = {tuple(tb[i : i + n]) for i in range(len(tb) - n + 1)}
    return any(tuple(ta[i : i + n]) in grams for i in range(len(ta) - n + 1))


def passage_sentences(passage: str) -> list[str]:
    """The sentences of a passage (each an exact slice of one of its paragraphs)."""
    return [s for para in passage.split("\n\n") for s in split_sentences(para) if s.strip()]


def mix_by_tokens(voice: list[dict], extractive: list[dict], voice_share: float, seed: int = 0,
                  count: Callable[[str], int] = words) -> tuple[list[dict], dict]:
    """Extractive pairs added until they make ``1 - voice_share`` of the assistant tokens (voice pairs all kept)."""
    v_tokens = sum(count(p["answer"]) for p in voice)
    pool = list(extractive)
    random.Random(seed).shuffle(pool)
    if voice_share >= 1.0:
        chosen = []
    elif voice_share <= 0.0 or not voice:
        chosen = pool
    else:
        target = v_tokens * (1 - voice_share) / voice_share
        chosen, got = [], 0
        for p in pool:
            if got >= target:
                break
            chosen.append(p)
            got += count(p["answer"])
    e_tokens = sum(count(p["answer"]) for p in chosen)
    total = v_tokens + e_tokens
    mix = {"voice_pairs": len(voice), "extractive_pairs": len(chosen), "voice_tokens": v_tokens,
           "extractive_tokens": e_tokens, "voice_share": round(v_tokens / total, 3) if total else 0.0}
    return voice + chosen, mix
