"""A person switches the studio to another language: on every tab no English word of the interface is left."""

from __future__ import annotations

import re

import pytest

from studio.ui.layout import TABS
from studio.ui.strings import LANGUAGE_NAMES, table
from tests.fixtures.browser_fixtures import click_tab, open_app, wait_field_value
from tests.fixtures.review_fixtures import fill_workspace

pytestmark = pytest.mark.browser

# Names and technical terms that stay as they are in every language.
ALLOWED = {
    "lora", "qlora", "jsonl", "json", "csv", "parquet", "hub", "token", "tokens", "batch", "adapter", "adapters",
    "hugging", "face", "hf", "fine", "tuning", "studio", "chat", "smollm", "gguf", "markdown", "pdf", "docx", "html",
    "epub", "txt", "md", "url", "api", "id", "ids", "utc", "cpu", "gpu", "cuda", "mps", "openai", "ollama", "vllm",
    "space", "spaces", "colab", "google", "drive", "repo", "prompt", "prompts", "checkpoint", "checkpoints", "dataset",
    "datasets", "safetensors", "merged", "rank", "alpha", "dropout", "epoch", "epochs", "step", "steps", "loss", "top",
    "max", "min", "auto", "on", "off", "yaml", "readme", "mb", "gb", "kb", "s", "m", "h", "b", "e", "x", "k", "p",
    "bf", "fp", "int", "bit", "nf", "temperature", "seed", "rouge", "bleu", "bundled", "instruct", "tkinter", "gradio",
    "transformers", "peft", "trl", "pytorch", "torch", "apache", "mit", "cc", "by", "sa", "nc", "gpl", "n", "a", "i",
    "train", "val", "heldout", "kept", "pending", "rejected", "fact", "paraphrase", "short_answer", "near_duplicate",
    "leak", "judge_low", "base", "tuned", "keep", "perplexity", "forgetting", "probe", "sft",
}
# Words of the page's own vocabulary that are not in the table (dropdown values, Gradio's own labels).
EXTRA_ENGLISH = {"all", "any", "none", "page", "rows", "of", "the", "and", "drop", "file", "here", "click", "upload",
                 "loading", "error", "clear", "submit", "search", "previous", "next", "both", "question", "answer"}
# Gradio's own texts (upload areas) follow the browser's language, and Gradio 6.31 has no Italian for them.
GRADIO_OWN = ("Drop File Here", "- or -", "Click to Upload", "Drop CSV or TSV files here to import data into dataframe")
GRADIO_LANGUAGES = {"es", "fr", "de", "pt", "zh", "ja"}
BROWSER_LOCALES = {"zh": "zh-CN"}  # the browser locale whose Gradio texts go with the language
WORD = re.compile(r"[A-Za-z][A-Za-z']+")

COLLECT_JS = """(panel) => {
  const root = document.querySelector(panel);
  if (!root) return '';
  const clone = root.cloneNode(true);
  // the user's own data (table cells, the pairs' text) is not interface text
  clone.querySelectorAll('tbody, [data-testid^="cell-"]').forEach(e => e.remove());
  const values = [...root.querySelectorAll('input[role=listbox], input[type=text]')]
    .filter(i => i.offsetParent !== null && i.closest('.wrap, [data-testid=dropdown]')).map(i => i.value);
  document.body.appendChild(clone);
  clone.style.position = 'absolute';
  const text = clone.innerText;
  clone.remove();
  return text + '\\n' + values.join('\\n');
}"""


def english_words(lang: str) -> set[str]:
    """Words of the English interface that the ``lang`` interface does not use itself."""
    strings = table()

    def words(texts) -> set[str]:
        return {w.lower() for s in texts for w in WORD.findall(re.sub(r"\\{[^}]*\\}", " ", s))}

    return (words(strings["en"].values()) | EXTRA_ENGLISH) - words(strings[lang].values()) - ALLOWED


def open_all_accordions(page) -> None:
    for button in page.locator("button.label-wrap:not(.open)").all():
        if button.is_visible():
            button.click()
    page.wait_for_timeout(300)


@pytest.mark.parametrize("lang", ["it", "es", "zh"])
def test_no_english_left_on_any_tab(live_app, browser, lang, artifacts_dir):
    # a browser in that language (Gradio's own texts, e.g. of the upload area, follow it) on a page that starts in
    # English: the person picks the language in the studio's picker
    context = browser.new_context(locale=BROWSER_LOCALES.get(lang, lang), viewport={"width": 1400, "height": 1000},
                                  extra_http_headers={"Accept-Language": "en"})
    page = context.new_page()
    page.set_default_timeout(30_000)
    ws = live_app.workspace("default")
    if ws.count_pairs() == 0:
        fill_workspace(ws, n_pairs=20)
    open_app(page, live_app.url, tab="review")
    wait_field_value(page, "review-page-info", "20")
    page.get_by_label(LANGUAGE_NAMES[lang]).check()
    page.wait_for_function("(t) => document.querySelector('#tab-upload-button').innerText.includes(t)",
                           arg=table()[lang]["tab.upload"].split(" · ")[-1])
    english = english_words(lang)
    left: dict[str, set[str]] = {}
    for tab in TABS:
        click_tab(page, tab)
        page.wait_for_timeout(500)
        open_all_accordions(page)
        text = page.evaluate(COLLECT_JS, f"#tab-{tab}")
        if tab == TABS[0]:
            text += "\n" + page.evaluate(COLLECT_JS, ".studio-header")
        (artifacts_dir / f"language-{lang}-{tab}.txt").write_text(text)
        for phrase in GRADIO_OWN if lang not in GRADIO_LANGUAGES else ():
            text = text.replace(phrase, "")
        found = {w for w in WORD.findall(text) if w.lower() in english}
        if found:  # a picture of the tab where English was left (the text of every tab is kept above)
            left[tab] = found
            page.screenshot(path=str(artifacts_dir / f"language-{lang}-{tab}.png"), full_page=True)
    assert not left, f"English words on the {lang} page: {left}"
    # the Review table's headers and page line are translated too
    click_tab(page, "review")
    headers = page.locator("#review-table thead").inner_text()
    assert table()[lang]["table.col_question"] in headers, headers
    wait_field_value(page, "review-page-info", table()[lang]["table.page_info"].split(" ")[0])
    context.close()
