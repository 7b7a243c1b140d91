"""Is an answer right? Key answer first, then number/name/negation agreement, then similarity to the reference.

Decision, in order (each row records its ``reason``):
1. an empty answer is wrong; for a question that should be refused (or a short reference that declines), the
   answer is right when it declines; otherwise a refusal is wrong;
2. a **conflict** with the reference makes it wrong: a number or a name changed (an expected number, name or
   code identifier is missing *and* another one appears), or a negation that differs clause by clause
   (:mod:`.clauses`: "A is not B, but C is D" against "A is B, but C is not D", "X, not Y" against "Y, not X");
3. with a key answer given, the key must be present (its numbers, dates and names exactly; its words by a soft
   match, 75% of a short key, 60% of a clause-long one, or 40% when the similarity is well above the threshold);
   a name conflict is forgiven when the key's name is there;
4. without a key, a reference that gives a reason ("because ...") needs the head of that reason in the answer
   (another reason is wrong), and the reference's numbers, dates and names not in the question are the key;
5. then the embedding cosine to the reference must reach the threshold (calibrated per workspace;
   :data:`DEFAULT_THRESHOLD` without one), lowered by a margin when the key, or most of what the reference
   adds to the question, is in the answer; token F1 >= 0.8 accepts near-verbatim answers.

Every text is encoded once, in one batched pass (:meth:`Scorer.prepare`), so scoring costs about one
``SentenceTransformer.encode`` of the unique texts; the rule checks are plain Python with cached parses.
Measured on real text by benchmarks/scoring_real.py (a rule-built near-miss set from the Python documentation
and a hand-written one, tests/data/scoring/nearmiss_handwritten.jsonl).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Sequence

from . import clauses as cl
from . import textnorm as tn
from .config import DEFAULT_THRESHOLD

KEY_SHARE = 0.75  # share of a short key phrase's content words that must appear (soft word match)
LONG_KEY_SHARE = 0.6  # the same for a key of three content words or more (a clause: paraphrased more)
KEY_PARTIAL = 0.4  # a clause-long key this much present is accepted when the similarity is well above the threshold
KEY_PARTIAL_MARGIN = 0.15  # ... by this much
REASON_RECALL = 0.15  # share of the head of the reference's reason ("because ...") an answer without a key needs
REFUSAL_WORDS = 16  # a reference this short that declines means the question should be declined
DERIVED_KEY_SHARE = 0.5  # share of the reference's numbers/names that must appear when no key is given
DERIVED_MARGIN = 0.15  # a derived key present lowers the similarity needed by this much
F1_ACCEPT = 0.8


class EmbedderError(RuntimeError):
    """The sentence embedder cannot be loaded or run (readable message)."""


@dataclass
class Item:
    question: str
    reference: str
    prediction: str
    key: str | None = None
    group: str | None = None
    expect_refusal: bool = False


@dataclass
class Score:
    correct: bool
    reason: str
    similarity: float
    token_f1: float
    key_hit: bool | None = None
    key_source: str = "none"  # given / reference / none
    conflicts: list[str] = field(default_factory=list)
    refusal: bool = False

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["similarity"] = round(self.similarity, 4)
        d["token_f1"] = round(self.token_f1, 4)
        return d


def token_f1(prediction: str, reference: str) -> float:
    pred, ref = tn.content_tokens(prediction), tn.content_tokens(reference)
    if not pred or not ref:
        return float(pred == ref)
    counts: dict[str, int] = {}
    for t in ref:
        counts[t] = counts.get(t, 0) + 1
    same = 0
    for t in pred:
        if counts.get(t, 0) > 0:
            counts[t] -= 1
            same += 1
    if same == 0:
        return 0.0
    p, r = same / len(pred), same / len(ref)
    return 2 * p * r / (p + r)


def conflicts(prediction: str, reference: str, question: str = "") -> list[str]:
    """Numbers, names or negation that disagree between the answer and the reference."""
    out = []
    q_nums = tn.numbers(question)
    ref_nums, pred_nums = tn.numbers(reference) - q_nums, tn.numbers(prediction) - q_nums
    if (ref_nums - pred_nums) and (pred_nums - ref_nums):
        out.append("number")
    q_dates = tn.dates(question)
    ref_dates, pred_dates = tn.dates(reference) - q_dates, tn.dates(prediction) - q_dates
    if (ref_dates - pred_dates) and (pred_dates - ref_dates) and "number" not in out:
        out.append("date")
    if "number" not in out and cl.unit_conflict(prediction, reference):
        out.append("unit")
    q_tok, ref_tok, pred_tok = tn.plain_tokens(question), tn.plain_tokens(reference), tn.plain_tokens(prediction)
    ref_ents = [e for e in tn.entities(reference) if not tn.entity_in(e, q_tok) and not e.initial]
    missing = [e for e in ref_ents if not tn.entity_in(e, pred_tok)]
    if missing:
        extra = [e for e in tn.entities(prediction) if not tn.entity_in(e, ref_tok | q_tok) and not e.initial]
        if extra:
            out.append("name")
    if "name" not in out:  # identifiers written as code: "sys.stdin" swapped for "sys.stdout"
        q_code, ref_code, pred_code = cl.code_names(question), cl.code_names(reference), cl.code_names(prediction)
        if (ref_code - q_code - pred_code) and (pred_code - ref_code - q_code):
            out.append("name")
    if cl.negation_conflict(prediction, reference):
        out.append("negation")
    return out


def key_present(key: str, prediction: str) -> bool:
    """A given key answer is in the prediction: its numbers/dates all, its names by surname, else most words."""
    pred_tok = tn.plain_tokens(prediction)
    k_nums, k_dates = tn.numbers(key), tn.dates(key)
    if k_dates and not k_dates <= tn.dates(prediction):
        # "3 May 1932" needs the same date; a prediction with just the year is not enough
        return False
    if k_nums and not k_nums <= tn.numbers(prediction):
        return False
    pred_code, key_code = cl.code_names(prediction), cl.code_names(key)
    for code in key_code:  # "socket.gethostname()": that identifier, its last part at least
        if code not in pred_code and code.rsplit(".", 1)[-1] not in pred_tok:
            return False
    if key_code and not tn.entities(key):
        return True
    ents = tn.entities(key) or ([tn.Entity(key, [tn.strip_accents(w) for w in tn.tokens(key)])] if key[:1].isupper() else [])
    if ents and all(tn.entity_in(e, pred_tok) for e in ents):
        return True
    share = key_share(key, prediction)
    if share is None:
        return bool(k_nums or k_dates)
    return share >= (LONG_KEY_SHARE if len(_key_words(key)) >= 3 else KEY_SHARE) - 1e-9


def _key_words(key: str) -> frozenset[str]:
    return frozenset(w for w in cl.keys(key) if not w[:1].isdigit() and not w.startswith("date"))


def key_share(key: str, prediction: str) -> float | None:
    """Share of the key's content words in the answer (soft match), None when the key has none."""
    words = _key_words(key)
    return cl.recall(words, prediction) if words else None


