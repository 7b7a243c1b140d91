"""A generator for the voice prompts that needs no model: deterministic replies in the shape real ones take.

Used by tests and quick trials (``--backend replay``): the question names the passage's most frequent content
words (no quotation), the extractive reply picks the first sentences, curation gives 5. Implements the
:mod:`studio.generate.backends.base` interface; prompts it does not know get an empty JSON object.
"""

from __future__ import annotations

import json
import re
from collections import Counter

from .prompts import prompt_kind

_PASSAGE = re.compile(r"<passage>\n(.*?)\n</passage>", re.S)
_STOP = set("""the a an and or but of to in on at for with from by as is was were be been are it its this that these those
he she they we you i his her their our your my me him them us not no so if then than there here what which who whom
have has had do does did will would shall should can could may might must very more most such all any some one into
il lo la i gli le un una di da in con su per tra fra e o ma che chi non si ne ci del della dei delle al alla
è era sono come più anche""".split())


class VoiceReplayBackend:
    name = "replay"

    def __init__(self, model: str = "voice-replay", judge_score: int = 5):
        self.model = model
        self.judge_score = judge_score

    def generate(self, requests, on_result=None):
        from ..generate.backends.base import GenerationResult

        out = []
        for i, req in enumerate(requests):
            text = reply(req.messages, self.judge_score)
            res = GenerationResult(text=text, tag=req.tag, completion_tokens=len(text.split()),
                                   prompt_tokens=sum(len(m["content"].split()) for m in req.messages))
            out.append(res)
            if on_result:
                on_result(i, res)
        return out

    def close(self) -> None:
        pass


def _topic(passage: str, k: int = 3) -> list[str]:
    words = [w for w in re.findall(r"[^\W\d_]{4,}", passage.lower()) if w not in _STOP]
    return [w for w, _ in Counter(words).most_common(k)] or ["this"]


def reply(messages, judge_score: int = 5) -> str:
    kind = prompt_kind(messages)
    user = next((m["content"] for m in messages if m["role"] == "user"), "")
    m = _PASSAGE.search(user)
    passage = m.group(1) if m else ""
    it = "Rispondi" in user
    if kind == "question":
        topic = ", ".join(_topic(passage))
        q = f"Cosa pensi di {topic}?" if it else f"What are your thoughts about {topic}?"
        return json.dumps({"question": q}, ensure_ascii=False)
    if kind == "judge":
        return json.dumps({"score": judge_score, "reason": "the passage answers the question"})
    if kind == "extract":
        n = len(re.findall(r"^\[\d+\]", passage, re.M))
        topic = ", ".join(_topic(passage, 2))
        q = f"Che cosa si dice di {topic}?" if it else f"What is said about {topic}?"
        return json.dumps({"question": q, "sentences": list(range(1, min(n, 2) + 1))}, ensure_ascii=False)
    return "{}"
