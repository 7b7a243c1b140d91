"""Tolerant parsing of generator replies, then schema validation.

Models wrap JSON in prose, code fences and ``<think>`` blocks, leave trailing commas, stop mid-array.
:func:`extract_json` survives all of that (with ``json-repair`` as the last resort); the ``parse_*``
functions check the shape and keep every valid item of a partly broken reply. Anything unusable raises
:class:`ParseError` whose message is shown to the model on the retry and stored as the chunk's reason.
"""

from __future__ import annotations

import json
import re
from typing import Any

_THINK = re.compile(r"<(think|thinking|reasoning|reflection)>.*?</\1>", re.S | re.I)
_OPEN_THINK = re.compile(r"^\s*<(think|thinking|reasoning)>", re.I)
_FENCE = re.compile(r"```(?:json|JSON|javascript)?\s*\n?(.*?)(?:```|$)", re.S)


class ParseError(ValueError):
    """A reply that cannot be used, with a short reason."""


def strip_reasoning(text: str) -> str:
    text = _THINK.sub("", text or "")
    if _OPEN_THINK.match(text):  # an unclosed block: keep what follows its last line break as the answer
        text = _OPEN_THINK.sub("", text)
    return text.replace("</think>", "").strip()


def _snippet(text: str, n: int = 60) -> str:
    one = " ".join((text or "").split())
    return one[:n] + ("..." if len(one) > n else "")


def extract_json(text: str) -> Any:
    """The JSON value in a reply: plain, fenced, after prose, with trailing commas or cut off."""
    return _extract(text)[0]


def _extract(text: str) -> tuple[Any, bool]:
    """(value, truncated): ``truncated`` when the reply stopped mid-structure and was repaired."""
    body = strip_reasoning(text)
    if not body:
        raise ParseError("the reply was empty")
    candidates = [m.group(1) for m in _FENCE.finditer(body) if m.group(1).strip()] + [body]
    for cand in candidates:
        starts = [i for i in (cand.find("{"), cand.find("[")) if i >= 0]
        if not starts:
            continue
        start = min(starts)
        try:
            value, _ = json.JSONDecoder().raw_decode(cand[start:])
            return value, False
        except json.JSONDecodeError:
            pass
        try:
            import json_repair

            value = json_repair.loads(cand[start:])
        except Exception:  # noqa: BLE001 - json-repair raises many kinds on garbage
            value = None
        if isinstance(value, (dict, list)) and value:
            return value, cand.rstrip().rstrip("`").rstrip()[-1:] not in ("}", "]")
    raise ParseError(f"the reply held no JSON object (it began: {_snippet(body)!r})")


def _as_items(value: Any, keys: tuple[str, ...]) -> list:
    """The list of items whether the model sent ``{"facts": [...]}``, a bare list, or one object."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        for key in keys:
            if isinstance(value.get(key), list):
                return value[key]
        for v in value.values():  # a differently named single list
            if isinstance(v, list) and v and all(isinstance(x, (dict, str)) for x in v):
                return v
        return [value]
    raise ParseError(f"expected a JSON object or list, got {type(value).__name__}")


def _text(item: dict, *names: str) -> str:
    for name in names:
        val = item.get(name)
        if isinstance(val, (str, int, float)) and not isinstance(val, bool) and str(val).strip():
            return " ".join(str(val).split())
    return ""


def _questions(value: Any) -> list[dict[str, str]]:
    out = []
    for p in value if isinstance(value, list) else []:
        if isinstance(p, str) and p.strip():
            out.append({"question": " ".join(p.split())})
        elif isinstance(p, dict):
            q = _text(p, "question", "q", "paraphrase", "text")
            if q:
                out.append({"question": q, "answer": _text(p, "answer", "a"), "key_answer": _text(p, "key_answer", "key")})
    return out


def _items(text: str, keys: tuple[str, ...]) -> list:
    """The reply's items; when it was cut off, the last (incomplete) item is dropped."""
    value, truncated = _extract(text)
    items = list(_as_items(value, keys))
    if truncated and items:
        last = items[-1]
        paras = last.get("paraphrases") if isinstance(last, dict) else None
        if isinstance(paras, list) and len(paras) > 0:
            last["paraphrases"] = paras[:-1]  # cut inside the paraphrases: the item itself is whole
        else:
            items.pop()
    return items


def parse_facts(text: str, limit: int) -> list[dict[str, str]]:
    items = _items(text, ("facts", "items", "data"))
    facts, seen = [], set()
    for item in items:
        if isinstance(item, str):
            item = {"fact": item}
        if not isinstance(item, dict):
            continue
        fact = _text(item, "fact", "statement", "text", "sentence")
        if len(fact) < 12 or len(fact.split()) < 3 or fact.lower() in seen:
            continue
        seen.add(fact.lower())
        facts.append({"fact": fact, "key": _text(item, "key", "key_answer", "answer")})
    if not facts:
        raise ParseError('no usable fact: each needs a full sentence in "fact"')
    return facts[:limit]


def parse_qa(text: str, n_facts: int) -> list[dict[str, Any]]:
    items = _items(text, ("items", "pairs", "qa", "questions"))
    out = []
    for pos, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        q, a = _text(item, "question", "q"), _text(item, "answer", "a")
        if not q or not a:
            continue
        try:
            idx = int(item.get("fact", pos + 1))
        except (TypeError, ValueError):
            idx = pos + 1
        if not 1 <= idx <= n_facts:
            idx = min(pos + 1, n_facts)
        paras = [p for p in _questions(item.get("paraphrases") or item.get("paraphrased_questions")) if p["question"] != q]
        out.append({"fact": idx, "question": q, "answer": a, "key_answer": _text(item, "key_answer", "key"), "paraphrases": paras})
    if not out:
        raise ParseError('no usable item: each needs "question" and "answer" strings')
    return out


def parse_extra(text: str) -> list[dict[str, Any]]:
    items = _items(text, ("items", "questions"))
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        kind = _text(item, "type", "kind").lower().replace("-", "_").replace(" ", "_")
        q = _text(item, "question", "q")
        if not q or kind not in ("refusal", "false_premise"):
            continue
        a = _text(item, "answer", "a")
        if kind == "false_premise" and not a:
            continue
        out.append({"type": kind, "question": q, "answer": a, "key_answer": _text(item, "key_answer", "key"),
                    "paraphrases": [p for p in _questions(item.get("paraphrases")) if p["question"] != q]})
    if not out:
        raise ParseError('no usable item: each needs "type" (refusal or false_premise) and "question"')
    return out


def parse_judge(text: str, n_pairs: int) -> dict[int, tuple[int, str]]:
    items = _items(text, ("scores", "items", "ratings"))
    out: dict[int, tuple[int, str]] = {}
    for pos, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        try:
            idx = int(item.get("id", pos + 1))
            score = int(round(float(item.get("score"))))
        except (TypeError, ValueError):
            continue
        if 1 <= idx <= n_pairs and 1 <= score <= 5:
            out[idx] = (score, _text(item, "reason", "why"))
    if not out:
        raise ParseError('no usable score: each needs "id" and a "score" from 1 to 5')
    return out
