"""What every tab's ``build(app)`` receives: settings, the i18n registry, the workspace picker, helpers."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import AppConfig
from ..paths import data_root, running_on_colab, running_on_space, workspaces_dir
from .i18n import Translator, t

DEFAULT_WORKSPACE = "default"
VISITOR_COOKIE = "studio_visitor"
LAST_WORKSPACE_FILE = ".last_workspace"
BROWSER_KEY = "studio_workspace"


@dataclass
class AppContext:
    config: AppConfig = field(default_factory=AppConfig)
    root: Path | None = None
    on_space: bool = field(default_factory=running_on_space)
    on_colab: bool = field(default_factory=running_on_colab)
    i18n: Translator = field(default_factory=Translator)
    workspace_name: Any = None  # gr.Dropdown holding the current workspace's name (set by the layout)
    language: Any = None  # gr.State with the language code ("en", "it", ...)
    policy: Any = None  # studio.space.SpacePolicy on a public Space
    _sessions: OrderedDict = field(default_factory=OrderedDict, repr=False)  # session hash -> visitor id
    _languages: OrderedDict = field(default_factory=OrderedDict, repr=False)  # session hash -> language picked
    _lock: Any = field(default_factory=threading.Lock, repr=False)
    _secret: bytes = field(default=b"", repr=False)

    def __post_init__(self) -> None:
        if self.root is None:
            self.root = data_root(self.config.data_dir)
        if self.on_space and self.policy is None:
            from ..space import SpacePolicy

            self.policy = SpacePolicy.from_env()
        if self.on_space and not self._secret:
            from ..space import visitor_secret

            self._secret = visitor_secret(self.root)

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

    def remember_language(self, request: Any, lang: str) -> None:
        """Keep the language this page session shows, for handlers that do not take it as an input."""
        session = getattr(request, "session_hash", None) if request is not None else None
        if not session:
            return
        with self._lock:
            self._languages[session] = lang
            self._languages.move_to_end(session)
            while len(self._languages) > 100_000:
                self._languages.popitem(last=False)

    def lang_of(self, request: Any) -> str:
        """The language of this page session ('en' until it loaded or switched)."""
        session = getattr(request, "session_hash", None) if request is not None else None
        return self._languages.get(session, "en") if session else "en"

    # ---- visitors and workspaces ---------------------------------------------------------------------
    def user_for(self, request: Any = None) -> str | None:
        """On a Space each visitor has their own workspaces: the signed-in Hugging Face user (OAuth session), else a
        visitor id the server signed (cookie) or bound to this page session. A cookie the client chose is never
        trusted alone: an unsigned or altered one is ignored."""
        if not self.on_space:
            return None
        username = signed_in_user(request)
        if username:
            return f"hf-{username}"
        visitor = self._visitor(request)
        return f"visitor-{visitor}" if visitor else "anonymous"

    def visitor_token(self, request: Any = None) -> str:
        """The signed token the browser keeps (cookie ``studio_visitor``) so a reload finds the same workspaces."""
        if not self.on_space or request is None:
            return ""
        from ..space import sign_visitor

        vid = self._visitor(request)
        return f"{vid}.{sign_visitor(vid, self._secret)}" if vid else ""

    def visitor_label(self, request: Any = None) -> str:
        """Who the banner says you are: the Hugging Face user, or a short fingerprint (never the secret id)."""
        user = self.user_for(request) or "anonymous"
        if user.startswith("hf-") or user == "anonymous":
            return user
        return "visitor-" + hashlib.sha256(user.encode()).hexdigest()[:8]

    def _visitor(self, request: Any) -> str | None:
        from ..space import mint_visitor, verify_visitor

        try:
            cookies = dict(request.request.cookies) if request is not None and request.request is not None else {}
        except AttributeError:
            cookies = {}
        vid = verify_visitor(cookies.get(VISITOR_COOKIE), self._secret)
        session = getattr(request, "session_hash", None) if request is not None else None
        with self._lock:
            if vid:
                if session:
                    self._sessions[session] = vid
                return vid
            if not session:
                return None
            vid = self._sessions.get(session)
            if vid is None:  # first sight of this page session: a fresh id the server minted
                vid = mint_visitor(self._secret).split(".", 1)[0]
                self._sessions[session] = vid
                while len(self._sessions) > 100_000:
                    self._sessions.popitem(last=False)
            self._sessions.move_to_end(session)
            return vid

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

    def workspace_for_upload(self, name: str | None, request: Any = None):
        """The workspace a file dropped on the page goes to. A file dropped before the page finished loading arrives
        with no workspace picked yet: it goes where the page is about to open (this visitor's last or "default",
        created as the page load would), never refused."""
        if name:
            return self.open_workspace(name, request)
        names = self.list_workspaces(request)
        target = self.remembered_workspace(names, None, request)
        return self.open_workspace(target, request, create=target not in names)

    def remembered_workspace(self, names: list[str], browser_value: Any = None, request: Any = None) -> str:
        """The workspace a freshly opened page shows: the one this browser used last (``gr.BrowserState``), else on a
        Space the one this visitor used last (kept on the server, per visitor), else "default", else the first."""
        candidates = [browser_value if isinstance(browser_value, str) else None]
        if self.on_space:
            try:
                candidates.append((self.workspaces_dir(request) / LAST_WORKSPACE_FILE).read_text().strip())
            except OSError:
                pass
        candidates.append(DEFAULT_WORKSPACE)
        for name in candidates:
            if name and name in names:
                return name
        return names[0] if names else DEFAULT_WORKSPACE

    def remember_workspace(self, name: str | None, request: Any = None) -> None:
        """On a Space, keep the visitor's last workspace on the server too (their other browsers find it)."""
        if not self.on_space or not name:
            return
        try:
            (self.workspaces_dir(request) / LAST_WORKSPACE_FILE).write_text(name)
        except OSError:
            pass

    def browser_secret(self) -> str:
        """Encrypts the browser's remembered workspace; stable across restarts (a random one forgets on restart)."""
        import os

        from ..space import visitor_secret

        env = os.environ.get("STUDIO_BROWSER_SECRET")
        key = env.encode() if env else visitor_secret(self.root)
        return hashlib.sha256(b"studio-browser:" + key).hexdigest()[:32]

    def runner(self, workspace: Any):
        from ..jobs import JobRunner

        limits = {"generate": self.generate_limit} if self.generate_limit else {}
        return JobRunner(workspace, root=self.root, limits=limits)

    def can_train(self, request: Any = None) -> tuple[bool, str]:
        """On a public Space: a signed-in visitor under the daily quota. Elsewhere always allowed."""
        if not self.on_space or self.policy is None:
            return True, ""
        from ..space import runs_today

        return self.policy.can_train(signed_in_user(request), runs_today(self.workspaces_dir(request)))

    # ---- paths a visitor names -------------------------------------------------------------------------
    def user_path(self, workspace: Any, value: str | None, default_name: str = "") -> Path | None:
        """A path from the page or the API, allowed only inside ``workspace`` (the caller's own) or a run registered
        in it; a run id names that run's folder (``default_name`` inside it, e.g. "adapter"). Empty gives None;
        anything else raises :class:`studio.paths.PathRefused` (one line that reveals nothing)."""
        from ..paths import PathRefused, contained

        text = (value or "").strip()
        if not text:
            return None
        run = workspace.get_run(text) if len(text) <= 200 else None
        roots = _run_roots(workspace)
        if run and run.get("output_dir"):
            found = contained(Path(run["output_dir"]) / default_name if default_name else run["output_dir"],
                              workspace.path, roots)
        else:
            found = contained(text, workspace.path, roots)
        if default_name and not found.is_dir():  # an adapter is a folder; a missing one reads like a refusal
            raise PathRefused()
        return found

    def model_ref(self, workspace: Any, value: str | None) -> str:
        """A model a visitor names. On a Space: bundled, a Hub id, or a folder inside their workspace; elsewhere as
        given (the local user's own machine)."""
        text = (value or "").strip()
        if not self.on_space or not text:
            return text
        from ..paths import contained_model

        return contained_model(text, workspace.path, _run_roots(workspace))


def _run_roots(workspace: Any) -> list[str]:
    return [r["output_dir"] for r in workspace.list_runs(limit=10_000) if r.get("output_dir")]


def signed_in_user(request: Any) -> str | None:
    """The visitor's verified user name: a ``--auth`` login, or the Hugging Face OAuth session (signed by the
    server). Never a value the client sets itself."""
    if request is None:
        return None
    if getattr(request, "username", None):
        return request.username
    from ..space import oauth_username

    underlying = getattr(request, "request", None)
    scope = getattr(underlying, "scope", None)
    session = scope.get("session") if isinstance(scope, dict) else None
    if session is None:
        session = getattr(request, "kwargs", {}).get("session")  # a request rebuilt from a pickle, or a test
    return oauth_username(session or {})
