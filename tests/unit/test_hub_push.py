"""Hub calls against create_autospec(HfApi): arguments, visibility, PRs, error mapping, and the token never written."""

from __future__ import annotations

from pathlib import Path
from unittest.mock import create_autospec

import pytest

from tests.unit.hub_helpers import make_run

TOKEN = "hf_TESTtokenNeverWritten0123456789abcdef"


def _api(private_now: bool | None = True):
    from huggingface_hub import CommitInfo, HfApi, RepoUrl

    api = create_autospec(HfApi, instance=True)
    api.whoami.return_value = {"name": "alice", "fullname": "Alice", "orgs": [{"name": "acme"}],
                               "auth": {"accessToken": {"role": "write"}}}
    api.create_repo.side_effect = lambda repo_id, **kw: RepoUrl(f"https://huggingface.co/{repo_id}")
    api.repo_info.return_value.private = private_now
    api.upload_folder.side_effect = lambda **kw: CommitInfo(
        commit_url=f"https://huggingface.co/{kw['repo_id']}/commit/abc123", commit_message=kw["commit_message"],
        commit_description="", oid="abc123",
        pr_url=f"https://huggingface.co/{kw['repo_id']}/discussions/1" if kw.get("create_pr") else None)
    return api


def _http_error(status: int):
    import httpx2
    from huggingface_hub.errors import HfHubHTTPError

    request = httpx2.Request("POST", "https://huggingface.co/api/repos/create")
    return HfHubHTTPError(f"{status} error", response=httpx2.Response(status, request=request))


@pytest.fixture
def staged(tmp_path):
    folder = tmp_path / "staged"
    (folder / "eval").mkdir(parents=True)
    (folder / "README.md").write_text("---\nlicense: other\n---\n# x\n")
    (folder / "adapter_model.safetensors").write_bytes(b"0" * 10)
    return folder


def test_push_calls_create_repo_then_upload(staged):
    from studio.hub.push import PushOptions, push_folder

    api = _api(private_now=True)
    steps = []
    res = push_folder(staged, PushOptions(repo_id="manual-lora", commit_message="first"), TOKEN, api=api,
                      on_progress=lambda m, f: steps.append(f))
    api.whoami.assert_called_once_with(token=TOKEN)  # a bare name goes to the token's user
    api.create_repo.assert_called_once_with("alice/manual-lora", token=TOKEN, private=True, repo_type="model",
                                            exist_ok=True)
    api.update_repo_settings.assert_not_called()
    api.upload_folder.assert_called_once_with(repo_id="alice/manual-lora", folder_path=str(staged), repo_type="model",
                                              token=TOKEN, commit_message="first", create_pr=False)
    assert res.url == "https://huggingface.co/alice/manual-lora" and res.private
    assert res.commit_url.endswith("/commit/abc123") and res.pr_url is None
    assert steps == sorted(steps) and steps[-1] == 1.0


def test_repush_changing_visibility_uses_update_repo_settings(staged):
    from studio.hub.push import PushOptions, push_folder

    api = _api(private_now=True)  # the repo exists and is private; create_repo(private=False) would be ignored
    res = push_folder(staged, PushOptions(repo_id="alice/m", private=False), TOKEN, api=api)
    api.update_repo_settings.assert_called_once_with("alice/m", private=False, token=TOKEN, repo_type="model")
    assert res.visibility_changed and not res.private


def test_pull_request_option(staged):
    from studio.hub.push import PushOptions, push_folder

    api = _api()
    res = push_folder(staged, PushOptions(repo_id="acme/m", create_pr=True), TOKEN, api=api)
    assert api.upload_folder.call_args.kwargs["create_pr"] is True
    assert res.pr_url == "https://huggingface.co/acme/m/discussions/1"
    api.whoami.assert_not_called()


@pytest.mark.parametrize("status, words", [
    (401, "token was refused (401)"), (403, "write access"), (404, "not found (404)"), (409, "conflicts"),
    (None, "cannot reach the Hugging Face Hub"),
])
def test_errors_become_readable(staged, status, words):
    import httpx2

    from studio.hub.errors import HubError
    from studio.hub.push import PushOptions, push_folder

    api = _api()
    exc = _http_error(status) if status else httpx2.ConnectError("name resolution failed")
    api.upload_folder.side_effect = exc
    with pytest.raises(HubError) as info:
        push_folder(staged, PushOptions(repo_id="alice/m"), TOKEN, api=api)
    message = str(info.value)
    assert words in message and "Traceback" not in message and TOKEN not in message
    assert info.value.status == status


