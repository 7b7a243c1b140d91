"""The guided recipe for small models: facts picked from the text, one short question per model call, every
reply checked; on real text the bundled SmolLM2 yields grounded pairs through the real pipeline."""

from __future__ import annotations

import pytest

from studio.generate.backends.base import GenerationResult
from studio.generate.config import GenerateConfig
from studio.generate.embed import Embedder
from studio.generate.facts_extract import echo_question, false_premise, find_key, pick_facts, sentence_score
from studio.generate.guided import GuidedChunkTask, check_question, clean_reply
from studio.generate.pipeline import run_generation
from tests.unit.generate_helpers import ROME, make_workspace

# Real text no one on this project wrote: the Node.js security policy (SECURITY.md, MIT licence), one paragraph.
NODE_SECURITY = (
    "Report security bugs in Node.js via HackerOne.\n\n"
    "Normally, your report will be acknowledged within 5 days, and you'll receive a more detailed response to your "
    "report within 10 days indicating the next steps in handling your submission. These timelines may extend when "
    "our triage volunteers are away on holiday, particularly at the end of the year.\n\n"
    "After the initial reply to your report, the security team will endeavor to keep you informed of the progress "
    "being made towards a fix and full announcement, and may ask for additional information or guidance surrounding "
    "the reported issue.\n\n"
    "The Node.js project engages in an official bug bounty program for security researchers and responsible public "
    "disclosures. The program is managed through the HackerOne platform."
)


def test_fact_sentences_are_verbatim_and_keyed():
    facts = pick_facts(NODE_SECURITY, 5)
    assert len(facts) >= 3
    for f in facts:
        assert f.sentence in " ".join(NODE_SECURITY.split())  # verbatim
        assert f.sentence[f.start: f.start + len(f.key)] == f.key
    by_key = {f.key: f for f in facts}
    assert "5 days" in by_key and by_key["5 days"].kind == "number"
    assert "HackerOne" in by_key
    # fragments, pronoun starts, code and imperatives without content are not facts
    assert sentence_score("These timelines may extend when our volunteers are away.") == 0
    assert sentence_score("const x = require('url'); x.parse(y);") == 0
    assert sentence_score("actually used by any common UNIX command.") == 0


def test_echo_and_false_premise_questions():
    (days,) = [f for f in pick_facts(NODE_SECURITY, 5) if f.key == "5 days"]
    assert echo_question(days) == ("Normally, your report will be acknowledged within how many days, and you'll "
                                   "receive a more detailed response to your report within 10 days indicating the "
                                   "next steps in handling your submission?")
    q, a = false_premise(days)
    assert q.startswith("Is it true that normally, your report will be acknowledged within 7 days") and a == "No. " + days.sentence
    (platform,) = [f for f in pick_facts(NODE_SECURITY, 5) if f.key == "HackerOne"]
    assert echo_question(platform) == "The program is managed through which platform?"
    (year,) = pick_facts("The Eiffel Tower in Paris was finished in 1889 for the World Fair.", 1)
    assert year.key == "1889" and echo_question(year) == "The Eiffel Tower in Paris was finished in what year for the World Fair?"
    (defn,) = pick_facts("Git is a fast, scalable, distributed revision control system with a rich command set.", 1)
    assert defn.kind == "phrase" and echo_question(defn) == "What is Git?"
    (it,) = pick_facts("La Galleria Vittorio Emanuele II di Milano fu inaugurata nel 1867.", 1)
    assert echo_question(it, "it") == "La Galleria Vittorio Emanuele II di Milano fu inaugurata nel che anno?"
    assert find_key("Reports are acknowledged within 6 business days by the team.")[0] == "6 business days"


@pytest.mark.parametrize("question, why", [
    ("Who created the Linux kernel?", "names something the sentence does not"),
    ("How long does it take for a report to be acknowledged within 5 days?", "gives the answer away"),
    ("The program is managed through HackerOne.", "does not start like a question"),
    ("What is the weather like on Mars today in winter?", "names something the sentence does not"),
    ("What colour is the sky above the ocean at dawn?", "strays from the sentence"),
    ("How many days until a report is acknowledged?", None),
    ("Within how many days is a report normally acknowledged?", None),
])
def test_question_check(question, why):
    sentence = "Normally, your report will be acknowledged within 5 days by the Node.js security team."
    assert check_question(question, sentence, "5 days", []) == why


def test_rewording_check_keeps_names_and_refuses_repeats():
    s = "The Colosseum could hold about 50000 spectators."
    src = "How many spectators could the Colosseum hold?"
    assert check_question("What number of people fit in the Colosseum?", s, "about 50000", [src], keep=src, loose=2) is None
    assert check_question("How many spectators can a stadium hold?", s, "about 50000", [src], keep=src, loose=2) == "drops a name of the question"
    assert check_question("How many spectators could the Colosseum hold?", s, "about 50000", [src], keep=src) == "repeats another phrasing"
    assert clean_reply('Question: "How many people fit?" It is 5.') == "How many people fit?"
    assert clean_reply("The Colosseum holds 50000.") == ""


