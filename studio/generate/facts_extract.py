"""Facts picked from the chunk itself, for generators too small to extract them reliably.

The guided recipe (``guided.py``) never asks a small model to find facts: it takes self-contained,
informative sentences of the chunk verbatim, picks the short span that makes each true (its *key*), and
builds from the sentence two things that need no model at all: an "echo" question (the key replaced by a
question word, so it is grounded by construction) and, for numeric keys, a false-premise question whose
answer corrects it. The model then only writes questions and rewordings, which a 135M model can do.
Everything here is deterministic and works on English and Italian text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .textutil import STOPWORDS, normalise

_SENT_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z\"'(\[0-9À-Ý])")
_WORD = re.compile(r"[^\W_]+(?:[-'.][^\W_]+)*", re.U)
_NUM_UNIT = re.compile(
    r"\b(?:(?:about|around|over|under|nearly|almost|more than|less than|up to|circa|oltre|quasi|fino a)\s+)?"
    r"(?<![-/+])(\d[\d,.]*\d|\d)(?![+\w])(\s*(?:%|percent|per cent|per cento|[A-Za-zÀ-ÿ]{2,15}))?", re.I)
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_CAP_RUN = re.compile(r"\b[A-Z][\w'.-]*[\w](?:\s+(?:of|de|di|da|van|von|der|the)?\s*[A-Z][\w'.-]*[\w])*")
_CODEISH = re.compile(r"[{}<>=]|\(\)|::|`|\b\w+_\w+\b|https?://|www\.|\[[^\]]*\]\(|\.\w{2,4}\b/|\w\.\w+\(")
_PRONOUN_START = {
    "it", "this", "that", "these", "those", "they", "he", "she", "its", "their", "his", "her", "such", "there",
    "here", "also", "however", "but", "and", "or", "so", "then", "thus", "otherwise",
    "esso", "essa", "questo", "questa", "questi", "queste", "quello", "quella", "loro", "lui", "lei", "inoltre", "ma",
}
_IMPERATIVE = {
    "see", "read", "use", "please", "note", "run", "click", "install", "set", "add", "make", "call", "pass",
    "check", "refer", "visit", "follow", "send", "open", "type", "enter", "select", "choose", "go", "try", "let",
    "consider", "remember", "ensure", "avoid", "do", "don't", "vedi", "leggi", "usa", "nota", "clicca", "installa",
}
_VERBISH = re.compile(
    r"\b(is|are|was|were|has|have|had|can|will|must|may|uses?|used|holds?|takes?|returns?|contains?|provides?|"
    r"allows?|supports?|requires?|includes?|became|become|becomes|created|founded|built|wrote|written|made|"
    r"gives?|means|consists?|covers?|covered|describes?|defines?|runs?|lets?|does|do|did|doesn|don|didn|need|needs|"
    r"should|would|could|cannot|might|shall|[a-z]{3,}(?:ed|es|s))\b|"
    r"\b(è|sono|era|erano|ha|hanno|fu|furono|può|possono|usa|contiene|permette|[a-zà-ù]{3,}(?:ato|ata|ati|ate|ito|uto))\b",
    re.I)
_PEOPLE = re.compile(r"^(?:[A-Z][a-z]+(?:\s+(?:van|von|de|di|da)?\s*[A-Z][a-z]+){1,2})$")
_BY = re.compile(r"\b(by|da)\s*$", re.I)

_AUX = {"be", "been", "being", "will", "would", "should", "can", "could", "may", "might", "must", "not", "also", "only"}
_ID_WORDS = {"version", "versione", "tier", "chapter", "capitolo", "section", "sezione", "step", "level", "phase",
             "v", "part", "parte", "article", "articolo", "rfc", "pep", "figure", "table", "page", "pagina", "no"}
_WH_WORDS = {"what", "which", "who", "whom", "whose", "how", "why", "when", "where", "cosa", "che", "chi", "come",
             "perché", "quando", "dove", "quale"}
_CONDITIONAL = {"if", "unless", "when", "whenever", "se", "quando"}
UNIT_WORDS_IT = {"anni", "giorni", "metri", "chilometri", "ore", "minuti", "persone", "euro", "volte"}


@dataclass
class PickedFact:
    sentence: str  # verbatim slice of the chunk (a byline alone is built from two of its lines)
    key: str  # verbatim slice of the sentence
    start: int  # offset of the key in the sentence
    kind: str  # "year", "number", "name", "phrase" (a definition), "object" (what follows the verb)
    score: float
    names: frozenset = frozenset()  # capitalised words seen mid-sentence in the chunk (names, not sentence starts)


# a full stop that ends an abbreviation, not a sentence ("i.e. IPv4", "e.g. HTTP", "Dr. Smith", "ecc. Roma")
_ABBREV = re.compile(r"(?:\b(?:i\.e|e\.g|etc|vs|cf|approx|incl|Mr|Mrs|Ms|Dr|Prof|St|No|Fig|Sec|Vol|ca|ecc|es|pag|sig)"
                     r"|\b[A-Z])\.$", re.I)


def sentences(text: str) -> list[str]:
    """Candidate sentences: lines and sentence ends, whitespace collapsed (the text stays verbatim otherwise)."""
    out = []
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)", text or ""):
        block = " ".join(block.split())
        parts: list[str] = []
        for s in _SENT_END.split(block):
            if parts and _ABBREV.search(parts[-1]):
                parts[-1] = f"{parts[-1]} {s}"  # the split was after an abbreviation: join it back
            else:
                parts.append(s)
        for s in parts:
            s = s.strip().lstrip("-*• ").strip()
            if s:
                out.append(s)
    return out


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def sentence_score(sentence: str) -> float:
    """How likely the sentence is a self-contained fact worth a question (0 = not at all)."""
    words = _words(sentence)
    n = len(words)
    if n < 6 or n > 45 or sentence[-1:] not in ".!;" or "?" in sentence:
        return 0.0
    first = words[0].lower()
    if first in _PRONOUN_START or sentence[0].islower() or n > 45:
        return 0.0
    if re.search(r"\b(in other words|as follows|below|above)\b|:$", sentence, re.I):
        return 0.0
    if _CODEISH.search(sentence) or not _VERBISH.search(sentence):
        return 0.0
    letters = sum(ch.isalpha() for ch in sentence)
    if letters < 0.7 * len(sentence.replace(" ", "")):
        return 0.0
    if sentence.count("(") != sentence.count(")") or sentence.count('"') % 2 or "[" in sentence:
        return 0.0
    score = 0.6 if first in _IMPERATIVE else 1.0
    score += 0.8 * bool(_NUM_UNIT.search(sentence))
    score += 0.6 * min(2, len([c for c in _CAP_RUN.findall(sentence[1:]) if c.lower() not in STOPWORDS]))
    score += 0.4 * bool(re.search(r"\b(is|are|was|were|è|sono|era)\s+(a|an|the|un|una|il|la|lo)\b", sentence))
    score -= 0.04 * abs(n - 16)
    return max(score, 0.05)


def _subject_end(sentence: str) -> int:
    m = _VERBISH.search(sentence)
    return m.start() if m else 0


def find_key(sentence: str) -> tuple[str, int, str] | None:
    """The span that makes the sentence true: a year, a number with its unit, a name, else the object phrase."""
    subj_end = _subject_end(sentence)
    for m in _YEAR.finditer(sentence):
        return m.group(0), m.start(), "year"
    for m in _NUM_UNIT.finditer(sentence):
        if _YEAR.fullmatch(m.group(1)):
            continue
        prev = sentence[: m.start()].split()[-1:] or [""]
        if prev[0].lower().strip("([{\"'") in _ID_WORDS or sentence[m.end(1): m.end(1) + 1] in ".-/" and sentence[m.end(1) + 1: m.end(1) + 2].isdigit():
            continue  # "version 2", "Tier 1", "3.11.2": a name, not a quantity
        unit = (m.group(2) or "").strip()
        nxt = re.match(r"\s+([a-zà-ù]{3,15})\b", sentence[m.end():])
        if unit and nxt and (unit[-1:] != "s" or unit.endswith("ss")) and nxt.group(1).endswith(("s", "i", "e")) and nxt.group(1).lower() not in STOPWORDS:
            span, start = (m.group(0) + nxt.group(0)).strip(), m.start()  # "6 business days"
        elif unit and unit.lower() in STOPWORDS:  # "5 of the", "3 and" : the number alone
            span, start = m.group(1), m.start(1)
        else:
            span, start = m.group(0).strip(), m.start()
        return span, start, "number"
    caps = [m for m in _CAP_RUN.finditer(sentence) if m.start() > max(subj_end, 1)
            and (len(m.group(0)) > 2 or m.group(0).isupper() or any(ch.isdigit() for ch in m.group(0)))
            and re.split(r"['’]", m.group(0).lower())[0] not in STOPWORDS and sentence[m.start() - 1] not in "./_-\"'“"]
    if caps:
        m = caps[0]
        return m.group(0).rstrip(".'"), m.start(), "name"
    # a definition: the noun phrase after "is a" / "è un", up to a comma, clause or preposition
    m = re.search(r"\b(is|are|was|were|è|sono|era|erano)\s+(?=(a|an|the|one|un|una|uno|il|la|lo|l')\b)", sentence)
    kind = "phrase"
    if not m:  # else the object after the main verb: only a model-written question can use it
        m, kind = _VERBISH.search(sentence), "object"
    if not m:
        return None
    rest = sentence[m.end():]
    lead = len(rest) - len(rest.lstrip())
    phrase = re.split(r"[;:(]|,\s(?:and|or|which|but)\s|\s(?:and|which|that|because|when|if|with|for|to|in|on|by|from|of|e|che|perché|quando|con|per|di|da)\s",
                      rest.strip().rstrip(".!;"))[0]
    words = phrase.split()
    while len(words) > 1 and words[0].lower() in STOPWORDS:  # "in an official program" -> "official program"
        words = words[1:]
    words = words[:8]
    if len(words) < 1 or all(w.lower() in STOPWORDS for w in words):
        return None
    span = " ".join(words).rstrip(".,;:")
    start = sentence.find(span, m.end() + lead)
    if start < 0 or len(normalise(span)) < 3 or not span[:1].isalnum() or span.split()[0].lower() in STOPWORDS | _AUX:
        return None
    content = [w for w in span.split() if w.lower().strip(",.") not in STOPWORDS | _AUX]
    if kind == "object" and (len(content) < 2 or "," in span or _VERBISH.fullmatch(span.split()[0])):
        return None  # "try", "work before dealing", "clientsocket, we go back": a verb or a clause, not a thing to ask for
    return span, start, kind


_BYLINE = re.compile(r"(?im)^[ \t]*(?P<field>authors?|autor[ei]|autrice|written by|scritto da)[ \t]*:?[ \t]*\n*[ \t]*"
                     r"(?P<name>[A-ZÀ-Ý][\w'’.-]+(?:[ \t]+(?:van|von|de|di|da|del|der)?[ \t]*[A-ZÀ-Ý][\w'’.-]+){1,3})[ \t]*$")


def byline_fact(text: str) -> PickedFact | None:
    """A document's byline ("Socket Programming HOWTO / Author: Gordon McMillan") as a fact about its title: the one
    sentence not sliced from the chunk, built from two of its lines ("<title> was written by <name>.")."""
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    m = _BYLINE.search(text or "")
    if not m or not lines or _BYLINE.match(lines[0]) or lines[0].endswith((".", ":")) or not 1 <= len(lines[0].split()) <= 12:
        return None
    title, name = lines[0].strip("#* "), m.group("name").strip()
    italian = m.group("field").lower().startswith(("autor", "scritto"))
    sentence = f"{title} è stato scritto da {name}." if italian else f"{title} was written by {name}."
    return PickedFact(sentence, name, sentence.rindex(name), "name", 2.5)


def pick_facts(text: str, n: int) -> list[PickedFact]:
    """Up to ``n`` fact sentences of the chunk with their keys, best first, no two alike."""
    cands, seen = [], set()
    byline = byline_fact(text)
    if byline:
        cands.append(byline)
        seen.add(normalise(byline.sentence))
    names = frozenset(w for m in re.finditer(r"(?<=[a-z,;:]\s)([A-Z][\w.-]*)", text or "") for w in [m.group(1)])
    for s in sentences(text):
        score = sentence_score(s)
        if score <= 0:
            continue
        key = find_key(s)
        if not key or len(normalise(key[0])) < 1 or normalise(key[0]) == normalise(s):
            continue
        norm = normalise(s)
        if norm in seen:
            continue
        seen.add(norm)
        span, start, kind = key
        cands.append(PickedFact(s, span, start, kind, score + (0.3 if kind in ("year", "number", "name") else 0), names))
    cands.sort(key=lambda f: -f.score)
    return cands[:n]


def _wh(fact: PickedFact, lang: str) -> str:
    before = fact.sentence[: fact.start]
    after_words = fact.sentence[fact.start + len(fact.key):].split()
    it = lang == "it"
    if fact.kind == "year":
        return "che anno" if it else "what year"
    if fact.kind == "number":
        parts = fact.key.split()
        unit = parts[-1] if len(parts) > 1 and not parts[-1][:1].isdigit() else ""
        if unit in ("%",) or unit.lower() in ("percent", "cento"):
            return "quale percentuale" if it else "what percentage"
        if unit:
            return f"quanti {unit}" if it else f"how many {unit}"
        return "quanti" if it else "how many" if after_words and after_words[0].isalpha() else ("quale numero" if it else "what number")
    if fact.kind == "name" and _PEOPLE.match(fact.key) and _BY.search(before):
        return "chi" if it else "whom"  # "written by whom"
    return "che cosa" if it else "what"


def echo_question(fact: PickedFact, lang: str = "en") -> str | None:
    """The sentence with its key replaced by a question word: grounded by construction."""
    s = fact.sentence.rstrip(".!;").strip()
    if fact.kind == "object":
        return None
    byline = re.fullmatch(rf"(.+) (?:was written by|è stato scritto da) {re.escape(fact.key)}", s)
    if byline:
        return f"Chi ha scritto {byline.group(1)}?" if lang == "it" else f"Who wrote {byline.group(1)}?"
    if fact.kind == "phrase":  # a definition "X is a Y": ask "What is X?"
        m = re.search(r"\b(is|are|was|were|è|sono|era|erano)\s", s)
        subject = s[: m.start()].strip() if m else ""
        if not subject or len(subject.split()) > 6 or {w.lower() for w in subject.split()} & _PRONOUN_START:
            return None
        if subject.split()[0].lower() in _WH_WORDS:  # "What happens in the server is complex": no "What is what..."
            return None
        if subject.split()[0].lower() in STOPWORDS:  # "The tool" -> "the tool"; a one-word subject is a name
            subject = subject[:1].lower() + subject[1:]
        if lang == "it":
            return f"Che cos'{'è' if m.group(1) == 'è' else m.group(1)} {subject}?"
        return f"What {m.group(1)} {subject}?"
    wh = _wh(fact, lang)
    before, after = s[: fact.start], s[fact.start + len(fact.key):]
    lead = re.match(r"[^:(]{3,60}:\s+", before)  # "A second thing to note: low ports are ...": ask the fact
    if lead:
        before = before[lead.end():]
    noun = re.match(r"\s([a-zà-ù][\w-]{2,})\b", after)
    art = re.search(r"\b(the|a|an|il|la|lo|un|una)\s$", before, re.I)
    if fact.kind == "name" and art and noun and noun.group(1) not in STOPWORDS:
        before, wh = before[: art.start()], ("quale" if lang == "it" else "which")  # "the HackerOne platform" -> "which platform"
    if not before.strip():
        wh = wh[:1].upper() + wh[1:]
    q = f"{before}{wh}{after}".strip()
    q = re.sub(r"\s+", " ", q)
    return q[:1].upper() + q[1:] + "?"


def _keeps_case(text: str, fact: PickedFact) -> bool:
    """Whether the first word is a name (keep its capital) rather than a capitalised sentence start."""
    first = text.split()[0] if text.split() else ""
    if any(ch.isupper() for ch in first[1:]) or any(ch.isdigit() or ch == "." for ch in first.rstrip(".")):
        return True
    return first in fact.names


def false_premise(fact: PickedFact, lang: str = "en") -> tuple[str, str] | None:
    """A question that asserts a wrong number, and the answer that corrects it from the sentence."""
    if fact.kind not in ("year", "number"):
        return None
    first = fact.sentence.split()[0].lower().strip(",")
    if first in _IMPERATIVE or first in _CONDITIONAL:  # advice, not a claim: "Is it true that if ..., use ...?"
        return None
    m = re.search(r"\d[\d,.]*\d|\d", fact.key)
    if not m:
        return None
    digits = m.group(0)
    try:
        value = int(digits.replace(",", "").replace(".", ""))
    except ValueError:
        return None
    wrong = value + (7 if fact.kind == "year" else max(1, round(value * 0.5)) if value > 3 else 2)
    wrong_text = str(wrong) if "," not in digits else f"{wrong:,}"
    pos = fact.start + m.start()
    claim = fact.sentence[:pos] + wrong_text + fact.sentence[pos + len(digits):]
    claim = claim.rstrip(".!;").strip()
    claim = claim if _keeps_case(claim, fact) else claim[:1].lower() + claim[1:]
    if lang == "it":
        return f"È vero che {claim}?", f"No. {fact.sentence}"
    return f"Is it true that {claim}?", f"No. {fact.sentence}"
