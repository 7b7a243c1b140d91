"""Interface labels in several languages with a visible switch.

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
    """The supported language the browser prefers most (its Accept-Language header), else 'en'."""
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

    def register_headers(self, component: Any, keys: list[str]) -> Any:
        """A Dataframe whose column headers are translated (the keys in column order). The browser takes headers only
        with a value, so a language switch shows the table empty with the new headers until its next refresh."""
        self.entries.append(_Entry(component, list(keys), "headers"))
        return component

    def register_choices(self, component: Any, choices: list[tuple[str, Any]]) -> Any:
        """A Radio/Dropdown whose choice labels are translated: ``[(key, value), ...]``."""
        self.entries.append(_Entry(component, list(choices), "choices"))
        return component

    @property
    def components(self) -> list[Any]:
        """Each registered component once (a component may have several translated properties)."""
        seen: dict[int, Any] = {}
        for e in self.entries:
            seen.setdefault(id(e.component), e.component)
        return list(seen.values())

    def updates(self, lang: str) -> list[Any]:
        """One update per component of :attr:`components`, with every translated property of it."""
        import gradio as gr

        props: dict[int, dict[str, Any]] = {}
        for e in self.entries:
            if e.prop == "choices":
                value: Any = [(t(k, lang), v) for k, v in e.key]
            elif e.prop == "headers":  # the prop for the rows handlers send later, the value for the browser now
                headers = [t(k, lang) for k in e.key]
                props.setdefault(id(e.component), {}).update(
                    headers=headers, value={"headers": headers, "data": [["" for _ in e.key]]})
                continue
            else:
                value = t(e.key, lang)
            props.setdefault(id(e.component), {})[e.prop] = value
        return [gr.update(**props[id(c)]) for c in self.components]
