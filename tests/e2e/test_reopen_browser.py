"""A person comes back: the page reopens their workspace, and a run started in another page shows on every page.

Creates a workspace (the message shows beside the picker), reloads (the same workspace is picked), opens the Train
tab, then starts a short run from a second page: the first, older page follows that run, the second one shows it on
load, and the Export tab of the older page lists the finished adapter without "Refresh runs".
"""

from __future__ import annotations

import pytest

from tests.fixtures.browser_fixtures import click_tab, field_value, open_app, plan_short_training
from tests.fixtures.train_data import make_facts_workspace

pytestmark = pytest.mark.browser


def _picked(page) -> str:
    return field_value(page, "studio-workspace")


def test_reload_keeps_workspace_and_pages_follow_a_new_run(live_app, browser, tiny_llama, monkeypatch,
                                                           artifacts_dir):
    context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    first = context.new_page()
    open_app(first, live_app.url)
    assert _picked(first) == "default"
    box = first.locator("#studio-new-workspace textarea, #studio-new-workspace input").first
    box.fill("thesis")
    box.press("Enter")
    first.wait_for_function("() => document.querySelector('#studio-workspace-message').innerText.includes('created')")
    top = first.locator("#studio-workspace-message").bounding_box()
    assert top and top["y"] < 400  # beside the picker, in view, not below the tabs
    first.wait_for_function("() => document.querySelector('#studio-workspace input').value === 'thesis'")
    # picking another workspace clears "Workspace created." (it named the new one, not the one shown now)
    first.locator("#studio-workspace input").click()
    first.get_by_role("option", name="default").click()
    first.wait_for_function("() => document.querySelector('#studio-workspace-message').innerText.trim() === ''")
    first.locator("#studio-workspace input").click()
    first.get_by_role("option", name="thesis").click()
    first.wait_for_function("() => document.querySelector('#studio-workspace input').value === 'thesis'")
    first.wait_for_timeout(1000)  # the browser stores the pick

    first.reload()
    open_app(first, live_app.url)
    first.wait_for_function("() => document.querySelector('#studio-workspace input').value === 'thesis'",
                            timeout=30_000)

    make_facts_workspace(live_app.root / "workspaces" / "thesis", n_facts=3)
    monkeypatch.setenv("STUDIO_TRAIN_STEP_DELAY", "0.7")
    click_tab(first, "train")
    first.wait_for_timeout(1000)
    assert "Training" not in field_value(first, "train-status")

    second = context.new_page()
    open_app(second, live_app.url, "train")
    assert _picked(second) == "thesis"
    plan_short_training(second, str(tiny_llama), steps=8, batch=4)
    second.wait_for_function("() => document.querySelector('#train-plan textarea').value.includes('steps')",
                             timeout=120_000)
    second.locator("#train-start").click()
    second.wait_for_function("() => document.querySelector('#train-message').innerText.includes('Training started')")

    # the older page never pressed Start: it finds the run itself, with its recipe
    first.wait_for_function("() => document.querySelector('#train-latest textarea').value.includes('train loss')",
                            timeout=180_000)
    first.wait_for_function("() => document.querySelector('#train-plan textarea').value.includes('8 steps')",
                            timeout=30_000)
    # a third page opened mid-run shows the run and its recipe on load
    third = context.new_page()
    open_app(third, live_app.url, "train")
    assert _picked(third) == "thesis"
    third.wait_for_function("() => document.querySelector('#train-plan textarea').value.includes('8 steps')",
                            timeout=30_000)
    third.wait_for_function("() => document.querySelector('#train-status textarea').value.length > 0",
                            timeout=60_000)
    first.wait_for_function("() => document.querySelector('#train-status textarea').value.includes('Finished')",
                            timeout=240_000)
    first.screenshot(path=str(artifacts_dir / "reopen-older-page-follows-run.png"), full_page=True)

    # the older page's Export tab lists the new adapter without "Refresh runs"
    click_tab(first, "export")
    first.wait_for_function("() => !!document.querySelector('#export-adapter input').value", timeout=30_000)
    context.close()
