"""Where the Hub token comes from, and who it belongs to.

Order: an explicit argument (CLI flag, a Space's OAuth token handed over by the UI, or the
password field), then ``HF_TOKEN`` (or the older ``HUGGING_FACE_HUB_TOKEN``). The token lives only
in memory: it is never written to the workspace, run folders, logs, events, exports, or sent back
to the page. ``redact`` removes it from any text that could be shown or stored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .errors import HubError, NoTokenError, explain

ENV_VARS = ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")
TOKEN_ENV = "HF_TOKEN"


def resolve_token(*candidates: str | None, use_env: bool = True) -> str | None:
    """The first non-empty candidate (explicit, OAuth, field), else the environment; None when absent."""
    for value in candidates:
        value = getattr(value, "token", value)  # a gr.OAuthToken works as is
        if isinstance(value, str) and value.strip():
            return value.strip()
    if use_env:
        for var in ENV_VARS:
            value = os.environ.get(var, "").strip()
            if value:
                return value
    return None


def require_token(*candidates: str | None, use_env: bool = True) -> str:
    token = resolve_token(*candidates, use_env=use_env)
    if not token:
        raise NoTokenError(
            "no Hugging Face token: log in (on a Space), paste a token with write access, or set HF_TOKEN"
        )
    return token


def redact(text: str, *tokens: str | None) -> str:
    """``text`` with every given token (and the environment's) replaced by ``hf_***``."""
    if not text:
        return text
    secrets = [t for t in tokens if isinstance(t, str) and len(t) >= 4]
    secrets += [os.environ[v] for v in ENV_VARS if len(os.environ.get(v, "")) >= 4]
    for secret in sorted(set(secrets), key=len, reverse=True):
        text = text.replace(secret, "hf_***")
    return text


@dataclass(frozen=True)
class Identity:
    name: str
    fullname: str = ""
    orgs: list[str] = field(default_factory=list)
    token_role: str = ""  # "read", "write", "fineGrained" or ""

    @property
    def can_write(self) -> bool | None:
        if self.token_role == "read":
            return False
        if self.token_role in ("write", "fineGrained"):
            return True
        return None

    def describe(self) -> str:
        who = f"{self.name} ({self.fullname})" if self.fullname and self.fullname != self.name else self.name
        role = {"read": "read-only token: it cannot push", "write": "write token",
                "fineGrained": "fine-grained token"}.get(self.token_role, "")
        orgs = f"; organisations: {', '.join(self.orgs)}" if self.orgs else ""
        return f"logged in as {who}" + (f" ({role})" if role else "") + orgs


def identity_from_whoami(info: dict) -> Identity:
    orgs = [o.get("name", "") for o in info.get("orgs") or [] if isinstance(o, dict) and o.get("name")]
    auth = info.get("auth") or {}
    role = ((auth.get("accessToken") or {}).get("role")) or ""
    return Identity(name=str(info.get("name") or ""), fullname=str(info.get("fullname") or ""),
                    orgs=orgs, token_role=str(role))


def whoami(token: str, api=None) -> Identity:
    """Who the token belongs to; raises ``HubError`` with a readable message."""
    if not token:
        raise NoTokenError("no Hugging Face token given")
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi()
    try:
        info = api.whoami(token=token)
    except Exception as exc:  # noqa: BLE001 - mapped to a readable line
        raise explain(exc, action="log in") from None
    if not isinstance(info, dict) or not info.get("name"):
        raise HubError("the Hub did not say who this token belongs to")
    return identity_from_whoami(info)
