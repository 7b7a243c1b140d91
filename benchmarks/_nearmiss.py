"""A near-miss set built by rule from real sentences (seeded, deterministic): for each fact a question, the
reference sentence, its key answer, a right answer in other words and a near-miss wrong answer.

Kinds of near miss: ``number`` (a number changed), ``unit`` (the same number with another unit of the same
kind: seconds for minutes, KB for MB), ``entity`` (a name or code identifier swapped for another
one from the same documentation), ``negation`` (the statement's polarity flipped), ``negation_scope`` (the
"not" moved to the other clause, so the count of negations stays the same), ``reason`` (the same claim with
another sentence's reason). Both answers go through the same surface rewrites (clause order, synonyms,
contractions, a framing sentence, dropped asides), so wording alone cannot tell the right one from the wrong.
"""

from __future__ import annotations

import random
import re
from dataclasses import asdict, dataclass

SYNONYMS = {
    "use": "employ", "uses": "employs", "used": "employed", "returns": "gives back", "return": "give back",
    "create": "make", "creates": "makes", "created": "made", "allows": "lets", "allow": "let",
    "provides": "offers", "provide": "offer", "provided": "offered", "usually": "typically", "often": "frequently",
    "large": "big", "small": "little", "quickly": "fast", "simple": "straightforward", "easy": "simple",
    "need": "require", "needs": "requires", "needed": "required", "begin": "start", "begins": "starts",
    "method": "routine", "example": "instance", "several": "a number of", "many": "lots of", "also": "as well",
    "however": "but", "therefore": "so", "contains": "holds", "contain": "hold", "called": "named",
    "change": "modify", "changed": "modified", "changes": "modifications", "removed": "dropped",
    "added": "introduced", "supports": "handles", "support": "handle", "important": "significant",
    "additional": "extra", "modify": "alter", "obtain": "get", "receive": "get", "specify": "give",
    "specified": "given", "possible": "feasible", "different": "distinct", "entire": "whole", "correct": "right",
}
CONTRACT = [("does not", "doesn’t"), ("do not", "don’t"), ("is not", "isn’t"), ("are not", "aren’t"),
            ("cannot", "can’t"), ("will not", "won’t"), ("was not", "wasn’t"), ("should not", "shouldn’t"),
            ("it is", "it’s"), ("there is", "there’s")]
FRAMES = ["According to the documentation, {s}", "In short, {s}", "The docs explain that {s}",
          "From what the text says, {s}", "{S} That is how it is described.", "As documented, {s}"]
SUB = r"(if|when|unless|because|since|although|while|as long as)"
REASON = re.compile(r"^(?P<main>[A-Z][^;:]{12,}?)(?P<conn>,? because|, since|,? so that|,? in order to) (?P<why>[^;:]{12,})\.$")
AUX = re.compile(r"\b(is|are|was|were|can|will|should|must|could|would|may)\b")
NEG = re.compile(r"\b(is|are|was|were|can|will|should|must|does|do|did|could|would|may|has|have) not\b|"
                 r"\b(cannot|never|(?:is|are|was|were|ca|wo|does|do|did|could|should|would|has|have)n[’']t)\b")
NEG_UNDO = {"cannot": "can", "never": "always", "can’t": "can", "can't": "can", "won’t": "will", "won't": "will"}
NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(?![\w.]|\.\d)")
UNIT_FAMILIES = [["nanosecond", "microsecond", "millisecond", "second", "minute", "hour", "day"],
                 ["bit", "byte", "kilobyte", "megabyte", "gigabyte"], ["KB", "MB", "GB"],
                 ["character", "line", "word", "digit", "column", "page"]]
UNIT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)([ -])(" + "|".join(
    f"{u}s?" if u.islower() else u for fam in UNIT_FAMILIES for u in fam) + r")\b")
NUMWORDS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twelve"]
CODE = re.compile(r"(?<![\w.])((?:[A-Za-z_][A-Za-z0-9_]*\.)+[A-Za-z_][A-Za-z0-9_]*(?:\(\))?|[a-z]+_[a-z_0-9]+(?:\(\))?|[a-z_]{3,}\(\))(?![\w(])")
NAME = re.compile(r"(?<=[a-z,;] )((?:[A-Z][a-z]+|[A-Z]{2,}[a-z]*)(?: (?:[A-Z][a-z]+|[A-Z]{2,}))*)\b(?![.(]\w|\()")
NOT_NAMES = {"I", "Python", "The", "This", "It", "In", "If", "For", "See", "Note", "You", "When", "A", "An", "Unicode"}


@dataclass
class Fact:
    id: str
    kind: str
    question: str
    reference: str
    key: str
    correct: str
    near_miss: str
    source: str