class ScriptedModel:
    """Stands in for a small model: answers question prompts by a rule, rewordings from a fixed list."""

    name, model = "transformers", "scripted"

    def __init__(self, rewordings):
        self.rewordings, self.calls = list(rewordings), 0

    def generate(self, requests, on_result=None):
        out = []
        for i, req in enumerate(requests):
            user = req.messages[-1]["content"]
            if user.startswith("Sentence:"):
                text = "How many people could the Colosseum hold?" if "50000" in user else "Who knows?"
            else:
                text = self.rewordings[self.calls % len(self.rewordings)]
                self.calls += 1
            res = GenerationResult(text=text + " And more text.", completion_tokens=9, tag=req.tag)
            out.append(res)
            if on_result:
                on_result(i, res)
        return out

    def parameter_count(self):
        return 135_000_000

    def close(self):
        pass


def test_guided_task_builds_grounded_phrasings_and_notes_what_it_set_aside():
    chunk = {"id": 1, "document_id": 1, "text": "The Colosseum could hold about 50000 spectators.", "lang": "en"}
    cfg = GenerateConfig(facts_per_chunk=2, paraphrases=3, false_premise_share=0.5, refusal_share=0.5)
    task = GuidedChunkTask(chunk, cfg, 0, "transformers", "scripted")
    model = ScriptedModel(["What number of people fit in the Colosseum?", "Who built the Colosseum in Rome?",
                           "How many spectators fit in the Colosseum?", "What is the capital of France?"])
    while not task.finished:
        reqs = task.next_requests()
        task.feed_many(model.generate(reqs))
    kinds = [p["kind"] for p in task.pairs]
    questions = [p["question"] for p in task.pairs if p["kind"] in ("fact", "paraphrase")]
    assert questions[0] == "How many people could the Colosseum hold?"
    assert "The Colosseum could hold how many spectators?" in questions  # the echo phrasing
    assert "What number of people fit in the Colosseum?" in questions
    assert not any("Rome" in q or "France" in q for q in questions)  # invented names never pass
    assert kinds.count("fact") == 1 and kinds.count("false_premise") == 1 and len(questions) == 4
    assert all(p["answer"] in (chunk["text"], "No. " + chunk["text"]) and p["key_answer"] == "about 50000 spectators"
               for p in task.pairs)
    assert any("names something the sentence does not" in n for n in task.notes)
    assert any("refusal questions need a larger generator" in n for n in task.notes)


def test_auto_recipe_is_guided_for_small_local_models_and_progress_moves_inside_a_chunk(tmp_path, embedder):
    ws = make_workspace(tmp_path, {"rome.md": ("en", [ROME])})
    seen = []
    model = ScriptedModel(["What number of people fit in the Colosseum?", "How many seats has the Colosseum?"])
    s = run_generation(ws, GenerateConfig(paraphrases=2, refusal_share=0, false_premise_share=0), backend=model,
                       embedder=Embedder(model=embedder), progress=lambda done, total, msg="", **kw: seen.append((done, msg, kw)))
    assert s["chunks_done"] == 1 and s["pairs"] >= 3
    fractions = [d for d, _, _ in seen]
    assert any(0 < d < 1 for d in fractions), fractions  # inside the chunk, not "0 of 1" until it ends
    assert any(kw.get("recipe") == "guided" for _, _, kw in seen)
    assert any("writing questions" in m for _, m, _ in seen) and any("rewording questions" in m for _, m, _ in seen)
    rows = ws.conn.execute("SELECT answer, key_answer, prompt_version FROM qa_pairs").fetchall()
    assert rows and all(r[0] in ROME and r[1] in r[0] and r[2] == "guided-v1" for r in rows)


@pytest.mark.slow
def test_bundled_smollm2_writes_grounded_pairs_from_real_text(tmp_path, smollm2, embedder):
    """The bundled model, the real backend and the real checks: at least one valid, grounded pair (not zero)."""
    ws = make_workspace(tmp_path, {"SECURITY.md": ("en", [NODE_SECURITY])})
    cfg = GenerateConfig(backend="transformers", model="bundled:smollm2-135m-instruct", facts_per_chunk=2,
                         paraphrases=2, refusal_share=0, false_premise_share=0, batch_size=8, heldout_facts_share=0)
    s = run_generation(ws, cfg, embedder=Embedder(model=embedder))
    rows = [dict(r) for r in ws.conn.execute("SELECT question, answer, key_answer, kind, flags FROM qa_pairs")]
    print("smollm2 guided:", s["pairs"], "pairs;", [r["question"] for r in rows])
    assert s["chunks_done"] == 1 and s["chunks_failed"] == 0
    echoes = {echo_question(f) for f in pick_facts(NODE_SECURITY, 2)}
    model_written = [r["question"] for r in rows if r["question"] not in echoes]
    assert len(rows) >= 3 and model_written  # the model wrote some, not only the rule
    flat = " ".join(NODE_SECURITY.split())
    for r in rows:
        assert r["answer"] in flat and r["key_answer"] in r["answer"]
        assert check_question(r["question"], r["answer"], r["key_answer"], [], echo=r["question"] in echoes) is None, r["question"]


