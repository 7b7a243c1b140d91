"""Clause-level checks for scoring: negation by clause (with "X, not Y" contrasts), and key-word recall.

Counting "not" over a whole answer misses a negation moved to the other clause ("A is not B, but C is D"
against "A is B, but C is not D") and flags a right answer that leaves out a negated part the question
already asked. Here texts are cut into clauses; each clause is a set of soft word keys (light stem, first
five letters, so "displayed"/"displays" and "explicit"/"explicitly" meet) and a polarity. Two clauses are
compared only when each is the other's best match (mutual), so an answer that drops or reorders clauses is
not penalised. Plain Python, cached: it runs on every answer.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import textnorm as tn

# verbs that negate what follows ("skip writing tests" = "not write tests"); a clause is negated by an odd
# number of negations ("won't let you skip" affirms)
_LEXICAL = {"skip", "skips", "skipping", "omit", "omits", "avoid", "avoids", "fail", "fails", "lack", "lacks",
            "refuse", "refuses", "prevent", "prevents", "forbid", "forbids", "disallow", "disallows"}
_REMNANT = {"ca", "wo", "sha"}  # what "can't", "won't", "shan't" leave once "n't" becomes "not"
# negations that flip a clause; "no" as an answer particle ("No, ...") is removed first
_STRONG = {"not", "never", "cannot", "nothing", "nobody", "neither", "nor", "no", "without",
           "non", "mai", "nessuno", "nessuna", "niente", "nulla", "né", "senza", "neanche", "nemmeno"}
_PARTICLE = re.compile(r"^\s*(?:yes|no|sì|si|certo|sure|right|correct)\s*[,.:;!—–-]+\s*", re.I)
_NEUTRAL = re.compile(r"\b(?:whether or not|or not|if not|o no|no matter|not only|or no(?= \w))\b", re.I)
_ASIDE = re.compile(r"\([^()]*\)")
_SPLIT = re.compile(
    r"\s*(?:[;:,]|—|–|\b(?:but|while|whereas|yet|so that|because|since|although|however)\b|"
    r"\b(?:ma|mentre|perché|poiché|sebbene|tuttavia)\b)\s*", re.I)
_RATHER = re.compile(r",?\s*\b(?:rather than|instead of|anziché|invece di)\b", re.I)
_CONTRAST = re.compile(r"(?P<pos>[^;:.]+?)(?:, not\b|,? rather than\b|,? instead of\b|, non\b|,? anziché\b|,? invece di\b)"
                       r"(?P<neg>[^;:.,]+)", re.I)
_REASON = re.compile(r"\b(?:because|since|so that|in order to|due to|thanks to|perché|poiché|siccome|"
                     r"per via di|grazie a|dato che|visto che)\b(?P<why>[^;.]*)", re.I)
ALIGN_MIN = 0.25  # Jaccard overlap of two clauses' words for them to be compared
_SUFFIXES = ("ations", "ation", "ingly", "ings", "ing", "edly", "ed", "ies", "es", "ly", "s")


def soft(word: str) -> str:
    """A forgiving key for a word: suffix stripped, then its first five letters ("remembered" ~ "remember");
    a long word keeps all but three, an identifier or number all ("importerror" is not "importwarning")."""
    w = tn.strip_accents(word.lower())
    if "_" in w or any(c.isdigit() for c in w):
        return w
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            w = w[: -len(suf)]
            break
    return w[:5] if len(w) <= 9 else w[:-3]


@lru_cache(maxsize=65536)
def keys(text: str) -> frozenset[str]:
    """Soft keys of the content words (stopwords and negations left out)."""
    return frozenset(soft(t) for t in tn.tokens(text or "")
                     if t not in tn.STOPWORDS and t not in _STRONG and t not in _REMNANT)


@lru_cache(maxsize=65536)
def clauses(text: str) -> tuple[tuple[frozenset[str], bool], ...]:
    """(soft keys, negated) for each clause with content words."""
    text = _ASIDE.sub(" ", _NEUTRAL.sub(" ", _PARTICLE.sub("", text or "")))
    text = _RATHER.sub(", not ", text)  # "X rather than Y" says what "X, not Y" says
    out = []
    for part in _SPLIT.split(text):
        if not part or not part.strip():
            continue
        toks = tn.tokens(part)
        words = frozenset(soft(t) for t in toks if t not in tn.STOPWORDS and t not in _STRONG and t not in _REMNANT)
        if words:
            count = sum(t in _STRONG or t in _LEXICAL for t in toks)
            out.append((words, count % 2 == 1))
    return tuple(out)


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def negation_conflict(prediction: str, reference: str) -> bool:
    """A clause of the answer says the opposite of the clause of the reference it matches best."""
    ref, pred = clauses(reference), clauses(prediction)
    if not ref or not pred:
        return False
    sims = [[_jaccard(r[0], p[0]) for p in pred] for r in ref]
    for i, row in enumerate(sims):
        j = max(range(len(pred)), key=row.__getitem__)
        if row[j] < ALIGN_MIN:
            continue
        if max(range(len(ref)), key=lambda k: sims[k][j]) != i:
            continue  # not mutual: the answer's clause is about another part of the reference
        if ref[i][1] != pred[j][1] and not any(
                pred[k][1] == ref[i][1] and row[k] >= 0.8 * row[j] for k in range(len(pred))):
            return True
    return _contrast_conflict(prediction, reference)


@lru_cache(maxsize=65536)
def _contrast(text: str) -> tuple[frozenset[str], frozenset[str]] | None:
    m = _CONTRAST.search(text or "")
    if not m:
        return None
    pos, neg = keys(m.group("pos")), keys(m.group("neg"))
    return pos - neg, neg - pos


def _contrast_conflict(prediction: str, reference: str) -> bool:
    """ "X, not Y" / "X rather than Y": the answer may not assert Y or deny X."""
    ref = _contrast(reference)
    if not ref:
        return False
    ref_pos, ref_neg = ref
    pred = _contrast(prediction)
    if pred:
        pred_pos, pred_neg = pred
        return bool((ref_neg & pred_pos) - pred_neg) or bool((ref_pos & pred_neg) - pred_pos)
    if any(neg for _, neg in clauses(prediction)):
        return False
    return bool(ref_neg and ref_neg <= keys(prediction) and not (ref_pos & keys(prediction)))


@lru_cache(maxsize=65536)
def reason_head(reference: str, question: str = "", size: int = 6) -> frozenset[str]:
    """The first ``size`` content words of the reference's reason clause not in the question (its head)."""
    m = _REASON.search(reference or "")
    if not m:
        return frozenset()
    q = keys(question)
    out: list[str] = []
    for t in tn.tokens(m.group("why")):
        k = soft(t)
        if t in tn.STOPWORDS or t in _STRONG or t in _REMNANT or k in q or k in out:
            continue
        out.append(k)
        if len(out) == size:
            break
    return frozenset(out)


