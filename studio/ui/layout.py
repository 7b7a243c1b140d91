"""Builds the one ``gr.Blocks``: header (title, language, workspace), then a tab per stage.

Each tab lives in its own module ``studio/ui/<tab>.py`` with ``build(app)``.
"""

from __future__ import annotations

import importlib

import gradio as gr

from .context import BROWSER_KEY, DEFAULT_WORKSPACE, VISITOR_COOKIE, AppContext
from .i18n import browser_language, t
from .strings import LANGUAGE_NAMES

TABS = ("upload", "generate", "review", "train", "evaluate", "export", "chat")

CSS = """
.studio-header h1 {margin-bottom: 0}
.studio-banner {border-left: 4px solid #f59e0b; padding: 4px 12px}
"""

# Keeps the visitor token the server signed (per-visitor workspaces on a public Space) for a year; the page runs in
# the Space's iframe, so the cookie must be SameSite=None (and Secure) there.
KEEP_VISITOR_JS = f"""
(token) => {{
  if (!token) return;
  const secure = location.protocol === 'https:';
  document.cookie = '{VISITOR_COOKIE}=' + token + '; path=/; max-age=31536000; ' + (secure ? 'SameSite=None; Secure' : 'SameSite=Lax');
}}
"""


def build_app(app: AppContext | None = None) -> gr.Blocks:
    app = app or AppContext()
    with gr.Blocks(title="Fine-Tuning Studio", analytics_enabled=False, delete_cache=(900, 1800)) as demo:
        app.language = gr.State("en")
        with gr.Row(elem_classes="studio-header", equal_height=True):
            with gr.Column(scale=3, min_width=280):
                app.tr(gr.Markdown("# " + t("app.title")), "app.title_md", prop="value")
                app.tr(gr.Markdown(t("app.subtitle")), "app.subtitle", prop="value")
            with gr.Column(scale=2, min_width=220):
                app.workspace_name = gr.Dropdown(
                    choices=[], value=None, label=t("app.workspace"), allow_custom_value=True, elem_id="studio-workspace"
                )
                app.tr(app.workspace_name, "app.workspace")
                summary = gr.Markdown("", elem_id="studio-summary")
            with gr.Column(scale=2, min_width=220):
                new_name = app.tr(gr.Textbox(label=t("app.workspace_new"), elem_id="studio-new-workspace", max_lines=1), "app.workspace_new")
                create_btn = app.tr(gr.Button(t("app.workspace_create"), size="sm"), "app.workspace_create", prop="value")
                created = gr.Markdown("", elem_id="studio-workspace-message")  # beside the picker, not below the tabs
            with gr.Column(scale=1, min_width=140):
                lang_radio = gr.Radio(
                    [(name, code) for code, name in LANGUAGE_NAMES.items()], value="en", label=t("app.language"), elem_id="studio-language"
                )
                app.tr(lang_radio, "app.language")
        banner = gr.Markdown("", visible=False, elem_classes="studio-banner")
        with gr.Tabs(elem_id="studio-tabs"):
            for name in TABS:
                with gr.Tab(t(f"tab.{name}"), id=name, elem_id=f"tab-{name}") as tab:
                    app.tr(tab, f"tab.{name}")
                    importlib.import_module(f"studio.ui.{name}").build(app)
        visitor = gr.Textbox(visible=False)
        # the last workspace of this browser, so a reload or a later visit opens it again (encrypted in localStorage)
        last_ws = gr.BrowserState(None, storage_key=BROWSER_KEY, secret=app.browser_secret())

        def on_load(remembered=None, request: gr.Request = None):  # API callers need not send the browser state
            lang = browser_language(request.headers.get("accept-language") if request else None)
            names = app.list_workspaces(request)
            if not names:
                app.open_workspace(DEFAULT_WORKSPACE, request, create=True)
                names = [DEFAULT_WORKSPACE]
            value = app.remembered_workspace(names, remembered, request)
            app.remember_language(request, lang)
            return [lang, lang, gr.update(choices=names, value=value), _banner(app, lang, request),
                    app.visitor_token(request), *app.i18n.updates(lang)]

        def on_language(lang: str, ws: str, request: gr.Request):
            app.remember_language(request, lang)
            return [lang, _banner(app, lang, request), *app.i18n.updates(lang)]

        def on_create(name: str, lang: str, request: gr.Request):
            name = (name or "").strip()
            try:
                app.open_workspace(name, request, create=True)
            except Exception as exc:  # noqa: BLE001 - shown as a message
                return gr.update(), gr.update(), t("msg.error", lang, message=str(exc)), gr.skip()
            app.remember_workspace(name, request)
            return (gr.update(choices=app.list_workspaces(request), value=name), "",
                    t("app.workspace_created", lang, name=name), name)

        def on_pick(ws_name: str, request: gr.Request):
            if not ws_name or ws_name not in app.list_workspaces(request):
                return gr.skip(), gr.skip()
            app.remember_workspace(ws_name, request)
            return ws_name, ""  # "Workspace created." belongs to the workspace just made, not to the one picked now

        def on_summary(ws_name: str, lang: str, request: gr.Request):
            return workspace_summary(app, ws_name, lang, request)

        summary_timer = gr.Timer(5.0)
        summary_timer.tick(on_summary, [app.workspace_name, app.language], summary, concurrency_limit=None, show_progress="hidden")
        app.workspace_name.change(on_summary, [app.workspace_name, app.language], summary, show_progress="hidden")

        translated = app.i18n.components
        # kept in this browser (and on a Space per visitor) when the user picks or creates one; not on `change`,
        # which also fires for the load's own update and, behind a busy queue, may come too late or not at all
        app.workspace_name.input(on_pick, [app.workspace_name], [last_ws, created], show_progress="hidden", queue=False)
        # hidden progress: a finished load event otherwise flashes Gradio's own untranslated "common.complete"
        demo.load(on_load, [last_ws], [app.language, lang_radio, app.workspace_name, banner, visitor, *translated],
                  show_progress="hidden").then(None, [visitor], None, js=KEEP_VISITOR_JS, show_progress="hidden")
        lang_radio.input(on_language, [lang_radio, app.workspace_name], [app.language, banner, *translated])
        create_btn.click(on_create, [new_name, app.language], [app.workspace_name, new_name, created, last_ws])
        new_name.submit(on_create, [new_name, app.language], [app.workspace_name, new_name, created, last_ws])
        _quiet_on_load(demo, app.workspace_name)
    return demo


