"""The Evaluate tab's "Compare runs" section: pick evaluation reports of this workspace, see them side by side (a table
and a plot of unseen-phrasing accuracy with 95% CIs) and whether they were scored on the same questions.
No pipeline logic here: ``studio.evaluate.compare`` builds the table, the plot and the like-for-like check."""

from __future__ import annotations

from typing import Any

import gradio as gr

from .i18n import t

COLS = ["compare.col_run", "compare.col_round", "compare.col_unseen", "compare.col_facts", "compare.col_refusals",
        "compare.col_forgetting", "compare.col_questions"]  # the engine's table columns, in its order
EMPTY = {"headers": [t(k) for k in COLS], "data": [[""] * len(COLS)]}


def _empty(lang: str) -> dict:
    return {"headers": [t(k, lang) for k in COLS], "data": [[""] * len(COLS)]}


def report_labels(app, ws_name, request) -> list[str]:
    """Labels of this visitor's evaluation reports (newest first); empty when the workspace is unknown."""
    from ..evaluate.view import list_reports

    try:
        ws = app.open_workspace(ws_name, request)
        return [label for label, _ in list_reports(ws)]
    except Exception:  # noqa: BLE001 - an unknown workspace shows an empty list
        return []


def note(result: dict, lang: str) -> str:
    runs = result["runs"]
    if len(runs) < 2:
        return t("compare.one", lang)
    if result["same_questions"]:
        return t("compare.same", lang, n=len(runs))
    return t("compare.different", lang, common=result.get("common_questions") or 0)


def build_compare_section(app, refresh) -> dict[str, Any]:
    app.tr(gr.Markdown(t("compare.title_md")), "compare.title_md", prop="value")
    app.tr(gr.Markdown(t("compare.intro")), "compare.intro", prop="value")
    with gr.Row():
        runs = app.tr(gr.Dropdown([], value=[], multiselect=True, label=t("compare.runs"), elem_id="compare-runs",
                                  scale=4), "compare.runs")
        go = app.tr(gr.Button(t("compare.go"), scale=1, elem_id="compare-go"), "compare.go", prop="value")
    table = app.tr(gr.Dataframe(value=EMPTY, interactive=False, label=t("compare.table"), elem_id="compare-table"),
                   "compare.table")
    app.i18n.register_headers(table, COLS)
    message = gr.Markdown("", elem_id="compare-note")
    plot = app.tr(gr.Plot(label=t("compare.plot"), elem_id="compare-plot"), "compare.plot")

    def lists(ws_name, request: gr.Request):
        return gr.update(choices=report_labels(app, ws_name, request), value=[])

    def show(ws_name, lang, chosen, request: gr.Request):
        from ..evaluate.compare import compare_runs, plot as draw, table as rows_of

        lang = lang or "en"
        if not chosen:
            return _empty(lang), t("compare.pick", lang), None
        try:
            ws = app.open_workspace(ws_name, request)
            result = compare_runs(list(chosen), ws, allow_paths=False)  # only this workspace's reports
        except Exception as exc:  # noqa: BLE001 - one readable line, never a traceback
            return _empty(lang), t("msg.error", lang, message=str(exc).splitlines()[0] if str(exc) else type(exc).__name__), None
        _, rows = rows_of(result)
        return {"headers": [t(k, lang) for k in COLS], "data": rows}, note(result, lang), draw(result)

    refresh.click(lists, [app.workspace_name], [runs], api_name="compare_lists")
    app.workspace_name.change(lists, [app.workspace_name], [runs])
    go.click(show, [app.workspace_name, app.language, runs], [table, message, plot], api_name="compare_runs")
    return {"runs": runs, "go": go, "table": table, "note": message, "plot": plot}
