"""Every API endpoint that takes a path (an adapter, a report, a model or tokenizer folder) accepts only a run or a
file of the caller's own workspace, on a public Space, called straight through the API.

The endpoints are found by reading the app's API (``view_api``): a parameter whose label names a path, folder,
adapter, report, model, tokenizer or earlier evaluation makes its endpoint path-taking, and each such endpoint must
have a case below, so a new one without a case fails the first test. Each path parameter is then given, in turn,
``/dev/zero``, ``/etc/passwd``, a file in another visitor's folder, a ``..`` escape and a symlink out of the
caller's workspace: every answer is a refusal, reveals nothing (no file content, no "not found"), reads the same
for an existing and a missing target, and the server does not grow by reading ``/dev/zero``.
"""

from __future__ import annotations

import json
import os
import re

import pytest

from tests.api.test_space_api import FAKE_OAUTH, space_app  # noqa: F401 - the Space-mode app fixture

REFUSAL = "that path is not a file or run of this workspace"
NOT_A_CHOICE = "is not in the list of choices"  # a dropdown answers only with the caller's own choices
PATH_LABEL = re.compile(r"path|folder|adapter|report|model|tokeni[sz]er|earlier evaluation", re.I)
PATH_COMPONENTS = {"Textbox", "Dropdown"}
BUNDLED = "bundled:smollm2-135m-instruct"
REFUSE, CHOICES, QUIET = "refuse", "choices", "quiet"
GEN = ({"param_4": "transformers"}, {"param_5": REFUSE})  # generator: the local backend, its model
TRAIN = ({}, {"param_2": REFUSE})  # the base model

# endpoint -> (values for its other parameters, {path parameter: what it answers to a path outside}):
# REFUSE: the refusal line; CHOICES: a dropdown limited to the caller's own runs rejects it (Gradio's check);
# QUIET: the handler never opens it, or gives advice only, and must stay silent. Every path parameter of every
# path-taking endpoint must be listed. Parameters not named keep their defaults; "Workspace" is "default".
CASES: dict[str, tuple[dict, dict]] = {
    "/upload_ingest": ({"paths": "UPLOAD"}, {"tok": REFUSE}),
    "/preview": ({"doc_id": "DOC"}, {"tok": REFUSE}),
    "/preview_1": ({"doc_id": "DOC"}, {"tok": REFUSE}),
    "/upload_apply_settings": ({}, {"tok": REFUSE}),
    "/on_estimate": GEN, "/on_start": GEN, "/on_start_1": GEN, "/on_retry": GEN,
    "/on_preview": TRAIN, "/on_calibrate": TRAIN, "/on_start_2": TRAIN,
    "/on_adapter": ({}, {"choice": CHOICES}),
    "/on_start_3": ({}, {"base": REFUSE, "choice": CHOICES, "path": REFUSE}),
    "/on_compare": ({}, {"earlier_v": CHOICES}),
    "/compare_runs": ({}, {"chosen": CHOICES}),
    "/arena_start": ({"pairing_v": "run"}, {"report_v": CHOICES, "other_v": CHOICES}),
    "/voice_results": ({}, {"p": REFUSE}),
    "/on_weights": ({"value": "merged"}, {"choice": CHOICES, "path": QUIET}),
    "/export_preview": ({}, {"choice": CHOICES, "path": REFUSE}),
    "/export_stage": ({"repo": "alice/x"}, {"choice": CHOICES, "path": REFUSE}),
    "/share_space_stage": ({"space": "alice/x"}, {"choice": CHOICES, "path": REFUSE}),
    "/share_gguf": ({}, {"choice": CHOICES, "path": REFUSE}),
    "/on_adapter_1": ({}, {"path": CHOICES, "current": QUIET}),
    "/follow_adapters": ({}, {"current": QUIET}),  # keeps the selection only when it is one of the caller's runs
    "/follow_adapters_1": ({}, {"current": QUIET}),
    "/chat_send": ({"text": "hello"}, {"base_name": REFUSE, "adapter_choice": CHOICES, "adapter_dir": REFUSE}),
    "/on_send": ({"text": "hello"}, {"base_name": REFUSE, "adapter_choice": CHOICES, "adapter_dir": REFUSE}),
}


