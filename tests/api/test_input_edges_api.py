"""Careless and hostile text through the API: a skipped duplicate upload is not "added", and a fuzz pass over every
text input of every endpoint (very long, control characters, HTML, format strings) gets readable answers only:
no traceback text, no Python exception names, no unhandled error, no file written outside the data root."""

from __future__ import annotations

import re

import pytest

FUZZ = {
    "long": "a" * 200_000,
    "control": "\x00\x01\x07\x08\x1b[31mred\x1b[0m\r\n\t\x7f\u202etxt.exe",
    "html": "<script>alert(1)</script><img src=x onerror=alert(1)>\"'><svg/onload=alert(2)>",
    "format": "{0} {name} %s %n %(x)s {{7*7}} ${HOME} `id` $(id)",
    "path": "../../../../etc/passwd",
    "unicode": "\ud83d\ude00 ß ﬁ \u0301\u0301\u0301 " + "\U0010ffff",
}
TRACE = re.compile(r"Traceback|File \"/|\b(KeyError|TypeError|AttributeError|IndexError|NameError|"
                   r"UnboundLocalError|RecursionError|ZeroDivisionError|UnicodeEncodeError|sqlite3\.)\b")
GENERIC = "has not enabled verbose error reporting"  # an exception no handler caught
# endpoints whose text would start a long job or load a model, with the values that keep each call short
# (an empty adapter path, so the fuzzed message and system prompt reach the bundled model; no evaluation job)
OVERRIDES = {"/chat_send": {"max_new": 8, "adapter_dir": ""}, "/on_send": {"max_new": 8, "adapter_dir": ""},
             "/on_start_3": {"path": ""}}
ECHOES = {"/render_card", "/chat_send", "/on_send"}  # they show the user's own text back, by design
SKIP = {"/review_query", "/review_edit", "/review_bulk", "/review_undo"}  # JSON API of the review table: own tests


def test_a_skipped_duplicate_upload_is_not_added(client, tmp_path):
    from gradio_client import handle_file

    doc = tmp_path / "dup-note.md"
    doc.write_text("# Note\n\nThe duplicate detector keys on the SHA-256 of the bytes.\n")
    first = client.predict([handle_file(str(doc))], "default", 400, 60, "", 100, api_name="/upload_ingest")
    assert "1 of 1 file(s) added" in str(first[1])
    again = client.predict([handle_file(str(doc))], "default", 400, 60, "", 100, api_name="/upload_ingest")
    assert "0 of 1 file(s) added" in str(again[1]) and "skipped" in str(again[0])


def test_a_file_dropped_before_the_page_loaded_lands_in_the_default_workspace(live_app, client, tmp_path):
    """The picker is still empty while the page loads: the upload goes where the page is about to open."""
    from gradio_client import handle_file

    doc = tmp_path / "early-note.md"
    doc.write_text("# Early\n\nThe lighthouse at Quellstone Point was automated in 1964.\n")
    out = client.predict([handle_file(str(doc))], "", 400, 60, "", 100, api_name="/upload_ingest")
    assert "1 of 1 file(s) added" in str(out[1])
    assert "early-note.md" in [d["name"] for d in live_app.workspace("default").list_documents()]


def _text_endpoints(client) -> dict[str, dict]:
    api = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    return {name: ep for name, ep in sorted(api.items())
            if name not in SKIP and any(p["component"] == "Textbox" for p in ep["parameters"])}


def test_fuzzed_text_inputs_get_readable_answers(live_app, client, tmp_path):
    endpoints = _text_endpoints(client)
    assert len(endpoints) >= 15
    before = {p for p in live_app.root.parent.rglob("*")}
    problems = []
    for name, ep in endpoints.items():
        for kind, value in FUZZ.items():
            kwargs = {}
            for p in ep["parameters"]:
                pname = p["parameter_name"]
                if p["component"] == "Textbox":
                    kwargs[pname] = value
                elif (p.get("label") or "") == "Workspace":
                    kwargs[pname] = "default"
                elif p["parameter_has_default"]:
                    kwargs[pname] = p["parameter_default"]
                else:
                    kwargs[pname] = None
            kwargs.update(OVERRIDES.get(name, {}))
            try:
                answer = str(client.predict(api_name=name, **kwargs))
            except Exception as exc:  # noqa: BLE001 - an error the app raised is an answer too
                answer = f"ERROR: {exc}"
            if TRACE.search(answer) or GENERIC in answer:
                problems.append(f"{name} [{kind}]: {answer[:240]!r}")
            if kind == "long" and answer.count("a" * 1000) > 0 and name not in ECHOES:
                problems.append(f"{name} [{kind}]: echoes the whole 200,000-character input")
    assert not problems, "\n".join(problems)
    after = {p for p in live_app.root.parent.rglob("*")}
    outside = [p for p in after - before if live_app.root not in p.parents and p != live_app.root]
    assert not outside, outside
