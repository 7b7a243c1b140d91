"""A person stages a push (sees the card preview, the staged files, the public-push warning) and chats with both models."""

from __future__ import annotations

import pytest

from tests.fixtures.browser_fixtures import open_app, set_number
from tests.unit.hub_helpers import make_run

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def trained_adapter(live_app, tiny_llama, tmp_path_factory):
    run, _ = make_run(tmp_path_factory.mktemp("export_run"), tiny_llama)
    ws = live_app.workspace("default")
    ws.add_run("train-e2e-1", "train", {"base_model": str(tiny_llama)}, str(run), status="completed")
    return run


def test_stage_a_push_and_see_the_card(live_app, page, trained_adapter, artifacts_dir):
    open_app(page, live_app.url, "export")
    page.locator("#tab-export").get_by_role("button", name="Refresh runs").click()
    page.wait_for_function("() => document.querySelector('#export-adapter input').value.includes('train-e2e-1')")
    page.locator("#export-repo-id textarea, #export-repo-id input").first.fill("alice/manual-lora")
    page.locator("#export-preview").click()
    preview = page.locator("#export-card-preview")
    preview.get_by_text("Evaluation", exact=True).wait_for()
    text = preview.inner_text()
    assert "75.0% [25.0%, 100.0%]" in text and "Limitations" in text and "alice/manual-lora" in text
    assert "manual <b>v2</b>.pdf" in text  # user text shown as text, not HTML
    editor = page.locator("#export-card-edit textarea")
    editor.fill(editor.input_value().replace("## Limitations", "## Limitations\n\nEdited by hand."))
    page.locator("#export-stage").click()
    staged = page.locator("#export-staged")
    staged.get_by_text("adapter_model.safetensors").wait_for()
    assert "PRIVATE" in staged.inner_text()
    folder = live_app.root / "workspaces" / "default" / "exports" / "alice__manual-lora"
    assert "Edited by hand." in (folder / "README.md").read_text()
    page.screenshot(path=str(artifacts_dir / "export-staged.png"), full_page=True)
    # a public push asks first, saying what leaves the machine; cancelling pushes nothing
    page.locator("#export-visibility").get_by_label("Public").check()
    page.locator("#export-token input").fill("hf_browserTestTokenNotReal")
    page.locator("#export-push").click()
    page.locator("#export-confirm").wait_for(state="visible")
    assert "PUBLIC" in page.locator("#export-progress").inner_text()
    page.get_by_role("button", name="Cancel").click()
    page.locator("#export-confirm").wait_for(state="hidden")
    assert "hf_browserTestTokenNotReal" not in page.content().replace(
        page.locator("#export-token input").input_value(), "")
    assert not list((live_app.root / "workspaces" / "default" / "runs").glob("push-*"))


def test_chat_with_base_and_tuned(live_app, page, trained_adapter, tiny_llama, artifacts_dir):
    open_app(page, live_app.url, "chat")
    page.locator("#tab-chat").get_by_role("button", name="Refresh runs").click()
    page.wait_for_function("() => document.querySelector('#chat-adapter input').value.includes('train-e2e-1')")
    page.wait_for_function("(p) => document.querySelector('#chat-base-model input').value === p", arg=str(tiny_llama))
    set_number(page, "chat-temperature", 1)  # the tiny random model is blank when greedy: sample to see text
    set_number(page, "chat-max-tokens", 24)
    page.locator("#chat-message textarea").fill("Who wrote the manual?")
    page.locator("#chat-send").click()
    page.get_by_text("Answered by").wait_for(timeout=120_000)
    base = page.locator("#chat-base .bot").last.inner_text()
    tuned = page.locator("#chat-tuned .bot").last.inner_text()
    assert base.strip() and tuned.strip() and base != tuned
    assert page.locator("#chat-base .user").last.inner_text().strip() == "Who wrote the manual?"
    page.screenshot(path=str(artifacts_dir / "chat-side-by-side.png"), full_page=True)


def test_push_from_the_page_with_a_fake_hub(live_app, page, trained_adapter, monkeypatch):
    """The page pushes through the job runner (HfApi faked in this process) and shows the link; no token is written."""
    import studio.hub.push as push_mod
    from tests.unit.test_hub_push import _api

    token = "hf_browserPushTokenNeverWritten42"
    api = _api(private_now=True)
    monkeypatch.setattr(push_mod, "_make_api", lambda api_=None: api)
    open_app(page, live_app.url, "export")
    page.locator("#tab-export").get_by_role("button", name="Refresh runs").click()
    page.wait_for_function("() => document.querySelector('#export-adapter input').value.includes('train-e2e-1')")
    page.locator("#export-repo-id textarea, #export-repo-id input").first.fill("alice/pushed-from-page")
    page.locator("#export-token input").fill(token)
    page.locator("#export-push").click()
    link = page.locator("#export-progress a")
    link.wait_for(timeout=60_000)
    assert link.get_attribute("href") == "https://huggingface.co/alice/pushed-from-page"
    kwargs = api.upload_folder.call_args.kwargs
    assert kwargs["token"] == token and kwargs["repo_id"] == "alice/pushed-from-page"
    api.create_repo.assert_called_once()
    for path in live_app.root.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path
