"""Evaluate tab: pick model, adapter, arms and sets; start the ``evaluate`` job; poll it; show cards, plots, the
per-question table (model output as plain text cells), the report files, and a comparison with an earlier run."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import gradio as gr

from .context import AppContext
from .i18n import t

ARM_KEYS = [("evaluate.arm_base", "base"), ("evaluate.arm_tuned", "tuned"), ("evaluate.arm_base_rag", "base+rag"),
            ("evaluate.arm_tuned_rag", "tuned+rag"), ("evaluate.arm_gold", "gold")]
SET_KEYS = [("evaluate.set_phrasings", "phrasings"), ("evaluate.set_facts", "facts"),
            ("evaluate.set_refusals", "refusals"), ("evaluate.set_trained", "trained")]
EMPTY_TABLE = {"headers": ["question"], "data": [[""]]}


def _model_choices() -> list[tuple[str, str]]:
    from ..models import chat_model_choices

    return [(c.label, c.value) for c in chat_model_choices()]


def _fmt_eta(seconds) -> str:
    if not isinstance(seconds, (int, float)):
        return ""
    seconds = int(seconds)
    return f"{seconds // 60}m {seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def _files_for_download(folder: str) -> list[str]:
    """Copies of the report files in a temp folder (Gradio serves files only from allowed places)."""
    src = Path(folder)
    names = [n for n in ("report.json", "answers.csv", "accuracy.png", "consistency.png") if (src / n).is_file()]
    if not names:
        return []
    dest = Path(tempfile.mkdtemp(prefix="studio-eval-"))
    out = []
    for n in names:
        shutil.copyfile(src / n, dest / n)
        out.append(str(dest / n))
    return out


def _image(folder: str, name: str):
    path = Path(folder) / name
    return str(path) if path.is_file() else None


def _results(folder: str, failures: bool):
    """Outputs that show one finished evaluation."""
    from ..evaluate.view import cards, load_report

    report = load_report(folder) or {}
    verdict = report.get("verdict") or {}
    text = verdict.get("text", "")
    if verdict.get("advice"):
        text += "\n\n" + "\n".join(f"• {a}" for a in verdict["advice"])
    table = _table(folder, failures)
    return (cards(report), text, _image(folder, "accuracy.png"), _image(folder, "consistency.png"), table,
            _files_for_download(folder), folder)


def _table(folder: str, failures: bool):
    """The per-question table: model output and user text as plain text cells (never HTML or Markdown)."""
    from ..evaluate.view import fact_table

    headers, rows = fact_table(folder, failures)
    n_arms = max(0, (len(headers) - 4) // 2)
    widths = ["60px", "90px", "22%", "18%"] + ["18%", "72px"] * n_arms
    return gr.update(value={"headers": headers, "data": rows or [[""] * len(headers)]},
                     datatype=["str"] * len(headers), column_widths=widths[: len(headers)])


def build(app: AppContext) -> None:
    app.tr(gr.Markdown(t("evaluate.intro")), "evaluate.intro", prop="value")
    with gr.Row():
        base_model = app.tr(gr.Dropdown(_model_choices(), value=None, allow_custom_value=True, label=t("evaluate.base_model"),
                                        elem_id="evaluate-base-model", scale=2), "evaluate.base_model")
        adapter = app.tr(gr.Dropdown([], value=None, label=t("evaluate.adapter"), elem_id="evaluate-adapter", scale=2),
                         "evaluate.adapter")
        adapter_path = app.tr(gr.Textbox(label=t("evaluate.adapter_path"), elem_id="evaluate-adapter-path", scale=2,
                                         max_lines=1), "evaluate.adapter_path")
        refresh = app.tr(gr.Button(t("evaluate.refresh"), size="sm", scale=0, elem_id="evaluate-refresh"),
                         "evaluate.refresh", prop="value")
    with gr.Row():
        arms = gr.CheckboxGroup([(t(k), v) for k, v in ARM_KEYS], value=["base", "tuned"], label=t("evaluate.arms"),
                                elem_id="evaluate-arms")
        app.tr(arms, "evaluate.arms")
        app.tr_choices(arms, ARM_KEYS)
        sets = gr.CheckboxGroup([(t(k), v) for k, v in SET_KEYS], value=[v for _, v in SET_KEYS], label=t("evaluate.sets"),
                                elem_id="evaluate-sets")
        app.tr(sets, "evaluate.sets")
        app.tr_choices(sets, SET_KEYS)
        max_facts = app.tr(gr.Number(value=40, precision=0, minimum=1, label=t("evaluate.max_facts"),
                                     elem_id="evaluate-max-facts"), "evaluate.max_facts")
    with gr.Accordion(t("evaluate.advanced"), open=False) as adv:
        app.tr(adv, "evaluate.advanced")
        with gr.Row():
            max_new = app.tr(gr.Number(value=64, precision=0, minimum=1, label=t("evaluate.max_new_tokens"),
                                       elem_id="evaluate-max-new"), "evaluate.max_new_tokens")
            top_k = app.tr(gr.Number(value=3, precision=0, minimum=1, maximum=20, label=t("evaluate.top_k")), "evaluate.top_k")
            threshold = app.tr(gr.Textbox(label=t("evaluate.threshold"), max_lines=1), "evaluate.threshold")
            forgetting = app.tr(gr.Checkbox(value=True, label=t("evaluate.forgetting"), elem_id="evaluate-forgetting"),
                                "evaluate.forgetting")
    with gr.Row():
        start = app.tr(gr.Button(t("evaluate.start"), variant="primary", elem_id="evaluate-start"), "evaluate.start", prop="value")
        stop = app.tr(gr.Button(t("evaluate.stop"), variant="stop", elem_id="evaluate-stop"), "evaluate.stop", prop="value")
    status = gr.Textbox(label="", interactive=False, show_label=False, elem_id="evaluate-status", max_lines=3)
    run_id = gr.State(None)
    folder = gr.State(None)
    timer = gr.Timer(1.0, active=False)

    app.tr(gr.Markdown(t("evaluate.results_md")), "evaluate.results_md", prop="value")
    summary = gr.Markdown("", elem_id="evaluate-cards")
    verdict = app.tr(gr.Textbox(label=t("evaluate.verdict"), interactive=False, lines=3, elem_id="evaluate-verdict"),
                     "evaluate.verdict")
    with gr.Row():
        plot_acc = app.tr(gr.Image(label=t("evaluate.plot_acc"), interactive=False, elem_id="evaluate-plot-acc",
                                   type="filepath"), "evaluate.plot_acc")
        plot_cons = app.tr(gr.Image(label=t("evaluate.plot_cons"), interactive=False, elem_id="evaluate-plot-cons",
                                    type="filepath"), "evaluate.plot_cons")
    failures = app.tr(gr.Checkbox(value=False, label=t("evaluate.failures"), elem_id="evaluate-failures"), "evaluate.failures")
    table = app.tr(gr.Dataframe(value=EMPTY_TABLE, interactive=False, wrap=True, max_height=520, label=t("evaluate.table"),
                                elem_id="evaluate-table"), "evaluate.table")
    download = app.tr(gr.File(label=t("evaluate.download"), file_count="multiple", interactive=False,
                              elem_id="evaluate-download"), "evaluate.download")
    from .evaluate_improve import build_improve

    build_improve(app, folder)
    app.tr(gr.Markdown(t("evaluate.compare_md")), "evaluate.compare_md", prop="value")
    with gr.Row():
        earlier = app.tr(gr.Dropdown([], value=None, label=t("evaluate.earlier"), elem_id="evaluate-earlier", scale=3),
                         "evaluate.earlier")
        compare_btn = app.tr(gr.Button(t("evaluate.compare"), scale=1, elem_id="evaluate-compare"), "evaluate.compare",
                             prop="value")
    compare_table = app.tr(gr.Dataframe(value=EMPTY_TABLE, interactive=False, label=t("evaluate.compare_table"),
                                        elem_id="evaluate-compare-table"), "evaluate.compare_table")

    result_outputs = [summary, verdict, plot_acc, plot_cons, table, download, folder]

    def refresh_lists(ws_name, request: gr.Request):
        from ..chat.adapters import find_adapters
        from ..evaluate.view import list_reports

        try:
            ws = app.open_workspace(ws_name, request)
            adapters = [(c.label, c.path) for c in find_adapters(ws)]
            reports = list_reports(ws)
        except Exception:  # noqa: BLE001 - an unknown workspace shows empty lists
            adapters, reports = [], []
        return gr.update(choices=adapters, value=adapters[0][1] if adapters else None), gr.update(choices=reports, value=None)

    def on_adapter(choice):
        from ..chat.adapters import adapter_base_model

        base = adapter_base_model(choice) if choice else ""
        return gr.update(value=base) if base else gr.update()

    def on_start(ws_name, lang, base, choice, path, arms_v, sets_v, facts_v, new_v, k_v, th_v, forget_v,
                 request: gr.Request):
        keep = (gr.update(), gr.update())
        arms_v = list(arms_v or [])
        try:
            ws = app.open_workspace(ws_name, request)
            adapter_dir = app.user_path(ws, (path or "").strip() or choice, "adapter")
            src = str(adapter_dir) if adapter_dir else None
            app.model_ref(ws, base)
            if not src:
                arms_v = [a for a in arms_v if not a.startswith("tuned")]
            from ..evaluate.config import EvalConfig

            cfg = EvalConfig.from_dict({
                "base_model": base or "", "adapter": src, "workspace": str(ws.path), "arms": arms_v, "sets": list(sets_v or []),
                "max_facts": int(facts_v) if facts_v else None, "max_new_tokens": int(new_v or 64), "top_k": int(k_v or 3),
                "threshold": (th_v or "").strip() or None, "forgetting": bool(forget_v),
            })
            rid = app.runner(ws).submit("evaluate", cfg.to_dict(), needs_gpu=True)
        except Exception as exc:  # noqa: BLE001 - a readable line, never a traceback
            return (*keep, t("msg.error", lang, message=str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
        note = "" if src else " " + t("evaluate.no_adapter", lang)
        return rid, gr.Timer(active=True), t("evaluate.started", lang, run=rid) + note

    def poll(rid, lang, ws_name, failures_v, request: gr.Request):
        nothing = [gr.update()] * len(result_outputs)
        if not rid:
            return gr.Timer(active=False), gr.update(), *nothing
        try:
            status_v = app.runner(app.open_workspace(ws_name, request)).status(rid)
        except Exception as exc:  # noqa: BLE001
            return gr.Timer(active=False), t("msg.error", lang, message=str(exc)), *nothing
        state = status_v.get("state")
        result = status_v.get("result") or {}
        if state == "completed":
            return gr.Timer(active=False), t("evaluate.done", lang), *_results(result.get("out", ""), failures_v)
        if state in ("failed", "killed"):
            return gr.Timer(active=False), t("evaluate.failed", lang, error=status_v.get("error") or state), *nothing
        if state == "stopped":
            if result.get("report"):  # stopped by you: the answers so far were scored
                return gr.Timer(active=False), t("evaluate.stopped_partial", lang), *_results(result.get("out", ""), failures_v)
            return gr.Timer(active=False), t("evaluate.stopped", lang), *nothing
        prog = status_v.get("progress") or {}
        frac = prog.get("fraction")
        pct = f"{int(100 * frac)}% · " if isinstance(frac, (int, float)) else ""
        eta = _fmt_eta(prog.get("eta_s"))
        msg = f"{pct}{prog.get('message') or state}" + (f" · {t('evaluate.eta', lang, eta=eta)}" if eta else "")
        return gr.Timer(active=True), t("evaluate.running", lang, message=msg), *nothing

    def on_stop(rid, lang, ws_name, request: gr.Request):
        if not rid:
            return gr.update()
        try:
            app.runner(app.open_workspace(ws_name, request)).stop(rid)
        except Exception as exc:  # noqa: BLE001
            return t("msg.error", lang, message=str(exc))
        return t("evaluate.running", lang, message="stopping")

    def reattach(ws_name, request: gr.Request):
        """After a reload: follow a running evaluation, or show the latest finished one."""
        try:
            latest = app.runner(app.open_workspace(ws_name, request)).latest("evaluate")
        except Exception:  # noqa: BLE001
            latest = None
        if not latest:
            return None, gr.Timer(active=False)
        return latest["id"], gr.Timer(active=latest.get("state") in ("queued", "running", "stopping", "completed"))

    def on_failures(folder_v, failures_v):
        return _table(folder_v, failures_v) if folder_v else gr.update()

    def on_compare(folder_v, earlier_v, lang):
        from ..evaluate.view import compare, load_report

        current, other = load_report(folder_v) if folder_v else None, load_report(earlier_v) if earlier_v else None
        if not current or not other:
            return {"headers": ["arm"], "data": [[t("evaluate.nothing", lang)]]}
        headers, rows = compare(current, other)
        return {"headers": headers, "data": rows}

    refresh.click(refresh_lists, [app.workspace_name], [adapter, earlier])
    app.workspace_name.change(refresh_lists, [app.workspace_name], [adapter, earlier])
    app.workspace_name.change(reattach, [app.workspace_name], [run_id, timer])
    adapter.change(on_adapter, [adapter], [base_model])
    start.click(on_start, [app.workspace_name, app.language, base_model, adapter, adapter_path, arms, sets, max_facts,
                           max_new, top_k, threshold, forgetting], [run_id, timer, status])
    stop.click(on_stop, [run_id, app.language, app.workspace_name], [status])
    timer.tick(poll, [run_id, app.language, app.workspace_name, failures], [timer, status, *result_outputs],
               concurrency_limit=None, show_progress="hidden")
    failures.change(on_failures, [folder, failures], [table])
    compare_btn.click(on_compare, [folder, earlier, app.language], [compare_table])
    from .arena import build_arena_section
    from .compare import build_compare_section

    build_compare_section(app, refresh)  # runs side by side (studio/ui/compare.py)
    build_arena_section(app, refresh)  # blind A/B judging (studio/ui/arena.py)
    with gr.Accordion(t("evaluate.voice"), open=False, elem_id="evaluate-voice") as voice_acc:
        app.tr(voice_acc, "evaluate.voice")
        from .voice import build_voice_section

        build_voice_section(app, "evaluate")
