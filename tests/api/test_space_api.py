"""The studio as a public Space (SYSTEM=spaces): each visitor has their own workspaces, training needs a sign-in
and a quota, and the banner states the rules. Visitors are gradio_client sessions (anonymous, told apart by their
session) or handlers called with a ``gr.Request`` carrying the OAuth user name, as on a Space after sign-in."""

from __future__ import annotations

import pytest

# The Export tab shows a LoginButton on a Space; off a real Space Gradio mocks the OAuth routes with the machine's
# Hub login, which a test machine has not: a fixed fake profile stands in (no network).
FAKE_OAUTH = {"access_token": "mock-token", "token_type": "bearer", "scope": "openid profile",
              "userinfo": {"sub": "1", "name": "Alice", "preferred_username": "alice", "picture": "", "profile": ""}}

TRAIN_FORM = ["auto", "auto", "", "", "5", "2", "", "", "off", 8, "", 0.05, "", 2, 15, 42, "", False, False]
FRESH_RUN = ["", 0.5]  # "continue from": start fresh; replay share (the handler's last two inputs)


@pytest.fixture(scope="module")
def space_app(tmp_path_factory, test_cache, monkeypatch_module):
    import gradio.oauth

    from tests.fixtures.app_fixtures import launch_app

    root = tmp_path_factory.mktemp("space") / "studio_home"
    monkeypatch_module.setenv("SYSTEM", "spaces")
    monkeypatch_module.setenv("STUDIO_HOME", str(root))
    monkeypatch_module.setenv("STUDIO_CACHE", str(test_cache))
    monkeypatch_module.setenv("STUDIO_TRAIN_RUNS_PER_DAY", "2")
    monkeypatch_module.setenv("STUDIO_IDLE_DAYS", "5")
    monkeypatch_module.delenv("SPACES_ZERO_GPU", raising=False)
    monkeypatch_module.delenv("SPACE_HARDWARE", raising=False)
    monkeypatch_module.setattr(gradio.oauth, "_get_mocked_oauth_info", lambda: FAKE_OAUTH)
    live = launch_app(root)
    assert live.app.on_space and live.app.policy is not None
    yield live
    live.demo.close()


def _handler(live, module: str, name: str):
    """The event handler ``name`` defined by ``module``'s build(), and its API name."""
    for block_fn in live.demo.fns.values():
        fn = block_fn.fn
        if fn is not None and fn.__module__ == module and fn.__name__ == name:
            return fn, block_fn.api_name
    raise AssertionError(f"no handler {module}.{name}")


def _client(live):
    from gradio_client import Client

    return Client(live.url, verbose=False)


def test_two_visitors_get_different_workspaces(space_app, tmp_path):
    from gradio_client import handle_file

    alice, bob = _client(space_app), _client(space_app)
    assert alice.session_hash != bob.session_hash
    banner_a = str(alice.predict(api_name="/on_load"))
    banner_b = str(bob.predict(api_name="/on_load"))
    # each is told apart by a short fingerprint, never by the id that grants access
    assert "visitor-" in banner_a and "visitor-" in banner_b and banner_a != banner_b
    assert alice.session_hash not in banner_a

    doc = tmp_path / "alice-secret.md"
    doc.write_text("# Private\n\nAlice's lighthouse keeper is called Ada Quellstone.\n")
    out = alice.predict([handle_file(str(doc))], "default", 400, 60, "", 100, api_name="/upload_ingest")
    assert "alice-secret.md" in str(out)
    assert "alice-secret.md" in str(alice.predict("default", None, api_name="/upload_documents"))
    assert "alice-secret.md" not in str(bob.predict("default", None, api_name="/upload_documents"))

    users = space_app.root / "users"
    folders = sorted(p.name for p in users.iterdir())
    assert len(folders) == 2 and not (space_app.root / "workspaces" / "default" / "documents").exists()
    holding = [f for f in folders if list((users / f / "workspaces" / "default" / "documents").glob("alice-secret*"))]
    assert len(holding) == 1


