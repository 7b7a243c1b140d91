"""The whole flow as a new user meets it, in a real browser: upload an Italian and an English document, generate
pairs (replay backend: recorded/synthesised generator outputs), edit a cell and keep the pairs, train a few CPU
steps on the tiny model watching the plot, reload the page mid-training and find the run again, evaluate, chat,
stage a push (no network: staging only), and switch the page to Italian. Each step checks what the page shows,
no dialog ever fires, and no traceback reaches the page. A screenshot of every tab goes to the test artefacts."""

from __future__ import annotations

import time

import pytest

from tests.fixtures.browser_fixtures import (click_tab, edit_cell, field_value, open_app, plan_short_training,
                                            set_number, wait_field_value)

pytestmark = pytest.mark.browser

ITALIAN = """# Il faro di Varnholm

Il faro di Varnholm fu acceso per la prima volta nel 1887 sulla scogliera settentrionale dell'isola.
La sua lanterna è alimentata da un motore a vapore costruito dalla ditta Quellstone di Genova.

## Il guardiano

Il guardiano del faro si chiama Ada Quellstone e vive nella torre con un gatto di nome Brina.
Ogni sera Ada accende la lanterna alle diciotto in punto e annota il vento nel registro di bordo.

## Le visite

Il faro è aperto ai visitatori la prima domenica di ogni mese, da aprile a ottobre.
Il biglietto costa quattro euro e comprende la salita ai centoventi gradini della torre.
"""

ENGLISH = """The Orchard of Lindqvist

The Lindqvist orchard was planted in 1921 on the southern slope above the river Maren.
It grows forty-two varieties of apple, the oldest of which is the Silver Reinette.

The orchard is run by a cooperative of eleven families, who press the apples into cider every October.
The cider festival takes place on the third Saturday of October and lasts two days.

Visitors may pick their own apples on weekends in September for two euros per basket.
"""


_T0 = [0.0]




def _wait_text(page, elem_id: str, needle: str, timeout: int = 60_000) -> None:
    page.wait_for_function("([id, t]) => { const e = document.querySelector('#' + id); return e && e.innerText.includes(t); }",
                           arg=[elem_id, needle], timeout=timeout)


def _no_traceback(page, live_app) -> None:
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and 'File "' not in body and "site-packages" not in body


def _plot_has_line(page, elem_id: str) -> bool:
    """True when the plot shows a drawn line: coloured pixels, not only the grey axes and grid."""
    from io import BytesIO

    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(BytesIO(page.locator(f"#{elem_id}").screenshot())).convert("RGB")).astype(int)
    return int(((pixels.max(axis=2) - pixels.min(axis=2)) > 60).sum()) > 40


