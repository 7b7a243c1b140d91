"""Hub failures turned into one readable line each (401/403/404/409/network), never a traceback."""

from __future__ import annotations


class HubError(RuntimeError):
    """A Hub operation failed; ``str(err)`` is a sentence a user can act on."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class NoTokenError(HubError):
    pass


def _status_of(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    code = getattr(response, "status_code", None)
    return int(code) if isinstance(code, int) else None


def _is_network_error(exc: BaseException) -> bool:
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return True
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & {"TransportError", "ConnectError", "TimeoutException", "NetworkError", "ConnectTimeout",
                "ReadTimeout", "RemoteProtocolError", "ProxyError"}:
        return True
    try:
        from huggingface_hub.errors import OfflineModeIsEnabled  # type: ignore[attr-defined]

        if isinstance(exc, OfflineModeIsEnabled):
            return True
    except ImportError:  # pragma: no cover - older/newer hub
        pass
    return type(exc).__name__ == "OfflineModeIsEnabled"


def explain(exc: BaseException, repo_id: str | None = None, action: str = "push") -> HubError:
    """Map any exception raised by ``huggingface_hub`` to a ``HubError`` with a clear message."""
    if isinstance(exc, HubError):
        return exc
    repo = f" {repo_id}" if repo_id else ""
    status = _status_of(exc)
    name = type(exc).__name__
    if status == 401:
        return HubError(
            "the Hugging Face token was refused (401): it is missing, mistyped or revoked; "
            "create one at https://huggingface.co/settings/tokens and paste it again",
            401,
        )
    if status == 403:
        return HubError(
            f"the token may not {action} to{repo} (403): use a token with write access "
            "(a fine-grained token needs 'write' on this repo or namespace) or push to your own namespace",
            403,
        )
    if status == 404 or name in ("RepositoryNotFoundError",):
        return HubError(
            f"the repository{repo} or its namespace was not found (404): check the owner name "
            "(your user or an organisation you belong to) and the repo name",
            404,
        )
    if status == 409:
        return HubError(
            f"the repository{repo} conflicts with an existing one (409): it may exist with another type "
            "or a push is already in progress; choose another name or try again in a moment",
            409,
        )
    if status == 429:
        return HubError("the Hub is rate-limiting this account (429): wait a minute and try again", 429)
    if status is not None and status >= 500:
        return HubError(f"the Hub had a server error ({status}): try again in a few minutes", status)
    if isinstance(exc, OSError) and exc.errno == 28:
        return HubError(f"the disk is full: the {action} to{repo} stopped; free some space and push again")
    if _is_network_error(exc):
        return HubError(
            "cannot reach the Hugging Face Hub (network error or offline mode): check the connection, "
            "a proxy, or HF_HUB_OFFLINE; nothing was pushed",
        )
    if name == "HFValidationError":
        return HubError(f"invalid repo id{repo}: use owner/name with letters, digits, '-', '_' or '.'")
    if status is not None:
        return HubError(f"the Hub answered {status} while trying to {action}{repo}", status)
    return HubError(f"{action} failed: {str(exc).splitlines()[0] if str(exc) else name}")
