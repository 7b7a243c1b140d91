"""Small helpers of the OpenAI-compatible backend: URLs, default keys, request shapes, server messages, redaction."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping
from typing import Any, Callable
from urllib.parse import urlsplit

from .base import BackendError

HF_ROUTER_URL = "https://router.huggingface.co/v1"
NO_KEY = "not-needed"  # local servers (vLLM, TGI, Ollama, llama.cpp, transformers serve) accept any key
_KEY_SHAPES = re.compile(r"(sk-|hf_|Bearer\s+)[A-Za-z0-9_\-.]{6,}")


def normalise_base_url(base_url: str | None) -> str:
    url = (base_url or HF_ROUTER_URL).strip().rstrip("/")
    if not re.match(r"^https?://", url, re.I):
        raise BackendError(f"The endpoint URL must start with http:// or https:// (got {url!r}).")
    for suffix in ("/chat/completions", "/completions"):
        if url.endswith(suffix):
            url = url[: -len(suffix)]
    if urlsplit(url).path in ("", "/"):
        url += "/v1"  # Ollama, llama.cpp, vLLM and TGI serve the OpenAI API under /v1
    return url


def default_key(base_url: str) -> tuple[str, str]:
    """A key when the caller gave none: (key, where it came from, for messages)."""
    host = (urlsplit(base_url).hostname or "").lower()
    if host.endswith("huggingface.co") or host.endswith("huggingface.cloud"):
        token = os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN")
        if not token:
            try:
                from huggingface_hub import get_token

                token = get_token()
            except Exception:  # noqa: BLE001 - no token is a readable error below
                token = None
        if not token:
            raise BackendError(
                "Hugging Face Inference Providers need a token: paste one in the API key field, "
                "set HF_TOKEN, or log in with `hf auth login`."
            )
        return token, "HF_TOKEN or the saved Hugging Face login"
    if host == "api.openai.com":
        token = os.environ.get("OPENAI_API_KEY")
        if not token:
            raise BackendError("OpenAI needs an API key: paste one in the API key field or set OPENAI_API_KEY.")
        return token, "OPENAI_API_KEY"
    return NO_KEY, "no key"


def cfg_get(cfg: Any, name: str, default: Any = None) -> Any:
    if isinstance(cfg, Mapping):
        value = cfg.get(name, default)
    else:
        value = getattr(cfg, name, default)
    return default if value is None else value


def response_format(schema: dict[str, Any]) -> dict[str, Any]:
    """OpenAI's ``json_schema`` response format around a bare schema (or a ready {name, schema} wrapper)."""
    if "schema" in schema and isinstance(schema.get("schema"), dict):
        inner = dict(schema)
        inner.setdefault("name", "output")
    else:
        inner = {"name": "output", "schema": schema}
    inner["name"] = re.sub(r"[^A-Za-z0-9_-]", "_", str(inner["name"]))[:64] or "output"
    inner.setdefault("strict", False)
    return {"type": "json_schema", "json_schema": inner}


def retry_after_seconds(exc: Any) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms`` or ``Retry-After`` in seconds or as a date)."""
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    try:
        if headers.get("retry-after-ms"):
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
        value = headers.get("retry-after")
        if not value:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            from email.utils import parsedate_to_datetime

            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, OverflowError):
        return None


def message_text(content: Any) -> str:
    if isinstance(content, list):  # some servers answer with content parts
        return "".join(p.get("text", "") if isinstance(p, dict) else str(getattr(p, "text", "")) for p in content)
    return content or ""


def server_message(exc: Any, redactor: Callable[[str], str]) -> str:
    """The server's own explanation of an HTTP error, on one line, secrets removed, at most 300 characters."""
    body, msg = getattr(exc, "body", None), None
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict):
            msg = err.get("message") or err.get("detail") or err.get("msg")
        elif isinstance(err, str):
            msg = err
        msg = msg or body.get("detail") or body.get("message")
        if isinstance(msg, list):  # FastAPI validation errors
            msg = "; ".join(str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in msg)
    elif isinstance(body, str):
        msg = body
    if not msg:
        try:
            msg = exc.response.text
        except Exception:  # noqa: BLE001
            msg = ""
    msg = " ".join(str(msg).split()) or "no details"
    return redactor(msg)[:300]


def redact(text: str, key: str) -> str:
    """``text`` without ``key`` and without anything shaped like an API key or a bearer token."""
    if len(key) >= 4 and key != NO_KEY:
        text = text.replace(key, "***")
    return _KEY_SHAPES.sub(r"\1***", text)
