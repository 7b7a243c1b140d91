"""What a page restores and says: the remembered workspace, the recipe of a reattached run, messages near their
controls, no server paths on a Space, no Gradio progress on load (its untranslated "common.complete" flashes)."""

from __future__ import annotations

import pytest


class Req:
    def __init__(self, user=None):
        self.username = user
        self.session_hash = "s1"
        self.request = type("R", (), {"cookies": {}})()


def test_remembered_workspace_per_browser_and_per_space_visitor(tmp_path):
    from studio.ui.context import AppContext

    app = AppContext(root=tmp_path, on_space=False)
    names = ["default", "law", "zoo"]
    assert app.remembered_workspace(names, "law") == "law"
    assert app.remembered_workspace(names, "gone") == "default"  # deleted since: fall back
    assert app.remembered_workspace(["law", "zoo"], None) == "law"
    space = AppContext(root=tmp_path, on_space=True)
    alice, bob = Req(user="alice"), Req(user="bob")
    for who, ws in ((alice, "law"), (bob, "zoo")):
        space.open_workspace(ws, who, create=True)
        space.open_workspace("default", who, create=True)
    space.remember_workspace("law", alice)
    # a new browser of alice (nothing in its storage) finds her last workspace; bob keeps his own
    assert space.remembered_workspace(space.list_workspaces(alice), None, alice) == "law"
    assert space.remembered_workspace(space.list_workspaces(bob), None, bob) == "default"
    assert space.remembered_workspace(space.list_workspaces(bob), "zoo", bob) == "zoo"
    assert ".last_workspace" not in space.list_workspaces(alice)
    assert space.browser_secret() == AppContext(root=tmp_path, on_space=True).browser_secret()  # survives a restart


def test_plan_text_of_a_run_for_reattach(tmp_path):
    from studio.train.plan import Plan
    from studio.train.view import run_view

    assert run_view(tmp_path)["plan_text"] == ""
    Plan(method="lora", preset="cpu", device="cpu", dtype="float32", lr=2e-4, epochs=3, batch_size=2, grad_accum=4,
         max_length=512, packing=False, max_steps=30, save_steps=10, eval_steps=10, n_train=20, n_val=4, params=0.5,
         exposures={"min": 3, "median": 3}, memory={"total_gb": 1.2}, time_s=90).save(tmp_path)
    text = run_view(tmp_path)["plan_text"]
    assert "method: lora on cpu" in text and "30 steps" in text


def test_repeated_edit_is_not_reported_as_no_change(review_ws):
    from studio.dataset.view import HEADERS, ViewState, edit_cell, load_page

    _, st = load_page(review_ws, ViewState(page_size=10))
    first = edit_cell(review_ws, st, 0, HEADERS.index("answer"), "A fresh answer.")
    again = edit_cell(review_ws, st, 0, HEADERS.index("answer"), "A fresh answer.")  # Gradio repeats the edit
    assert first.ok and again.ok and not again.changed
    assert "no change" not in again.message and "saved" in again.message


def test_adapter_label_hides_server_paths_on_a_space():
    from studio.ui.train import adapter_label

    assert adapter_label("/data/users/x/runs/r1/adapter", "r1", "en", on_space=False) == "/data/users/x/runs/r1/adapter"
    shown = adapter_label("/data/users/x/runs/r1/adapter", "r1", "en", on_space=True)
    assert "/" not in shown and "r1" in shown
    assert "r1" in adapter_label("/data/x/adapter", "r1", "it", on_space=True)


@pytest.fixture(scope="module")
def demo_config(tmp_path_factory):
    from studio.config import AppConfig
    from studio.ui.context import AppContext
    from studio.ui.layout import build_app

    root = tmp_path_factory.mktemp("home")
    demo = build_app(AppContext(config=AppConfig(data_dir=str(root)), root=root, on_space=False))
    return demo, demo.get_config_file()


def _by_elem(config, elem_id):
    return next(c for c in config["components"] if c.get("props", {}).get("elem_id") == elem_id)


def test_page_config_sizes_formats_and_quiet_load(demo_config):
    demo, config = demo_config
    assert _by_elem(config, "review-page-size")["props"]["choices"][0][1] == 20
    assert _by_elem(config, "train-lr-plot")["props"]["y_axis_format"] == "~f"  # values in units of 1e-4: "10", not "1e+1"
    created = _by_elem(config, "studio-workspace-message")["id"]
    create_deps = [d for d in config["dependencies"] if created in d["outputs"]]
    assert create_deps  # "Workspace created." lands beside the picker
    picker = _by_elem(config, "studio-workspace")["id"]
    loud = [d for d in config["dependencies"]
            if any(tr[1] == "load" or (tr[0] == picker and tr[1] == "change") for tr in d["targets"])
            and d.get("show_progress") != "hidden" and d.get("backend_fn")]
    assert not loud, [d["id"] for d in loud]
    assert any(c.get("type") == "browserstate" and c["props"].get("storage_key") == "studio_workspace"
               for c in config["components"])


