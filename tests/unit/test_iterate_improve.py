""""Improve the missed facts": new phrasings only for the facts an evaluation found missed, marked with the next
round; held-out phrasings untouched and never leaked; wrong training answers flagged for review; the CLI."""

from __future__ import annotations

import json

import pytest

from studio.evaluate.improve import CHECK_FLAG, ImproveError, improve
from studio.evaluate.report import write_answers_csv, write_json
from studio.generate.backends.base import GenerationResult
from studio.generate.backends.replay import ReplayBackend
from studio.generate.config import GenerateConfig
from studio.generate.embed import Embedder
from studio.generate.textutil import token_key
from studio.jobs import JobRunner
from studio.workspace import PairFilter
from tests.unit.generate_helpers import make_workspace


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A replay-generated workspace (3 English facts, 4 phrasings each: 1 held out), made once per module."""
    home = tmp_path_factory.mktemp("improve") / "home"
    ws = make_workspace(home / "workspaces", docs={"rome.md": ("en", [
        "The Colosseum in Rome was completed in 80 AD under Emperor Titus. "
        "The Colosseum could hold about 50000 spectators. "
        "The Pantheon in Rome was rebuilt by Emperor Hadrian around 126 AD."])}, name="it1")
    cfg = GenerateConfig(backend="replay", model="replay", paraphrases=3, refusal_share=0.0, false_premise_share=0.0,
                         heldout_facts_share=0.0)
    status = JobRunner(ws, root=home).run_foreground("generate", cfg.to_dict())
    assert status["state"] == "completed", status.get("error")
    ws.bulk_update_pairs(ws.pair_ids(), status="kept")
    path = ws.path
    ws.close()
    return path


@pytest.fixture
def generated(template, tmp_path, embedder):
    """A fresh copy of the template workspace and an evaluation that missed one of its facts."""
    import shutil

    from studio.workspace import Workspace

    shutil.copytree(template, tmp_path / "home" / "workspaces" / template.name)
    ws = Workspace.open(tmp_path / "home" / "workspaces" / template.name)
    held = list(ws.iter_pairs(PairFilter(split="heldout")))
    facts = sorted({p["fact_id"] for p in held})
    assert len(facts) == 3
    missed = facts[0]
    folder = ws.path / "runs" / "eval-1"
    folder.mkdir(parents=True)
    rows = [{"arm": "tuned", "qid": f"q{i}", "set": "phrasings", "group": p["fact_id"], "question": p["question"],
             "reference": p["answer"], "prediction": "no idea", "correct": p["fact_id"] != missed}
            for i, p in enumerate(held)]
    write_answers_csv(folder / "answers.csv", rows)
    write_json(folder / "report.json", {"schema": "studio.evaluate/1", "models": {"run_dir": None}, "metrics": {}})
    yield ws, folder, missed, Embedder(model=embedder).encode
    ws.close()


def _snapshot(ws):
    return {p["id"]: p for p in ws.iter_pairs(PairFilter(split="heldout"))}


def test_only_missed_facts_get_new_round_2_pairs_and_held_out_stays(generated):
    ws, folder, missed, encode = generated
    before_ids = set(ws.pair_ids())
    held = _snapshot(ws)
    wrong = next(p for p in ws.iter_pairs(PairFilter(fact_id=missed, split="train")))
    ws.update_pair(wrong["id"], answer="It was completed in 95 AD.")  # the data itself is wrong for this pair
    res = improve(ws, folder, per_fact=2, encode=encode)
    assert res.missed == [missed] and res.round == 2
    new = [ws.get_pair(i) for i in res.pair_ids]
    assert len(new) == 2 and set(ws.pair_ids()) - before_ids == set(res.pair_ids)
    assert {p["fact_id"] for p in new} == {missed}  # only the missed fact
    assert all(p["round"] == 2 and p["split"] == "train" and p["kind"] == "paraphrase" for p in new)
    assert all(ws.get_pair(i)["round"] == 1 for i in before_ids)
    # held-out phrasings: not changed, not copied
    assert _snapshot(ws) == held
    held_keys = {token_key(p["question"]) for p in held.values()}
    assert not held_keys & {token_key(p["question"]) for p in new}
    # the wrong training answer is flagged for review (pending), the right ones are not
    assert res.flagged == [wrong["id"]]
    flagged = ws.get_pair(wrong["id"])
    assert CHECK_FLAG in flagged["flags"].split(",") and flagged["status"] == "pending"
    assert not any(CHECK_FLAG in (p["flags"] or "") for p in ws.iter_pairs() if p["id"] != wrong["id"])
    assert ws.count_pairs(PairFilter(round=2)) == 2 and res.earlier_leaks == 0


class LeakyBackend(ReplayBackend):
    """A generator that offers a held-out question with its words reordered, then one new question."""

    def __init__(self, heldout_q: str, answer: str):
        super().__init__()
        words = heldout_q.rstrip("?").split()
        self.reply = json.dumps({"items": [{"fact": 1, "question": " ".join(words[::-1]) + "?", "answer": answer,
                                            "paraphrases": ["Tell me, per the documents, about this detail?"]}]})

    def generate(self, requests, on_result=None):
        return [GenerationResult(text=self.reply, tag=r.tag) for r in requests]


def test_a_leaking_phrasing_is_refused(generated):
    ws, folder, missed, encode = generated
    held = next(ws.iter_pairs(PairFilter(fact_id=missed, split="heldout")))
    res = improve(ws, folder, per_fact=3, backend=LeakyBackend(held["question"], held["answer"]), encode=encode)
    assert res.leaks_refused == 1
    assert [ws.get_pair(i)["question"] for i in res.pair_ids] == ["Tell me, per the documents, about this detail?"]
    assert ws.count_pairs(PairFilter(split="heldout")) == len(_snapshot(ws))


def test_improve_cli(generated, monkeypatch, capsys):
    from studio.cli import main

    ws, folder, missed, _ = generated
    monkeypatch.setenv("STUDIO_HOME", str(ws.path.parent.parent))
    assert main(["improve", str(folder), "-w", ws.name, "--per-fact", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert data["missed"] == [missed] and data["n_added"] == 1 and data["round"] == 2
    assert main(["improve", "no-such-run", "-w", ws.name]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        f"error: no finished evaluation of 'no-such-run' in workspace '{ws.name}': evaluate it first"]


def test_no_tuned_phrasings_is_one_readable_error(generated, tmp_path):
    ws, folder, _, encode = generated
    write_answers_csv(folder / "answers.csv", [{"arm": "base", "qid": "q1", "set": "phrasings", "group": "x",
                                                "question": "Q?", "reference": "A.", "prediction": "", "correct": False}])
    with pytest.raises(ImproveError, match="no tuned answers on unseen phrasings"):
        improve(ws, folder, encode=encode)


def test_evaluate_tab_improve_line(generated):
    from studio.ui.evaluate_improve import improve_line

    ws, folder, missed, _ = generated
    assert improve_line(ws, None, 2, "en") == "Open a finished evaluation first."
    line = improve_line(ws, str(folder), 1, "en")
    assert line.startswith("1 missed fact(s): 1 new training pair(s) for round 2 (1 facts improved)")
    assert "Review tab (round 2)" in line and ws.count_pairs(PairFilter(round=2)) == 1
    assert improve_line(ws, str(folder), 99, "it") == "Errore: phrasings per fact must be 1-20, not 99"
