"""Export tab: log in, pick an adapter, see and edit the model card, stage, confirm a public push, push, get the link.

The token is an input only: no handler returns it, and the push job gets it in memory (``hand_token``);
it never reaches the workspace, the run folder, the events or the page. The OAuth login button exists
only on a Space (anywhere else it would need a live Hub login to build the page).
"""

from __future__ import annotations

import os
import re
import threading

import gradio as gr

from ..chat.adapters import find_adapters
from ..workspace import WorkspaceError
from .context import AppContext
from .i18n import t

LICENSES = ["other", "apache-2.0", "mit", "cc-by-4.0", "cc-by-sa-4.0", "cc-by-nc-4.0", "llama3.1", "llama3.2",
            "gemma", "openrail"]
_FRONT = re.compile(r"^---\n(.*?)\n---\n?", re.S)


def render_card(text: str) -> str:
    """The card for gr.Markdown: its YAML metadata shown as a code block, then the body."""
    text = text or ""
    match = _FRONT.match(text)
    if not match:
        return text
    return f"```yaml\n{match.group(1)}\n```\n\n{text[match.end():]}"


def _adapter(choice, path) -> str:
    return (path or "").strip() or (choice or "")


def _stage_options(repo_id, weights, license_, card_text=None, language=None):
    from ..hub.staging import StageOptions

    return StageOptions.from_dict({"repo_id": (repo_id or "").strip(), "merged": weights == "merged",
                                   "license": license_ or "other", "card_text": card_text or None})


