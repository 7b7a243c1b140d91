"""Train tab: "Continue from a finished run" (a new run starting from that run's adapter, with a replay share of
the old pairs) beside "start fresh". The choices are the workspace's own finished runs; the engine
(:mod:`studio.train.lineage`) checks the base model and builds the config."""

from __future__ import annotations

import gradio as gr

from .context import AppContext
from .i18n import t

FRESH = ""


def _choices(runs: list[str], lang: str = "en") -> list[tuple[str, str]]:
    return [(t("train.start_fresh", lang), FRESH)] + [(r, r) for r in runs]


def build_continue(app: AppContext, own_tab=None):
    """The dropdown and the replay share; they refresh when the workspace changes or the tab is opened."""
    with gr.Row():
        source = app.tr(gr.Dropdown(_choices([]), value=FRESH, label=t("train.continue_from"), elem_id="train-continue",
                                    scale=3), "train.continue_from")
        share = app.tr(gr.Number(value=0.5, minimum=0, maximum=10, label=t("train.replay_share"),
                                 elem_id="train-replay-share", scale=1), "train.replay_share")

    def refresh_continue(ws_name, lang, current, request: gr.Request):
        from ..train.lineage import finished_runs

        try:
            runs = finished_runs(app.open_workspace(ws_name, request))
        except Exception:  # noqa: BLE001 - an unknown workspace: only "start fresh"
            runs = []
        return gr.update(choices=_choices(runs, lang), value=current if current in runs else FRESH)

    app.workspace_name.change(refresh_continue, [app.workspace_name, app.language, source], [source],
                              show_progress="hidden")
    if isinstance(own_tab, gr.Tab):
        own_tab.select(refresh_continue, [app.workspace_name, app.language, source], [source], show_progress="hidden")
    return source, share


def apply_continue(ws, cfg, run, share):
    """The config of the form, continuing from ``run`` when one is chosen (readable error otherwise)."""
    from ..train.lineage import continue_config

    return continue_config(ws, cfg, run, share)
