"""Scorer on a fixed, hand-written set: right answers in other words accepted, near misses rejected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studio.evaluate.scoring import Item, Scorer, calibrate_threshold, conflicts, key_present, token_f1

# (question, reference, key, correct answers in other words, near misses: negation / changed number / swapped name)
FACTS = [
    ("When did the Harbor Bridge open?", "The Harbor Bridge opened to traffic in 1932.", "1932",
     ["It was opened in 1932.", "Traffic first crossed the Harbor Bridge in 1932."],
     ["The Harbor Bridge opened to traffic in 1933.", "The Harbor Bridge opened in 1923."]),
    ("Who designed the Harbor Bridge?", "The Harbor Bridge was designed by engineer John Bradfield.", "John Bradfield",
     ["Its designer was the engineer Bradfield.", "John Bradfield designed it."],
     ["The Harbor Bridge was designed by engineer John Whitfield.", "It was designed by Henry Bradley."]),
    ("How many rooms does the Villa Serena hotel have?", "Villa Serena has 48 rooms.", "48",
     ["The hotel offers forty-eight rooms.", "There are 48 rooms at Villa Serena."],
     ["Villa Serena has 84 rooms.", "Villa Serena has 46 rooms."]),
    ("Is the Marlow museum open on Mondays?", "No, the Marlow museum is closed on Mondays.", None,
     ["The museum does not open on Mondays.", "No, on Mondays the Marlow museum stays closed."],
     ["Yes, the Marlow museum is open on Mondays.", "The Marlow museum is always open on Mondays."]),
    ("What is the boiling point of the coolant X7?", "Coolant X7 boils at 118 degrees Celsius.", "118 degrees",
     ["X7 reaches its boiling point at 118 °C.", "It boils at 118 degrees Celsius."],
     ["Coolant X7 boils at 181 degrees Celsius.", "Coolant X7 boils at 108 degrees Celsius."]),
    ("Who founded the Ortona Cooperative?", "The Ortona Cooperative was founded by Lucia Ferri in 1978.", "Lucia Ferri",
     ["Lucia Ferri founded it in 1978.", "Its founder was Ferri, back in 1978."],
     ["The Ortona Cooperative was founded by Marco Bellini in 1978.", "It was founded by Lucia Conti."]),
    ("Does the warranty cover water damage?", "The warranty does not cover water damage.", None,
     ["No, water damage is not covered by the warranty.", "Water damage isn't included in the warranty coverage."],
     ["Yes, the warranty covers water damage.", "The warranty fully covers water damage."]),
    ("How long is the Tessera trail?", "The Tessera trail is 12 kilometres long.", "12 kilometres",
     ["It is twelve kilometres long.", "The trail measures 12 km... 12 kilometres in total."],
     ["The Tessera trail is 21 kilometres long.", "The Tessera trail is 15 kilometres long."]),
    ("What time does the library close on Saturdays?", "On Saturdays the library closes at 6 pm.", "6 pm",
     ["It closes at 6 pm on Saturdays.", "The library shuts at 6 pm each Saturday."],
     ["On Saturdays the library closes at 8 pm.", "The library closes at 5 pm on Saturdays."]),
    ("Which company manufactures the Falco drone?", "The Falco drone is manufactured by Aerotek Systems.", "Aerotek",
     ["Aerotek Systems makes it.", "It is built by the company Aerotek."],
     ["The Falco drone is manufactured by Skyline Robotics.", "It is made by Dronix Systems."]),
    ("When was the treaty of Valmont signed?", "The treaty of Valmont was signed on 4 May 1856.", "4 May 1856",
     ["It was signed on May 4, 1856.", "The signing took place on 4 May 1856."],
     ["The treaty of Valmont was signed on 4 May 1865.", "It was signed on 14 May 1856."]),
    ("Can guests bring pets to Villa Serena?", "Pets are not allowed at Villa Serena.", None,
     ["No, Villa Serena does not accept pets.", "Guests cannot bring pets; they are not allowed."],
     ["Pets are allowed at Villa Serena.", "Yes, guests may bring pets to Villa Serena."]),
    ("What is the capital of the region of Lorvia?", "The capital of Lorvia is Castelmare.", "Castelmare",
     ["Castelmare is Lorvia's capital city.", "Lorvia's capital is Castelmare."],
     ["The capital of Lorvia is Montefalco.", "The capital of Lorvia is Porto Alto."]),
    ("How much does the annual membership cost?", "The annual membership costs 250 euros.", "250 euros",
     ["A yearly membership is priced at 250 euros.", "It costs €250 per year, 250 euros."],
     ["The annual membership costs 520 euros.", "The annual membership costs 205 euros."]),
    ("Who wrote the novel The Silent Harbour?", "The Silent Harbour was written by Elena Marsh.", None,
     ["Elena Marsh is the author of that novel.", "It was written by Elena Marsh."],
     ["The Silent Harbour was written by Clara Voss.", "It was written by Peter Marsden."]),
    ("Chi ha progettato il ponte di Rialto nuovo?", "Il nuovo ponte di Rialto è stato progettato da Giulia Sarti.", "Giulia Sarti",
     ["Lo ha progettato Giulia Sarti.", "La progettista è Giulia Sarti."],
     ["Il nuovo ponte di Rialto è stato progettato da Paolo Neri.", "È stato progettato da Giulia Rossi."]),
    ("Quanti dipendenti ha l'azienda Brenta?", "L'azienda Brenta ha 320 dipendenti.", "320",
     ["Brenta impiega 320 persone.", "I dipendenti di Brenta sono 320."],
     ["L'azienda Brenta ha 230 dipendenti.", "L'azienda Brenta ha 3200 dipendenti."]),
    ("Il parcheggio è gratuito?", "Il parcheggio non è gratuito.", None,
     ["No, il parcheggio è a pagamento e non gratuito.", "Non è gratuito: il parcheggio si paga."],
     ["Il parcheggio è gratuito.", "Sì, il parcheggio è gratuito per tutti."]),
    ("What color is the emergency valve?", "The emergency valve is painted bright red.", "red",
     ["It is red.", "The valve is painted red so it stands out."],
     ["The emergency valve is painted bright blue.", "It is painted yellow."]),
    ("Where is the Ortona Cooperative based?", "The Ortona Cooperative is based in Pescara.", "Pescara",
     ["It has its headquarters in Pescara.", "Pescara is where the cooperative is based."],
     ["The Ortona Cooperative is based in Chieti.", "It is based in Ancona."]),
]


# pair accuracy (right answer accepted and near miss rejected) of the hand-written set at the default threshold
HANDWRITTEN_KEYS = 0.85
HANDWRITTEN_NO_KEYS = 0.75


@pytest.fixture(scope="module")
def scorer(embedder):
    return Scorer(embedder)


def _items(with_key: bool):
    items, labels, fact_of = [], [], []
    for i, (q, ref, key, good, bad) in enumerate(FACTS):
        for text, ok in [*((g, True) for g in good), *((b, False) for b in bad)]:
            items.append(Item(q, ref, text, key=key if with_key else None))
            labels.append(ok)
            fact_of.append(i)
    return items, labels, fact_of


@pytest.mark.parametrize("with_key", [True, False], ids=["given-key", "key-from-reference"])
def test_fixed_set_accepts_rephrasings_and_rejects_near_misses(scorer, with_key):
    items, labels, fact_of = _items(with_key)
    scores = scorer.score_many(items)
    facts_ok = {i: True for i in range(len(FACTS))}
    wrong = []
    for it, lab, fact, sc in zip(items, labels, fact_of, scores):
        if sc.correct != lab:
            facts_ok[fact] = False
            wrong.append((it.prediction, lab, sc.reason))
    share = sum(facts_ok.values()) / len(FACTS)
    assert share >= 0.85, f"{share:.0%} of facts fully right; misjudged: {wrong}"


def test_right_answer_in_other_words_is_accepted(scorer):
    item = Item(
        "Why was the old mill closed?",
        "The old mill was closed because the river flooded it repeatedly.",
        "The building shut down since repeated floods from the river kept damaging it.",
    )
    sc = scorer.score(item)
    assert sc.correct, sc.reason
    assert sc.token_f1 < 0.5  # words differ: similarity carries it
    # a same-topic wrong cause is what the key answer is for: similarity alone rates it close
    fire = "The mill closed because of a fire."
    assert not scorer.score(Item(item.question, item.reference, fire, key="river floods")).correct
    assert scorer.score(Item(item.question, item.reference, item.prediction, key="river floods")).correct


def test_negation_and_refusals(scorer):
    assert conflicts("The museum is not open on Mondays.", "The museum is open on Mondays.") == ["negation"]
    assert "number" in conflicts("It opened in 1933.", "It opened in 1932.")
    assert "name" in conflicts("Designed by Anna Neri.", "Designed by Giulia Sarti.")
    assert conflicts("It opened in 1932, with 3 lanes.", "It opened in 1932.") == []
    ref = "The documents do not say."
    assert scorer.score(Item("Who painted the lobby?", ref, "I don't know, that is not in the documents.",
                             expect_refusal=True)).correct
    assert not scorer.score(Item("Who painted the lobby?", ref, "Picasso painted it.", expect_refusal=True)).correct
    declined = scorer.score(Item("When did it open?", "It opened in 1932.", "The documents do not say."))
    assert not declined.correct and declined.refusal
    assert scorer.score(Item("q", "ref", "   ")).reason == "empty answer"


def test_key_and_token_f1_units():
    assert key_present("4 May 1856", "It was signed on May 4th, 1856.")
    assert not key_present("4 May 1856", "It was signed in 1856.")
    assert key_present("John Bradfield", "Bradfield designed it")
    assert not key_present("John Bradfield", "John Whitfield designed it")
    assert key_present("1,200 guests", "about 1200 guests came")
    assert token_f1("the cat sat", "the cat sat") == 1.0
    assert token_f1("dogs run", "a cat sat") == 0.0
    assert 0 < token_f1("the cat sat down", "the cat sat") < 1


def test_calibration_separates_and_falls_back():
    info = calibrate_threshold([0.7, 0.75, 0.8, 0.66, 0.9], [0.1, 0.2, 0.3, 0.25, 0.4])
    assert info["source"] == "calibrated" and 0.4 <= info["value"] <= 0.66 and info["auc"] == 1.0
    few = calibrate_threshold([0.7], [0.1])
    assert few["source"] == "default"


def test_agreement_needs_real_answers(scorer):
    assert scorer.agree("It opened in 1932.", "The bridge opened in 1932.")
    assert not scorer.agree("It opened in 1932.", "It opened in 1950.")
    assert not scorer.agree("The documents do not say.", "The documents do not say.")


# ---- near misses on real text: clause negation, contrasts, swapped identifiers, another reason ----------------

HANDWRITTEN = Path(__file__).resolve().parents[1] / "data" / "scoring" / "nearmiss_handwritten.jsonl"


def test_negation_is_checked_clause_by_clause():
    ref = "The sequences do not have to be the same length, because they are iterated over from left to right."
    moved = "The sequences have to be the same length, because they are not iterated over from left to right."
    assert "negation" in conflicts(moved, ref)  # one "not" on each side: a count would not see it
    assert conflicts("They need not be the same length since they are iterated left to right.", ref) == []
    # a right answer may leave out a negated part the question already asked
    q = "Why can't lists be used as dictionary keys?"
    full = "You can't use lists as keys, since lists can be modified in place."
    assert "negation" not in conflicts("Because a list can be modified in place.", full, q)
    # "whether or not" and an answer particle are not negations
    assert conflicts("It runs every time, whether or not there is an exception.",
                     "The finally clause always runs, whether an exception occurs or not.") == []
    assert "negation" not in conflicts("No, a shutdown is not needed in most situations.",
                                       "In most situations an explicit shutdown is not needed.")


def test_contrast_x_not_y_cannot_be_swapped():
    ref = ("Configuring logging by adding handlers, formatters and filters is the responsibility of the "
           "application developer, not the library developer.")
    swapped = "Adding handlers, formatters and filters is up to the library developer, not the application developer."
    assert "negation" in conflicts(swapped, ref)
    assert "negation" in conflicts("The library developer configures handlers, formatters and filters.", ref)
    assert conflicts("Adding handlers, formatters and filters is up to the application developer rather than "
                     "the library developer.", ref) == []


def test_swapped_code_identifier_is_a_name_conflict():
    ref = "The error handlers for sys.stdin and sys.stdout streams are set to surrogateescape."
    assert "name" in conflicts("The error handlers for os.environ and sys.stdout streams are set to surrogateescape.", ref)
    assert conflicts("For sys.stdin and sys.stdout the error handler is surrogateescape.", ref) == []
    assert not key_present("socket.gethostname()", "It binds to socket.getfqdn().")
    assert key_present("socket.gethostname()", "The example calls gethostname() for that.")


def test_another_reason_is_rejected_without_a_key(scorer):
    q = "Why are named groups handy?"
    ref = "Named groups are handy because they let you use easily remembered names, instead of having to remember numbers."
    good = scorer.score(Item(q, ref, "You can refer to groups by names that are easy to remember rather than by numbers."))
    bad = scorer.score(Item(q, ref, "Named groups are handy because they make the regular expression engine faster."))
    assert good.correct, good.reason
    assert not bad.correct and "reason" in bad.reason


def test_changed_number_and_swapped_name_in_real_sentences(scorer):
    q = "Which values returned by getch() are special keys?"
    ref = "Values greater than 255 are special keys such as Page Up, Home, or the cursor keys."
    assert scorer.score(Item(q, ref, "Anything above 255 is a special key, for example Home or Page Up.")).correct
    assert not scorer.score(Item(q, ref, "Anything above 127 is a special key, for example Home or Page Up.")).correct
    q = "Which language did Python borrow list comprehensions from?"
    ref = "List comprehensions are borrowed from the functional programming language Haskell."
    assert scorer.score(Item(q, ref, "Python took them from Haskell, a functional language.")).correct
    assert not scorer.score(Item(q, ref, "Python took them from Lisp, a functional language.")).correct


def _handwritten_pairs(scorer, with_key: bool) -> float:
    facts = [json.loads(x) for x in HANDWRITTEN.read_text(encoding="utf-8").splitlines() if x.strip()]
    items = []
    for f in facts:
        key = (f["key"] or None) if with_key else None
        items += [Item(f["question"], f["reference"], f["correct"], key=key),
                  Item(f["question"], f["reference"], f["near_miss"], key=key)]
    scores = scorer.score_many(items)
    return sum(scores[2 * i].correct and not scores[2 * i + 1].correct for i in range(len(facts))) / len(facts)


@pytest.mark.parametrize("with_key,floor", [(True, HANDWRITTEN_KEYS), (False, HANDWRITTEN_NO_KEYS)],
                         ids=["given-key", "key-from-reference"])
def test_handwritten_near_miss_set_reaches_its_figure(scorer, with_key, floor):
    # my own phrasings of facts from the Python documentation (benchmarks/scoring_real.py reports the same set)
    share = _handwritten_pairs(scorer, with_key)
    print(f"hand-written near-miss pair accuracy ({'keys' if with_key else 'no keys'}): {share:.3f}")
    assert share >= floor


def test_same_number_with_another_unit_is_a_conflict():
    ref = "On a 64-bit Linux build, an instance with two attributes takes 48 bytes with __slots__."
    assert conflicts("It takes 48 kilobytes with __slots__ on 64-bit Linux.", ref) == ["unit"]
    assert conflicts("With __slots__ it needs 48 bytes on a 64-bit build.", ref) == []
    assert conflicts("A 64 KB buffer.", "The buffer holds 64 kilobytes.") == []  # abbreviations are the same unit
    assert conflicts("The timeout is 10 minutes.", "The timeout is 10 seconds.") == ["unit"]


def test_an_answer_identical_to_the_reference_has_no_conflict():
    """Hyphenated names with digits ("Kestrel-9") are tokenised apart: the same text must still match itself."""
    from studio.evaluate.scoring import conflicts

    ref = "The Halden observatory's telescope is named Kestrel-9."
    assert conflicts(ref, ref, "What name does the telescope at Halden observatory have?") == []
    assert conflicts("It is named Kestrel-7.", ref, "What name does the telescope have?") != []
