"""Space rules: training needs a login and respects the quota; idle visitors expire; ZeroGPU refused."""

import os
import time

import pytest

from studio.config import ConfigError
from studio.space import SpacePolicy, expire_idle, runs_today
from studio.workspace import Workspace


def test_training_rules(monkeypatch):
    policy = SpacePolicy()
    assert policy.can_train(None, 0)[0] is False and "sign in" in policy.can_train(None, 0)[1]
    assert policy.can_train("alice", 0) == (True, "")
    ok, reason = policy.can_train("alice", 3)
    assert not ok and "limit on this Space is 3" in reason
    monkeypatch.setenv("SPACES_ZERO_GPU", "1")
    assert "ZeroGPU" in policy.can_train("alice", 0)[1]


def test_policy_from_env(monkeypatch):
    monkeypatch.setenv("STUDIO_TRAIN_RUNS_PER_DAY", "5")
    monkeypatch.setenv("STUDIO_IDLE_DAYS", "2")
    p = SpacePolicy.from_env()
    assert p.train_runs_per_day == 5 and p.idle_days == 2 and "5 runs per visitor" in p.describe()
    monkeypatch.setenv("STUDIO_IDLE_DAYS", "0")
    with pytest.raises(ConfigError, match="idle_days"):
        SpacePolicy.from_env()


def test_runs_today_counts_across_workspaces(tmp_path):
    for name in ("a", "b"):
        ws = Workspace.create(tmp_path / name)
        ws.add_run(f"train-{name}", "train", {}, str(tmp_path / name / "runs" / "x"))
        ws.add_run(f"gen-{name}", "generate", {}, str(tmp_path / name / "runs" / "y"))
        ws.close()
    assert runs_today(tmp_path) == 2


def test_expire_idle(tmp_path):
    old = tmp_path / "users" / "old-visitor" / "workspaces" / "w"
    new = tmp_path / "users" / "new-visitor" / "workspaces" / "w"
    for folder in (old, new):
        folder.mkdir(parents=True)
        (folder / "f").write_text("x")
    past = time.time() - 10 * 86400
    for p in [*old.parents, old, old / "f"]:
        if str(p).startswith(str(tmp_path / "users" / "old-visitor")):
            os.utime(p, (past, past))
    assert expire_idle(tmp_path, idle_days=7) == ["old-visitor"]
    assert new.exists() and not old.exists()


def test_visitor_tokens_are_signed_by_the_server(tmp_path, monkeypatch):
    from studio.space import mint_visitor, verify_visitor, visitor_secret

    monkeypatch.delenv("OAUTH_CLIENT_SECRET", raising=False)
    secret = visitor_secret(tmp_path)
    assert visitor_secret(tmp_path) == secret  # kept in the data root, so a restart keeps visitors
    assert oct((tmp_path / ".visitor_secret").stat().st_mode & 0o777) == "0o600"
    token = mint_visitor(secret)
    vid, sig = token.split(".")
    assert verify_visitor(token, secret) == vid
    assert verify_visitor(vid, secret) is None  # an unsigned id (what a client could choose)
    assert verify_visitor(f"{vid}.{'0' * 32}", secret) is None
    assert verify_visitor(token, b"another-secret" * 4) is None
    assert verify_visitor("../../hf-alice", secret) is None and verify_visitor(None, secret) is None
    monkeypatch.setenv("OAUTH_CLIENT_SECRET", "space-secret")
    assert visitor_secret(tmp_path) != secret  # on a Space: derived from the OAuth secret


def test_oauth_username_comes_only_from_a_valid_session():
    import time

    from studio.space import oauth_username

    info = {"userinfo": {"preferred_username": "alice", "name": "Alice A."}, "expires_at": time.time() + 60}
    assert oauth_username({"oauth_info": info}) == "alice"
    assert oauth_username({"oauth_info": {**info, "expires_at": time.time() - 1}}) is None
    assert oauth_username({"oauth_info": {"userinfo": {"name": "Alice A."}}}) is None  # a display name is no id
    assert oauth_username({}) is None and oauth_username(None) is None


def test_a_signed_in_request_is_the_oauth_user_and_a_cookie_is_not(tmp_path):
    import gradio as gr

    from studio.ui.context import AppContext, signed_in_user

    app = AppContext(root=tmp_path, on_space=True, on_colab=False)
    assert signed_in_user(gr.Request(session_hash="s", session={"oauth_info": {"userinfo": {"preferred_username": "bo"}}})) == "bo"
    anon = gr.Request(session_hash="s1")
    assert signed_in_user(anon) is None and app.user_for(anon).startswith("visitor-")
    assert app.user_for(anon) == app.user_for(gr.Request(session_hash="s1"))  # the same page session
    assert app.user_for(anon) != app.user_for(gr.Request(session_hash="s2"))
    assert "s1" not in app.visitor_label(anon) and app.visitor_label(anon).startswith("visitor-")