def _wait_plot_line(page, elem_id: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not _plot_has_line(page, elem_id):
        assert time.monotonic() < deadline, f"#{elem_id} shows axes but no line"
        page.wait_for_timeout(1000)


def _shot(page, artifacts_dir, name: str, anchor: str | None = None) -> None:
    """A viewport-sized screenshot (1400x1000), scrolled so ``anchor`` is near the top (README-sized)."""
    if anchor:
        page.evaluate("(s) => { const e = document.querySelector(s); if (e) { e.scrollIntoView({block: 'start'});"
                      " window.scrollBy(0, -140); } }", anchor)
    page.wait_for_timeout(400)  # let the last update paint
    page.screenshot(path=str(artifacts_dir / f"flow-{name}.png"), full_page=False)
    print(f"[flow] {name}: {time.monotonic() - _T0[0]:.0f}s")


def test_the_whole_flow_as_a_new_user(live_app, page, tiny_llama, monkeypatch, tmp_path, artifacts_dir):
    monkeypatch.setenv("STUDIO_TRAIN_STEP_DELAY", "0.4")  # slow enough to watch the plot grow and reload mid-run
    _T0[0] = time.monotonic()
    ws = live_app.workspace("default")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    it_doc, en_doc = tmp_path / "faro_varnholm.md", tmp_path / "lindqvist_orchard.txt"
    it_doc.write_text(ITALIAN, encoding="utf-8")
    en_doc.write_text(ENGLISH, encoding="utf-8")

    # 1. Upload: both documents, each with its language and chunks
    open_app(page, live_app.url, "upload")
    page.locator("#upload-files input[type=file]").set_input_files([str(it_doc), str(en_doc)])
    wait_field_value(page, "upload-message", "2 of 2")
    _wait_text(page, "upload-documents", "lindqvist_orchard.txt")
    docs = page.locator("#upload-documents").inner_text()
    assert "faro_varnholm.md" in docs
    langs = {d["name"]: d["lang"] for d in ws.list_documents()}
    assert langs == {"faro_varnholm.md": "it", "lindqvist_orchard.txt": "en"}
    wait_field_value(page, "upload-chunk-text", "Lindqvist")
    _shot(page, artifacts_dir, "upload")

    # 2. Generate through the replay backend: progress, then pairs for both documents
    click_tab(page, "generate")
    page.locator("#generate-backend").get_by_text("Replay").click()
    page.locator("#generate-start").click()
    _wait_text(page, "generate-status", "Done:", timeout=180_000)
    coverage = page.locator("#generate-coverage").inner_text()
    assert "faro_varnholm.md" in coverage and "lindqvist_orchard.txt" in coverage
    total = ws.count_pairs()
    assert total >= 10
    _shot(page, artifacts_dir, "generate", "#generate-status")

    # 3. Review: edit an answer in place, then keep every pair
    click_tab(page, "review")
    page.locator("#review-refresh").click()
    wait_field_value(page, "review-page-info", f"of {total}")
    edit_cell(page, 0, 3, "Edited by a person in the review table.")
    wait_field_value(page, "review-message", "saved pair")
    first = min(p["id"] for p in ws.iter_pairs())
    assert ws.get_pair(first)["answer"] == "Edited by a person in the review table."
    page.locator("#review-bulk-apply").click()
    wait_field_value(page, "review-message", "status -> kept for")
    from studio.workspace import PairFilter

    assert ws.count_pairs(PairFilter(status="kept")) == total
    _no_traceback(page, live_app)
    _shot(page, artifacts_dir, "review", "#review-page-info")

    # 4. Train a few CPU steps on the tiny model: plan, start, live numbers and plot
    click_tab(page, "train")
    plan_short_training(page, str(tiny_llama), steps=8, batch=4)
    wait_field_value(page, "train-plan", "8 steps", timeout=120_000)
    page.locator("#train-start").click()
    _wait_text(page, "train-message", "started")
    wait_field_value(page, "train-latest", "train loss", timeout=180_000)
    page.wait_for_function("() => /step [2-8]\\b/.test(document.querySelector('#train-latest textarea').value)",
                           timeout=120_000)
    page.wait_for_function("() => !!document.querySelector('#train-loss-plot canvas, #train-loss-plot svg.marks')",
                           timeout=60_000)

    # 5. Reload mid-training: the page finds the run again and follows it to the end
    page.reload()
    open_app(page, live_app.url, "train")
    wait_field_value(page, "train-status", "Finished", timeout=240_000)
    assert "step 8" in field_value(page, "train-latest")
    page.locator("#train-loss-plot").scroll_into_view_if_needed()
    _wait_plot_line(page, "train-loss-plot")  # the loss curve of the whole run is drawn again after the reload
    runs = ws.list_runs("train")
    assert len(runs) == 1 and runs[0]["status"] == "completed"
    _no_traceback(page, live_app)
    _shot(page, artifacts_dir, "train", "#train-status")

    # 6. Evaluate the run on its frozen held-out questions
    click_tab(page, "evaluate")
    page.locator("#evaluate-refresh").click()
    wait_field_value(page, "evaluate-adapter", "train-")
    page.locator("#tab-evaluate").get_by_text("Advanced").click()
    page.locator("#evaluate-forgetting input[type=checkbox]").uncheck()
    page.locator("#evaluate-max-new input").fill("4")
    page.locator("#evaluate-max-facts input").fill("4")
    page.locator("#evaluate-start").click()
    page.wait_for_function("() => document.querySelector('#evaluate-verdict textarea').value.length > 10",
                           timeout=240_000)
    cards = page.locator("#evaluate-cards").inner_text()
    assert "tuned" in cards and "base" in cards
    page.locator("#evaluate-plot-acc img").wait_for()
    _shot(page, artifacts_dir, "evaluate", "#evaluate-cards")

    # 7. Chat with the base and the tuned model side by side
    click_tab(page, "chat")
    page.locator("#tab-chat").get_by_role("button", name="Refresh runs").click()
    wait_field_value(page, "chat-adapter", "train-")
    set_number(page, "chat-temperature", 1)
    page.locator("#chat-message textarea").fill("Chi è il guardiano del faro di Varnholm?")
    page.locator("#chat-send").click()
    page.get_by_text("Answered by").wait_for(timeout=120_000)
    assert page.locator("#chat-base .user").last.inner_text().strip() == "Chi è il guardiano del faro di Varnholm?"
    assert page.locator("#chat-tuned .bot").last.inner_text().strip()
    _shot(page, artifacts_dir, "chat", "#chat-base")

    # 8. Export: preview the model card and stage the push (no token, no network)
    click_tab(page, "export")
    page.locator("#tab-export").get_by_role("button", name="Refresh runs").click()
    wait_field_value(page, "export-adapter", "train-")
    page.locator("#export-repo-id textarea, #export-repo-id input").first.fill("new-user/varnholm-lora")
    page.locator("#export-preview").click()
    preview = page.locator("#export-card-preview")
    preview.get_by_text("Limitations").first.wait_for(timeout=60_000)
    assert "new-user/varnholm-lora" in preview.inner_text()
    page.locator("#export-stage").click()
    page.locator("#export-staged").get_by_text("adapter_model.safetensors").wait_for(timeout=60_000)
    staged = ws.path / "exports" / "new-user__varnholm-lora"
    assert (staged / "adapter_model.safetensors").is_file() and (staged / "README.md").is_file()
    assert not list(ws.runs_dir.glob("push-*"))  # staged only: nothing pushed
    _shot(page, artifacts_dir, "export", "#export-card-preview")

    # 9. The language switch: the whole page re-labels in Italian
    page.locator("#studio-language").get_by_text("Italiano").click()
    page.get_by_role("tab", name="1 · Carica").wait_for()
    assert page.get_by_role("tab", name="4 · Addestra").count() == 1
    click_tab(page, "upload")
    _shot(page, artifacts_dir, "upload-it")

    assert dialogs == []
    _no_traceback(page, live_app)