def build(app: AppContext) -> None:
    from .chat import expectations_markdown

    own_tab = getattr(gr.context.Context, "block", None)  # the gr.Tab this tab is built in (by the layout)
    app.tr(gr.Markdown(t("export.intro")), "export.intro", prop="value")
    app.tr(gr.Markdown(t("export.login_md")), "export.login_md", prop="value")
    with gr.Row():
        if app.on_space:
            gr.LoginButton()
            app.tr(gr.Markdown(t("export.login_space")), "export.login_space", prop="value")
            token = gr.Textbox(visible=False)
        else:
            token = app.tr(gr.Textbox(label=t("export.token"), type="password", elem_id="export-token", scale=3),
                           "export.token")
        who_btn = app.tr(gr.Button(t("export.whoami"), size="sm", scale=0, elem_id="export-whoami"),
                         "export.whoami", prop="value")
    hint = t("export.token_env") if os.environ.get("HF_TOKEN") and not app.on_space else ""
    who = gr.Markdown(hint, elem_id="export-who")

    app.tr(gr.Markdown(t("export.what_md")), "export.what_md", prop="value")
    with gr.Row():
        adapter = app.tr(gr.Dropdown([], value=None, label=t("export.adapter"), elem_id="export-adapter", scale=2),
                         "export.adapter")
        adapter_path = app.tr(gr.Textbox(label=t("export.adapter_path"), elem_id="export-adapter-path", scale=2),
                              "export.adapter_path")
        refresh = app.tr(gr.Button(t("export.refresh"), size="sm", scale=0), "export.refresh", prop="value")
    with gr.Row():
        repo_id = app.tr(gr.Textbox(label=t("export.repo_id"), elem_id="export-repo-id", scale=2), "export.repo_id")
        visibility = gr.Radio([(t("export.private"), "private"), (t("export.public"), "public")], value="private",
                              label=t("export.visibility"), elem_id="export-visibility", scale=1)
        app.tr(visibility, "export.visibility")
        app.tr_choices(visibility, [("export.private", "private"), ("export.public", "public")])
        weights = gr.Radio([(t("export.w_adapter"), "adapter"), (t("export.w_merged"), "merged")], value="adapter",
                           label=t("export.weights"), elem_id="export-weights", scale=2)
        app.tr(weights, "export.weights")
        app.tr_choices(weights, [("export.w_adapter", "adapter"), ("export.w_merged", "merged")])
    merged_warn = gr.Markdown("", visible=False)
    with gr.Row():
        license_ = app.tr(gr.Dropdown(LICENSES, value="other", allow_custom_value=True, label=t("export.license"),
                                      scale=1), "export.license")
        commit = app.tr(gr.Textbox(value="Upload fine-tuned model with Fine-Tuning Studio", label=t("export.commit"),
                                   scale=2), "export.commit")
        pr = app.tr(gr.Checkbox(False, label=t("export.pr")), "export.pr")
        push_dataset = app.tr(gr.Checkbox(False, label=t("export.push_dataset")), "export.push_dataset")

    app.tr(gr.Markdown(t("export.card_md")), "export.card_md", prop="value")
    preview_btn = app.tr(gr.Button(t("export.preview_btn"), elem_id="export-preview"), "export.preview_btn",
                         prop="value")
    with gr.Row():
        card_edit = app.tr(gr.Textbox(label=t("export.card_edit"), lines=24, max_lines=60, elem_id="export-card-edit",
                                      scale=1), "export.card_edit")
        with gr.Column(scale=1):
            app.tr(gr.Markdown(t("export.card_rendered")), "export.card_rendered", prop="value")
            card_view = gr.Markdown("", elem_id="export-card-preview", sanitize_html=True)
    stage_btn = app.tr(gr.Button(t("export.stage_btn"), elem_id="export-stage"), "export.stage_btn", prop="value")
    staged = gr.Markdown("", elem_id="export-staged")

    app.tr(gr.Markdown(t("export.push_md")), "export.push_md", prop="value")
    push_btn = app.tr(gr.Button(t("export.push_btn"), variant="primary", elem_id="export-push"), "export.push_btn",
                      prop="value")
    with gr.Row(visible=False) as confirm_row:
        confirm_btn = app.tr(gr.Button(t("export.confirm_public"), variant="stop", elem_id="export-confirm"),
                             "export.confirm_public", prop="value")
        cancel_btn = app.tr(gr.Button(t("export.cancel")), "export.cancel", prop="value")
    progress = gr.Markdown("", elem_id="export-progress")
    run_id = gr.State(None)
    timer = gr.Timer(1.0, active=False)

    # ---- handlers --------------------------------------------------------------------------------------
    def do_whoami(token_value, lang, oauth=None):
        from ..hub.auth import redact, resolve_token, whoami
        from ..hub.errors import HubError

        tok = resolve_token(oauth, token_value)
        if not tok:
            return t("export.not_logged", lang)
        try:
            return whoami(tok).describe()
        except HubError as exc:
            return t("msg.error", lang, message=redact(str(exc), tok))

    def source(choice, path, ws_name, request) -> str:
        """The adapter folder to export: a run of the caller's own workspace or a folder inside it, never another's."""
        value = _adapter(choice, path)
        if not value:
            return ""
        from ..hub.runinfo import read_run

        ws = app.open_workspace(ws_name, request)
        try:
            folder = app.user_path(ws, value, "adapter")
            run_dir = read_run(folder).run_dir if folder.is_dir() else None
            if run_dir is not None:  # the run folder its studio_run.json names must be the caller's too
                app.user_path(ws, str(run_dir))
            return str(folder)
        finally:
            ws.close()

    def refresh_adapters(ws_name, request: gr.Request, current=None):
        try:
            choices = [(c.label, c.path) for c in find_adapters(app.open_workspace(ws_name, request))]
        except Exception:  # noqa: BLE001 - no workspace yet: an empty list
            choices = []
        keep = current if current in [c[1] for c in choices] else None
        return gr.update(choices=choices, value=keep or (choices[0][1] if choices else None))

    def follow_adapters(ws_name, current, known, request: gr.Request):
        """The adapter list as runs finish (no Refresh needed); untouched while nothing changed."""
        try:
            paths = [c.path for c in find_adapters(app.open_workspace(ws_name, request))]
        except Exception:  # noqa: BLE001
            paths = []
        if paths == (known or []):
            return gr.skip(), gr.skip()
        return refresh_adapters(ws_name, request, current), paths

    def reattach_push(ws_name, request: gr.Request):
        """A push of this workspace still running (another page, before a reload): follow it."""
        try:
            found = app.runner(app.open_workspace(ws_name, request)).latest("push")
        except Exception:  # noqa: BLE001
            found = None
        if not found or found.get("state") not in ("queued", "running", "stopping"):
            return gr.skip(), gr.skip()
        return found["id"], gr.Timer(active=True)

    def on_weights(value, choice, path, lang, ws_name=None, request: gr.Request = None):
        if value != "merged":
            return gr.update(value="", visible=False)
        text = t("export.merged_warn", lang)
        if _adapter(choice, path):
            try:
                src = source(choice, path, ws_name, request)
                from ..hub.merge import memory_warning
                from ..hub.runinfo import read_run
                from ..models import resolve_model

                extra = memory_warning(resolve_model(read_run(src).base_model))
                text += f"\n\n{extra}" if extra else ""
            except Exception:  # noqa: BLE001 - the warning is advice only
                pass
        return gr.update(value=text, visible=True)

    def on_preview(choice, path, repo, weights_value, lic, lang, ws_name=None, request: gr.Request = None):
        from ..hub.staging import preview_card

        if not _adapter(choice, path):
            return gr.update(), t("export.no_adapter", lang)
        try:
            src = source(choice, path, ws_name, request)
            text = preview_card(src, _stage_options(repo or "your-name/my-model", weights_value, lic))
        except (ValueError, OSError, WorkspaceError) as exc:
            return gr.update(), t("msg.error", lang, message=str(exc))
        return text, render_card(text)

    def on_stage(choice, path, repo, weights_value, lic, card_text, private_value, dataset, lang, ws_name,
                 request: gr.Request):
        from ..hub.staging import describe_upload, stage
        from ..paths import safe_filename

        if not _adapter(choice, path):
            return t("export.no_adapter", lang)
        if not (repo or "").strip():
            return t("export.no_repo", lang)
        try:
            src = source(choice, path, ws_name, request)
            ws = app.open_workspace(ws_name, request)
            folder = ws.path / "exports" / safe_filename((repo or "").replace("/", "__"), "staged")
            result = stage(src, folder, _stage_options(repo, weights_value, lic, card_text))
        except (ValueError, OSError, WorkspaceError) as exc:
            return t("msg.error", lang, message=str(exc))
        lines = [t("export.staged_ok", lang, n=len(result.files), mb=f"{result.total_bytes / 1e6:.1f}",
                   folder=result.folder)]
        lines += [f"- `{name}` ({size:,} B)" for name, size in result.files.items()]
        lines += [f"- ⚠ {w}" for w in result.warnings]
        expect = expectations_markdown(str(src), lang)  # tiny base, little data, not evaluated: said before a push
        if expect:
            lines += ["", expect, ""]
        lines.append(t("export.will_upload", lang, summary=describe_upload(result, private_value == "private",
                                                                             bool(dataset))))
        return "\n".join(lines)

    def start_push(token_value, choice, path, repo, private_value, weights_value, lic, commit_msg, pr_value,
                   dataset, card_text, lang, ws_name, request, oauth=None, confirmed=False):
        from ..hub.auth import resolve_token
        from ..hub.job import hand_token
        from ..hub.staging import describe_upload, plan_files
        from ..jobs.worker import execute

        keep = (gr.update(), gr.update(), gr.update(visible=False))
        if not _adapter(choice, path):
            return (*keep, t("export.no_adapter", lang))
        if not (repo or "").strip():
            return (*keep, t("export.no_repo", lang))
        tok = resolve_token(oauth, token_value)
        if not tok:
            return (*keep, t("export.not_logged", lang))
        try:
            src = source(choice, path, ws_name, request)
            opts = _stage_options(repo, weights_value, lic, card_text)
            if private_value == "public" and not confirmed:
                summary = describe_upload(plan_files(src, opts), False, bool(dataset))
                return gr.update(), gr.update(), gr.update(visible=True), t("export.public_warn", lang, summary=summary)
            ws = app.open_workspace(ws_name, request)
            config = {"adapter": src, "repo_id": opts.repo_id, "private": private_value != "public",
                      "merged": opts.merged, "license": opts.license, "commit_message": commit_msg or "",
                      "create_pr": bool(pr_value), "push_dataset": bool(dataset), "card_text": opts.card_text}
            rid, run_dir = app.runner(ws).prepare("push", config)
        except (ValueError, OSError, WorkspaceError) as exc:
            return (*keep, t("msg.error", lang, message=str(exc)))
        hand_token(run_dir, tok)
        threading.Thread(target=execute, args=(run_dir,), kwargs={"handle_signals": False}, daemon=True).start()
        return rid, gr.Timer(active=True), gr.update(visible=False), t("export.started", lang, run=rid)

    def poll(rid, lang, ws_name, request: gr.Request):
        if not rid:
            return gr.Timer(active=False), gr.update()
        try:
            status = app.runner(app.open_workspace(ws_name, request)).status(rid)
        except Exception as exc:  # noqa: BLE001 - shown, never a traceback
            return gr.Timer(active=False), t("msg.error", lang, message=str(exc))
        state = status.get("state")
        result = status.get("result") or {}
        if state == "completed":
            if result.get("pr_url"):
                text = t("export.pushed_pr", lang, url=result["pr_url"])
            else:
                text = t("export.pushed", lang, url=result.get("url", ""))
            if result.get("dataset_url"):
                text += "\n\n" + t("export.dataset_pushed", lang, url=result["dataset_url"])
            if result.get("dataset_error"):
                text += "\n\n" + t("msg.error", lang, message=result["dataset_error"])
            return gr.Timer(active=False), text
        if state in ("failed", "killed", "stopped"):
            return gr.Timer(active=False), t("export.failed", lang, error=status.get("error") or state)
        prog = status.get("progress") or {}
        frac = prog.get("fraction")
        pct = f"{int(100 * frac)}% · " if isinstance(frac, (int, float)) else ""
        return gr.Timer(active=True), t("export.running", lang, message=f"{pct}{prog.get('message') or state}")

    push_inputs = [token, adapter, adapter_path, repo_id, visibility, weights, license_, commit, pr, push_dataset,
                   card_edit, app.language, app.workspace_name]
    push_outputs = [run_id, timer, confirm_row, progress]
    if app.on_space:
        def whoami_h(token_value, lang, oauth_token: gr.OAuthToken | None):
            return do_whoami(token_value, lang, oauth_token)

        def push_h(tv, ch, pa, re_, vi, we, li, co, pr_, ds, ct, la, ws, request: gr.Request,
                   oauth_token: gr.OAuthToken | None):
            return start_push(tv, ch, pa, re_, vi, we, li, co, pr_, ds, ct, la, ws, request, oauth=oauth_token)

        def confirm_h(tv, ch, pa, re_, vi, we, li, co, pr_, ds, ct, la, ws, request: gr.Request,
                      oauth_token: gr.OAuthToken | None):
            return start_push(tv, ch, pa, re_, vi, we, li, co, pr_, ds, ct, la, ws, request, oauth=oauth_token,
                              confirmed=True)
    else:
        def whoami_h(token_value, lang):
            return do_whoami(token_value, lang)

        def push_h(tv, ch, pa, re_, vi, we, li, co, pr_, ds, ct, la, ws, request: gr.Request):
            return start_push(tv, ch, pa, re_, vi, we, li, co, pr_, ds, ct, la, ws, request)

        def confirm_h(tv, ch, pa, re_, vi, we, li, co, pr_, ds, ct, la, ws, request: gr.Request):
            return start_push(tv, ch, pa, re_, vi, we, li, co, pr_, ds, ct, la, ws, request, confirmed=True)

    who_btn.click(whoami_h, [token, app.language], [who], api_visibility="private")
    refresh.click(refresh_adapters, [app.workspace_name], [adapter])
    known = gr.State([])
    adapter_timer = gr.Timer(10.0)
    app.workspace_name.change(refresh_adapters, [app.workspace_name], [adapter], show_progress="hidden")
    app.workspace_name.change(reattach_push, [app.workspace_name], [run_id, timer], show_progress="hidden")
    adapter_timer.tick(follow_adapters, [app.workspace_name, adapter, known], [adapter, known], concurrency_limit=None,
                       show_progress="hidden")
    if isinstance(own_tab, gr.Tab):
        own_tab.select(follow_adapters, [app.workspace_name, adapter, known], [adapter, known], show_progress="hidden")
    weights.change(on_weights, [weights, adapter, adapter_path, app.language, app.workspace_name], [merged_warn])
    preview_btn.click(on_preview, [adapter, adapter_path, repo_id, weights, license_, app.language, app.workspace_name],
                      [card_edit, card_view], api_name="export_preview")
    card_edit.change(render_card, [card_edit], [card_view])
    stage_btn.click(on_stage, [adapter, adapter_path, repo_id, weights, license_, card_edit, visibility, push_dataset,
                               app.language, app.workspace_name], [staged], api_name="export_stage")
    push_btn.click(push_h, push_inputs, push_outputs, api_visibility="private")
    confirm_btn.click(confirm_h, push_inputs, push_outputs, api_visibility="private")
    cancel_btn.click(lambda: gr.update(visible=False), None, [confirm_row])
    timer.tick(poll, [run_id, app.language, app.workspace_name], [timer, progress], concurrency_limit=None)

    from .share import build as build_share  # publish a Space, GGUF + Ollama, serve: below the push

    build_share(app, token, adapter, adapter_path, source)
