"""A person trains in the Train tab: picks a model, sets a short run, checks the plan, starts, watches the loss
plot and the numbers update, reloads the page mid-run (the run is found again and its plot redrawn), sees it finish."""

from __future__ import annotations

import pytest

from tests.fixtures.browser_fixtures import field_value, open_app, plan_short_training
from tests.fixtures.train_data import make_facts_workspace

pytestmark = pytest.mark.browser


def _line_pixels(page, elem_id: str, save=None) -> int:
    """Coloured pixels (the plotted lines), not the grey grid, axes and text: an axes-only plot has none."""
    import io

    from PIL import Image

    png = page.locator(f"#{elem_id}").screenshot()
    if save:
        save.write_bytes(png)
    img = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(1 for r, g, b in img.getdata() if max(r, g, b) - min(r, g, b) > 40)


def test_train_a_short_run_in_the_browser(live_app, page, tiny_llama, monkeypatch, artifacts_dir):
    ws = live_app.workspace("default")
    make_facts_workspace(ws.path, n_facts=3)
    monkeypatch.setenv("STUDIO_TRAIN_STEP_DELAY", "0.7")  # slow enough to watch the plot grow
    open_app(page, live_app.url, "train")
    plan_short_training(page, str(tiny_llama), steps=8, batch=4)
    page.wait_for_function("() => document.querySelector('#train-plan textarea').value.includes('steps')",
                           timeout=120_000)
    plan = field_value(page, "train-plan")
    assert "8 steps" in plan and "exposures per fact" in plan and "CPU test mode" in plan
    assert "accelerate launch" in field_value(page, "train-command")
    page.locator("#train-start").click()
    page.wait_for_function("() => document.querySelector('#train-message').innerText.includes('Training started')")
    # a second start click while it runs: refused with the run's id, no second run
    page.locator("#train-start").click()
    page.wait_for_function("() => document.querySelector('#train-message').innerText.includes('already active')")
    assert len(ws.list_runs("train")) == 1
    page.wait_for_function("() => document.querySelector('#train-latest textarea').value.includes('train loss')",
                           timeout=180_000)
    page.wait_for_function("() => /step [3-8]\\b/.test(document.querySelector('#train-latest textarea').value)",
                           timeout=120_000)
    page.wait_for_function("() => !!document.querySelector('#train-loss-plot canvas, #train-loss-plot svg.marks')",
                           timeout=60_000)
    page.wait_for_timeout(1500)
    assert _line_pixels(page, "train-loss-plot", artifacts_dir / "train-loss-plot-running.png") > 50
    page.screenshot(path=str(artifacts_dir / "train-running.png"), full_page=True)
    # reload mid-run: the page finds the run again and keeps following it to the end
    page.reload()
    open_app(page, live_app.url, "train")
    page.wait_for_function("() => document.querySelector('#train-status textarea').value.includes('Finished')",
                           timeout=240_000)
    page.wait_for_timeout(1500)
    assert _line_pixels(page, "train-loss-plot", artifacts_dir / "train-loss-plot-finished.png") > 50  # redrawn
    assert _line_pixels(page, "train-lr-plot") > 50
    assert "step 8" in field_value(page, "train-latest")
    assert "checkpoint" in field_value(page, "train-log")
    page.screenshot(path=str(artifacts_dir / "train-finished.png"), full_page=True)
