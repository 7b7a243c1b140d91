"""Export tab, "Share" part: publish a chat Space, export GGUF + an Ollama Modelfile, and the command that serves the
adapter on an OpenAI-compatible endpoint (shown only: the page never starts a server).

Built by the Export tab with its token box, adapter picker and ``source`` (which resolves the adapter inside the
caller's workspace); every step calls the engine in ``studio.hub`` (``space_app``, ``gguf_export``, ``serve``).
"""

from __future__ import annotations

from typing import Callable

import gradio as gr

from ..workspace import WorkspaceError
from .context import AppContext
from .i18n import t


def _files_md(files: dict[str, int], limit: int = 12) -> list[str]:
    rows = [f"- `{name}` ({size:,} B)" for name, size in list(files.items())[:limit]]
    if len(files) > limit:
        rows.append(f"- … (+{len(files) - limit})")
    return rows


def build(app: AppContext, token, adapter, adapter_path, source: Callable) -> None:
    """Add the three accordions below the push controls; ``source(choice, path, ws, request)`` -> adapter folder."""
    with app.tr(gr.Accordion(t("share.space_title"), open=False), "share.space_title"):
        app.tr(gr.Markdown(t("share.space_md")), "share.space_md", prop="value")
        with gr.Row():
            space_id = app.tr(gr.Textbox(label=t("share.space_id"), elem_id="share-space-id", scale=2),
                              "share.space_id")
            space_private = app.tr(gr.Checkbox(False, label=t("share.space_private"), elem_id="share-space-private"),
                                   "share.space_private")
        with gr.Row():
            space_stage_btn = app.tr(gr.Button(t("share.space_stage"), elem_id="share-space-stage"),
                                     "share.space_stage", prop="value")
            space_push_btn = app.tr(gr.Button(t("share.space_push"), variant="primary", elem_id="share-space-push"),
                                    "share.space_push", prop="value")
        space_out = gr.Markdown("", elem_id="share-space-out")
    with app.tr(gr.Accordion(t("share.gguf_title"), open=False), "share.gguf_title"):
        app.tr(gr.Markdown(t("share.gguf_md")), "share.gguf_md", prop="value")
        with gr.Row():
            quant = gr.Radio([("Q8_0", "q8_0"), ("F16", "f16")], value="q8_0", label=t("share.gguf_quant"),
                             elem_id="share-gguf-quant")
            app.tr(quant, "share.gguf_quant")
            gguf_btn = app.tr(gr.Button(t("share.gguf_btn"), elem_id="share-gguf"), "share.gguf_btn", prop="value")
        gguf_out = gr.Markdown("", elem_id="share-gguf-out")
    with app.tr(gr.Accordion(t("share.serve_title"), open=False), "share.serve_title"):
        serve_md = gr.Markdown(t("share.serve_md", command="python -m studio serve RUN --port 8000"),
                               elem_id="share-serve")

    def _space_opts(space, private_value):
        from ..hub.space_app import SpaceOptions

        return SpaceOptions.from_dict({"space_id": (space or "").strip(), "private": bool(private_value)})

    def _stage(choice, path, space, private_value, ws_name, request):
        from ..hub.space_app import stage_space
        from ..paths import safe_filename

        src = source(choice, path, ws_name, request)
        ws = app.open_workspace(ws_name, request)
        try:
            folder = ws.path / "exports" / safe_filename("space-" + (space or "").replace("/", "__"), "space")
        finally:
            ws.close()
        return stage_space(src, folder, _space_opts(space, private_value))

    def _stage_lines(staged, lang) -> list[str]:
        lines = [t("share.space_staged", lang, n=len(staged.files), hardware=staged.hardware, base=staged.base_model)]
        lines += _files_md(staged.files)
        lines += [f"- ⚠ {w}" for w in staged.warnings]
        return lines

    def on_space_stage(choice, path, space, private_value, lang, ws_name, request: gr.Request):
        if not (choice or path):
            return t("export.no_adapter", lang)
        if not (space or "").strip():
            return t("share.no_space_id", lang)
        try:
            staged = _stage(choice, path, space, private_value, ws_name, request)
        except (ValueError, OSError, WorkspaceError) as exc:
            return t("msg.error", lang, message=str(exc))
        return "\n".join(_stage_lines(staged, lang))

    def on_space_push(token_value, choice, path, space, private_value, lang, ws_name, request, oauth=None):
        from ..hub.auth import redact, resolve_token
        from ..hub.errors import HubError
        from ..hub.space_app import push_space

        if not (choice or path):
            return t("export.no_adapter", lang)
        if not (space or "").strip():
            return t("share.no_space_id", lang)
        tok = resolve_token(oauth, token_value)
        if not tok:
            return t("export.not_logged", lang)
        try:
            staged = _stage(choice, path, space, private_value, ws_name, request)
            url = push_space(staged.folder, _space_opts(space, private_value), tok)
        except HubError as exc:
            return t("msg.error", lang, message=redact(str(exc), tok))
        except (ValueError, OSError, WorkspaceError) as exc:
            return t("msg.error", lang, message=redact(str(exc), tok))
        return "\n".join([t("share.space_pushed", lang, url=url), *_stage_lines(staged, lang)])

    def on_gguf(choice, path, quant_value, lang, ws_name, request: gr.Request):
        from ..hub.gguf_export import GgufOptions, export_gguf

        if not (choice or path):
            return t("export.no_adapter", lang)
        try:
            result = export_gguf(source(choice, path, ws_name, request), GgufOptions(quant=quant_value or "q8_0"))
        except (ValueError, OSError, WorkspaceError) as exc:
            return t("msg.error", lang, message=str(exc))
        where = result.gguf_path.parent.name if app.on_space else str(result.gguf_path.parent)
        lines = [t("share.gguf_done", lang, mb=f"{result.bytes / 1e6:.1f}", quant=result.quant.upper(), folder=where)]
        lines += [f"- ⚠ {w}" for w in result.warnings]
        lines.append(f"\n```\ncd {where}\nollama create my-model -f Modelfile\nollama run my-model\n```")
        return "\n".join(lines)

    def serve_hint(choice, path, lang, ws_name, request: gr.Request):
        from ..hub.serve import cli_hint

        label = "RUN"
        if not app.on_space and (choice or path):
            try:
                label = source(choice, path, ws_name, request)
            except (ValueError, OSError, WorkspaceError):
                label = "RUN"
        return t("share.serve_md", lang, command=cli_hint(label))

    if app.on_space:
        def push_h(tv, ch, pa, sp, pr, la, ws, request: gr.Request, oauth_token: gr.OAuthToken | None):
            return on_space_push(tv, ch, pa, sp, pr, la, ws, request, oauth=oauth_token)
    else:
        def push_h(tv, ch, pa, sp, pr, la, ws, request: gr.Request):
            return on_space_push(tv, ch, pa, sp, pr, la, ws, request)

    space_stage_btn.click(on_space_stage, [adapter, adapter_path, space_id, space_private, app.language,
                                           app.workspace_name], [space_out], api_name="share_space_stage")
    space_push_btn.click(push_h, [token, adapter, adapter_path, space_id, space_private, app.language,
                                  app.workspace_name], [space_out], api_visibility="private")
    gguf_btn.click(on_gguf, [adapter, adapter_path, quant, app.language, app.workspace_name], [gguf_out],
                   api_name="share_gguf")
    for comp in (adapter, adapter_path):
        comp.change(serve_hint, [adapter, adapter_path, app.language, app.workspace_name], [serve_md],
                    show_progress="hidden", api_visibility="private")
