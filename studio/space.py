"""Rules for a public Hugging Face Space: who may train, how often, and when idle workspaces expire.

Read from environment variables so a Space owner sets them in the Space settings; stated on the page.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from .config import Config, check, help_field


def zero_gpu() -> bool:
    """ZeroGPU hardware lends its GPU only to decorated functions in the app process, never to a worker."""
    return bool(os.environ.get("SPACES_ZERO_GPU")) or os.environ.get("SPACE_HARDWARE", "").startswith("zero")


@dataclass
class SpacePolicy(Config):
    training_requires_login: bool = help_field(True, "only visitors signed in with Hugging Face may train")
    train_runs_per_day: int = help_field(3, "training runs each signed-in visitor may start per day")
    idle_days: int = help_field(7, "a visitor's workspaces are deleted after this many idle days")
    generate_jobs: int = help_field(2, "generation jobs running at once on the Space")
    max_upload_mb: int = help_field(50, "largest upload on the Space")

    def validate(self) -> None:
        check(self.train_runs_per_day >= 0, "train_runs_per_day cannot be negative")
        check(self.idle_days >= 1, "idle_days must be at least 1")
        check(self.generate_jobs >= 1, "generate_jobs must be at least 1")

    @classmethod
    def from_env(cls) -> "SpacePolicy":
        env = {
            "training_requires_login": os.environ.get("STUDIO_TRAIN_REQUIRES_LOGIN"),
            "train_runs_per_day": os.environ.get("STUDIO_TRAIN_RUNS_PER_DAY"),
            "idle_days": os.environ.get("STUDIO_IDLE_DAYS"),
            "generate_jobs": os.environ.get("STUDIO_GENERATE_JOBS"),
            "max_upload_mb": os.environ.get("STUDIO_SPACE_MAX_UPLOAD_MB"),
        }
        return cls.from_dict({k: v for k, v in env.items() if v not in (None, "")})

    def can_train(self, user: str | None, runs_today: int) -> tuple[bool, str]:
        """(allowed, reason). ``user`` is the OAuth user name (None when not signed in)."""
        if zero_gpu():
            return False, "ZeroGPU hardware cannot lend its GPU to a training worker: duplicate this Space on a T4 or larger GPU"
        if self.training_requires_login and not user:
            return False, "sign in with Hugging Face to train on this Space (generation and review work without it)"
        if runs_today >= self.train_runs_per_day:
            return False, (f"you started {runs_today} training runs today, the limit on this Space is "
                           f"{self.train_runs_per_day}: duplicate the Space for heavy use")
        return True, ""

    def describe(self) -> str:
        return (f"On this public Space: training needs a Hugging Face sign-in, {self.train_runs_per_day} runs per visitor "
                f"per day; uploads up to {self.max_upload_mb} MB; workspaces idle for {self.idle_days} days are deleted. "
                "Duplicate this Space for heavy use.")


# ---- who a visitor is -------------------------------------------------------------------------------------
# A signed-in visitor is the Hugging Face user of the OAuth session (a cookie the server signed). A visitor who is
# not signed in gets an id the server mints and signs; a cookie the client made up is never trusted alone.
SECRET_FILE = ".visitor_secret"


def visitor_secret(root: Path) -> bytes:
    """The key that signs visitor ids: derived from the Space's OAuth secret, else kept in the data root (0600)."""
    oauth = os.environ.get("OAUTH_CLIENT_SECRET")
    if oauth:
        return hashlib.sha256(("studio-visitor:" + oauth).encode()).digest()
    path = Path(root) / SECRET_FILE
    try:
        value = path.read_bytes().strip()
        if len(value) >= 32:
            return value
    except OSError:
        pass
    value = secrets.token_hex(32).encode()
    tmp = path.with_name(f"{SECRET_FILE}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(value)
    os.replace(tmp, path)
    return value


def mint_visitor(secret: bytes) -> str:
    """A new visitor token ``<id>.<signature>`` (the browser keeps it in a cookie)."""
    vid = secrets.token_hex(16)
    return f"{vid}.{sign_visitor(vid, secret)}"


def verify_visitor(token: str | None, secret: bytes) -> str | None:
    """The visitor id inside a token the server signed, else None (a forged or altered cookie)."""
    vid, dot, sig = str(token or "").partition(".")
    if not dot or len(vid) != 32 or not all(c in "0123456789abcdef" for c in vid):
        return None
    return vid if hmac.compare_digest(sig, sign_visitor(vid, secret)) else None


def sign_visitor(vid: str, secret: bytes) -> str:
    return hmac.new(secret, vid.encode(), hashlib.sha256).hexdigest()[:32]


def oauth_username(session) -> str | None:
    """The Hugging Face user name of a signed-in OAuth session (Gradio keeps it in ``session["oauth_info"]``)."""
    info = session.get("oauth_info") if hasattr(session, "get") else None
    if not isinstance(info, dict):
        return None
    expires = info.get("expires_at")
    if isinstance(expires, (int, float)) and expires < time.time():
        return None
    user = info.get("userinfo") or {}
    name = user.get("preferred_username") if isinstance(user, dict) else None
    return str(name) if name else None


def runs_today(workspaces_dir: Path, kind: str = "train") -> int:
    """Training runs a visitor started in the last 24 hours, across their workspaces."""
    from .workspace import Workspace, list_workspaces

    cutoff = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - 86400))
    count = 0
    for name in list_workspaces(workspaces_dir):
        ws = Workspace.open(workspaces_dir / name)
        try:
            count += sum(1 for r in ws.list_runs(kind, limit=1000) if (r.get("created_at") or "") >= cutoff)
        finally:
            ws.close()
    return count


def expire_idle(root: Path, idle_days: int, now: float | None = None) -> list[str]:
    """Delete visitors' folders (``<root>/users/<key>``) untouched for ``idle_days``; returns the keys removed."""
    users = root / "users"
    if not users.is_dir():
        return []
    limit = (now or time.time()) - idle_days * 86400
    removed = []
    for folder in users.iterdir():
        if not folder.is_dir():
            continue
        latest = max((p.stat().st_mtime for p in folder.rglob("*")), default=folder.stat().st_mtime)
        if latest < limit:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed
