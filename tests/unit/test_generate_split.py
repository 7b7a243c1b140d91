"""Split by phrasing, held-out-facts probe, leakage check, fact grouping, dedup and the refusal check."""

from __future__ import annotations

import pytest

from studio.generate.embed import Embedder
from studio.generate.finalize import answerable_refusals, duplicates_across_facts, group_facts
from studio.generate.split import choose_probe_facts, split_pairs
from studio.generate.textutil import token_key

SUBJECTS = ["river", "castle", "library", "bridge", "harbour", "tower", "garden", "market", "museum", "theatre",
            "station", "cathedral", "fortress", "lighthouse", "monastery", "palace", "square", "stadium", "canal", "mill"]
FORMS = ["When was the {s} built?", "In which year did the {s} open?", "How old is the {s} today?",
         "Who paid for the {s}?", "What material is the {s} made of?"]


def _pairs(n_facts=20, forms=FORMS):
    out, pid = [], 0
    for f in range(n_facts):
        for form in forms:
            pid += 1
            out.append({"id": pid, "fact_id": f"f{f}", "question": form.format(s=SUBJECTS[f % len(SUBJECTS)]),
                        "split": "train", "locked": False, "group_kind": "fact"})
    return out


def _by_fact(pairs, splits):
    groups = {}
    for p in pairs:
        groups.setdefault(p["fact_id"], []).append(splits[p["id"]])
    return groups


def test_every_heldout_phrasing_has_a_trained_fact_except_the_probe():
    pairs = _pairs()
    res = split_pairs(pairs, share=0.10, heldout_phrasings=1, previous_probe={})
    probe = {f for f, v in res.probe.items() if v}
    assert len(probe) == 2  # 10% of 20 facts held out whole
    for fid, splits in _by_fact(pairs, res.splits).items():
        if fid in probe:
            assert set(splits) == {"heldout"}
        else:  # 5 phrasings: one test, one val, three trained
            assert sorted(splits) == ["heldout", "train", "train", "train", "val"]


def test_small_facts_and_refusals():
    pairs = _pairs(4, FORMS[:3]) + _pairs(1, FORMS[:2])
    for p in pairs[-2:]:
        p["fact_id"], p["id"] = "r-two", p["id"] + 1000
    for p in pairs[:3]:
        p["group_kind"] = "refusal"
    res = split_pairs(pairs, share=0.0, heldout_phrasings=1, previous_probe={})
    groups = _by_fact(pairs, res.splits)
    assert groups["r-two"] == ["train", "train"]  # fewer than 3 phrasings: all trained
    assert sorted(groups["f0"]) == ["heldout", "train", "train"]  # refusals are split the same way


def test_split_is_stable_across_reruns_and_new_facts():
    pairs = _pairs(10)
    first = split_pairs(pairs, 0.10, 1, {})
    locked = [{**p, "split": first.splits[p["id"]], "locked": True} for p in pairs]
    more = _pairs(20)[50:]
    second = split_pairs(locked + more, 0.10, 1, first.probe)
    assert all(second.splits[p["id"]] == first.splits[p["id"]] for p in pairs)
    assert {f for f, v in first.probe.items() if v} <= {f for f, v in second.probe.items() if v}
    again = split_pairs(pairs, 0.10, 1, {})  # deterministic from scratch too
    assert again.splits == first.splits
    assert choose_probe_facts(["a", "b"], 0.5, {"a": True}) == {"a": True, "b": False}


@pytest.fixture(scope="module")
def emb(embedder):
    return Embedder(model=embedder)


def test_no_near_identical_train_heldout_pair_survives(emb):
    pairs = _pairs(6)
    # every phrasing of f0 is the same question (no swap can help); f1 has one near-copy pair among five
    for i, q in enumerate(["When was the river built?", "When was the river built ?", "when was the river built",
                           "WHEN was the river built?", "When was the river built!"]):
        pairs[i]["question"] = q
    pairs[6]["question"] = "When was the castle built ?"
    res = split_pairs(pairs, share=0.0, heldout_phrasings=1, previous_probe={}, vectors=emb.encode, leak_threshold=0.95)
    vec = emb.encode([p["question"] for p in pairs])
    train = [i for i, p in enumerate(pairs) if res.splits[p["id"]] == "train"]
    held = [i for i, p in enumerate(pairs) if res.splits[p["id"]] == "heldout" and p["id"] not in res.rejected]
    for h in held:
        assert all(token_key(pairs[h]["question"]) != token_key(pairs[t]["question"]) for t in train)
        assert float((vec[train] @ vec[h]).max()) < 0.95
    assert held and res.leaks_fixed >= 1
    assert all(res.splits[p["id"]] != "heldout" for p in pairs[:5]) and res.leak_flagged


def test_dedup_works_across_facts_never_within_a_fact(emb):
    pairs = [
        {"id": 1, "fact_id": "a", "question": "When was the Colosseum completed?"},
        {"id": 2, "fact_id": "a", "question": "When was the Colosseum completed ?"},  # own paraphrase, near-identical
        {"id": 3, "fact_id": "a", "question": "In what year was the Colosseum finished?"},
        {"id": 4, "fact_id": "b", "question": "when was the colosseum completed"},  # another fact repeats it
        {"id": 5, "fact_id": "b", "question": "How many spectators did the Colosseum hold?"},
    ]
    assert duplicates_across_facts(pairs, emb, 0.95) == {4}


def test_same_fact_in_two_overlapping_chunks_keeps_one_id(emb):
    facts = [
        {"id": "f1", "statement": "The Colosseum in Rome was completed in 80 AD under Emperor Titus.", "key_answer": "80 AD"},
        {"id": "f2", "statement": "The Colosseum could hold about 50000 spectators.", "key_answer": "50000"},
        {"id": "f3", "statement": "The Colosseum in Rome was completed in 80 AD, under the Emperor Titus.", "key_answer": "80 AD"},
        {"id": "f4", "statement": "The Colosseum in Rome was completed in 82 AD under Emperor Titus.", "key_answer": "82 AD"},
    ]
    assert group_facts(facts, emb) == {"f3": "f1"}  # a different number is a different fact


def test_refusal_that_another_chunk_answers_is_rejected(emb):
    sentences = ["The Colosseum in Rome was completed in 80 AD under Emperor Titus.",
                 "The Eiffel Tower is 330 metres tall including its antennas."]
    refusals = [
        {"fact_id": "r1", "question": "When was the Colosseum finished?"},
        {"fact_id": "r2", "question": "What will the budget for the next edition be?"},
        {"fact_id": "r3", "question": "How tall is the Eiffel Tower including antennas?"},
    ]
    assert answerable_refusals(refusals, sentences, [], emb) == {"r1", "r3"}