def test_stop_inside_a_round_is_a_stop_and_keeps_what_was_saved(tmp_path, embedder):
    from tests.unit.generate_helpers import PARIS

    ws = make_workspace(tmp_path, {"rome.md": ("en", [ROME]), "paris.md": ("en", [PARIS])})
    model = ScriptedModel(["What number of people fit in the Colosseum?"])
    calls = {"n": 0}

    def stop_requested():  # Stop pressed while the first round's answers come back
        calls["n"] += 1
        return calls["n"] > 3

    cfg = GenerateConfig(paraphrases=1, refusal_share=0, false_premise_share=0, batch_size=1, concurrency=1)
    s = run_generation(ws, cfg, backend=model, embedder=Embedder(model=embedder), stop_requested=stop_requested)
    assert s["stopped"] and s["error"] is None
    states = dict(ws.conn.execute("SELECT chunk_id, status FROM gen_chunks").fetchall())
    assert "running" not in states.values()  # the chunk in flight goes back to pending, nothing is left "running"


def test_estimate_uses_the_speed_measured_by_earlier_runs(tmp_path, embedder, monkeypatch):
    from studio.generate.view import estimate
    from tests.unit.generate_helpers import PARIS

    monkeypatch.setenv("STUDIO_CACHE", str(tmp_path / "cache"))
    ws = make_workspace(tmp_path, {"rome.md": ("en", [ROME]), "paris.md": ("en", [PARIS])})
    cfg = GenerateConfig(paraphrases=1, refusal_share=0, false_premise_share=0, limit_chunks=1)
    assert estimate(ws, cfg, gpu=False)["measured"] is False
    model = ScriptedModel(["What number of people fit in the Colosseum?"])
    model.model, model.device = cfg.model, "cpu"
    slow = model.generate
    model.generate = lambda reqs, on_result=None: (__import__("time").sleep(0.5), slow(reqs, on_result))[1]
    run_generation(ws, cfg, backend=model, embedder=Embedder(model=embedder))
    est = estimate(ws, GenerateConfig(paraphrases=1, refusal_share=0, false_premise_share=0), gpu=False)
    assert est["measured"] is True and est["chunks"] == 1 and 1 <= est["seconds"] <= 5, est


def test_real_prose_abbreviations_and_verb_keys():
    """From the Python docs' Socket Programming HOWTO: "i.e." ends no sentence, and a bare verb or a clause is
    never a fact's key (the model would be asked about "try")."""
    from studio.generate.facts_extract import find_key, pick_facts, sentences

    text = ("I'm only going to talk about INET (i.e. IPv4) sockets, but they account for at least 99% of the sockets "
            "in use. I will try to clear up the mystery of what a socket is, as well as some hints on how to work.")
    assert sentences(text)[0].endswith("of the sockets in use.")
    picked = pick_facts(text, 4)
    assert [f.key for f in picked] == ["99%"]
    assert find_key("As soon as we've created that clientsocket, we go back to listening for more connections.") is None


def test_real_prose_echo_questions_read_as_questions():
    """Same HOWTO: a lead-in before a colon is dropped, a wh-subject gets no "What is what ...", advice gets no
    false premise, and a method call is code, not a fact."""
    from studio.generate.facts_extract import echo_question, false_premise, pick_facts

    (ports,) = pick_facts("A second thing to note: low number ports are usually reserved for “well known” services "
                          "(HTTP, SNMP etc).", 1)
    assert echo_question(ports) == "Low number ports are usually reserved for “well known” services (what, SNMP etc)?"
    (server,) = pick_facts("What happens in the web server is a bit more complex.", 1)
    assert echo_question(server) is None
    (advice,) = pick_facts("If you’re playing around, use a nice high number (4 digits).", 1)
    assert false_premise(advice) is None
    assert pick_facts("If we had used s.bind(('localhost', 80)) we would still have a “server” socket there.", 2) == []


def test_a_byline_becomes_a_fact_about_the_title():
    from studio.generate.facts_extract import echo_question, pick_facts

    (fact,) = pick_facts("Socket Programming HOWTO\n\nAuthor:\n\nGordon McMillan", 3)
    assert fact.sentence == "Socket Programming HOWTO was written by Gordon McMillan." and fact.key == "Gordon McMillan"
    assert echo_question(fact) == "Who wrote Socket Programming HOWTO?"
    it = pick_facts("Il faro di Varnholm\n\nAutore: Ada Quellstone\n\nIl faro ha centoventi gradini di pietra.", 3)[0]
    assert echo_question(it, "it") == "Chi ha scritto Il faro di Varnholm?"
    assert pick_facts("Author:\n\nGordon McMillan", 3) == []  # no title above it: nothing to ask about