def test_review_tool_messages_follow_the_page_language(tmp_path):
    """Adding a pair by hand and asking for a missing row answer in the page's language, not in English."""
    from studio.config import AppConfig
    from studio.ui.context import AppContext
    from studio.ui.layout import build_app
    from studio.ui.review import ViewState

    app = AppContext(config=AppConfig(data_dir=str(tmp_path)), root=tmp_path, on_space=False)
    demo = build_app(app)
    app.open_workspace("default", None, create=True)
    fns = {f.name: f.fn for f in demo.fns.values()}
    req = Req()
    app.remember_language(req, "it")
    out = fns["on_add"]("default", "Chi accende il faro?", "Ada, alle diciotto.", "train", False, None,
                        ViewState(page_size=20).to_dict(), req)
    assert any(isinstance(v, str) and "coppia" in v and "aggiunta" in v for v in out), out
    err = fns["on_regenerate"]("default", None, ViewState(page_size=20).to_dict(), req)
    assert any(isinstance(v, str) and "seleziona prima una riga" in v for v in err), err


def test_generation_poll_sends_the_tables_only_when_they_change(tmp_path):
    """The Generate tab polls every second while a job runs: a tick whose tables are what the page shows sends none
    of them (four tables re-sent each second kept the browser's renderer busy for the whole run)."""
    from studio.config import AppConfig
    from studio.ui.context import AppContext
    from studio.ui.layout import build_app

    app = AppContext(config=AppConfig(data_dir=str(tmp_path)), root=tmp_path, on_space=False)
    demo = build_app(app)
    app.open_workspace("default", None, create=True)
    fns = {f.name: f.fn for f in demo.fns.values()}
    fns["poll"] = next(f.fn for f in demo.fns.values() if f.name == "poll" and f.fn.__module__ == "studio.ui.generate")
    running = {"state": "running", "progress": {"fraction": 0.5, "done": 1, "total": 2, "message": "chunk 2"}}
    app.runner = lambda ws: type("Runner", (), {"status": lambda self, rid: running})()
    req = Req()

    def tick(shown):
        out = fns["poll"]("generate-1", "default", "en", shown, req)
        return out[3], [v for v in out[4:]]

    first, tables = tick("")
    assert first and all(not (isinstance(v, dict) and v.get("__type__") == "update") for v in tables)
    again, same = tick(first)
    assert again == first and all(isinstance(v, dict) and v.get("__type__") == "update" for v in same), same
    app.open_workspace("default", req).add_pairs([{"question": "Who lights the lighthouse?", "answer": "Ada, at six.",
                                                   "kind": "fact", "split": "train", "generator": "replay"}])
    changed, fresh = tick(first)
    assert changed != first and fresh[0] != same[0] and "headers" in fresh[2]  # counters and the sample, sent again
    running["state"] = "completed"
    out = fns["poll"]("generate-1", "default", "en", changed, req)
    assert out[0].active is False and out[1] == 100 and out[3] == changed


def test_training_poll_sends_only_the_outputs_that_changed(tmp_path):
    """The Train tab polls every 2 s: plots, log and checkpoints the page already shows are not sent again; a new
    logged step sends the plots and numbers; opening the tab (shown forgotten) sends everything."""
    import json

    import gradio as gr

    from studio.config import AppConfig
    from studio.ui.context import AppContext
    from studio.ui.layout import build_app

    app = AppContext(config=AppConfig(data_dir=str(tmp_path)), root=tmp_path, on_space=False)
    demo = build_app(app)
    app.open_workspace("default", None, create=True)
    poll = next(f.fn for f in demo.fns.values() if f.name == "poll" and f.fn.__module__ == "studio.ui.train")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    status = {"state": "running", "progress": {"fraction": 0.1, "message": "step 1"}}
    app.runner = lambda ws: type("Runner", (), {"status": lambda self, rid: status, "run_dir": lambda self, rid: run_dir})()
    events = run_dir / "events.jsonl"

    def log(step, loss):
        with events.open("a") as fh:
            fh.write(json.dumps({"type": "train", "step": step, "loss": loss, "learning_rate": 1e-3}) + "\n")

    def is_update(v):
        return isinstance(v, dict) and v.get("__type__") == "update"

    log(1, 2.5)
    first = poll("train-1", "default", "en", [], Req())
    shown = first[-1]
    assert isinstance(first[0], gr.Timer) and not any(is_update(v) for v in first[1:6])
    again = poll("train-1", "default", "en", shown, Req())
    assert [is_update(v) for v in again[3:8]] == [True] * 5  # plots, log and checkpoints: unchanged, not sent
    assert again[-1] == shown
    log(2, 2.1)
    moved = poll("train-1", "default", "en", shown, Req())
    assert not is_update(moved[2]) and not is_update(moved[3]) and not is_update(moved[4])  # numbers, loss, LR
    assert list(moved[3]["value"].dropna()) == [2.5, 2.1] and moved[-1] != shown
    redraw = poll("train-1", "default", "en", [], Req())  # the tab was opened: its plots were cleared
    assert not any(is_update(v) for v in redraw[1:8])