def test_signed_in_visitors_are_kept_apart(space_app):
    import gradio as gr

    app = space_app.app
    a = app.open_workspace("default", gr.Request(username="alice", session_hash="s-a"), create=True)
    b = app.open_workspace("default", gr.Request(username="bob", session_hash="s-b"), create=True)
    a.add_pairs([{"question": "Who keeps the lighthouse?", "answer": "Ada."}])
    assert a.path != b.path and b.count_pairs() == 0 and a.count_pairs() == 1
    assert app.list_workspaces(gr.Request(username="carol", session_hash="s-c")) == []
    # a workspace name cannot reach another visitor's folder
    with pytest.raises(Exception):
        app.open_workspace("../../hf-alice/workspaces/default", gr.Request(username="bob", session_hash="s-b"))


def test_training_needs_a_sign_in_and_a_quota(space_app, monkeypatch):
    import gradio as gr

    app = space_app.app
    ok, why = app.can_train(gr.Request(session_hash="anon-1"))
    assert not ok and "sign in" in why
    ok, why = app.can_train(gr.Request(username="alice", session_hash="s-a"))
    assert ok and why == ""

    # the Train tab's start button, through the API as an anonymous visitor: refused, no run created
    on_start, api_name = _handler(space_app, "studio.ui.train", "on_start")
    anon = _client(space_app)
    anon.predict(api_name="/on_load")
    result = anon.predict("default", "bundled:smollm2-135m-instruct", *TRAIN_FORM, api_name=f"/{api_name}")
    assert "sign in with Hugging Face to train" in str(result)
    assert not list(space_app.root.glob("users/*/workspaces/*/runs/*"))

    # the same handler, signed in: allowed through to the job runner (faked here: no worker process)
    import studio.train.control as control

    started = []
    monkeypatch.setattr(control, "start", lambda runner, cfg: started.append(cfg.base_model) or "train-fake-1")
    bob = gr.Request(username="bob", session_hash="s-b")
    app.open_workspace("empty", bob, create=True)
    out = on_start(bob, "empty", "en", "bundled:smollm2-135m-instruct", *TRAIN_FORM, *FRESH_RUN)
    assert out[0] == "train-fake-1" and "train-fake-1" in str(out[2]) and started == ["bundled:smollm2-135m-instruct"]

    # over the daily quota: refused with the limit stated
    ws = app.open_workspace("default", bob, create=True)
    for i in range(2):
        ws.add_run(f"train-quota-{i}", "train", {}, str(ws.runs_dir / f"train-quota-{i}"), status="completed")
    out = on_start(bob, "default", "en", "bundled:smollm2-135m-instruct", *TRAIN_FORM, *FRESH_RUN)
    assert "the limit on this Space is 2" in str(out[2]) and started == ["bundled:smollm2-135m-instruct"]


def test_zero_gpu_is_reported_as_unsupported_for_training(space_app, monkeypatch):
    import gradio as gr

    monkeypatch.setenv("SPACES_ZERO_GPU", "true")
    ok, why = space_app.app.can_train(gr.Request(username="alice", session_hash="s-a"))
    assert not ok and "ZeroGPU" in why


def test_banner_states_the_policy_in_both_languages(space_app):
    import gradio as gr

    from studio.ui.layout import _banner

    req = gr.Request(username="alice", session_hash="s-a")
    en = _banner(space_app.app, "en", req)
    assert en["visible"] is True
    text = en["value"]
    assert "training needs a Hugging Face sign-in" in text and "2 runs per visitor per day" in text
    assert "5 days" in text and "50 MB" in text and "hf-alice" in text
    assert "no persistent storage" in text  # the data root is not on a /data volume
    it = _banner(space_app.app, "it", req)["value"]
    assert "accesso con Hugging Face" in it and "5 giorni" in it
    # the same banner reaches an anonymous visitor's page on load
    assert "training needs a Hugging Face sign-in" in str(_client(space_app).predict(api_name="/on_load"))