def _rss_mb() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _signed_in_client(live, user_info: dict):
    """A gradio_client session carrying the Space's signed OAuth session cookie (the fake login of the fixture)."""
    import httpx
    from gradio_client import Client

    r = httpx.get(live.url + "login/callback", follow_redirects=False)
    cookie = r.headers["set-cookie"].split(";", 1)[0]
    client = Client(live.url, verbose=False, headers={"Cookie": cookie})
    client.predict(api_name="/on_load")
    return client


@pytest.fixture(scope="module")
def world(space_app, tiny_llama, tmp_path_factory):
    """Alice (signed in, the caller) with her own run; Bob (another visitor) with an adapter, a report and a
    system prompt that must never reach Alice; a symlink in Alice's workspace pointing at Bob's run."""
    import gradio as gr

    from tests.unit.hub_helpers import make_run

    app = space_app.app
    bob = app.open_workspace("default", gr.Request(username="bob", session_hash="s-bob"), create=True)
    bob_run, _ = make_run(bob.runs_dir / "train-bob", tiny_llama)
    (bob_run / "adapter" / "system_prompt.txt").write_text("BOB-SECRET-PROMPT")
    report = bob_run / "eval" / "eval-1" / "report.json"
    report.write_text(json.dumps({"voice": {"win_rate": 0.77, "rows": [{"prompt": "BOB-SECRET-ROW"}]}}))
    bob.add_run("train-bob", "train", {}, str(bob_run), status="completed")

    alice_client = _signed_in_client(space_app, FAKE_OAUTH)
    alice = app.open_workspace("default", gr.Request(username="alice", session_hash="s-alice"))
    own_run, _ = make_run(alice.runs_dir / "train-alice", tiny_llama)
    alice.add_run("train-alice", "train", {}, str(own_run), status="completed")
    doc = alice.add_document("notes.md", "0" * 64, kind="text", status="ready")
    alice.replace_chunks(doc, [dict(text="Alice's notes.", heading_path="", tokens=4, start_char=0, end_char=14)])
    (alice.path / "to-bob").symlink_to(bob_run)
    (alice.path / "to-passwd").symlink_to("/etc/passwd")
    upload = tmp_path_factory.mktemp("upload") / "a.md"
    upload.write_text("# A\n\nA line.\n")
    return {"client": alice_client, "alice": alice, "bob_run": bob_run, "bob_report": report, "doc": doc,
            "upload": upload, "rel": os.path.relpath(bob_run, alice.path)}


def _path_params(endpoint: dict) -> dict[str, str]:
    """{parameter name: label} of the parameters that name a path (a textbox or dropdown labelled as one)."""
    return {p["parameter_name"]: p.get("label") or "" for p in endpoint["parameters"]
            if p["component"] in PATH_COMPONENTS and PATH_LABEL.search(p.get("label") or "")}


def _api(client) -> dict:
    return client.view_api(print_info=False, return_format="dict")["named_endpoints"]


def test_every_path_taking_endpoint_has_a_case(world):
    api = _api(world["client"])
    found = {name: set(_path_params(ep)) for name, ep in api.items() if _path_params(ep)}
    assert len(found) >= 15, "the API lists too few path-taking endpoints: the label pattern is wrong"
    missing = sorted(f"{name} {sorted(params - set(CASES.get(name, ({}, {}))[1]))}" for name, params in found.items()
                     if params - set(CASES.get(name, ({}, {}))[1]))
    assert not missing, f"path parameters without a containment case: {missing}"
    assert not sorted(set(CASES) - set(found)), "cases for endpoints that no longer exist"


def _bad_values(w) -> dict[str, str]:
    bob_adapter = str(w["bob_run"] / "adapter")
    return {
        "dev_zero": "/dev/zero",
        "passwd": "/etc/passwd",
        "other_visitor": bob_adapter,
        "other_visitor_report": str(w["bob_report"]),
        "dotdot": w["rel"] + "/adapter",
        "dotdot_passwd": "../../../../../../../../etc/passwd",
        "symlink": str(w["alice"].path / "to-bob" / "adapter"),
        "symlink_passwd": str(w["alice"].path / "to-passwd"),
        "symlink_relative": "to-bob/adapter",  # for a model field a bare owner/name is a Hub id, never a folder
    }


# twins: an existing target and a missing one beside it must get the same answer (no existence oracle)
TWINS = {"passwd": "/etc/no-such-file-here", "other_visitor": "MISSING", "dotdot_passwd": "../../../../../../etc/nope"}


