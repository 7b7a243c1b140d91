"""Generate tab: goal, generator, settings, estimate, start/cancel/resume, live progress polled with gr.Timer,
failed chunks with retry, fresh pairs and coverage. The job runs in the job runner; the page only polls it.
The API key field is a password box: the key reaches the worker through its environment, never a file or a log."""

from __future__ import annotations

import secrets
from typing import Any

import gradio as gr

from .changes import digest, only_changed
from .i18n import t

FAILED_COLS = ("generate.col_chunk", "generate.col_document", "generate.col_ordinal", "generate.col_reason", "generate.col_attempts")
SAMPLE_COLS = ("generate.col_kind", "generate.col_split", "generate.col_question", "generate.col_answer", "generate.col_flags")
DOC_COLS = ("generate.col_document", "generate.col_chunks", "generate.col_done", "generate.col_pairs", "generate.col_empty")
EMPTY_COLS = ("generate.col_chunk", "generate.col_document", "generate.col_ordinal", "generate.col_status", "generate.col_reason")
ACTIVE = ("queued", "running", "stopping")


def _table(cols: tuple[str, ...], rows: list[list[Any]], lang: str) -> dict:
    return {"headers": [t(c, lang) for c in cols], "data": rows or [["" for _ in cols]]}


def _err(exc: Exception, lang: str) -> str:
    return t("msg.error", lang, message=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


def _fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(seconds)
    return f"{s // 3600}h {s % 3600 // 60}m" if s >= 3600 else (f"{s // 60}m {s % 60}s" if s >= 60 else f"{s}s")


def _model_choices() -> list[tuple[str, str]]:
    from ..models import chat_model_choices

    return [(c.label, c.value) for c in chat_model_choices()]


def build(app) -> None:
    from ..generate.config import GenerateConfig

    d = GenerateConfig()
    app.tr(gr.Markdown(t("generate.intro")), "generate.intro", prop="value")
    with gr.Row():
        goal_choices = [("generate.goal_knowledge", "knowledge"), ("generate.goal_voice", "voice"),
                        ("generate.goal_both", "both")]
        goal = gr.Radio([(t(k), v) for k, v in goal_choices], value="knowledge", label=t("generate.goal"),
                        elem_id="generate-goal")
        app.tr(goal, "generate.goal")
        app.tr_choices(goal, goal_choices)
        backend_choices = [("generate.backend_local", "transformers"), ("generate.backend_openai", "openai"),
                           ("generate.backend_replay", "replay")]
        backend = gr.Radio([(t(k), v) for k, v in backend_choices], value="transformers", label=t("generate.backend"),
                           elem_id="generate-backend")
        app.tr(backend, "generate.backend")
        app.tr_choices(backend, backend_choices)
    choices = _model_choices()
    with gr.Row():
        model = app.tr(gr.Dropdown(choices, value=choices[0][1] if choices else None, allow_custom_value=True,
                                   label=t("generate.model"), elem_id="generate-model", scale=3), "generate.model")
        base_url = app.tr(gr.Textbox(label=t("generate.base_url"), max_lines=1, visible=False, elem_id="generate-base-url"),
                          "generate.base_url")
        api_key = app.tr(gr.Textbox(label=t("generate.api_key"), type="password", max_lines=1, visible=False,
                                    elem_id="generate-api-key"), "generate.api_key")
        api_key_env = app.tr(gr.Textbox(label=t("generate.api_key_env"), max_lines=1, visible=False,
                                        elem_id="generate-api-key-env"), "generate.api_key_env")
    with gr.Accordion(t("generate.settings"), open=False, elem_id="generate-settings") as acc:
        app.tr(acc, "generate.settings")
        with gr.Row():
            facts = app.tr(gr.Number(d.facts_per_chunk, precision=0, minimum=1, maximum=50, label=t("generate.facts_per_chunk"),
                                     elem_id="generate-facts"), "generate.facts_per_chunk")
            paras = app.tr(gr.Number(d.paraphrases, precision=0, minimum=0, maximum=20, label=t("generate.paraphrases"),
                                     elem_id="generate-paraphrases"), "generate.paraphrases")
            refusal = app.tr(gr.Slider(0, 1, d.refusal_share, step=0.01, label=t("generate.refusal_share")), "generate.refusal_share")
            false_p = app.tr(gr.Slider(0, 1, d.false_premise_share, step=0.01, label=t("generate.false_premise_share")),
                             "generate.false_premise_share")
        with gr.Row():
            held_facts = app.tr(gr.Slider(0, 0.5, d.heldout_facts_share, step=0.01, label=t("generate.heldout_facts_share")),
                                "generate.heldout_facts_share")
            held_phr = app.tr(gr.Number(d.heldout_phrasings, precision=0, minimum=0, maximum=3, label=t("generate.heldout_phrasings")),
                              "generate.heldout_phrasings")
            temp = app.tr(gr.Slider(0, 2, d.temperature, step=0.05, label=t("generate.temperature")), "generate.temperature")
            epochs = app.tr(gr.Number(3, precision=0, minimum=1, maximum=50, label=t("generate.epochs"),
                                      elem_id="generate-epochs"), "generate.epochs")
        with gr.Row():
            curate = app.tr(gr.Checkbox(d.curate, label=t("generate.curate")), "generate.curate")
            judge_min = app.tr(gr.Number(d.judge_min_score, precision=0, minimum=1, maximum=5, label=t("generate.judge_min_score")),
                               "generate.judge_min_score")
            conc = app.tr(gr.Number(d.concurrency, precision=0, minimum=1, maximum=64, label=t("generate.concurrency")),
                          "generate.concurrency")
            batch = app.tr(gr.Number(d.batch_size, precision=0, minimum=1, maximum=128, label=t("generate.batch_size")),
                           "generate.batch_size")
            limit = app.tr(gr.Number(0, precision=0, minimum=0, label=t("generate.limit_chunks"), elem_id="generate-limit"),
                           "generate.limit_chunks")
    estimate_md = gr.Markdown("", elem_id="generate-estimate")
    with gr.Row():
        est_btn = app.tr(gr.Button(t("generate.estimate"), elem_id="generate-estimate-btn"), "generate.estimate", prop="value")
        start = app.tr(gr.Button(t("generate.start"), variant="primary", elem_id="generate-start"), "generate.start", prop="value")
        resume = app.tr(gr.Button(t("generate.resume"), elem_id="generate-resume"), "generate.resume", prop="value")
        stop = app.tr(gr.Button(t("generate.stop"), variant="stop", elem_id="generate-stop"), "generate.stop", prop="value")
    bar = app.tr(gr.Slider(0, 100, 0, step=0.1, interactive=False, label=t("generate.progress"), elem_id="generate-bar"),
                 "generate.progress")
    status = gr.Markdown("", elem_id="generate-status")
    counters_md = gr.Markdown("", elem_id="generate-counters")
    run_id = gr.State(None)
    shown = gr.State([])  # digests of the tables this page shows (see poll)
    timer = gr.Timer(1.0, active=False)
    app.tr(gr.Markdown(t("generate.failed_md")), "generate.failed_md", prop="value")
    failed = gr.Dataframe(value=_table(FAILED_COLS, [], "en"), interactive=False, wrap=True, max_height=300,
                          elem_id="generate-failed")
    retry = app.tr(gr.Button(t("generate.retry"), elem_id="generate-retry"), "generate.retry", prop="value")
    app.tr(gr.Markdown(t("generate.sample_md")), "generate.sample_md", prop="value")
    sample = gr.Dataframe(value=_table(SAMPLE_COLS, [], "en"), interactive=False, wrap=True, max_height=400,
                          elem_id="generate-sample")
    app.tr(gr.Markdown(t("generate.coverage_md")), "generate.coverage_md", prop="value")
    cov_docs = gr.Dataframe(value=_table(DOC_COLS, [], "en"), interactive=False, elem_id="generate-coverage")
    cov_empty = app.tr(gr.Dataframe(value=_table(EMPTY_COLS, [], "en"), interactive=False, wrap=True, max_height=300,
                                    label=t("generate.empty_md"), elem_id="generate-empty"), "generate.empty_md")
    refresh = app.tr(gr.Button(t("generate.refresh"), size="sm", elem_id="generate-refresh"), "generate.refresh", prop="value")
    for frame, cols in ((failed, FAILED_COLS), (sample, SAMPLE_COLS), (cov_docs, DOC_COLS), (cov_empty, EMPTY_COLS)):
        app.i18n.register_headers(frame, list(cols))

    with gr.Group(visible=False, elem_id="generate-voice") as voice_group:
        from .voice import build_voice_section

        voice = build_voice_section(app, "generate")
    goal.change(lambda g: gr.update(visible=g in ("voice", "both")), goal, voice_group, show_progress="hidden")
    settings = [goal, backend, model, base_url, api_key_env, facts, paras, refusal, false_p, held_facts, held_phr, temp,
                curate, judge_min, conc, batch, limit, voice["author_name"]]
    views = [counters_md, failed, sample, cov_docs, cov_empty]

    def _config(goal_v, backend_v, model_v, url_v, env_v, facts_v, paras_v, ref_v, fp_v, hf_v, hp_v, temp_v, cur_v,
                jm_v, conc_v, batch_v, limit_v, author_v="", retry_failed=False):
        return GenerateConfig.from_dict({
            "mode": goal_v or "knowledge", "backend": backend_v, "model": "replay" if backend_v == "replay" else (model_v or "").strip(),
            "base_url": (url_v or "").strip() or None, "api_key_env": (env_v or "").strip() or None,
            "facts_per_chunk": facts_v, "paraphrases": paras_v, "refusal_share": ref_v, "false_premise_share": fp_v,
            "heldout_facts_share": hf_v, "heldout_phrasings": hp_v, "temperature": temp_v, "curate": bool(cur_v),
            "judge_min_score": jm_v, "concurrency": conc_v, "batch_size": batch_v,
            "limit_chunks": int(limit_v) if limit_v else None, "retry_failed": retry_failed,
            "author_name": (author_v or "").strip(),
        })

    def _checked(ws, cfg):
        """A local model named on a public Space: bundled, a Hub id or a folder of the caller's workspace only."""
        if cfg.backend not in ("openai", "replay"):
            app.model_ref(ws, cfg.model)
        return cfg

    def _views(ws, lang):
        from ..generate import view

        docs, empty = view.coverage_rows(ws)
        return (t("generate.counters", lang, **view.counters(ws)), _table(FAILED_COLS, view.failed_rows(ws), lang),
                _table(SAMPLE_COLS, view.sample_rows(ws), lang), _table(DOC_COLS, docs, lang), _table(EMPTY_COLS, empty, lang))

    def on_backend(backend_v):
        endpoint = backend_v == "openai"
        return gr.update(visible=endpoint), gr.update(visible=endpoint), gr.update(visible=endpoint)

    def on_estimate(request: gr.Request, ws_name, lang, epochs_v, *values):
        from ..generate.view import estimate

        try:
            ws = app.open_workspace(ws_name, request)
            est = estimate(ws, _checked(ws, _config(*values)), epochs=int(epochs_v or 3))
        except Exception as exc:  # noqa: BLE001 - a readable line, never a traceback
            return _err(exc, lang)
        text = t("generate.estimate_text", lang, **{**est, "time": _fmt_time(est["seconds"]) or "0s"})
        text += " " + t("generate.estimate_measured" if est["measured"] else "generate.estimate_guess", lang)
        return text + ("\n\n" + t("generate.low_exposures", lang) if est["low_exposures"] else "")

    def _submit(ws_name, lang, key_v, values, retry_failed, request):
        keep = (gr.update(), gr.update())
        try:
            ws = app.open_workspace(ws_name, request)
            if not ws.list_chunks(limit=1):
                return (*keep, t("generate.no_chunks", lang))
            runner = app.runner(ws)
            if runner.active("generate"):
                return (*keep, t("generate.busy", lang))
            cfg = _checked(ws, _config(*values, retry_failed=retry_failed))
            key = (key_v or "").strip()
            extra_env = None
            if key and cfg.backend == "openai":
                # the key travels in the worker's environment only: config.yaml names the variable, not the key
                var = f"STUDIO_GEN_KEY_{secrets.token_hex(6).upper()}"
                cfg = cfg.replace(api_key_env=var)
                extra_env = {var: key}
            rid = runner.submit("generate", cfg.to_dict(), extra_env=extra_env)
        except Exception as exc:  # noqa: BLE001
            return (*keep, _err(exc, lang))
        return rid, gr.Timer(active=True), t("generate.started", lang, run=rid)

    def on_start(request: gr.Request, ws_name, lang, key_v, *values):
        return _submit(ws_name, lang, key_v, values, False, request)

    def on_retry(request: gr.Request, ws_name, lang, key_v, *values):
        return _submit(ws_name, lang, key_v, values, True, request)

    def poll(rid, ws_name, lang, shown_v, request: gr.Request):
        nothing = [gr.update()] * len(views)
        if not rid:
            return gr.Timer(active=False), gr.update(), gr.update(), shown_v, *nothing
        try:
            ws = app.open_workspace(ws_name, request)
            st = app.runner(ws).status(rid)
            views_v = _views(ws, lang)
        except Exception as exc:  # noqa: BLE001
            return gr.Timer(active=False), gr.update(), _err(exc, lang), shown_v, *nothing
        views_v, shown_v = only_changed(views_v, shown_v)  # a table the page already shows is not sent again
        return (*_poll_head(st, lang), shown_v, *views_v)

    def _poll_head(st, lang):
        """Timer, progress bar and status line of one tick."""
        state, result = st.get("state"), st.get("result") or {}
        if state == "completed":
            return gr.Timer(active=False), 100, t("generate.done", lang, **{k: result.get(k, 0) for k in (
                "pairs", "train", "val", "heldout", "heldout_phrasings", "heldout_facts", "leaks_fixed")})
        if state in ("failed", "killed"):
            return gr.Timer(active=False), gr.update(), t("generate.failed", lang, error=st.get("error") or state)
        if state == "stopped":
            return gr.Timer(active=False), gr.update(), t("generate.stopped", lang)
        prog = st.get("progress") or {}
        frac = prog.get("fraction") or 0
        eta = _fmt_time(prog.get("eta_s"))
        msg = t("generate.running", lang, pct=int(100 * frac), done=int(prog.get("done") or 0), total=prog.get("total", 0),
                pairs=prog.get("pairs", 0), rate=prog.get("pairs_per_min", 0),
                eta=t("generate.eta", lang, eta=eta) if eta else "", message=prog.get("message") or state)
        return gr.Timer(active=True), round(100 * frac, 1), msg

    def on_stop(rid, ws_name, lang, request: gr.Request):
        if not rid:
            return gr.update()
        try:
            app.runner(app.open_workspace(ws_name, request)).stop(rid)
        except Exception as exc:  # noqa: BLE001
            return _err(exc, lang)
        return t("generate.stopped", lang)

    def on_refresh(ws_name, lang, request: gr.Request):
        """Workspace change or page load: reattach to a running generation and show the tables."""
        try:
            ws = app.open_workspace(ws_name, request)
            latest = app.runner(ws).latest("generate")
            views_v = _views(ws, lang)
        except Exception:  # noqa: BLE001 - no workspace yet: empty views
            return None, gr.Timer(active=False), [], *[gr.update()] * len(views)
        rid = latest["id"] if latest else None
        return rid, gr.Timer(active=bool(latest and latest.get("state") in ACTIVE)), [digest(v) for v in views_v], *views_v

    lang = app.language
    backend.change(on_backend, [backend], [base_url, api_key, api_key_env])
    est_btn.click(on_estimate, [app.workspace_name, lang, epochs, *settings], [estimate_md])
    start.click(on_start, [app.workspace_name, lang, api_key, *settings], [run_id, timer, status])
    resume.click(on_start, [app.workspace_name, lang, api_key, *settings], [run_id, timer, status])
    retry.click(on_retry, [app.workspace_name, lang, api_key, *settings], [run_id, timer, status])
    stop.click(on_stop, [run_id, app.workspace_name, lang], [status])
    timer.tick(poll, [run_id, app.workspace_name, lang, shown], [timer, bar, status, shown, *views],
               concurrency_limit=None, show_progress="hidden")
    refresh.click(on_refresh, [app.workspace_name, lang], [run_id, timer, shown, *views])
    app.workspace_name.change(on_refresh, [app.workspace_name, lang], [run_id, timer, shown, *views])
    lang.change(on_refresh, [app.workspace_name, lang], [run_id, timer, shown, *views], show_progress="hidden")
