"""Polls that send only what changed: a page ticks every second or two while a job runs, and each tick used to
re-send every table and plot, which the browser then re-renders even when nothing in it changed (on a laptop the
browser shares its cores with the job). Each output's last content is kept per page as a digest in a ``gr.State``."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Sequence

import gradio as gr


def digest(value: Any) -> str:
    """A stable fingerprint of one output's value (tables and plots as JSON, updates as their fields)."""
    if hasattr(value, "to_json"):  # a pandas frame: its repr is truncated, its JSON is whole
        value = value.to_json(orient="split")
    return hashlib.sha1(json.dumps(value, default=str, sort_keys=True).encode()).hexdigest()


def only_changed(values: Sequence[Any], shown: Sequence[str] | None) -> tuple[list[Any], list[str]]:
    """``values`` with every one the page already shows replaced by ``gr.update()``, and the digests to keep."""
    digests = [digest(v) for v in values]
    old = list(shown or [])
    out = [gr.update() if i < len(old) and old[i] == d else v for i, (v, d) in enumerate(zip(values, digests))]
    return out, digests
