"""Evaluate tab: "Improve the missed facts" for the evaluation on show. The engine
(:func:`studio.evaluate.improve.improve`) asks the workspace's generator for more phrasings of each fact the tuned
model missed; this module only wires the button and says what was added and where to look next."""

from __future__ import annotations

import gradio as gr

from .context import AppContext
from .i18n import t


def improve_line(ws, folder, per_fact, lang: str = "en") -> str:
    """The result line for the report in ``folder`` (one readable line on any error)."""
    from ..evaluate.improve import improve

    if not folder:
        return t("evaluate.improve_no_report", lang)
    try:
        res = improve(ws, folder, per_fact=int(per_fact or 5))
    except Exception as exc:  # noqa: BLE001 - a readable line, never a traceback
        text = str(exc).strip()
        return t("msg.error", lang, message=text.splitlines()[0] if text else type(exc).__name__)
    if not res.missed:
        return t("evaluate.improve_none", lang)
    return t("evaluate.improve_done", lang, facts=len(res.missed), pairs=res.n_added, round=res.round,
             improved=sum(1 for v in res.added.values() if v), flagged=len(res.flagged), leaks=res.leaks_refused)


def build_improve(app: AppContext, folder: gr.State) -> None:
    """The section under the results: phrasings per fact, the button, the result line."""
    app.tr(gr.Markdown(t("evaluate.improve_md")), "evaluate.improve_md", prop="value")
    with gr.Row():
        per_fact = app.tr(gr.Number(value=5, precision=0, minimum=1, maximum=20, label=t("evaluate.improve_per_fact"),
                                    elem_id="evaluate-improve-per-fact", scale=1), "evaluate.improve_per_fact")
        button = app.tr(gr.Button(t("evaluate.improve"), elem_id="evaluate-improve", scale=2), "evaluate.improve",
                        prop="value")
    result = gr.Textbox(label="", show_label=False, interactive=False, max_lines=4, elem_id="evaluate-improve-result")

    def on_improve(ws_name, lang, folder_v, per_fact_v, request: gr.Request):
        try:
            ws = app.open_workspace(ws_name, request)
            found = app.user_path(ws, folder_v) if folder_v else None
        except Exception as exc:  # noqa: BLE001
            return t("msg.error", lang, message=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        return improve_line(ws, str(found) if found else None, per_fact_v, lang)

    button.click(on_improve, [app.workspace_name, app.language, folder, per_fact], [result])
