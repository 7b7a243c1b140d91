"""Upload a staged folder: ``create_repo(exist_ok=True)`` + ``upload_folder``, visibility kept as asked.

``create_repo(private=...)`` is ignored for a repo that already exists, so a re-push that changes
visibility calls ``update_repo_settings``. Every Hub failure becomes a ``HubError`` with a readable
message; the token is passed per call and never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..config import Config, check, help_field
from .errors import HubError, explain
from .staging import REPO_ID_RE

DEFAULT_MESSAGE = "Upload fine-tuned model with Fine-Tuning Studio"


@dataclass
class PushOptions(Config):
    repo_id: str = help_field("", "owner/name on the Hub; a bare name goes to the token's user")
    private: bool = help_field(True, "create the repo private (default) or public")
    commit_message: str = help_field(DEFAULT_MESSAGE, "commit message")
    create_pr: bool = help_field(False, "open a pull request instead of committing to main")
    push_dataset: bool = help_field(False, "also push the workspace's QA dataset as a dataset repo")
    dataset_repo_id: str = help_field("", "dataset repo id (default: <repo_id>-data)")

    def validate(self) -> None:
        check(bool(REPO_ID_RE.match(self.repo_id or "")),
              f"invalid repo id {self.repo_id!r}: use owner/name (letters, digits, '-', '_', '.')")
        check(len(self.commit_message or "") <= 1000, "the commit message is longer than 1000 characters")
        if self.dataset_repo_id:
            check(bool(REPO_ID_RE.match(self.dataset_repo_id)), f"invalid dataset repo id {self.dataset_repo_id!r}")


@dataclass
class PushResult:
    repo_id: str
    url: str
    commit_url: str | None
    pr_url: str | None
    private: bool
    visibility_changed: bool = False
    dataset_url: str | None = None
    dataset_error: str | None = None  # the model was pushed; the dataset was not (and why)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def full_repo_id(repo_id: str, token: str, api) -> str:
    """``name`` -> ``user/name`` using whoami; ``owner/name`` unchanged."""
    if "/" in repo_id:
        return repo_id
    try:
        who = api.whoami(token=token)
    except Exception as exc:  # noqa: BLE001
        raise explain(exc, repo_id, "log in") from None
    return f"{who['name']}/{repo_id}"


def _make_api(api=None):
    if api is not None:
        return api
    from huggingface_hub import HfApi

    return HfApi(library_name="fine-tuning-studio")


def push_folder(folder: str | Path, opts: PushOptions, token: str, api=None,
                on_progress: Callable[[str, float], None] | None = None, workspace=None) -> PushResult:
    """Create (or reuse) the repo, set its visibility, upload ``folder``; returns the links."""
    opts.validate()
    folder = Path(folder)
    if not (folder / "README.md").is_file():
        raise HubError(f"{folder} is not a staged folder (README.md is missing): stage it first")
    if not token:
        raise HubError("no Hugging Face token: log in, paste a token, or set HF_TOKEN")
    say = on_progress or (lambda _m, _f: None)
    api = _make_api(api)
    repo_id = full_repo_id(opts.repo_id, token, api)
    action = "create the repository"
    changed = False
    try:
        say(f"creating or reusing {repo_id}", 0.05)
        url = api.create_repo(repo_id, token=token, private=opts.private, repo_type="model", exist_ok=True)
        action = "read the repository's settings"
        info = api.repo_info(repo_id, token=token, repo_type="model")
        current = getattr(info, "private", None)
        if isinstance(current, bool) and current != opts.private and not opts.create_pr:
            action = "change the repository's visibility"
            say(f"making {repo_id} {'private' if opts.private else 'public'}", 0.1)
            api.update_repo_settings(repo_id, private=opts.private, token=token, repo_type="model")
            changed = True
        action = "upload"
        n = sum(1 for p in folder.rglob("*") if p.is_file())
        say(f"uploading {n} files", 0.15)
        commit = api.upload_folder(repo_id=repo_id, folder_path=str(folder), repo_type="model", token=token,
                                   commit_message=opts.commit_message or DEFAULT_MESSAGE, create_pr=opts.create_pr)
    except HubError:
        raise
    except Exception as exc:  # noqa: BLE001 - every Hub failure becomes one readable line
        raise explain(exc, repo_id, action) from None
    repo_url = str(getattr(url, "url", None) or url) if url else f"https://huggingface.co/{repo_id}"
    if not repo_url.startswith("http"):
        repo_url = f"https://huggingface.co/{repo_id}"
    pr_url = getattr(commit, "pr_url", None)
    result = PushResult(repo_id=repo_id, url=repo_url, commit_url=_str(getattr(commit, "commit_url", None)),
                        pr_url=_str(pr_url), private=opts.private, visibility_changed=changed)
    if opts.push_dataset:
        say("pushing the dataset", 0.9)
        try:
            result.dataset_url = push_dataset(opts.dataset_repo_id or f"{repo_id}-data", opts.private, token, api,
                                              workspace)
        except HubError as exc:
            result.dataset_error = str(exc)
    say("done", 1.0)
    return result


def _str(value) -> str | None:
    return value if isinstance(value, str) and value else None


def push_dataset(repo_id: str, private: bool, token: str, api, workspace) -> str:
    """Push the workspace's kept QA pairs as a dataset repo (with its dataset card), through studio.dataset."""
    from ..dataset.errors import DatasetError
    from ..dataset.hub_push import DatasetPushOptions
    from ..dataset.hub_push import push_dataset as push_workspace_dataset

    if workspace is None:
        raise HubError("pushing the dataset needs a workspace (--workspace): the adapter alone was pushed")
    try:
        out = push_workspace_dataset(workspace, DatasetPushOptions(repo_id=repo_id, private=private), token=token, api=api)
    except DatasetError as exc:
        raise HubError(f"the model was pushed, the dataset was not: {exc}") from None
    return out["url"]
