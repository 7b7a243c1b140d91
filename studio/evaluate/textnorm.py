"""Text normalisation for scoring: numbers, dates, names, negation and refusals (English and Italian).

Everything here is plain Python (no models) so the checks that embeddings get wrong ("X is not Y"
scores close to "X is Y", 1932 close to 1933) are exact and explainable.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "uno": 1, "una": 1, "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "sei": 6, "sette": 7, "otto": 8,
    "nove": 9, "dieci": 10, "undici": 11, "dodici": 12, "tredici": 13, "quattordici": 14, "quindici": 15,
    "sedici": 16, "diciassette": 17, "diciotto": 18, "diciannove": 19, "venti": 20, "trenta": 30,
    "quaranta": 40, "cinquanta": 50, "sessanta": 60, "settanta": 70, "ottanta": 80, "novanta": 90, "cento": 100,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "primo": 1, "prima": 1, "terzo": 3,
    "dozen": 12, "dozzina": 12,
}
# words that are numbers only sometimes ("sei" is also "you are", "second" a unit of time)
_AMBIGUOUS = {"una", "uno", "prima", "sei", "second", "due"}
_SCALES = {
    "thousand": 1e3, "mila": 1e3, "mille": 1e3, "million": 1e6, "millions": 1e6, "milione": 1e6, "milioni": 1e6,
    "billion": 1e9, "billions": 1e9, "miliardo": 1e9, "miliardi": 1e9,
}
_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
    "gennaio": 1, "febbraio": 2, "marzo": 3, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7, "agosto": 8,
    "settembre": 9, "ottobre": 10, "novembre": 11, "dicembre": 12,
}
_LONG_MONTHS = [m for m in _MONTHS if len(m) > 3 or m == "may"]
STOPWORDS = set(
    """a an the of in on at to for from by with and or but is are was were be been being it its this that these
    those as into than then so such there their they them he she his her we our you your i me my do does did
    has have had will would can could should may might must shall which who whom whose what when where why how
    about over under after before during also not no yes if very more most some any each all both other only
    il lo la i gli le un uno una di da del della dello dei degli delle al allo alla ai agli alle dal dalla dai
    nel nella nei nelle sul sulla sui e ed o ma che chi cosa come quando dove perché perche quale quali quanto
    quanti è e' era erano sono stato stata essere ha hanno aveva per tra fra con non si ci ne anche più piu
    questo questa quello quella suo sua suoi sue loro""".split()
)
_SENTENCE_STARTERS = STOPWORDS | {
    "according", "yes", "no", "sì", "si", "secondo", "however", "tuttavia", "in", "on", "at", "during", "after",
    "before", "answer", "risposta", "question", "domanda", "sure", "certo", "well", "today", "oggi", "based",
    "even", "note", "see", "thus", "hence", "here", "instead", "still", "generally", "usually", "often", "finally",
    "first", "now", "once", "unlike", "like", "because", "since", "although", "though", "while", "unless",
    "whereas", "later", "being", "anything", "everything", "nothing", "something", "there", "yet", "just",
}
_NAME_JOINERS = {"of", "de", "di", "da", "del", "della", "van", "von", "der", "la", "le", "du", "dei", "degli"}
_GENERIC_NAME_WORDS = set(
    """bridge university river lake mount mountain company museum street tower church hospital school college
    institute inc ltd corporation corp city state park hotel station building center centre library hall square
    palace castle island team project group foundation association council department ministry committee day
    war award prize road avenue house theatre theater airport port bay sea ocean valley county province region
    ponte universita fiume lago monte museo via piazza torre chiesa ospedale scuola istituto citta parco palazzo
    systems system solutions technologies technology industries labs holdings international partners services
    global co castello isola biblioteca stazione societa spa srl progetto gruppo fondazione associazione consiglio
    dipartimento ministero comitato premio teatro aeroporto porto mare valle provincia regione""".split()
)
_NEGATIONS = {
    "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot", "n't",
    "non", "mai", "nessuno", "nessuna", "niente", "nulla", "né", "ne'", "senza", "neanche", "nemmeno",
}
_NEG_CONTRACTION = re.compile(r"\b(\w+)n['’]t\b", re.I)
_DOC = r"(?:documents?|text|context|sources?|materials?|passages?|records?|notes|documenti|testo|contesto|fonti|materiale)"
_REFUSAL = re.compile(
    r"\b" + _DOC + r"\b[^.;]{0,50}?(?:\bnot\b|n['’]t\b|\bno\b|\bnever\b|\bnon\b|\bnessun)|"
    r"(?:\bnot\b|n['’]t\b|\bno\b|\bnon\b)[^.;]{0,50}?\b(?:in|from|by|nei|nel|dai|dal|secondo i) (?:the |i |il )?" + _DOC + r"\b|"
    r"\bno (?:\w+ ){0,2}information\b|\b(?:do not|don['’]t|cannot|can['’]t) (?:\w+ ){0,1}(?:know|answer|say|determine|tell)\b|"
    r"\bunknown\b|\bi(?:['’]m| am) not sure\b|\bnot (?:mentioned|specified|stated|indicated)\b|"
    r"\bnon (?:\w+ ){0,3}(?:indicat|specificat|menzionat|riportat|citat)\w*|\bnessuna (?:\w+ ){0,2}informazion|"
    r"\bnon (?:lo )?(?:so|sappiamo)\b|\bnon (?:posso|è possibile) (?:dire|rispondere|stabilire)",
    re.I,
)
_NUM_RE = re.compile(r"(?<![\w.,])[-+]?(?:\d{1,3}(?:[,.]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)(?![\w])")
_DATE_DMY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th|°|º)?\s+(?:of\s+)?(" + "|".join(_LONG_MONTHS) + r")\.?,?\s+(\d{3,4})\b", re.I)
_DATE_MDY = re.compile(r"\b(" + "|".join(_LONG_MONTHS) + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{3,4})\b", re.I)
_DATE_MY = re.compile(r"\b(" + "|".join(_LONG_MONTHS) + r")\.?,?\s+(?:of\s+|del\s+)?(\d{4})\b", re.I)
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DIGIT = re.compile(r"\d")
_REFUSAL_HINT = re.compile(r"not|n['’]t|\bno\b|never|\bnon\b|nessun|unknown|sure|information", re.I)
_TOKEN = re.compile(r"[\w][\w'’-]*", re.UNICODE)


def strip_accents(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _fmt(value: float) -> str:
    if abs(value - round(value)) < 1e-9:
        return str(int(round(value)))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _parse_number(raw: str) -> float | None:
    s = raw.replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?", s):
        s = s.replace(",", "")
    elif re.fullmatch(r"[-+]?\d{1,3}(\.\d{3}){2,}(,\d+)?", s) or re.fullmatch(r"[-+]?\d{1,3}\.\d{3},\d+", s):
        s = s.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"[-+]?\d+,\d+", s):
        s = s.replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return None


@lru_cache(maxsize=65536)
def _dates(text: str) -> tuple[tuple[str, ...], str]:
    """Dates in any common EN/IT form as ISO strings, and the text with them replaced by a marker."""
    if not _DIGIT.search(text):
        return (), text
    found: list[str] = []

    def iso(y, m, d=None):
        value = f"{int(y):04d}-{int(m):02d}" + (f"-{int(d):02d}" if d else "")
        found.append(value)
        return f" date{value.replace('-', '')} "

    text = _DATE_ISO.sub(lambda m: iso(m.group(1), m.group(2), m.group(3)), text)
    text = _DATE_DMY.sub(lambda m: iso(m.group(3), _MONTHS[m.group(2).lower()], m.group(1)), text)
    text = _DATE_MDY.sub(lambda m: iso(m.group(3), _MONTHS[m.group(1).lower()], m.group(2)), text)
    text = _DATE_MY.sub(lambda m: iso(m.group(2), _MONTHS[m.group(1).lower()]), text)
    return tuple(found), text


_HYPHEN = re.compile(r"\b([a-z]+)-([a-z]+)\b", re.I)


def _hyphen_numbers(text: str) -> str:
    """"forty-eight" -> "48" (compound number words)."""

    def repl(m: re.Match) -> str:
        a, b = m.group(1).lower(), m.group(2).lower()
        if a in _UNITS and b in _UNITS and _UNITS[a] >= 20 and _UNITS[b] < 10:
            return str(_UNITS[a] + _UNITS[b])
        return m.group(0)

    if "-" not in text:
        return text
    return _HYPHEN.sub(repl, text)


@lru_cache(maxsize=65536)
def numbers(text: str) -> frozenset[str]:
    """Every number in the text, canonical ("1,200" -> "1200", "3,5" -> "3.5", "twelve" -> "12", "2 million")."""
    dates, rest = _dates(text or "")
    out: set[str] = set()
    for d in dates:  # a date's year counts as a number too ("in 1932" agrees with "on 3 May 1932")
        out.add(str(int(d[:4])))
    words = _hyphen_numbers(rest.lower())
    for m in _NUM_RE.finditer(words):
        raw = m.group(0)
        value = _parse_number(raw)
        if value is None:
            continue
        after = words[m.end():m.end() + 12].strip().split(" ")[0] if m.end() < len(words) else ""
        if after in _SCALES:
            value *= _SCALES[after]
        out.add(_fmt(value))
    tokens = _TOKEN.findall(words)
    for i, tok in enumerate(tokens):
        if tok in _UNITS and tok not in _AMBIGUOUS:
            value = float(_UNITS[tok])
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if nxt in _SCALES:
                value *= _SCALES[nxt]
            elif nxt in _UNITS and _UNITS[nxt] < 10 and _UNITS[tok] >= 20 and _UNITS[tok] % 10 == 0:
                continue  # "twenty five": the next word adds up below
            prev = tokens[i - 1] if i else ""
            if prev in _UNITS and _UNITS[prev] >= 20 and _UNITS[prev] % 10 == 0 and _UNITS[tok] < 10:
                value += _UNITS[prev]
            if tok == "one" and nxt in ("of", "another", "day", "way", "who", "which", "that"):
                continue
            out.add(_fmt(value))
    return frozenset(out)


@lru_cache(maxsize=65536)
def dates(text: str) -> frozenset[str]:
    return frozenset(_dates(text or "")[0])


def _number_token(m: re.Match) -> str:
    value = _parse_number(m.group(0))
    return f" {_fmt(value).replace('.', '_')} " if value is not None else m.group(0)


@lru_cache(maxsize=65536)
def tokens(text: str) -> tuple[str, ...]:
    """Lower-case word tokens, accents kept, dates folded into one token, numbers canonical ("1,200" -> "1200")."""
    _, rest = _dates(text or "")
    if "n't" in rest or "n’t" in rest:
        rest = _NEG_CONTRACTION.sub(lambda m: m.group(1) + " not", rest)
    rest = _hyphen_numbers(rest.lower())
    if _DIGIT.search(rest):
        rest = _NUM_RE.sub(_number_token, rest)
    out = []
    for tok in _TOKEN.findall(rest):
        tok = tok.strip("'’-")
        if not tok:
            continue
        if tok in _UNITS and tok not in _AMBIGUOUS and tok not in ("one",):
            tok = _fmt(float(_UNITS[tok]))
        out.append(tok)
    return tuple(out)


@lru_cache(maxsize=65536)
def content_tokens(text: str) -> tuple[str, ...]:
    return tuple(stem(t) for t in tokens(text) if t not in STOPWORDS)


def stem(tok: str) -> str:
    """A light, language-blind stemmer: plural and common endings, accents dropped."""
    tok = strip_accents(tok)
    for suffix in ("ies", "es", "s"):
        if len(tok) > 4 and tok.endswith(suffix) and not tok.endswith("ss"):
            return tok[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return tok


@dataclass
class Entity:
    text: str
    parts: list[str] = field(default_factory=list)  # lower-case content words
    initial: bool = False  # one capitalised word opening a sentence: as likely a verb or adverb as a name

    @property
    def head(self) -> str:
        """The distinctive word: the last one that is not a generic noun ("Golden Gate Bridge" -> "gate")."""
        for p in reversed(self.parts):
            if p not in _GENERIC_NAME_WORDS:
                return p
        return self.parts[-1] if self.parts else ""


@lru_cache(maxsize=65536)
def entities(text: str) -> tuple[Entity, ...]:
    """Names: runs of capitalised words (joined by of/di/de/van...), sentence starters and stopwords excluded."""
    words = re.findall(r"[\w][\w'’.-]*|[.!?;:,()\"“”]", text or "", re.UNICODE)
    out: list[Entity] = []
    current: list[str] = []
    sentence_start = True
    started_at_start = [False]

    def flush():
        while current and current[-1].lower() in _NAME_JOINERS:
            current.pop()
        if current:
            parts = [strip_accents(_name_part(w)) for w in current if w.lower() not in _NAME_JOINERS]
            parts = [p for p in parts if p]
            if parts and len("".join(parts)) > 1:
                out.append(Entity(" ".join(current), parts, started_at_start[0] and len(current) == 1))
        current.clear()

    for w in words:
        if w in ".!?;:":
            flush()
            sentence_start = True
            continue
        if w in ",()\"“”":
            flush()
            continue
        clean = w.rstrip(".").strip("'’")
        is_cap = bool(clean) and clean[0].isupper() and not clean.isdigit()
        low = clean.lower()
        if is_cap and low not in STOPWORDS and not (sentence_start and low in _SENTENCE_STARTERS) \
                and low not in _MONTHS:
            if not current:
                started_at_start[0] = sentence_start
            current.append(clean)
        elif current and low in _NAME_JOINERS:
            current.append(low)
        else:
            flush()
        sentence_start = False
    flush()
    return tuple(out)


def _name_part(word: str) -> str:
    """ "Amoeba-specific" -> "amoeba": a lower-case tail after a hyphen describes the name, it is not part of it."""
    w = word.lower().rstrip(".")
    head, _, tail = word.partition("-")
    if tail and tail.isalpha() and tail.islower() and head.isalpha():
        return head.lower()
    return w


def entity_in(entity: Entity, token_set: set[str]) -> bool:
    """A name is present when its last word (surname, place) or all its words are present."""
    def has(word: str) -> bool:  # "kestrel-9" is there when "kestrel-9", or both "kestrel" and "9", are
        return word in token_set or ("-" in word and all(w in token_set for w in word.split("-") if w))

    return has(entity.head) or all(has(p) for p in entity.parts)


@lru_cache(maxsize=65536)
def plain_tokens(text: str) -> frozenset[str]:
    """Accent-free tokens, and the parts of hyphenated ones ("Amoeba-specific" gives "amoeba" too)."""
    out = {strip_accents(t) for t in tokens(text)}
    out.update(p for t in list(out) if "-" in t for p in t.split("-") if p)
    return frozenset(out)


@lru_cache(maxsize=65536)
def negation_count(text: str) -> int:
    toks = tokens(text)
    return sum(1 for t in toks if t in _NEGATIONS)


@lru_cache(maxsize=65536)
def is_refusal(text: str) -> bool:
    """The answer declines: "the documents do not say", "I don't know", "non è indicato"..."""
    t = (text or "").strip()[:300]
    if not t or not _REFUSAL_HINT.search(t):
        return False
    return bool(_REFUSAL.search(t))


def clear_caches() -> None:
    """Forget the cached parses (benchmarks time a cold scorer)."""
    for fn in (_dates, numbers, dates, tokens, content_tokens, entities, plain_tokens, negation_count, is_refusal):
        fn.cache_clear()
    from . import clauses  # the clause checks parse on top of these

    clauses.clear_caches()
