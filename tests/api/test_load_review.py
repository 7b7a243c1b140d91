"""Ten gradio_client editors on the Review table for 20 s while an ingest and a replay generation write to the same
workspace: no error, no lost update, database intact (the minute-long version with p95: benchmarks/soak.py)."""

from __future__ import annotations

import pytest

from tests.fixtures.review_fixtures import fill_workspace
from tests.fixtures.review_load import run_load


@pytest.fixture(scope="module")
def loaded(live_app):
    ws = live_app.workspace("default")
    fill_workspace(ws, n_pairs=300, n_docs=4)
    return ws


def test_ten_editors_with_ingest_and_generation_running(live_app, loaded, tmp_path):
    figures = run_load(live_app.url, loaded, tmp_path, seconds=20, editors=10)
    assert figures["errors"] == [] and figures["lost_updates"] == [] and figures["shared_lost_updates"] == 0, figures
    assert figures["edits"] >= 10 and figures["page_reads"] >= 20 and figures["shared_wins"] >= 1, figures
    assert figures["ingested_documents"] >= 1 and figures["generated_chunks"] >= 1, figures  # both really ran
    assert figures["generation_state"] in ("running", "completed", "killed") and figures["integrity"] == "ok", figures