def sentences(text: str) -> list[str]:
    out = []
    for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text):
        s = s.strip()
        words = s.split()
        if not (8 <= len(words) <= 40) or not s.endswith(".") or ">>>" in s or s.count("(") != s.count(")"):
            continue
        if sum(not re.search(r"[A-Za-z]", w) for w in words) > len(words) * 0.2 or s.count('"') % 2:
            continue
        out.append(s)
    return out


def _lower_first(s: str) -> str:
    first = s.split(" ", 1)[0]
    proper = first in ("I", "Python", "Unicode") or not first.isalpha() or not first[1:].islower()
    return s if proper else s[0].lower() + s[1:]


def rewrite(s: str, rng: random.Random, keep: str = "") -> str:
    """The same statement in other words (meaning kept, ``keep`` untouched)."""
    out = s
    m = re.match(r"^(If|When|Unless|Although|Because|Since|While) ([^,]{6,}), (.+)\.$", out)
    if m and rng.random() < 0.8:
        out = f"{m.group(3)[0].upper()}{m.group(3)[1:]} {m.group(1).lower()} {m.group(2)}."
    else:
        m = re.match(rf"^([A-Z][^,;]{{10,}}?),? {SUB} ([^,;]{{6,}})\.$", out)
        if m and rng.random() < 0.6:
            out = f"{m.group(2)[0].upper()}{m.group(2)[1:]} {m.group(3)}, {_lower_first(m.group(1))}."
    if rng.random() < 0.7:
        aside = re.search(r" \([^()]{3,60}\)", out)
        if aside and (not keep or keep not in aside.group(0)) and not NEG.search(aside.group(0)) \
                and not re.search(r"\d", aside.group(0)):
            out = out.replace(aside.group(0), "")
    words = out.split(" ")
    swaps = [i for i, w in enumerate(words) if w.lower().strip(",.") in SYNONYMS and w.strip(",.") not in keep.split()]
    for i in rng.sample(swaps, min(len(swaps), rng.choice([1, 2, 3]))):
        w = words[i]
        core = w.strip(",.")
        rep = SYNONYMS[core.lower()]
        words[i] = w.replace(core, rep[0].upper() + rep[1:] if core[0].isupper() else rep)
    out = " ".join(words)
    for a, b in CONTRACT:
        if rng.random() < 0.5:
            out = re.sub(rf"\b{a}\b", b, out)
            out = re.sub(rf"\b{a.capitalize()}\b", b.capitalize(), out)
    if rng.random() < 0.45:
        frame = rng.choice(FRAMES)
        out = frame.format(s=_lower_first(out), S=out)
    return out


def _mask(s: str, span: str) -> str:
    return s.replace(span, "___", 1)


def _once(s: str, span: str) -> bool:
    """The answer occurs once in the sentence (else the blank is ambiguous: "UTF-8 ... utf-8")."""
    core = re.escape(span.rstrip("()"))
    return len(re.findall(rf"(?<![\w]){core}(?![\w])", s, re.I)) == 1


def _changed_number(raw: str, rng: random.Random) -> str:
    if "." in raw:
        a, b = raw.split(".", 1)
        return f"{a}.{(int(b) + rng.choice([1, 2])) % 10 if len(b) == 1 else int(b) + 1}"
    n = int(raw)
    options = [n + 1, n * 2 if n > 1 else n + 3, n + 10]
    if n > 1:
        options.append(n - 1)
    if len(set(raw)) > 1 and raw[::-1] != raw and not raw[::-1].startswith("0"):
        options.append(int(raw[::-1]))
    return str(rng.choice([o for o in options if o != n]))


def _remove_negation(s: str) -> str | None:
    m = NEG.search(s)
    if not m:
        return None
    w = m.group(0)
    if w in NEG_UNDO:
        rep = NEG_UNDO[w]
    elif w.endswith(" not"):
        rep = w[:-4]
    else:
        rep = re.sub(r"n[’']t$", "", w)
    return s[:m.start()] + rep + s[m.end():]


def _add_negation(s: str) -> str | None:
    m = AUX.search(s)
    if not m or NEG.search(s) or " no " in s:
        return None
    return s[:m.end()] + " not" + s[m.end():]


def _negation_scope(s: str) -> str | None:
    """Move the negation to the other clause: "A is not B, but C is D" -> "A is B, but C is not D"."""
    parts = re.split(r"(, (?:but|and|so|while|whereas|because|since) |; )", s, maxsplit=1)
    if len(parts) != 3:
        return None
    a, sep, b = parts
    if NEG.search(a) and not NEG.search(b):
        a2, b2 = _remove_negation(a), _add_negation(b)
    elif NEG.search(b) and not NEG.search(a):
        a2, b2 = _add_negation(a), _remove_negation(b)
    else:
        return None
    if not a2 or not b2:
        return None
    return a2 + sep + b2


