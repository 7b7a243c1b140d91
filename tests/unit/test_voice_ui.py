"""The Voice section: its texts (EN and IT), the too-little-text status, and the results it shows."""

from __future__ import annotations

import json

import gradio as gr

from studio.ui.strings.voice import EN, IT
from studio.ui.voice import build_voice_section, load_voice, side_by_side, summary_markdown, text_status
from studio.voice.evaluate import voice_report
from studio.workspace import Workspace
from tests.unit.voice_helpers import add_text_document, synthetic_document


def test_strings_have_the_same_keys_in_both_languages():
    assert set(EN) == set(IT) and all(k.startswith("voice.") for k in EN)


def test_text_status_says_how_much_more_is_needed(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    assert "Upload" in text_status(ws, "")
    add_text_document(ws, "a.md", synthetic_document("a", "travel", 4, sentences=8))
    msg = text_status(ws, "Alex")
    assert "recommended" in msg and "still proceed" in msg
    assert "Puoi comunque procedere" in text_status(ws, "Alex", "it")
    ws.close()


def test_results_cards_and_table(tmp_path):
    author = [synthetic_document("a", "cooking", 8)]
    prompts = ["What about music?", "And the weather?"]
    passages = [synthetic_document("a", "music", 1, seed=5), synthetic_document("a", "weather", 1, seed=6)]
    base = ["Music is a form of art that many people enjoy around the world.", "The weather is the state of the atmosphere."]
    tuned = [synthetic_document("a", "music", 1, seed=9), "Honestly, I reckon the fog is my favourite thing, you know!"]
    voice = voice_report(prompts, passages, base, tuned, author)
    assert voice["win_rate"] == 1.0 and voice["valid"]
    md = summary_markdown(voice)
    assert "Win rate W" in md and "95% CI" in md and "Inconclusive" not in md
    table = side_by_side(voice)
    assert table["headers"][:4] == ["Prompt", "Base", "Tuned", "You (real passage)"] and len(table["data"]) == 2
    assert "Inconclusive" in summary_markdown({**voice, "valid": False})
    (tmp_path / "report.json").write_text(json.dumps({"arms": {}, "voice": voice}))
    assert load_voice(str(tmp_path))["win_rate"] == 1.0
    assert "No voice results" in summary_markdown(None)


def test_section_mounts_in_a_blocks_app():
    from studio.ui.context import AppContext

    app = AppContext()
    with gr.Blocks():
        app.workspace_name = gr.Dropdown(choices=["default"], value="default")
        app.language = gr.State("en")
        gen = build_voice_section(app, "generate")
        ev = build_voice_section(app, "evaluate")
    assert {"author_name", "check", "status"} <= set(gen) and {"summary", "table", "show"} <= set(ev)
    keys = {e.key for e in app.i18n.entries if isinstance(e.key, str)}
    assert {"voice.goal", "voice.author_name", "voice.table"} <= keys
