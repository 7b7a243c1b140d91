"""Who a visitor is on a public Space, through the API: the Hugging Face OAuth session (a cookie the server signed) for
a signed-in visitor, else a visitor id the server minted and signed. A cookie the client makes up reaches nobody's
workspaces, and one visitor cannot export another's adapter."""

from __future__ import annotations

import json

import pytest

from tests.api.test_space_api import TRAIN_FORM, space_app  # noqa: F401 - the Space-mode app fixture

REFUSAL = "that path is not a file or run of this workspace"


def _client(live, cookie: str | None = None):
    from gradio_client import Client

    return Client(live.url, verbose=False, headers={"Cookie": cookie} if cookie else None)


def _oauth_cookie(live) -> str:
    """The session cookie Gradio's (mocked) OAuth callback sets after "Sign in with Hugging Face"."""
    import httpx

    r = httpx.get(live.url + "login/callback", follow_redirects=False)
    return r.headers["set-cookie"].split(";", 1)[0]


def _visitor_token(on_load_answer) -> str:
    token = next(v for v in on_load_answer if isinstance(v, str) and len(v) == 65 and v[32] == ".")
    return token


def _upload(client, tmp_path, text: str, name: str) -> None:
    from gradio_client import handle_file

    doc = tmp_path / name
    doc.write_text(f"# Note\n\n{text}\n")
    client.predict([handle_file(str(doc))], "default", 400, 60, "", 100, api_name="/upload_ingest")


def _documents(client) -> str:
    return str(client.predict("default", None, api_name="/upload_documents"))


def test_signed_in_session_trains_anonymous_does_not(space_app, monkeypatch):
    import studio.train.control as control

    started = []
    monkeypatch.setattr(control, "start", lambda runner, cfg: started.append(cfg.trust_remote_code) or "train-fake-9")
    alice = _client(space_app, _oauth_cookie(space_app))
    banner = str(alice.predict(api_name="/on_load"))
    assert "hf-alice" in banner  # the OAuth profile, not a cookie, names her
    out = alice.predict("default", "bundled:smollm2-135m-instruct", *TRAIN_FORM[:-1], True, api_name="/on_start_2")
    assert "train-fake-9" in str(out) and started == [False]  # trust_remote_code forced off on a Space
    assert list(space_app.root.glob("users/hf-alice-*/workspaces/default"))

    anon = _client(space_app)
    anon.predict(api_name="/on_load")
    out = anon.predict("default", "bundled:smollm2-135m-instruct", *TRAIN_FORM, api_name="/on_start_2")
    assert "sign in with Hugging Face to train" in str(out) and started == [False]
    # a cookie that merely claims a signed-in user is nobody
    forged = _client(space_app, "session=eyJvYXV0aF9pbmZvIjogeyJ1c2VyaW5mbyI6IHsicHJlZmVycmVkX3VzZXJuYW1lIjogImFsaWNlIn19fQ==")
    forged.predict(api_name="/on_load")
    out = forged.predict("default", "bundled:smollm2-135m-instruct", *TRAIN_FORM, api_name="/on_start_2")
    assert "sign in with Hugging Face to train" in str(out) and started == [False]


def test_forged_visitor_cookie_reaches_no_one(space_app, tmp_path):
    victim = _client(space_app)
    token = _visitor_token(victim.predict(api_name="/on_load"))
    _upload(victim, tmp_path, "The vault code is 4417.", "victim-notes.md")
    assert "victim-notes.md" in _documents(victim)

    # the same browser after a reload: a new page session carrying the signed token finds the same workspace
    again = _client(space_app, f"studio_visitor={token}")
    again.predict(api_name="/on_load")
    assert "victim-notes.md" in _documents(again)

    vid, sig = token.split(".")
    for cookie in (f"studio_visitor={vid}",  # the bare id, as the old client-made cookie was
                   f"studio_visitor={vid}.{'0' * 32}",  # a made-up signature
                   f"studio_visitor={vid[:-1]}{'0' if vid[-1] != '0' else '1'}.{sig}",  # an altered id
                   "studio_visitor=hf-alice", "studio_visitor=../../hf-alice"):
        attacker = _client(space_app, cookie)
        attacker.predict(api_name="/on_load")
        assert "victim-notes.md" not in _documents(attacker), cookie


def test_one_visitor_cannot_export_anothers_adapter(space_app, tiny_llama, tmp_path):
    import gradio as gr

    from tests.unit.hub_helpers import make_run

    app = space_app.app
    owner, thief = _client(space_app), _client(space_app)
    owner.predict(api_name="/on_load")
    thief.predict(api_name="/on_load")
    ws = app.open_workspace("default", gr.Request(session_hash=owner.session_hash))
    run, _ = make_run(ws.runs_dir / "train-own", tiny_llama)
    (run / "adapter" / "system_prompt.txt").write_text("OWNER-SECRET-PROMPT")
    ws.add_run("train-own", "train", {}, str(run), status="completed")
    adapter = str(run / "adapter")

    # the owner exports their own adapter, by run id
    out = owner.predict(None, "train-own", "owner/lora", "adapter", "other", "default", api_name="/export_preview")
    assert "owner/lora" in str(out[0]) and REFUSAL not in str(out)

    thief_ws = app.open_workspace("default", gr.Request(session_hash=thief.session_hash))
    for value in (adapter, str(run), "train-own"):  # the folder, its run, its run id (not the thief's run)
        out = thief.predict(None, value, "thief/lora", "adapter", "other", "default", api_name="/export_preview")
        assert "OWNER-SECRET" not in str(out) and REFUSAL in str(out), value
        out = thief.predict(None, value, "thief/lora", "adapter", "other", "", "private", False, "default",
                            api_name="/export_stage")
        assert REFUSAL in str(out), value
    assert not (thief_ws.path / "exports").exists()

    # an adapter folder inside the thief's own workspace whose studio_run.json names the owner's run folder
    fake = thief_ws.path / "runs" / "borrowed" / "adapter"
    fake.mkdir(parents=True)
    for name in ("adapter_config.json", "adapter_model.safetensors"):
        (fake / name).write_bytes((run / "adapter" / name).read_bytes())
    (fake / "studio_run.json").write_text(json.dumps({"run_dir": str(run), "base_model": "x"}))
    out = thief.predict(None, "runs/borrowed/adapter", "thief/lora", "adapter", "other", "", "private", False,
                        "default", api_name="/export_stage")
    assert REFUSAL in str(out) and not (thief_ws.path / "exports").exists()


@pytest.mark.parametrize("space", [True, False])
def test_trust_remote_code_checkbox_hidden_on_a_space(space, monkeypatch, tmp_path):
    import gradio as gr

    from studio.config import AppConfig
    from studio.ui.context import AppContext
    from studio.ui.layout import build_app

    monkeypatch.setattr("gradio.oauth._get_mocked_oauth_info", lambda: {})
    app = AppContext(config=AppConfig(data_dir=str(tmp_path)), root=tmp_path, on_space=space)
    demo = build_app(app)
    boxes = [b for b in demo.blocks.values() if isinstance(b, gr.Checkbox) and "remote code" in str(b.label)]
    assert len(boxes) == 1 and boxes[0].visible is (not space)
