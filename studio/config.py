"""Configuration dataclasses: one base with validation, readable errors and a YAML round trip.

Each stage keeps its own config next to its code (``studio/<pkg>/config.py``) and subclasses
:class:`Config`; the same object is built once and handed to the CLI, the UI and the worker.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

import yaml

T = TypeVar("T", bound="Config")


class ConfigError(ValueError):
    """A configuration value the studio refuses, with a readable message."""


def help_field(default: Any = dataclasses.MISSING, help: str = "", **kwargs: Any) -> Any:  # noqa: A002
    """A dataclass field with a one-line help text (shown by the CLI and the UI)."""
    meta = {"help": help}
    if default is dataclasses.MISSING:
        return field(metadata=meta, **kwargs)
    if isinstance(default, (list, dict, set)):
        return field(default_factory=lambda d=default: type(d)(d), metadata=meta, **kwargs)
    return field(default=default, metadata=meta, **kwargs)


@dataclass
class Config:
    """Base for every stage's config."""

    def validate(self) -> None:
        """Override to check values; raise :class:`ConfigError` with a message a user understands."""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls: type[T], data: dict[str, Any] | None, strict: bool = True) -> T:
        data = dict(data or {})
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown and strict:
            raise ConfigError(f"unknown {cls.__name__} setting(s): {', '.join(unknown)}")
        hints = typing.get_type_hints(cls)
        values = {}
        for name, value in data.items():
            if name in known:
                values[name] = _coerce(name, value, hints.get(name))
        obj = cls(**values)
        obj.validate()
        return obj

    def replace(self: T, **changes: Any) -> T:
        obj = self.from_dict({**self.to_dict(), **changes})
        return obj

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)

    @classmethod
    def from_yaml(cls: type[T], text_or_path: str | Path) -> T:
        text = Path(text_or_path).read_text() if isinstance(text_or_path, Path) else text_or_path
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"the YAML could not be read: {exc}") from None
        if not isinstance(data, dict):
            raise ConfigError("the YAML must be a mapping of setting: value")
        return cls.from_dict(data)

    @classmethod
    def help(cls) -> dict[str, str]:
        return {f.name: f.metadata.get("help", "") for f in fields(cls)}


def _coerce(name: str, value: Any, hint: Any) -> Any:
    """Cast strings from forms/CLI to the annotated type, with a readable error."""
    if hint is None or value is None:
        return value
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if value == "" and type(None) in typing.get_args(hint):
            return None
        hint = args[0] if len(args) == 1 else hint
        origin = typing.get_origin(hint)
    try:
        if hint is bool and isinstance(value, str):
            low = value.strip().lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if hint in (int, float) and not isinstance(value, bool):
            if hint is int and isinstance(value, float) and not value.is_integer():
                raise ValueError(value)
            return hint(float(value)) if hint is int and isinstance(value, str) and "." in value else hint(value)
        if hint is str and not isinstance(value, str):
            return str(value)
        if origin is list and isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
    except (TypeError, ValueError):
        from .paths import shorten

        raise ConfigError(f"{name}: {shorten(repr(value), 60)} is not a valid {getattr(hint, '__name__', hint)}") from None
    return value


def check(condition: bool, message: str) -> None:
    """Raise :class:`ConfigError` with ``message`` unless ``condition``."""
    if not condition:
        raise ConfigError(message)


@dataclass
class AppConfig(Config):
    """How the app is launched."""

    host: str = help_field("127.0.0.1", "interface to bind (0.0.0.0 on a Space)")
    port: int = help_field(7860, "port to serve on")
    share: bool | None = help_field(None, "public share link (on by default in Colab)")
    auth: str | None = help_field(None, "user:password required to open the app (also STUDIO_AUTH)")
    data_dir: str | None = help_field(None, "data root (also STUDIO_HOME)")
    max_upload_mb: int = help_field(100, "largest file accepted by upload")
    language: str = help_field("auto", "interface language: auto, en or it")

    def validate(self) -> None:
        check(0 < self.port < 65536, f"port must be 1-65535, not {self.port}")
        check(self.max_upload_mb > 0, "max_upload_mb must be positive")
        check(self.language in ("auto", "en", "it"), "language must be auto, en or it")
        if self.auth is not None:
            parse_auth(self.auth)


def parse_auth(value: str) -> tuple[str, str]:
    """``user:password`` -> (user, password), or a readable error."""
    user, sep, password = (value or "").partition(":")
    if not sep or not user.strip() or not password:
        raise ConfigError("--auth must look like user:password (both non-empty)")
    return user.strip(), password