def derived_key(reference: str, question: str = "") -> list[str]:
    """The reference's numbers, dates and names not already in the question (the key when none is given)."""
    q_nums, q_tok = tn.numbers(question), tn.plain_tokens(question)
    ref_dates = tn.dates(reference) - tn.dates(question)
    years = {d[:4].lstrip("0") for d in ref_dates}
    items = sorted(ref_dates) + sorted(n for n in tn.numbers(reference) - q_nums if n not in years)
    items += [e.text for e in tn.entities(reference) if not tn.entity_in(e, q_tok) and not e.initial]
    return items


def derived_key_share(items: list[str], prediction: str) -> float:
    if not items:
        return 0.0
    pred_nums, pred_tok = tn.numbers(prediction), tn.plain_tokens(prediction)
    pred_dates = tn.dates(prediction)
    hit = 0
    for it in items:
        if it in pred_nums or it in pred_dates:
            hit += 1
        elif not it[:1].isdigit():
            ents = tn.entities(it) or [tn.Entity(it, [tn.strip_accents(w) for w in tn.tokens(it)])]
            hit += all(tn.entity_in(e, pred_tok) for e in ents)
    return hit / len(items)


class Scorer:
    """Scores answers against references; one embedder, one batched encode per call."""

    def __init__(self, embedder: Any = None, threshold: float | None = None, batch_size: int = 64, device: str = "cpu"):
        self._embedder_arg = embedder
        self._model = None
        self.batch_size = batch_size
        self.device = device
        self.threshold = float(threshold) if threshold is not None else DEFAULT_THRESHOLD
        self.threshold_info: dict[str, Any] = {
            "value": self.threshold, "source": "given" if threshold is not None else "default"
        }
        self._vectors: dict[str, Any] = {}

    # ---- embeddings ---------------------------------------------------------------------
    @property
    def embedder_name(self) -> str:
        arg = self._embedder_arg
        if arg is None or isinstance(arg, str):
            from ..models import DEFAULT_EMBEDDER

            return arg or DEFAULT_EMBEDDER
        return type(arg).__name__

    def model(self):
        if self._model is None:
            arg = self._embedder_arg
            if arg is not None and not isinstance(arg, str) and hasattr(arg, "encode"):
                self._model = arg
            else:
                self._model = load_embedder(arg, self.device)
        return self._model

    def prepare(self, texts: Iterable[str]) -> int:
        """Encode every text not yet encoded, in one batched call. Returns how many were encoded."""
        todo = list(dict.fromkeys(t for t in texts if t is not None and t not in self._vectors))
        if not todo:
            return 0
        try:
            vecs = self.model().encode(
                todo, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True,
                show_progress_bar=False,
            )
        except EmbedderError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure of a user-chosen embedder becomes one line
            raise EmbedderError(f"the embedder failed while encoding: {exc}") from None
        for t, v in zip(todo, vecs):
            self._vectors[t] = v
        return len(todo)

    def cosine(self, a: str, b: str) -> float:
        if not (a or "").strip() or not (b or "").strip():
            return 0.0
        self.prepare([a, b])
        return float(max(-1.0, min(1.0, float(self._vectors[a] @ self._vectors[b]))))

    # ---- scoring ------------------------------------------------------------------------
    def prepare_items(self, items: Sequence[Item], extra_texts: Iterable[str] = ()) -> None:
        """Encode every answer, reference and extra text in one batched pass while a second thread parses the
        texts for the rule checks (the encoder releases the GIL, so the rules cost almost nothing extra)."""
        import threading

        texts = [t for it in items for t in (it.prediction, it.reference) if (t or "").strip()]
        texts += [t for t in extra_texts if (t or "").strip()]
        worker = threading.Thread(target=_parse_ahead, args=(list(items),), daemon=True)
        worker.start()
        try:
            self.prepare(texts)
        finally:
            worker.join()

    def score_many(self, items: Sequence[Item], extra_texts: Iterable[str] = ()) -> list[Score]:
        """Score all items; every prediction, reference and extra text is encoded in one pass."""
        self.prepare_items(items, extra_texts)
        return [self.score(it) for it in items]

    def score(self, item: Item) -> Score:
        pred = (item.prediction or "").strip()
        ref = (item.reference or "").strip()
        if not pred:
            return Score(False, "empty answer", 0.0, 0.0)
        sim = self.cosine(pred, ref) if ref else 0.0
        f1 = token_f1(pred, ref) if ref else 0.0
        refused = tn.is_refusal(pred)
        if item.expect_refusal or (ref and len(ref.split()) <= REFUSAL_WORDS and tn.is_refusal(ref)
                                   and not (item.key or "").strip()):
            ok = refused
            return Score(ok, "declined as it should" if ok else "answered a question it should refuse",
                         sim, f1, refusal=refused)
        if refused:
            return Score(False, "declined to answer", sim, f1, refusal=True)
        found = conflicts(pred, ref, item.question)
        key = (item.key or "").strip()
        hit = None
        if key:
            hit = key_present(key, pred)
            if not hit and sim >= self.threshold + KEY_PARTIAL_MARGIN and len(_key_words(key)) >= 3 \
                    and not (tn.numbers(key) or tn.dates(key) or tn.entities(key) or cl.code_names(key)):
                hit = (key_share(key, pred) or 0.0) >= KEY_PARTIAL - 1e-9
            if hit and found == ["name"]:
                found = []  # the asked-for name is there: another capitalised word is not a swap
        if found:
            return Score(False, f"{', '.join(found)} differs from the reference", sim, f1,
                         key_hit=hit, key_source="given" if key else "none", conflicts=found)
        if key:
            return Score(hit, "key answer present" if hit else f"key answer missing: {key}", sim, f1,
                         key_hit=hit, key_source="given")
        why = cl.reason_head(ref, item.question)
        if why and cl.recall(why, pred) < REASON_RECALL - 1e-9:
            return Score(False, "another reason than the reference's", sim, f1, key_hit=False, key_source="reference")
        adds = cl.answer_words(ref, item.question)
        covered = cl.recall(why or adds, pred) if (why or adds) else 0.0
        items = derived_key(ref, item.question)
        if items:
            share = derived_key_share(items, pred)
            hit = share >= DERIVED_KEY_SHARE - 1e-9
            if not hit:
                return Score(False, f"missing from the answer: {', '.join(items[:4])}", sim, f1,
                             key_hit=False, key_source="reference")
            need = self.threshold - DERIVED_MARGIN
            ok = sim >= need or f1 >= F1_ACCEPT
            reason = "key answer present" if ok else f"similarity {sim:.2f} below {need:.2f}"
            return Score(ok, reason, sim, f1, key_hit=True, key_source="reference")
        # what the reference adds to the question (its reason, when it gives one) is in the answer:
        # the wording may differ more, so the similarity needed is lower
        need = self.threshold - DERIVED_MARGIN * (2 if covered >= 0.75 else 1 if covered >= 0.5 else 0)
        if need < self.threshold:
            ok = sim >= need or f1 >= F1_ACCEPT
            reason = f"answer words present; similarity {sim:.2f} {'>=' if ok else '<'} {need:.2f}"
            return Score(ok, reason, sim, f1, key_hit=True, key_source="reference")
        ok = sim >= self.threshold or f1 >= F1_ACCEPT
        reason = f"similarity {sim:.2f} {'>=' if ok else '<'} threshold {self.threshold:.2f}"
        return Score(ok, reason, sim, f1)

    def agree(self, a: str, b: str, a_correct: bool | None = None, b_correct: bool | None = None) -> bool:
        """Two answers to phrasings of one fact agree: neither declines, no conflict, same meaning."""
        a, b = (a or "").strip(), (b or "").strip()
        if not a or not b or tn.is_refusal(a) or tn.is_refusal(b):
            return False
        if conflicts(a, b) or conflicts(b, a):
            return False
        if a_correct and b_correct:
            return True
        return self.cosine(a, b) >= self.threshold

    # ---- calibration --------------------------------------------------------------------
    def calibrate(self, positives: Sequence[tuple[str, str]], negatives: Sequence[tuple[str, str]],
                  min_each: int = 4) -> dict[str, Any]:
        """Pick the similarity threshold that best separates right answers in other words from other facts' answers."""
        info = calibrate_threshold(
            [self.cosine(a, b) for a, b in positives], [self.cosine(a, b) for a, b in negatives], min_each
        )
        if info["source"] == "calibrated":
            self.threshold = info["value"]
        else:
            info["value"] = self.threshold
        self.threshold_info = info
        return info


