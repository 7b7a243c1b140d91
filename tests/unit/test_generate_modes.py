"""The Generate goal: "both" runs the voice recipe and the fact recipe, and held-out voice text trains nothing."""

from studio.generate.config import GenerateConfig
from studio.jobs import JobRunner
from studio.voice.split import heldout_chunk_ids
from studio.workspace import Workspace
from tests.unit.voice_helpers import add_text_document, synthetic_document


def test_both_mode_skips_voice_heldout_chunks(tmp_path):
    ws = Workspace.create(tmp_path / "home" / "workspaces" / "both")
    from tests.unit.voice_helpers import TOPICS

    for i, topic in enumerate(list(TOPICS) * 2):
        add_text_document(ws, f"essay-{i}.txt", synthetic_document("a", topic, paragraphs=6, seed=i))
    cfg = GenerateConfig.from_dict({"backend": "replay", "model": "replay", "mode": "both", "author_name": "Ada"})
    status = JobRunner(ws, root=tmp_path / "home").run_foreground("generate", cfg.to_dict())
    assert status["state"] == "completed", status.get("error")
    held = heldout_chunk_ids(ws)
    assert held, "the voice split holds some text out"
    kinds = {r["kind"] for r in ws.iter_pairs()}
    assert {"voice", "fact"} <= kinds
    for pair in ws.iter_pairs():
        if pair["chunk_id"] in held and pair["split"] != "heldout":
            raise AssertionError(f"held-out voice text produced a {pair['split']} {pair['kind']} pair: {pair['question']}")
    fact_chunks = {r[0] for r in ws.conn.execute("SELECT chunk_id FROM gen_chunks WHERE recipe = 'knowledge'")}
    assert not fact_chunks & held
    assert status["result"]["voice"]


def test_mode_validation():
    assert GenerateConfig.from_dict({"mode": "voice"}).mode == "voice"
    try:
        GenerateConfig.from_dict({"mode": "poetry"})
    except ValueError as exc:
        assert "knowledge, voice, both" in str(exc)
    else:
        raise AssertionError("bad mode accepted")
