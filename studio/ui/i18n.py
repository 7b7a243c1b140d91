"""English and Italian labels with a visible switch.

Gradio 6.31's ``gr.I18n`` ignores an Italian browser, so the studio keeps its own table
(:mod:`studio.ui.strings`) and a registry of labelled components: switching language returns one
update per registered component. The starting language follows the browser's Accept-Language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .strings import LANGUAGES, table


def t(key: str, lang: str = "en", **fmt: Any) -> str:
    strings = table()
    text = strings.get(lang, {}).get(key) or strings["en"].get(key) or key
    if fmt:
        try:
            return text.format(**fmt)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def browser_language(accept_language: str | None) -> str:
    """'it' when the browser prefers Italian over English, else 'en'."""
    best, best_q = "en", -1.0
    for part in (accept_language or "").split(","):
        lang, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        code = lang.strip().lower()[:2]
        if code in LANGUAGES and q > best_q:
            best, best_q = code, q
    return best


@dataclass
class _Entry:
    component: Any
    key: str | list[tuple[str, Any]]
    prop: str


@dataclass
class Translator:
    """Registry of components whose text follows the language switch."""

    entries: list[_Entry] = field(default_factory=list)

    def register(self, component: Any, key: str, prop: str = "label") -> Any:
        self.entries.append(_Entry(component, key, prop))
        return component

    def register_choices(self, component: Any, choices: list[tuple[str, Any]]) -> Any:
        """A Radio/Dropdown whose choice labels are translated: ``[(key, value), ...]``."""
        self.entries.append(_Entry(component, list(choices), "choices"))
        return component

    @property
    def components(self) -> list[Any]:
        return [e.component for e in self.entries]

    def updates(self, lang: str) -> list[Any]:
        import gradio as gr

        out = []
        for e in self.entries:
            if e.prop == "choices":
                out.append(gr.update(choices=[(t(k, lang), v) for k, v in e.key]))
            else:
                out.append(gr.update(**{e.prop: t(e.key, lang)}))
        return out
