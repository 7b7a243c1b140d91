"""Replay backend: recorded generator outputs, so a flow always has pairs without a model.

A recording is a JSONL file of ``{"key": sha256 of the messages, "text": reply}`` (exact replay of a real
run, e.g. ``studio/generate/recordings/sample.jsonl``). A prompt with no recording gets a reply
synthesised from the chunk in the prompt, by prompt kind (facts, qa, extra, judge), in the shape real
generators produce, so any chunk yields plausible, grounded JSON.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path

from .base import GenerationRequest, GenerationResult, OnResult

RECORDINGS_DIR = Path(__file__).resolve().parent.parent / "recordings"
_DOC = re.compile(r"<document>\n(.*?)\n</document>", re.S)


def messages_key(messages: list[dict[str, str]]) -> str:
    return hashlib.sha256(json.dumps(messages, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def prompt_kind(messages: list[dict[str, str]]) -> str:
    user = next((m["content"] for m in messages if m["role"] == "user"), "")
    if '{"scores"' in user:
        return "judge"
    if '"type": "refusal"' in user:
        return "extra"
    if '"paraphrases"' in user:
        return "qa"
    return "facts"


class ReplayBackend:
    name = "replay"

    def __init__(self, model: str = "replay", recordings: str | Path | None = None, delay_s: float = 0.0):
        self.model = model or "replay"
        self.delay_s = delay_s
        self.recorded: dict[str, str] = {}
        paths = [Path(recordings)] if recordings else sorted(RECORDINGS_DIR.glob("*.jsonl"))
        for path in paths:
            if path.is_file():
                for line in path.read_text(encoding="utf-8").splitlines():
                    if line.strip():
                        row = json.loads(line)
                        self.recorded[row["key"]] = row["text"]

    def generate(self, requests: list[GenerationRequest], on_result: OnResult | None = None) -> list[GenerationResult]:
        out = []
        for i, req in enumerate(requests):
            if self.delay_s:
                time.sleep(self.delay_s)
            text = self.recorded.get(messages_key(req.messages))
            if text is None:
                text = synthesise(req.messages)
            res = GenerationResult(text=text, completion_tokens=len(text.split()), tag=req.tag,
                                   prompt_tokens=sum(len(m["content"].split()) for m in req.messages))
            out.append(res)
            if on_result:
                on_result(i, res)
        return out

    def close(self) -> None:
        pass


# ---- synthesis from the prompt -----------------------------------------------------------------
_SENT = re.compile(r"(?<=[.!?])\s+")
_NUM = re.compile(r"\b\d[\d.,:/]*\d|\b\d")
_CAP = re.compile(r"\b[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)*")


def _sentences(text: str) -> list[str]:
    out = []
    for s in _SENT.split(" ".join(text.split())):
        s = s.strip()
        if len(s.split()) >= 5 and s[-1:] in ".!?":
            out.append(s)
    return out


def _key(sentence: str) -> str:
    nums = _NUM.findall(sentence)
    if nums:
        return nums[-1].strip(" .,")
    caps = [c for c in _CAP.findall(sentence[1:]) if len(c) > 2]
    if caps:
        return caps[-1]
    return " ".join(sentence.rstrip(".!?").split()[-2:])


def _is_it(messages) -> bool:
    return "Rispondi" in next((m["content"] for m in messages if m["role"] == "user"), "")


def _masked(fact: str, key: str) -> str:
    body = fact.rstrip(".!?")
    return body.replace(key, "what", 1) if key and key in body else body


def _questions(fact: str, key: str, it: bool) -> list[str]:
    m = _masked(fact, key)
    if it:
        return [
            f"{m.replace('what', 'che cosa')}?",
            f"Secondo i documenti, qual è il dato mancante in: \"{m.replace('what', '___')}\"?",
            f"Mi ricordi un dettaglio? {m.replace('what', 'quale valore')}, esattamente?",
            f"Quale risposta completa correttamente questa affermazione: {m.replace('what', '...')}?",
            f"Nei testi che conosci, come si completa questa frase: {m.replace('what', '...')}?",
            f"Sai dirmi {m.replace('what', 'cosa')}?",
        ]
    return [
        f"{m}?",
        f"According to the documents, what is the missing detail in: \"{m.replace('what', '___')}\"?",
        f"Quick check on a detail: {m.replace('what', 'which value')}, exactly?",
        f"What answer correctly completes this statement: {m.replace('what', '...')}?",
        f"In the texts you know, how does this sentence end: {m.replace('what', '...')}?",
        f"Can you tell me {m}?",
    ]


_OUT_OF_DOC = {
    "en": [["What will the budget for the next edition be?", "How much money is planned for the following edition?",
            "Is there a figure for next year's spending?"],
           ["Who is going to chair the committee in ten years?", "Which person will lead the board a decade from now?",
            "Name the future head of the committee."],
           ["What is the home phone number of the author?", "How can I call the writer at home?",
            "Give me the private telephone contact of whoever wrote this."],
           ["How many visitors are expected in the year 2090?", "What attendance is forecast for 2090?",
            "Do projections exist for tourist numbers late this century?"]],
    "it": [["Quale sarà il budget della prossima edizione?", "Quanti soldi sono previsti per l'edizione successiva?",
            "Esiste una cifra per la spesa dell'anno prossimo?"],
           ["Chi presiederà il comitato tra dieci anni?", "Quale persona guiderà il consiglio fra un decennio?",
            "Chi sarà il futuro capo del comitato?"],
           ["Qual è il numero di telefono di casa dell'autore?", "Come posso chiamare lo scrittore a casa?",
            "Dammi il contatto telefonico privato di chi ha scritto questo testo."],
           ["Quanti visitatori sono previsti nell'anno 2090?", "Che affluenza si prevede per il 2090?",
            "Esistono proiezioni sul numero di turisti a fine secolo?"]],
}


def synthesise(messages: list[dict[str, str]]) -> str:
    kind = prompt_kind(messages)
    user = next((m["content"] for m in messages if m["role"] == "user"), "")
    found = _DOC.search(user)
    chunk = found.group(1) if found else ""
    it = _is_it(messages)
    h = int(hashlib.sha1(chunk.encode()).hexdigest()[:8], 16)
    if kind == "facts":
        n = int((re.search(r"(?:up to|fino a) (\d+)", user) or [None, "5"])[1])
        facts = [{"fact": s, "key": _key(s)} for s in _sentences(chunk)[:n]]
        return "```json\n" + json.dumps({"facts": facts}, ensure_ascii=False, indent=1) + "\n```"
    if kind == "qa":
        k = int((re.search(r"(?:plus|più) (\d+)", user) or [None, "4"])[1])
        block = user.split("Facts:\n" if "Facts:\n" in user else "Fatti:\n", 1)[-1]
        items = []
        for m in re.finditer(r"^(\d+)\. (.+?)(?: \(key: (.*?)\))?$", block, re.M):
            idx, fact, key = int(m.group(1)), m.group(2), m.group(3) or _key(m.group(2))
            qs = _questions(fact, key, it)
            items.append({"fact": idx, "question": qs[0], "answer": fact, "key_answer": key,
                          "paraphrases": qs[1 : 1 + k]})
        return json.dumps({"items": items}, ensure_ascii=False)
    if kind == "extra":
        r = int((re.search(r"(?:Write|Scrivi) (\d+)", user) or [None, "1"])[1])
        p = int((re.search(r"(?:and|e) (\d+) (?:question|domanda)", user) or [None, "0"])[1])
        lang = "it" if it else "en"
        pool = _OUT_OF_DOC[lang]
        items = []
        for j in range(r):
            q, *paras = pool[(h + j) % len(pool)]
            items.append({"type": "refusal", "question": q, "paraphrases": paras})
        sents = [s for s in _sentences(chunk) if _NUM.search(s)]
        for j in range(min(p, len(sents))):
            s = sents[j]
            num = _NUM.findall(s)[-1].strip(" .,")
            wrong = str(int(re.sub(r"\D", "", num) or 0) + 7)
            premise = s.rstrip(".").replace(num, wrong, 1)
            items.append({"type": "false_premise", "question": f"Why is it that {premise[0].lower()}{premise[1:]}?",
                          "answer": f"That premise is wrong: {s}", "key_answer": num,
                          "paraphrases": [f"Given that {premise[0].lower()}{premise[1:]}, why?"]})
        return "<think>The document is short.</think>\n" + json.dumps({"items": items}, ensure_ascii=False)
    n = len(re.findall(r"^\d+\. Q:", user, re.M)) or 1
    return json.dumps({"scores": [{"id": i + 1, "score": 5, "reason": "stated in the document"} for i in range(n)]})
