"""The Evaluate tab's "Blind A/B arena" section: a held-out question, two answers labelled A and B (plain text, never
HTML), four buttons (A / B / tie / both wrong) with keyboard shortcuts, progress, and the results per pairing.

Which model wrote A and which B stays on the server (``studio.evaluate.arena``): the page gets the texts only, and the
match-up lives in a ``gr.State`` (server side). No pipeline logic here.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from .compare import report_labels
from .i18n import t

PAIRING_KEYS = [("arena.pair_base_tuned", "base-tuned"), ("arena.pair_tuned_rag", "tuned-rag"),
                ("arena.pair_voice", "voice"), ("arena.pair_run", "run")]
RESULT_COLS = ["arena.col_pairing", "arena.col_judged", "arena.col_wins", "arena.col_losses", "arena.col_ties",
               "arena.col_both_wrong", "arena.col_preference"]
RESULTS_EMPTY = {"headers": [t(k) for k in RESULT_COLS], "data": [[""] * len(RESULT_COLS)]}
BUTTONS = (("arena.pick_a", "A", "arena-pick-a"), ("arena.pick_b", "B", "arena-pick-b"),
           ("arena.tie", "tie", "arena-pick-tie"), ("arena.both_wrong", "both_wrong", "arena-pick-wrong"))
# 1/a, 2/b, 3/t, 4/w click the buttons, unless the focus is in a text field or the buttons are hidden (another tab,
# nothing to judge). Installed once per page.
KEYS_JS = """
() => {
  if (window.__studioArenaKeys) return;
  window.__studioArenaKeys = true;
  const map = {'1': 'arena-pick-a', 'a': 'arena-pick-a', '2': 'arena-pick-b', 'b': 'arena-pick-b',
               '3': 'arena-pick-tie', 't': 'arena-pick-tie', '4': 'arena-pick-wrong', 'w': 'arena-pick-wrong'};
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    const el = document.activeElement;
    if (el && (['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || el.isContentEditable)) return;
    const id = map[(e.key || '').toLowerCase()];
    const btn = id && document.getElementById(id);
    if (!btn || btn.offsetParent === null || btn.disabled) return;
    e.preventDefault();
    btn.click();
  });
}
"""


def _error(lang: str, exc: Exception) -> str:
    return t("msg.error", lang, message=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


def _open(app, ws_name, request, state: dict):
    """The match-up named by ``state`` in this visitor's workspace (reports resolved by their labels only)."""
    from ..evaluate.arena import Matchup
    from ..evaluate.compare import resolve

    ws = app.open_workspace(ws_name, request)
    _label, folder = resolve(ws, state["report"], allow_paths=False)
    other = None
    pairing = state["pairing"]
    if pairing == "run":
        other_label, other = resolve(ws, state.get("other") or "", allow_paths=False)
        pairing = f"run:{other_label}"
    return ws, Matchup.open(ws, folder, pairing, other)


def _results_table(ws, folder, lang: str = "en") -> dict:
    from ..evaluate.arena import results, summary_rows

    _, rows = summary_rows(results(ws, folder))  # the engine's English headers, in RESULT_COLS order
    return {"headers": [t(k, lang) for k in RESULT_COLS], "data": rows or [[""] * len(RESULT_COLS)]}


def view(m, lang: str, reveal: dict | None = None) -> list[Any]:
    """Outputs for one match-up: prompt, question, A, B, item token, buttons row, progress, results."""
    v = m.next_item()
    lines = [t("arena.progress", lang, judged=v["judged"], total=v["total"]) if v["item"] else
             t("arena.done", lang, total=v["total"])]
    if reveal:
        lines.append(t("arena.reveal", lang, a=reveal["A"], b=reveal["B"]))
    ask = t("arena.ask_voice" if m.is_voice else "arena.ask", lang) + " " + t("arena.keys", lang)
    active = v["item"] is not None
    return [ask, v.get("question", ""), v.get("a", ""), v.get("b", ""), v["item"] or "", gr.update(visible=active),
            " · ".join(lines), _results_table(m.ws, m.folder, lang)]


def build_arena_section(app, refresh) -> dict[str, Any]:
    app.tr(gr.Markdown(t("arena.title_md")), "arena.title_md", prop="value")
    app.tr(gr.Markdown(t("arena.intro")), "arena.intro", prop="value")
    with gr.Row():
        report = app.tr(gr.Dropdown([], value=None, label=t("arena.report"), elem_id="arena-report", scale=3),
                        "arena.report")
        pairing = gr.Dropdown([(t(k), v) for k, v in PAIRING_KEYS], value="base-tuned", label=t("arena.pairing"),
                              elem_id="arena-pairing", scale=2)
        app.tr(pairing, "arena.pairing")
        app.tr_choices(pairing, PAIRING_KEYS)
        other = app.tr(gr.Dropdown([], value=None, label=t("arena.other"), elem_id="arena-other", scale=3),
                       "arena.other")
        start = app.tr(gr.Button(t("arena.start"), variant="primary", scale=1, elem_id="arena-start"), "arena.start",
                       prop="value")
    ask = gr.Markdown("", elem_id="arena-ask")
    question = app.tr(gr.Textbox(label=t("arena.question"), interactive=False, lines=2, elem_id="arena-question"),
                      "arena.question")
    with gr.Row(equal_height=True):
        answer_a = app.tr(gr.Textbox(label=t("arena.answer_a"), interactive=False, lines=6, elem_id="arena-answer-a"),
                          "arena.answer_a")
        answer_b = app.tr(gr.Textbox(label=t("arena.answer_b"), interactive=False, lines=6, elem_id="arena-answer-b"),
                          "arena.answer_b")
    item = gr.Textbox(visible=False, elem_id="arena-item")  # the shown item: a judgment counts for it only
    with gr.Row(visible=False, elem_id="arena-buttons") as buttons_row:
        buttons = [(app.tr(gr.Button(t(key), elem_id=eid), key, prop="value"), choice) for key, choice, eid in BUTTONS]
    progress = gr.Markdown("", elem_id="arena-progress")
    results = app.tr(gr.Dataframe(value=RESULTS_EMPTY, interactive=False, label=t("arena.results"),
                                  elem_id="arena-results"), "arena.results")
    app.i18n.register_headers(results, RESULT_COLS)
    state = gr.State(None)
    outputs = [ask, question, answer_a, answer_b, item, buttons_row, progress, results]

    def lists(ws_name, request: gr.Request):
        labels = report_labels(app, ws_name, request)
        return gr.update(choices=labels, value=labels[0] if labels else None), gr.update(choices=labels, value=None)

    def on_start(ws_name, lang, report_v, pairing_v, other_v, request: gr.Request):
        lang = lang or "en"
        if not report_v:
            return None, *([gr.update()] * 6), t("arena.pick_report", lang), gr.update()
        st = {"report": report_v, "pairing": pairing_v or "base-tuned", "other": other_v}
        try:
            _ws, m = _open(app, ws_name, request, st)
        except Exception as exc:  # noqa: BLE001 - one readable line, never a traceback
            return (None, "", "", "", "", "", gr.update(visible=False), _error(lang, exc), gr.update())
        return st, *view(m, lang)

    def judge(choice: str):
        def on_judge(ws_name, lang, st, shown, request: gr.Request):
            lang = lang or "en"
            if not st:
                return [gr.update()] * 6 + [t("arena.pick_report", lang), gr.update()]
            try:
                _ws, m = _open(app, ws_name, request, st)
                current = m.next_item()["item"]
                reveal = None
                if shown and shown == current:  # a second press on an item already judged is ignored
                    reveal = m.record(shown, choice)
                return view(m, lang, reveal)
            except Exception as exc:  # noqa: BLE001
                return [gr.update()] * 6 + [_error(lang, exc), gr.update()]
        return on_judge

    refresh.click(lists, [app.workspace_name], [report, other], api_name="arena_lists")
    app.workspace_name.change(lists, [app.workspace_name], [report, other])
    app.workspace_name.change(None, None, None, js=KEYS_JS)
    start.click(on_start, [app.workspace_name, app.language, report, pairing, other], [state, *outputs],
                api_name="arena_start")
    for button, choice in buttons:
        button.click(judge(choice), [app.workspace_name, app.language, state, item], outputs,
                     api_name=f"arena_judge_{choice.lower()}")
    return {"report": report, "pairing": pairing, "other": other, "start": start, "state": state, "item": item,
            "question": question, "answer_a": answer_a, "answer_b": answer_b, "progress": progress, "results": results}