def _topic(s: str) -> str:
    words = [w.strip(",.()") for w in s.split()[:8]]
    return " ".join(words[:6])


def build(docs: dict[str, list[str]], per_kind: int = 120, seed: int = 0) -> list[Fact]:
    """Facts of every kind from ``{source: [sentences]}``, at most ``per_kind`` each, seeded."""
    rng = random.Random(seed)
    pool = [(src, s) for src, ss in sorted(docs.items()) for s in ss]
    rng.shuffle(pool)
    codes = sorted({m.group(1) for _, s in pool for m in CODE.finditer(s)})
    names = sorted({m.group(1) for _, s in pool for m in NAME.finditer(s) if m.group(1) not in NOT_NAMES})
    reasons = [(m.group("conn"), m.group("why")) for _, s in pool if (m := REASON.match(s))]
    facts: dict[str, list[Fact]] = {k: [] for k in ("number", "unit", "entity", "negation", "negation_scope", "reason")}
    used: set[str] = set()

    def add(kind, src, q, ref, key, wrong):
        if len(facts[kind]) >= per_kind or ref in used or wrong == ref:
            return
        used.add(ref)
        r1, r2 = random.Random(rng.random()), random.Random(rng.random())
        good, bad = rewrite(ref, r1, key), rewrite(wrong, r2, "")
        facts[kind].append(Fact(f"{kind}-{len(facts[kind]):03d}", kind, q, ref, key, good, bad, src))

    for src, s in pool:
        m = REASON.match(s)
        if m and len(facts["reason"]) < per_kind:
            conn, why = m.group("conn"), m.group("why")
            other = [w for c, w in reasons if w != why and len(set(w.lower().split()) & set(why.lower().split())) < 3]
            if other:
                wrong = f"{m.group('main')}{conn} {rng.choice(other)}."
                q = f"What reason does the documentation give for this: “{m.group('main')}”?"
                add("reason", src, q, s, why, wrong)
                continue
        scoped = _negation_scope(s)
        if scoped and len(facts["negation_scope"]) < per_kind:
            add("negation_scope", src, f"What does the documentation say about {_topic(s)}?", s, "", scoped)
            continue
        found = [m for m in UNIT.finditer(s) if _once(s, m.group(0))]
        if found and len(facts["unit"]) < per_kind:
            m = rng.choice(found)
            unit = m.group(3)
            plural = unit.endswith("s") and unit.rstrip("s") != unit.upper()
            base = unit[:-1] if plural else unit
            family = next(f for f in UNIT_FAMILIES if base in f)
            other = rng.choice([u for u in family if u != base]) + ("s" if plural else "")
            wrong = s[:m.start(3)] + other + s[m.end(3):]
            add("unit", src, f"Fill the blank as the documentation does: “{_mask(s, m.group(0))}”", s, m.group(0), wrong)
            continue
        nums = [m for m in NUMBER.finditer(s) if not re.search(r"\bPEP \d", s[max(0, m.start() - 4):m.end()])
                and _once(s, m.group(1))]
        if nums and len(facts["number"]) < per_kind:
            m = rng.choice(nums)
            wrong = s[:m.start()] + _changed_number(m.group(1), rng) + s[m.end():]
            add("number", src, f"Fill the blank as the documentation does: “{_mask(s, m.group(1))}”", s, m.group(1), wrong)
            continue
        ents = [m.group(1) for m in CODE.finditer(s)] + [m.group(1) for m in NAME.finditer(s) if m.group(1) not in NOT_NAMES]
        ents = [e for e in ents if _once(s, e) and all(_once(s, w) for w in e.split())]
        if ents and len(facts["entity"]) < per_kind:
            ent = rng.choice(ents)
            same = codes if CODE.fullmatch(ent) else names
            cands = [e for e in same if e != ent and e.lower() not in s.lower() and ent.lower() not in e.lower()]
            if cands:
                other = rng.choice(cands)
                add("entity", src, f"Fill the blank as the documentation does: “{_mask(s, ent)}”", s, ent,
                    s.replace(ent, other, 1))
                continue
        flipped = _remove_negation(s) if NEG.search(s) else (_add_negation(s) if rng.random() < 0.35 else None)
        if flipped and len(facts["negation"]) < per_kind:
            add("negation", src, f"What does the documentation say about {_topic(s)}?", s, "", flipped)
    return [f for kind in facts.values() for f in kind]


def as_dicts(facts: list[Fact]) -> list[dict]:
    return [asdict(f) for f in facts]