def _parse_ahead(items: Sequence[Item]) -> None:
    """Fill the text-parsing caches the rule checks use (run beside the encoder)."""
    try:
        for it in items:
            for text in (it.question, it.reference, it.prediction):
                text = text or ""
                tn.numbers(text), tn.dates(text), tn.plain_tokens(text), tn.entities(text), tn.content_tokens(text)
                tn.negation_count(text), tn.is_refusal(text), cl.clauses(text), cl.keys(text)
    except Exception:  # noqa: BLE001 - only a warm-up: scoring parses again if anything failed here
        pass


def calibrate_threshold(pos: Sequence[float], neg: Sequence[float], min_each: int = 4,
                        lo: float = 0.35, hi: float = 0.85) -> dict[str, Any]:
    """Youden's J over candidate cut points (midpoints of the sorted scores), clipped to [lo, hi]."""
    info: dict[str, Any] = {"positives": len(pos), "negatives": len(neg)}
    if len(pos) < min_each or len(neg) < min_each:
        info.update(source="default", value=DEFAULT_THRESHOLD,
                    note=f"too few calibration pairs (need {min_each} of each): default threshold used")
        return info
    values = sorted(set(pos) | set(neg))
    cuts = [(values[i] + values[i + 1]) / 2 for i in range(len(values) - 1)] or [values[0]]
    best, best_j = DEFAULT_THRESHOLD, -2.0
    for c in cuts:
        tpr = sum(p >= c for p in pos) / len(pos)
        fpr = sum(n >= c for n in neg) / len(neg)
        j = tpr - fpr
        if j > best_j + 1e-12 or (abs(j - best_j) <= 1e-12 and abs(c - DEFAULT_THRESHOLD) < abs(best - DEFAULT_THRESHOLD)):
            best, best_j = c, j
    value = float(min(hi, max(lo, best)))
    auc = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))
    info.update(
        source="calibrated", value=round(value, 4), youden_j=round(best_j, 4), auc=round(auc, 4),
        tpr=round(sum(p >= value for p in pos) / len(pos), 4),
        fpr=round(sum(n >= value for n in neg) / len(neg), 4),
    )
    return info


def load_embedder(name: str | None, device: str = "cpu"):
    """A SentenceTransformer from a name or folder (bundled all-MiniLM-L6-v2 by default), or EmbedderError."""
    from ..models import ModelNotFound, resolve_embedder

    try:
        path = resolve_embedder(name)
    except ModelNotFound as exc:
        raise EmbedderError(str(exc)) from None
    try:
        from ..runtime import load_embedder as shared

        return shared(path, device)
    except Exception as exc:  # noqa: BLE001
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise EmbedderError(f"the embedder {name or path!r} could not be loaded: {first[:200]}") from None
