"""The table of interface strings: every language has every key, filled, with the same placeholders and Markdown."""

from __future__ import annotations

import re
import string

import pytest

from studio.ui.i18n import Translator, browser_language, t
from studio.ui.strings import LANGUAGE_NAMES, LANGUAGES, table

OTHERS = [lang for lang in LANGUAGES if lang != "en"]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def markdown_marks(text: str) -> tuple:
    """What a translation must keep of the Markdown: bold marks, code spans, heading levels, list items, line breaks."""
    lines = text.splitlines()
    return (text.count("**"), text.count("`"), [len(m.group(0)) for l in lines if (m := re.match(r"#+ ", l))],
            sum(1 for l in lines if re.match(r"\s*([-*•]|\d+\.) ", l)), text.count("\n"))


@pytest.mark.parametrize("lang", OTHERS)
def test_every_key_in_every_language_filled(lang):
    tab = table()
    missing = sorted(set(tab["en"]) - set(tab[lang]))
    assert not missing, f"keys without {lang}: {missing}"
    extra = sorted(set(tab[lang]) - set(tab["en"]))
    assert not extra, f"{lang} keys without English: {extra}"
    empty = sorted(k for k, v in tab[lang].items() if not v.strip())
    assert not empty, f"empty {lang} strings: {empty}"


@pytest.mark.parametrize("lang", OTHERS)
def test_placeholders_and_markdown_match_english(lang):
    tab = table()
    wrong = sorted(k for k, v in tab["en"].items() if placeholders(v) != placeholders(tab[lang].get(k, v)))
    assert not wrong, f"{lang} strings whose {{placeholders}} differ from English: {wrong}"
    marks = sorted(k for k, v in tab["en"].items() if markdown_marks(v) != markdown_marks(tab[lang].get(k, v)))
    assert not marks, f"{lang} strings whose Markdown differs from English: {marks}"
    for key, text in tab[lang].items():  # every translation formats with the English placeholders
        text.format(**{name: 1 for name in placeholders(tab["en"][key])})


def test_picker_names_every_language_and_browser_preference():
    assert list(LANGUAGE_NAMES) == list(LANGUAGES) and len(set(LANGUAGE_NAMES.values())) == len(LANGUAGES)
    assert browser_language("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert browser_language("pt-BR,pt;q=0.9") == "pt"
    assert browser_language("ja") == "ja" and browser_language("fr-CH, de;q=0.9") == "fr"
    assert browser_language("ko-KR") == "en" and browser_language("") == "en"
    assert t("tab.upload", "es") != t("tab.upload", "en") and t("no.such.key", "de") == "no.such.key"
    assert t("table.page_info", "de", page=1, pages=2, first=1, last=20, total=30).count("20") == 1


def test_one_update_per_component_with_every_translated_property():
    tr = Translator()
    frame, button = object(), object()
    tr.register(frame, "review.table")
    tr.register_headers(frame, ["table.col_question", "table.col_answer"])
    tr.register(button, "review.refresh", prop="value")
    assert tr.components == [frame, button]
    first, second = tr.updates("it")
    assert first["label"] == t("review.table", "it")
    assert first["headers"] == ["domanda", "risposta"] and first["value"]["headers"] == ["domanda", "risposta"]
    assert second["value"] == t("review.refresh", "it")


def test_page_session_language_is_remembered(tmp_path):
    from studio.ui.context import AppContext

    app = AppContext(root=tmp_path, on_space=False)
    req = type("R", (), {"session_hash": "abc"})()
    assert app.lang_of(req) == "en"
    app.remember_language(req, "ja")
    assert app.lang_of(req) == "ja" and app.lang_of(None) == "en"
