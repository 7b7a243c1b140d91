"""Where the studio keeps its data: the data root, workspaces, caches, and safe file names.

The data root is ``STUDIO_HOME`` (default ``./studio_data``). On Colab the live root stays on the
local disk (SQLite's WAL and atomic renames fail on the Drive mount); Drive is only a mirror.
On a Space the root is the mounted volume (``/data``) when present.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import unicodedata
from pathlib import Path

WORKSPACE_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class StudioPathError(ValueError):
    """A path or name the studio refuses, with a readable message."""


@contextlib.contextmanager
def file_lock(lock_path: Path):
    """One process at a time past this point (``flock`` on ``lock_path``); no lock where ``fcntl`` is missing."""
    try:
        import fcntl
    except ImportError:  # not on Linux or macOS
        yield
        return
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def running_on_space() -> bool:
    return os.environ.get("SYSTEM") == "spaces" or bool(os.environ.get("SPACE_ID"))


def running_on_colab() -> bool:
    import sys

    return "google.colab" in sys.modules or bool(os.environ.get("COLAB_RELEASE_TAG"))


def data_root(explicit: str | os.PathLike | None = None) -> Path:
    """The data root: explicit argument, else ``STUDIO_HOME``, else a Space volume, else ``./studio_data``."""
    if explicit:
        root = Path(explicit)
    elif os.environ.get("STUDIO_HOME"):
        root = Path(os.environ["STUDIO_HOME"])
    elif running_on_space() and Path("/data").is_dir() and os.access("/data", os.W_OK):
        root = Path("/data/studio")
    else:
        root = Path.cwd() / "studio_data"
    root = root.expanduser().resolve()
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StudioPathError(f"cannot create the data folder {root}: {exc.strerror or exc}") from None
    if not os.access(root, os.W_OK):
        raise StudioPathError(f"the data folder {root} is not writable")
    return root


def cache_dir(root: Path | None = None) -> Path:
    """Shared cache (converted models and the like): ``STUDIO_CACHE`` or ``<root>/cache``."""
    env = os.environ.get("STUDIO_CACHE")
    path = Path(env) if env else (root or data_root()) / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_key(user: str | None) -> str:
    """A folder-safe key for a visitor (OAuth user name or a browser-held id)."""
    if not user:
        return "anonymous"
    clean = re.sub(r"[^A-Za-z0-9_-]", "", user)[:40]
    digest = hashlib.sha256(user.encode()).hexdigest()[:8]
    return f"{clean or 'user'}-{digest}"


def workspaces_dir(root: Path, user: str | None = None) -> Path:
    """Folder holding workspaces: ``<root>/workspaces`` or ``<root>/users/<key>/workspaces`` per visitor."""
    base = root / "users" / user_key(user) / "workspaces" if user else root / "workspaces"
    base.mkdir(parents=True, exist_ok=True)
    return base


def shorten(value: str, limit: int = 40) -> str:
    """``value`` as it may be echoed back: its first ``limit`` characters, then "…"."""
    value = str(value)
    return value if len(value) <= limit else value[:limit] + "…"


def check_workspace_name(name: str) -> str:
    if not WORKSPACE_NAME_RE.match(name or ""):
        raise StudioPathError(
            f"invalid workspace name {shorten(name or '')!r}: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return name


def resolve_workspace_path(value: str, root: Path | None = None, user: str | None = None) -> Path:
    """``--workspace NAME`` is a workspace under the data root; a value with a path separator is a path."""
    if os.sep in value or "/" in value:
        return Path(value).expanduser().resolve()
    return workspaces_dir(root or data_root(), user) / check_workspace_name(value)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNSAFE = re.compile(r"[^\w.\- ()\[\]]+", re.UNICODE)


def safe_filename(name: str, default: str = "file") -> str:
    """A file name that cannot escape its folder: no separators, no control characters, no leading dots."""
    name = unicodedata.normalize("NFC", str(name))
    name = name.replace("\\", "/").split("/")[-1]
    name = _CONTROL.sub("", name)
    name = _UNSAFE.sub("_", name).strip(" .")
    if not name or name in {".", ".."}:
        name = default
    stem, dot, ext = name.rpartition(".")
    if dot and len(name) > 120:
        name = stem[: 120 - len(ext) - 1] + "." + ext
    return name[:120]


def inside(base: Path, candidate: Path) -> bool:
    """True when ``candidate`` resolves inside ``base`` (symlinks followed)."""
    try:
        candidate.resolve().relative_to(base.resolve())
        return True
    except ValueError:
        return False


# ---- paths a visitor names (API inputs) -------------------------------------------------------------------
# One message for every refusal: it never says whether the path exists, what it is, or where it points.
REFUSED_PATH = "that path is not a file or run of this workspace: pick one from the list or give a path inside it"
HUB_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}(/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?$")


class PathRefused(StudioPathError):
    """A path outside what the caller may read; the message reveals nothing about the file system."""

    def __init__(self, message: str = REFUSED_PATH) -> None:
        super().__init__(message)


def contained(value: str | os.PathLike, base: Path, extra_roots: tuple | list = ()) -> Path:
    """``value`` (relative to ``base``, or absolute) with symlinks and ``..`` resolved, when it lies inside ``base``
    or one of ``extra_roots``; anything else raises :class:`PathRefused`. Nothing is opened or read here."""
    text = str(value or "").strip()
    if not text or "\x00" in text or len(text) > 4096:
        raise PathRefused()
    path = Path(text)
    if not path.is_absolute():
        path = base / path
    try:
        real = path.resolve()
        roots = [Path(r).resolve() for r in (base, *extra_roots) if str(r or "").strip()]
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a name too long
        raise PathRefused() from None
    for root in roots:
        if real == root or root in real.parents:
            return real
    raise PathRefused()


def contained_model(value: str, base: Path, extra_roots: tuple | list = ()) -> str:
    """A model a visitor names on a public Space: a bundled model, a Hub id (never a server folder), or a folder
    inside ``base`` / ``extra_roots``; anything else raises :class:`PathRefused`."""
    text = (value or "").strip()
    if not text or text.lower().startswith("bundled:"):
        return text
    if HUB_ID_RE.match(text) and ".." not in text and not Path(text).exists():
        return text
    return str(contained(text, base, extra_roots))
