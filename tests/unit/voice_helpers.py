"""Test texts for the voice tests: two synthetic authors in clearly different styles, and real texts on disk.

Real texts (tests/data/voice, public domain, see SOURCES.md there): Jane Austen (*Emma*, *Persuasion*),
G. K. Chesterton (*The Man Who Was Thursday*), Harry S. Truman and Ronald Reagan (State of the Union addresses).
"""

from __future__ import annotations

import random
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "voice"

TOPICS = {
    "cooking": ["soup", "bread", "onion", "oven", "pepper", "butter", "kettle", "garlic"],
    "gardening": ["roses", "soil", "hedge", "spade", "tomatoes", "compost", "seedlings", "rain barrel"],
    "travel": ["train", "harbour", "suitcase", "map", "ferry", "station", "passport", "village"],
    "music": ["violin", "chorus", "drum", "melody", "piano", "trumpet", "rehearsal", "concert"],
    "weather": ["storm", "fog", "thunder", "breeze", "frost", "clouds", "drizzle", "sunset"],
}

# Author A: chatty, first person, exclamations, "honestly", "I reckon", "you know", "mind you", short sentences.
_A = [
    "Honestly, I reckon the {a} is my favourite thing in the world, you know!",
    "Oh, and mind you, I never trust a {a} that looks too tidy.",
    "I love it, I really do, and honestly the {a} makes me grin every single time!",
    "You know what I always say? A good {a} beats a fancy {b} any day!",
    "Well, I tried it again with the {a}, and wow, it worked like a charm!",
    "Honestly, you just grab the {a}, give it a go, and stop worrying so much!",
    "I reckon my old {a} and I have been through a lot together, you know.",
    "Mind you, my gran swore by the {a}, and honestly she was never wrong!",
]
# Author B: formal, impersonal, long sentences, "one", "moreover", "it must be observed", semicolons.
_B = [
    "It must be observed that the {a}, when considered with due care, reveals a structure of considerable subtlety.",
    "Moreover, one cannot neglect the {a}; its relation to the {b} has been noted by every careful observer.",
    "The prudent reader will therefore consider the {a} in its proper context, which is neither trivial nor obvious.",
    "It is, in consequence, a matter of some importance that the {a} should be examined before the {b}.",
    "One may further remark that the {a} has seldom been studied with the attention which it deserves.",
    "Accordingly, the properties of the {a} ought to be stated with precision, since error in such matters is costly.",
    "Nevertheless, it would be imprudent to conclude that the {a} is in every respect superior to the {b}.",
    "The {a}, therefore, occupies a position which, upon reflection, proves to be both curious and instructive.",
]
STYLES = {"a": _A, "b": _B}


def synthetic_passage(style: str, topic: str, rng: random.Random, sentences: int = 6) -> str:
    nouns = TOPICS[topic]
    return " ".join(rng.choice(STYLES[style]).format(a=rng.choice(nouns), b=rng.choice(nouns)) for _ in range(sentences))


def synthetic_document(style: str, topic: str, paragraphs: int, seed: int = 0, sentences: int = 6) -> str:
    rng = random.Random(f"{style}-{topic}-{seed}")
    return "\n\n".join(synthetic_passage(style, topic, rng, sentences) for _ in range(paragraphs))


def real_text(name: str) -> str:
    return (DATA / f"{name}.txt").read_text(encoding="utf-8")


def add_text_document(ws, name: str, text: str, chunk_words: int = 150, headings: list[str] | None = None) -> int:
    """A document in the workspace the way ingestion stores it: chunks are exact slices of its laid-out text."""
    import hashlib

    doc_id = ws.add_document(name, hashlib.sha256((name + text).encode()).hexdigest(), kind="text", lang="en",
                             chars=len(text))
    chunks, pos, path = [], 0, ""
    paras = text.split("\n\n")
    cur_start, cur_words = None, 0
    for i, para in enumerate(paras):
        start = pos
        end = pos + len(para)
        is_heading = headings is not None and para in headings
        if is_heading:
            if cur_start is not None:
                chunks.append({"text": text[cur_start:prev_end], "heading_path": path, "start_char": cur_start, "end_char": prev_end})
            path, cur_start, cur_words = para, start, 0
        else:
            if cur_start is None:
                cur_start = start
            cur_words += len(para.split())
        prev_end = end
        if cur_words >= chunk_words:
            chunks.append({"text": text[cur_start:end], "heading_path": path, "start_char": cur_start, "end_char": end})
            cur_start, cur_words = None, 0
        pos = end + 2
    if cur_start is not None:
        chunks.append({"text": text[cur_start:prev_end], "heading_path": path, "start_char": cur_start, "end_char": prev_end})
    ws.replace_chunks(doc_id, [{**c, "tokens": len(c["text"]) // 4} for c in chunks])
    return doc_id
