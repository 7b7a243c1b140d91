"""What every tab's ``build(app)`` receives: settings, the i18n registry, the workspace picker, helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import AppConfig
from ..paths import data_root, running_on_colab, running_on_space, workspaces_dir
from .i18n import Translator, t

DEFAULT_WORKSPACE = "default"
VISITOR_COOKIE = "studio_visitor"


@dataclass
class AppContext:
    config: AppConfig = field(default_factory=AppConfig)
    root: Path | None = None
    on_space: bool = field(default_factory=running_on_space)
    on_colab: bool = field(default_factory=running_on_colab)
    i18n: Translator = field(default_factory=Translator)
    workspace_name: Any = None  # gr.Dropdown holding the current workspace's name (set by the layout)
    language: Any = None  # gr.State with "en" or "it"
    policy: Any = None  # studio.space.SpacePolicy on a public Space

    def __post_init__(self) -> None:
        if self.root is None:
            self.root = data_root(self.config.data_dir)
        if self.on_space and self.policy is None:
            from ..space import SpacePolicy

            self.policy = SpacePolicy.from_env()

    @property
    def generate_limit(self) -> int:
        return self.policy.generate_jobs if self.policy is not None else 0

    # ---- labels ------------------------------------------------------------------------------------
    def tr(self, component: Any, key: str, prop: str = "label") -> Any:
        """Register ``component`` so its ``prop`` follows the language switch; returns it."""
        return self.i18n.register(component, key, prop)

    def tr_choices(self, component: Any, choices: list[tuple[str, Any]]) -> Any:
        return self.i18n.register_choices(component, choices)

    @staticmethod
    def t(key: str, lang: str = "en", **fmt: Any) -> str:
        return t(key, lang, **fmt)

    # ---- visitors and workspaces ---------------------------------------------------------------------
    def user_for(self, request: Any = None) -> str | None:
        """On a Space each visitor has their own workspaces: the OAuth user, else a browser-held id."""
        if not self.on_space:
            return None
        username = getattr(request, "username", None) if request is not None else None
        if username:
            return f"hf-{username}"
        cookies = {}
        try:
            cookies = dict(request.request.cookies) if request is not None else {}
        except AttributeError:
            cookies = {}
        visitor = cookies.get(VISITOR_COOKIE) or (getattr(request, "session_hash", None) if request is not None else None)
        return f"visitor-{visitor}" if visitor else "anonymous"

    def workspaces_dir(self, request: Any = None) -> Path:
        return workspaces_dir(self.root, self.user_for(request))

    def list_workspaces(self, request: Any = None) -> list[str]:
        from ..workspace import list_workspaces

        return list_workspaces(self.workspaces_dir(request))

    def open_workspace(self, name: str | None, request: Any = None, create: bool = False):
        """The workspace ``name`` of this visitor; raises a readable error when it does not exist."""
        from ..paths import check_workspace_name
        from ..workspace import Workspace, WorkspaceError

        if not name:
            raise WorkspaceError(t("msg.no_workspace"))
        check_workspace_name(name)
        folder = self.workspaces_dir(request) / name
        if not create and not (folder / "workspace.db").is_file():  # never show the server's folder on the page
            raise WorkspaceError(f"unknown workspace {name!r}: pick another one or create it (it may have been deleted)")
        return Workspace.open(folder, create=create)

    def runner(self, workspace: Any):
        from ..jobs import JobRunner

        limits = {"generate": self.generate_limit} if self.generate_limit else {}
        return JobRunner(workspace, root=self.root, limits=limits)

    def can_train(self, request: Any = None) -> tuple[bool, str]:
        """On a public Space: a signed-in visitor under the daily quota. Elsewhere always allowed."""
        if not self.on_space or self.policy is None:
            return True, ""
        from ..space import runs_today

        username = getattr(request, "username", None) if request is not None else None
        return self.policy.can_train(username, runs_today(self.workspaces_dir(request)))
