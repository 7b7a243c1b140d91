"""Train tab: model, preset, advanced settings, the effective recipe, start/stop/resume, live plots from events.jsonl.

The page never owns the run: a ``gr.Timer`` reads the run folder by id, so a reload or a dropped connection
redraws the same plots and continues (the run is found again as the workspace's latest training run).
"""

from __future__ import annotations

import gradio as gr

from ..models import BUNDLED_CHAT, bundled_chat_available, chat_model_choices
from .changes import only_changed
from .context import AppContext
from .i18n import t

PRESET_CHOICES = ["auto", "cpu", "t4", "l4", "a10g", "a100-40", "a100-80", "h100"]
ACTIVE = ("queued", "running", "stopping")
EMPTY_PLOT = {"step": [], "value": [], "series": []}


def _frame(rows: list[dict], series: tuple[str, ...] = ()):
    """Plot rows with fixed column types. Gradio 6.31 fixes a LinePlot's colour domain when it builds the chart and
    only swaps the data afterwards, so a series missing then is never drawn: every frame carries an empty (NaN)
    point of each ``series``, which Vega skips but counts in the domain."""
    import pandas as pd

    first = min((r["step"] for r in rows), default=1)
    rows = [{"step": first, "value": float("nan"), "series": name} for name in series] + list(rows or [])
    frame = pd.DataFrame(rows, columns=["step", "value", "series"])
    return frame.astype({"step": "int64", "value": "float64", "series": "str"})


LOSS_SERIES = ("train", "val")


def _num(value, cast=float):
    if value in (None, ""):
        return None
    try:
        return cast(value)
    except (TypeError, ValueError):
        return None