def _quiet_on_load(demo: gr.Blocks, picker) -> None:
    """Events that run as the page opens (load, and every tab's reaction to the picked workspace) show no progress:
    a finished event otherwise flashes Gradio's own "common.complete" before its translations have loaded."""
    for fn in demo.fns.values():
        if any(event == "load" or (block_id == picker._id and event == "change") for block_id, event in fn.targets):
            fn.show_progress = "hidden"


def workspace_summary(app: AppContext, ws_name: str | None, lang: str, request) -> str:
    """One line under the workspace picker: where the user stands in the flow."""
    if not ws_name:
        return ""
    try:
        ws = app.open_workspace(ws_name, request)
        info = ws.info()
    except Exception:  # noqa: BLE001 - a deleted or half-created workspace shows nothing
        return ""
    kept = info["pairs_by_status"].get("kept", 0)
    return t("app.summary", lang, docs=info["documents"], chunks=info["chunks"], pairs=info["pairs"], kept=kept, runs=info["runs"])


def _banner(app: AppContext, lang: str, request) -> dict:
    lines = []
    if app.on_space:
        if not str(app.root).startswith("/data"):
            lines.append(t("app.space_ephemeral", lang))
        lines.append(t("app.space_user", lang, user=app.visitor_label(request)))
        if app.policy is not None:
            lines.append(t("app.space_policy", lang, runs=app.policy.train_runs_per_day, mb=app.policy.max_upload_mb,
                           days=app.policy.idle_days))
    if app.on_colab:
        from ..mirror import drive_mirror_dir

        mirror = drive_mirror_dir()
        if mirror:
            lines.append(t("app.colab_mirror", lang, path=str(mirror)))
    return gr.update(value="\n\n".join(lines), visible=bool(lines))