_CODE = re.compile(r"(?<![\w.])(?:[A-Za-z_]\w*\.)+[A-Za-z_]\w*(?:\(\))?|\b\w*_\w+(?:\(\))?|\b[a-z]\w*[A-Z]\w*(?:\(\))?|\b\w+\(\)")


@lru_cache(maxsize=65536)
def code_names(text: str) -> frozenset[str]:
    """Identifiers written as code: dotted names, snake_case, camelCase, calls ("sorted()")."""
    return frozenset(m.group(0).rstrip("()").lower() for m in _CODE.finditer(text or ""))


def recall(words: frozenset[str], prediction: str) -> float:
    """Share of ``words`` (soft keys) the answer contains."""
    if not words:
        return 1.0
    return len(words & keys(prediction)) / len(words)


def answer_words(reference: str, question: str = "") -> frozenset[str]:
    """What the reference says beyond the question: its content words not in the question."""
    return keys(reference) - keys(question)


_UNIT_FAMILY = {}
for _family, _words in {
    "time": "nanosecond microsecond millisecond ms second sec minute min hour day week month year",
    "size": "bit byte kb kib kilobyte mb mib megabyte gb gib gigabyte tb terabyte",
    "length": "millimetre millimeter mm centimetre centimeter cm metre meter m kilometre kilometer km inch foot feet mile",
    "mass": "milligram mg gram g kilogram kg tonne ton pound lb ounce",
    "money": "cent dollar euro pound",
    "text": "character char word line page paragraph column row digit",
}.items():
    for _w in _words.split():
        _UNIT_FAMILY.setdefault(_w, _family)
_UNIT_ALIAS = {"ms": "millisecond", "sec": "second", "min": "minute", "kb": "kilobyte", "kib": "kilobyte",
               "mb": "megabyte", "mib": "megabyte", "gb": "gigabyte", "gib": "gigabyte", "tb": "terabyte",
               "mm": "millimetre", "millimeter": "millimetre", "cm": "centimetre", "centimeter": "centimetre",
               "m": "metre", "meter": "metre", "km": "kilometre", "kilometer": "kilometre", "feet": "foot",
               "mg": "milligram", "g": "gram", "kg": "kilogram", "lb": "pound", "ton": "tonne", "char": "character"}
_UNIT = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)?)\s*(?:-\s*)?([A-Za-z]+)")


@lru_cache(maxsize=65536)
def units(text: str) -> frozenset[tuple[str, str, str]]:
    """(number, family, unit) for each number followed by a unit word ("10 seconds", "64 KB", "3-byte")."""
    out = set()
    for m in _UNIT.finditer(text or ""):
        word = m.group(2).lower()
        unit = word if word in _UNIT_FAMILY else word[:-1] if word.endswith("s") and word[:-1] in _UNIT_FAMILY else ""
        if unit:
            out.add((m.group(1).replace(",", "."), _UNIT_FAMILY[unit], _UNIT_ALIAS.get(unit, unit)))
    return frozenset(out)


def unit_conflict(prediction: str, reference: str) -> bool:
    """The same number with another unit of the same kind ("10 seconds" against "10 minutes")."""
    ref, pred = units(reference), units(prediction)
    if not ref or not pred:
        return False
    for num, family, unit in ref:
        others = {u for n, f, u in pred if n == num and f == family}
        if others and unit not in others:
            return True
    return False


def clear_caches() -> None:
    for fn in (keys, clauses, _contrast, reason_head, code_names, units):
        fn.cache_clear()