def build(app: AppContext) -> None:  # noqa: PLR0915 - one flat layout reads best
    own_tab = getattr(gr.context.Context, "block", None)  # the gr.Tab this tab is built in (by the layout)
    app.tr(gr.Markdown(t("train.intro")), "train.intro", prop="value")
    default_model = BUNDLED_CHAT if bundled_chat_available() else None
    with gr.Row():
        base_model = app.tr(gr.Dropdown([(c.label, c.value) for c in chat_model_choices()], value=default_model,
                                        allow_custom_value=True, label=t("train.base_model"), elem_id="train-base-model",
                                        scale=3), "train.base_model")
        preset = app.tr(gr.Dropdown(PRESET_CHOICES, value="auto", label=t("train.preset"), elem_id="train-preset", scale=1),
                        "train.preset")
        method = app.tr(gr.Radio(["auto", "qlora", "lora"], value="auto", label=t("train.method"), elem_id="train-method",
                                 scale=1), "train.method")
    from .train_continue import apply_continue, build_continue

    continue_from, replay_share = build_continue(app, own_tab)
    with gr.Accordion(t("train.advanced"), open=False) as adv:
        app.tr(adv, "train.advanced")
        with gr.Row():
            lr = app.tr(gr.Textbox(label=t("train.lr"), elem_id="train-lr", max_lines=1), "train.lr")
            epochs = app.tr(gr.Textbox(label=t("train.epochs"), elem_id="train-epochs", max_lines=1), "train.epochs")
            max_steps = app.tr(gr.Textbox(label=t("train.max_steps"), elem_id="train-max-steps", max_lines=1), "train.max_steps")
            batch = app.tr(gr.Textbox(label=t("train.batch_size"), elem_id="train-batch", max_lines=1), "train.batch_size")
            accum = app.tr(gr.Textbox(label=t("train.grad_accum"), elem_id="train-accum", max_lines=1), "train.grad_accum")
        with gr.Row():
            max_length = app.tr(gr.Textbox(label=t("train.max_length"), elem_id="train-max-length", max_lines=1),
                                "train.max_length")
            packing = app.tr(gr.Dropdown(["auto", "on", "off"], value="auto", label=t("train.packing")), "train.packing")
            lora_r = app.tr(gr.Number(value=16, precision=0, minimum=1, label=t("train.lora_r")), "train.lora_r")
            lora_alpha = app.tr(gr.Textbox(label=t("train.lora_alpha"), max_lines=1), "train.lora_alpha")
            lora_dropout = app.tr(gr.Number(value=0.05, minimum=0, maximum=0.9, label=t("train.lora_dropout")),
                                  "train.lora_dropout")
        with gr.Row():
            save_steps = app.tr(gr.Textbox(label=t("train.save_steps"), elem_id="train-save-steps", max_lines=1),
                                "train.save_steps")
            keep = app.tr(gr.Number(value=2, precision=0, minimum=1, label=t("train.save_total_limit")),
                          "train.save_total_limit")
            minutes = app.tr(gr.Number(value=15, minimum=1, label=t("train.checkpoint_minutes")), "train.checkpoint_minutes")
            seed = app.tr(gr.Number(value=42, precision=0, label=t("train.seed")), "train.seed")
        with gr.Row():
            system_prompt = app.tr(gr.Textbox(label=t("train.system_prompt"), lines=1, elem_id="train-system"),
                                   "train.system_prompt")
            early = app.tr(gr.Checkbox(value=False, label=t("train.early_stopping")), "train.early_stopping")
            # never on a public Space: a visitor's model repo would run code with the owner's token
            remote = app.tr(gr.Checkbox(value=False, label=t("train.trust_remote_code"), visible=not app.on_space),
                            "train.trust_remote_code")
    with gr.Row():
        preview_btn = app.tr(gr.Button(t("train.preview"), elem_id="train-preview"), "train.preview", prop="value")
        calib_btn = app.tr(gr.Button(t("train.calibrate"), elem_id="train-calibrate"), "train.calibrate", prop="value")
        start_btn = app.tr(gr.Button(t("train.start"), variant="primary", elem_id="train-start"), "train.start", prop="value")
        stop_btn = app.tr(gr.Button(t("train.stop"), variant="stop", elem_id="train-stop"), "train.stop", prop="value")
        resume_btn = app.tr(gr.Button(t("train.resume"), elem_id="train-resume"), "train.resume", prop="value")
    message = gr.Markdown("", elem_id="train-message")
    app.tr(gr.Markdown(t("train.plan_md")), "train.plan_md", prop="value")
    plan_box = gr.Textbox(label="", show_label=False, interactive=False, lines=6, elem_id="train-plan")
    command = app.tr(gr.Textbox(label=t("train.command"), interactive=False, lines=2, elem_id="train-command",
                                buttons=["copy"]), "train.command")
    app.tr(gr.Markdown(t("train.live_md")), "train.live_md", prop="value")
    status_box = gr.Textbox(label="", show_label=False, interactive=False, max_lines=2, elem_id="train-status")
    latest_box = app.tr(gr.Textbox(label=t("train.latest"), interactive=False, max_lines=2, elem_id="train-latest"),
                        "train.latest")
    # plots carry no translated label: a label update from the language switch re-renders a LinePlot with its
    # first (empty) value and loses the drawn series, so the titles are Markdown above them
    app.tr(gr.Markdown("**" + t("train.loss_plot") + "**"), "train.loss_plot_md", prop="value")
    loss_plot = gr.LinePlot(_frame([], LOSS_SERIES), x="step", y="value", color="series", show_label=False,
                            elem_id="train-loss-plot", height=280)
    with gr.Row():
        with gr.Column():
            app.tr(gr.Markdown(t("train.lr_plot_md")), "train.lr_plot_md", prop="value")
            # in units of 1e-4 ("2", "10"; "~f" never writes "1e+1"): the axis clips long labels ("2.0e-4" showed as "0e-4")
            lr_plot = gr.LinePlot(_frame([]), x="step", y="value", show_label=False, y_axis_format="~f",
                                  elem_id="train-lr-plot", height=220)
        with gr.Column():
            app.tr(gr.Markdown("**" + t("train.tps_plot") + "**"), "train.tps_plot_md", prop="value")
            tps_plot = gr.LinePlot(_frame([]), x="step", y="value", show_label=False,
                                   elem_id="train-tps-plot", height=220)
    log_box = app.tr(gr.Textbox(label=t("train.log"), interactive=False, lines=8, max_lines=14, elem_id="train-log",
                                autoscroll=True), "train.log")
    ckpt_table = app.tr(gr.Dataframe(headers=["step", "saved", "path"], value=[], interactive=False,
                                     label=t("train.checkpoints"), elem_id="train-checkpoints"), "train.checkpoints")
    app.i18n.register_headers(ckpt_table, ["train.col_step", "train.col_saved", "train.col_path"])
    run_id = gr.State(None)
    timer = gr.Timer(2.0, active=False)
    watch = gr.Timer(5.0)  # finds a run started elsewhere (another page, the CLI) after this page opened

    form = [base_model, preset, method, lr, epochs, max_steps, batch, accum, max_length, packing, lora_r, lora_alpha,
            lora_dropout, save_steps, keep, minutes, seed, system_prompt, early, remote, continue_from, replay_share]

    def make_config(base_v, preset_v, method_v, lr_v, epochs_v, steps_v, batch_v, accum_v, len_v, pack_v, r_v, alpha_v,
                    drop_v, save_v, keep_v, min_v, seed_v, sys_v, early_v, remote_v):
        from ..train.config import TrainConfig

        return TrainConfig.from_dict({
            "base_model": (base_v or "").strip(), "preset": preset_v or "auto", "method": method_v or "auto",
            "lr": lr_v, "epochs": epochs_v, "max_steps": steps_v, "batch_size": batch_v, "grad_accum": accum_v,
            "max_length": len_v, "packing": {"on": True, "off": False}.get(pack_v), "lora_r": int(r_v or 16),
            "lora_alpha": alpha_v, "lora_dropout": float(drop_v if drop_v is not None else 0.05), "save_steps": save_v,
            "save_total_limit": int(keep_v or 2), "checkpoint_minutes": float(min_v or 15), "seed": int(seed_v or 42),
            "system_prompt": sys_v or "", "early_stopping": bool(early_v),
            "trust_remote_code": bool(remote_v) and not app.on_space,
        })

    def on_preview(request: gr.Request, ws_name, lang, *values):  # request first: Gradio injects only positional params
        try:
            from ..train.distributed import accelerate_command
            from ..train.preview import preview_plan

            cfg = make_config(*values[:-2])
            ws = app.open_workspace(ws_name, request)
            app.model_ref(ws, cfg.base_model)
            cfg = apply_continue(ws, cfg, *values[-2:])
            preview = preview_plan(cfg, ws)
            from ..train.hardware import detect

            cmd = accelerate_command(cfg, ws_name, ws.runs_dir / "RUN_ID", detect().count)
        except Exception as exc:  # noqa: BLE001 - a readable line, never a traceback
            return gr.update(), gr.update(), t("msg.error", lang, message=_first_line(exc))
        text = "\n".join(preview["lines"])
        if preview["warnings"]:
            text += "\n\n" + t("train.warnings", lang) + ":\n" + "\n".join(f"- {w}" for w in preview["warnings"])
        return text, cmd, ""

    def checked(request, ws_name, values):
        """The config and workspace of a training action, after the Space's rule (signed in, under the quota)."""
        allowed, why = app.can_train(request)
        if not allowed:
            raise PermissionError(why)
        cfg = make_config(*values[:-2])
        ws = app.open_workspace(ws_name, request)
        app.model_ref(ws, cfg.base_model)
        return apply_continue(ws, cfg, *values[-2:]), ws

    def on_calibrate(request: gr.Request, ws_name, lang, *values):
        """Time a few real steps of this recipe here (model load + 4 steps), then show the plan with measured time."""
        try:
            from ..train.calibrate import calibrate

            measured = calibrate(*checked(request, ws_name, values))
        except Exception as exc:  # noqa: BLE001 - a readable line, never a traceback
            return gr.update(), gr.update(), t("msg.error", lang, message=_first_line(exc))
        text, cmd, err = on_preview(request, ws_name, lang, *values)
        note = t("train.calibrated", lang, s=measured["seconds_per_step"], n=max(1, measured["steps"] - 1))
        return text, cmd, err or note

    def on_start(request: gr.Request, ws_name, lang, *values):
        from ..train import control

        try:
            cfg, ws = checked(request, ws_name, values)
            rid = control.start(app.runner(ws), cfg)
        except control.RunActive as exc:
            return exc.run_id, gr.Timer(active=True), t("train.already", lang, run=exc.run_id)
        except Exception as exc:  # noqa: BLE001
            return gr.update(), gr.update(), t("msg.error", lang, message=_first_line(exc))
        return rid, gr.Timer(active=True), t("train.started", lang, run=rid)

    def on_resume(rid, ws_name, lang, request: gr.Request):
        from ..train import control

        try:
            runner = app.runner(app.open_workspace(ws_name, request))
            target = rid
            if not target:
                found = control.latest(runner)
                target = found["id"] if found else None
            if not target or runner.status(target).get("state") not in control.RESUMABLE:
                return gr.update(), gr.update(), t("train.nothing_to_resume", lang)
            new = control.resume(runner, target)
        except control.RunActive as exc:
            return exc.run_id, gr.Timer(active=True), t("train.already", lang, run=exc.run_id)
        except Exception as exc:  # noqa: BLE001
            return gr.update(), gr.update(), t("msg.error", lang, message=_first_line(exc))
        return new, gr.Timer(active=True), t("train.resumed", lang, run=new)

    def on_stop(rid, ws_name, lang, request: gr.Request):
        if not rid:
            return t("train.no_run", lang)
        try:
            app.runner(app.open_workspace(ws_name, request)).stop(rid)
        except Exception as exc:  # noqa: BLE001
            return t("msg.error", lang, message=_first_line(exc))
        return t("train.state.stopping", lang)

    live_outputs = [timer, status_box, latest_box, loss_plot, lr_plot, tps_plot, log_box, ckpt_table, plan_box]
    shown = gr.State([])  # digests of what this page shows of the followed run (see poll)

    def poll(rid, ws_name, lang, shown_v, request: gr.Request):
        """One tick: the run's state line, numbers, plots, log, checkpoints and recipe; of those, only what changed
        since the last tick is sent (``shown`` keeps a digest of each)."""
        if not rid:
            return [gr.Timer(active=False), *[gr.update()] * (len(live_outputs) - 1), shown_v]
        timer_v, *rest = _poll_values(rid, ws_name, lang, request)
        rest, shown_v = only_changed(rest, shown_v)
        return [timer_v, *rest, shown_v]

    def _poll_values(rid, ws_name, lang, request):
        try:
            from ..train.view import latest_numbers, progress_text, run_view

            runner = app.runner(app.open_workspace(ws_name, request))
            status = runner.status(rid)
            view = run_view(runner.run_dir(rid))
        except Exception as exc:  # noqa: BLE001
            return [gr.Timer(active=False), t("msg.error", lang, message=_first_line(exc))] + [gr.update()] * 7
        state = status.get("state", "unknown")
        result = status.get("result") or {}
        adapter = adapter_label(result.get("adapter") or view.get("adapter") or "", rid, lang, app.on_space)
        head = t(f"train.state.{state}", lang, adapter=adapter,
                 error=status.get("error") or "", step=result.get("step") or view["latest"].get("step") or 0)
        line = head + (" · " + progress_text(status) if state in ACTIVE else "")
        return [gr.Timer(active=state in ACTIVE), line, latest_numbers(view["latest"]), _frame(view["loss"], LOSS_SERIES),
                _frame(view["lr"]), _frame(view["tps"]), view["log"], _checkpoint_frame(view["checkpoints"]),
                view["plan_text"] or gr.update()]  # the followed run's recipe (the worker writes it once planned)

    def reattach(ws_name, request: gr.Request):
        """After a reload or a workspace switch: follow the running training run, or show the last one, with the
        recipe it runs."""
        from ..train import control
        from ..train.view import run_view

        try:
            runner = app.runner(app.open_workspace(ws_name, request))
            found = control.latest(runner)
            plan = run_view(runner.run_dir(found["id"]))["plan_text"] if found else ""
        except Exception:  # noqa: BLE001 - an unknown workspace has no runs
            found, plan = None, ""
        if not found:
            return None, gr.Timer(active=False), "", []
        return found["id"], gr.Timer(active=True), plan, []  # one tick redraws a finished run, then stops

    def on_watch(rid, ws_name, request: gr.Request):
        """A newer active run of this workspace than the one the page follows: follow it."""
        from ..train import control

        try:
            found = control.latest(app.runner(app.open_workspace(ws_name, request)))
        except Exception:  # noqa: BLE001
            found = None
        if not found or found["id"] == rid or found.get("state") not in ACTIVE:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return reattach(ws_name, request)

    preview_btn.click(on_preview, [app.workspace_name, app.language, *form], [plan_box, command, message])
    calib_btn.click(on_calibrate, [app.workspace_name, app.language, *form], [plan_box, command, message])
    start_btn.click(on_start, [app.workspace_name, app.language, *form], [run_id, timer, message])
    resume_btn.click(on_resume, [run_id, app.workspace_name, app.language], [run_id, timer, message])
    stop_btn.click(on_stop, [run_id, app.workspace_name, app.language], [message])
    polled = [run_id, app.workspace_name, app.language, shown]
    timer.tick(poll, polled, [*live_outputs, shown], concurrency_limit=None, show_progress="hidden")
    app.workspace_name.change(reattach, [app.workspace_name], [run_id, timer, plan_box, shown], show_progress="hidden")
    watch.tick(on_watch, [run_id, app.workspace_name], [run_id, timer, plan_box, shown], concurrency_limit=None,
               show_progress="hidden")
    if isinstance(own_tab, gr.Tab):
        # plots drawn while the tab was hidden (a reload reattaches before the user opens it) show no lines:
        # redraw when the tab is opened
        def clear_plots():
            return _frame([], LOSS_SERIES), _frame([]), _frame([]), []  # and forget what was shown: all is sent

        own_tab.select(clear_plots, None, [loss_plot, lr_plot, tps_plot, shown], show_progress="hidden").then(
            poll, polled, [*live_outputs, shown], show_progress="hidden")


def adapter_label(adapter: str, run_id: str, lang: str, on_space: bool) -> str:
    """Where the finished adapter is: its folder, or on a Space (a visitor never sees the server's folders) the run."""
    if on_space and adapter:
        return t("train.adapter_of_run", lang, run=run_id)
    return adapter


def _checkpoint_frame(rows: list[list]):
    import pandas as pd

    return pd.DataFrame(rows, columns=["step", "saved", "path"])


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