def _call(client, api_name: str, endpoint: dict, overrides: dict, w) -> str:
    kwargs = {}
    for p in endpoint["parameters"]:
        name = p["parameter_name"]
        if name in overrides:
            value = overrides[name]
        elif (p.get("label") or "") == "Workspace":
            value = "default"
        elif p["parameter_has_default"]:
            value = p["parameter_default"]
        else:
            value = None
        if value == "UPLOAD":
            from gradio_client import handle_file

            value = [handle_file(str(w["upload"]))]
        elif value == "DOC":
            value = w["doc"]
        kwargs[name] = value
    try:
        return str(client.predict(api_name=api_name, **kwargs))
    except Exception as exc:  # noqa: BLE001 - an error the app raised is an answer too
        return f"ERROR: {exc}"


@pytest.mark.parametrize("api_name", sorted(CASES))
def test_path_inputs_are_contained(world, api_name):
    client, endpoint = world["client"], _api(world["client"])[api_name]
    if api_name in ("/preview", "/preview_1"):  # the document dropdown lists Alice's document
        client.predict("default", None, api_name="/upload_documents")
    defaults, modes = CASES[api_name]
    params = _path_params(endpoint)
    rss_before = _rss_mb()
    for param, mode in modes.items():
        plain = {name: (None if modes[name] == CHOICES else BUNDLED if re.search(r"\bmodel\b", label, re.I) else "")
                 for name, label in params.items() if name != param}
        for kind, value in _bad_values(world).items():
            if kind == "symlink_relative" and re.search(r"model|tokeni", params[param], re.I):
                continue
            answer = _call(client, api_name, endpoint, {**plain, **defaults, param: value}, world)
            where = f"{api_name} {param}={kind}"
            leaks = ["root:", "BOB-SECRET", "0.77", "Errno", "No such file", "exists", "not found", "Traceback"]
            if mode == REFUSE:  # the refusal does not echo the path either
                leaks += ["/etc/", "/dev/", str(world["bob_run"]), world["rel"]]
            for leak in leaks:
                assert leak not in answer, f"{where} reveals {leak!r}: {answer[:300]}"
            if mode == REFUSE:
                assert REFUSAL in answer, f"{where} was not refused: {answer[:300]}"
            elif mode == CHOICES:
                assert NOT_A_CHOICE in answer or REFUSAL in answer, f"{where} was not refused: {answer[:300]}"
            twin = TWINS.get(kind)
            if twin and mode == REFUSE:
                twin_value = value + "-missing" if twin == "MISSING" else twin
                again = _call(client, api_name, endpoint, {**plain, **defaults, param: twin_value}, world)
                assert again == answer, f"{where}: an existing and a missing target answer differently"
    assert _rss_mb() - rss_before < 200, f"{api_name} grew the server reading a path it should have refused"
    assert not list(world["alice"].path.glob("exports/*")), "another visitor's files were staged"


def test_own_runs_and_files_are_still_accepted(world):
    """The same endpoints take a run id or a path inside the caller's workspace (the refusal is not blanket)."""
    client = world["client"]
    out = client.predict(None, "train-alice", "alice/x", "adapter", "other", "default", api_name="/export_preview")
    assert "alice/x" in str(out[0]) and REFUSAL not in str(out)
    out = client.predict(None, "runs/train-alice/run-1/adapter", "alice/x", "adapter", "other", "default",
                         api_name="/export_preview")
    assert "alice/x" in str(out[0]) and REFUSAL not in str(out)
    report = world["alice"].path / "runs" / "v" / "report.json"
    report.parent.mkdir(parents=True)
    report.write_text(json.dumps({"voice": {"win_rate": 0.66, "rows": []}}))
    out = client.predict("runs/v/report.json", "default", api_name="/voice_results")
    assert "0.66" in str(out[0])


def test_a_file_input_naming_a_server_path_is_refused(world, space_app):
    """The upload's File input: a FileData that names a server file instead of an upload is refused by Gradio,
    and nothing reaches the workspace."""
    import httpx

    before = len(world["alice"].list_documents())
    for target in ("/etc/passwd", str(world["bob_report"])):
        data = [[{"path": target, "meta": {"_type": "gradio.FileData"}}], "default", 400, 60, "", 100]
        r = httpx.post(space_app.url + "gradio_api/call/upload_ingest", json={"data": data}, timeout=30)
        events = httpx.get(space_app.url + f"gradio_api/call/upload_ingest/{r.json()['event_id']}", timeout=60).text
        assert "event: error" in events and "root:" not in events and "BOB-SECRET" not in events
    assert len(world["alice"].list_documents()) == before