def test_whoami_identity_and_token_sources(monkeypatch):
    from studio.hub.auth import redact, require_token, resolve_token, whoami
    from studio.hub.errors import HubError, NoTokenError

    api = _api()
    who = whoami(TOKEN, api=api)
    assert who.name == "alice" and who.orgs == ["acme"] and who.can_write
    assert "logged in as alice (Alice)" in who.describe()
    api.whoami.side_effect = _http_error(401)
    with pytest.raises(HubError, match="401"):
        whoami(TOKEN, api=api)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HUGGING_FACE_HUB_TOKEN", raising=False)
    assert resolve_token(None, "  ") is None
    with pytest.raises(NoTokenError):
        require_token(None)
    monkeypatch.setenv("HF_TOKEN", "hf_env")
    assert resolve_token(None) == "hf_env" and resolve_token("hf_field") == "hf_field"
    import gradio as gr

    oauth = gr.OAuthToken(token="hf_oauth", scope="manage-repos", expires_at=0)  # what a Space hands a handler
    assert resolve_token(oauth, "hf_field") == "hf_oauth"
    assert redact(f"bad {TOKEN} here", TOKEN) == "bad hf_*** here"


def _all_bytes(paths):
    for base in paths:
        base = Path(base)
        for path in ([base] if base.is_file() else base.rglob("*")):
            if path.is_file():
                yield path, path.read_bytes()


@pytest.mark.parametrize("fail", [False, True])
def test_token_never_written_during_a_push(tmp_path, tiny_llama, monkeypatch, capfd, fail, _isolated_home):
    """Push through the job runner (as the UI and a worker do); grep everything written for the token."""
    import studio.hub.push as push_mod
    from studio.hub.job import hand_token
    from studio.jobs import JobRunner
    from studio.workspace import Workspace

    monkeypatch.delenv("HF_TOKEN", raising=False)
    api = _api()
    if fail:
        api.upload_folder.side_effect = _http_error(403)
    monkeypatch.setattr(push_mod, "_make_api", lambda api_=None: api)
    ws = Workspace.create(_isolated_home / "workspaces" / "w1")
    run, _ = make_run(tmp_path, tiny_llama)
    runner = JobRunner(ws)
    run_id, run_dir = runner.prepare("push", {"adapter": str(run / "adapter"), "repo_id": "alice/m", "private": True})
    hand_token(run_dir, TOKEN)
    from studio.jobs.worker import execute

    status = execute(run_dir, handle_signals=False)
    if fail:
        assert status["state"] == "failed" and "write access" in status["error"]
    else:
        assert status["state"] == "completed", status
        assert status["result"]["url"] == "https://huggingface.co/alice/m"
        assert api.upload_folder.call_args.kwargs["token"] == TOKEN  # it did reach the Hub call
    out, err = capfd.readouterr()
    assert TOKEN not in out and TOKEN not in err
    scanned = 0
    for path, data in _all_bytes([_isolated_home, run_dir, run, tmp_path]):
        scanned += 1
        assert TOKEN.encode() not in data, path
    assert scanned > 10
    assert (run_dir / "staged" / "README.md").is_file() and (run_dir / "events.jsonl").is_file()


def test_cli_stage_only_and_missing_token(tmp_path, tiny_llama, monkeypatch, capsys):
    import json

    from studio.cli import main

    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HUGGING_FACE_HUB_TOKEN", raising=False)
    run, _ = make_run(tmp_path, tiny_llama)
    out_dir = tmp_path / "out"
    code = main(["push", "--adapter", str(run / "adapter"), "--repo-id", "alice/m", "--stage-only", str(out_dir),
                 "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["pushed"] is False and result["evaluated"] is True
    assert (out_dir / "README.md").is_file() and "adapter_model.safetensors" in result["files"]
    code = main(["push", "--adapter", str(run / "adapter"), "--repo-id", "alice/m"])
    assert code == 2 and "no Hugging Face token" in capsys.readouterr().err
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    code = main(["push", "--adapter", str(run / "adapter"), "--repo-id", "alice/m", "--public"])
    err = capsys.readouterr().err
    assert code == 2 and "needs --yes" in err and "PUBLIC" in err and TOKEN not in err


def test_dataset_push_goes_through_the_dataset_package_and_its_failure_keeps_the_model(staged, tmp_path):
    from studio.hub.push import PushOptions, push_folder
    from studio.workspace import Workspace

    ws = Workspace.create(tmp_path / "ds-ws")
    ws.add_pairs([{"question": f"Q{i}?", "answer": f"A{i}", "status": "kept"} for i in range(3)])
    api = _api()
    api.repo_exists.return_value = False
    res = push_folder(staged, PushOptions(repo_id="alice/m", push_dataset=True), TOKEN, api=api, workspace=ws)
    assert res.dataset_url == "https://huggingface.co/datasets/alice/m-data" and res.dataset_error is None
    dataset_calls = [c for c in api.create_repo.call_args_list if c.kwargs.get("repo_type") == "dataset"]
    assert dataset_calls and dataset_calls[0].args[0] == "alice/m-data" and dataset_calls[0].kwargs["private"] is True
    res = push_folder(staged, PushOptions(repo_id="alice/m", push_dataset=True), TOKEN, api=api, workspace=None)
    assert res.url and "needs a workspace" in res.dataset_error  # the model went up; the dataset error is reported
