"""Chat tab: base and tuned (base + adapter) answer the same prompt side by side, streamed token by token."""

from __future__ import annotations

import html

import gradio as gr

from ..chat.adapters import adapter_base_model, find_adapters
from ..models import BUNDLED_CHAT, bundled_chat_available, chat_model_choices
from ..paths import StudioPathError
from ..workspace import WorkspaceError
from .context import AppContext
from .i18n import t


MAX_MESSAGE_CHARS = 8_000  # a message or the system prompt (the bundled model reads 8k tokens in all)
MAX_CONVERSATION_CHARS = 32_000


def _text(content) -> str:
    """What a history message said, as the model saw it (the page shows it HTML-escaped)."""
    if isinstance(content, list):
        content = " ".join(c.get("text", "") for c in content if isinstance(c, dict))
    return html.unescape(content) if isinstance(content, str) else ""


def _shown(text: str) -> str:
    """Model output and user text are shown as text: markup is escaped, never rendered or silently dropped."""
    return html.escape(text or "", quote=False)


def expectations_markdown(path: str | None, lang: str = "en") -> str:
    """What to expect from the adapter at ``path`` (a run or adapter folder already checked by ``app.user_path``),
    as Markdown in the page's language; empty without an adapter or when nothing needs saying."""
    from ..hub.expectations import assess, run_facts

    if not path:
        return ""
    items = assess(run_facts(path))
    if not items:
        return ""
    return "\n".join([f"**{t('chat.expect_title', lang)}**", *(f"- {t('chat.expect_' + e.code, lang, **e.params)}"
                                                             for e in items)])


def speed_text(key: str, rate: float | None, max_new: int, lang: str) -> str:
    """``chat.eta`` / ``chat.speed`` with the measured pace, or ``chat.eta_unknown`` before any measurement."""
    from ..chat.speed import reply_seconds
    from ..train.plan import format_duration

    seconds = reply_seconds(rate, max_new)
    if seconds is None:
        return t("chat.eta_unknown", lang) if key == "chat.eta" else ""
    return t(key, lang, tokens=max_new, rate=rate, time=format_duration(max(1.0, seconds)))


def build(app: AppContext) -> None:
    app.tr(gr.Markdown(t("chat.about")), "chat.about", prop="value")
    default_base = BUNDLED_CHAT if bundled_chat_available() else None
    with gr.Row():
        base_model = app.tr(gr.Dropdown([(c.label, c.value) for c in chat_model_choices()], value=default_base,
                                        allow_custom_value=True, label=t("chat.base_model"), elem_id="chat-base-model",
                                        scale=2), "chat.base_model")
        adapter = app.tr(gr.Dropdown([], value=None, label=t("chat.adapter"), elem_id="chat-adapter", scale=2),
                         "chat.adapter")
        adapter_path = app.tr(gr.Textbox(label=t("chat.adapter_path"), elem_id="chat-adapter-path", scale=2),
                              "chat.adapter_path")
        refresh = app.tr(gr.Button(t("chat.refresh"), size="sm", scale=0), "chat.refresh", prop="value")
    with gr.Row():
        system = app.tr(gr.Textbox(label=t("chat.system"), lines=1, elem_id="chat-system", scale=3), "chat.system")
        temperature = app.tr(gr.Slider(0.0, 1.5, value=0.0, step=0.05, label=t("chat.temperature"), scale=1,
                                       elem_id="chat-temperature"),
                             "chat.temperature")
        max_tokens = app.tr(gr.Slider(8, 1024, value=128, step=8, label=t("chat.max_tokens"), scale=1,
                                      elem_id="chat-max-tokens"),
                            "chat.max_tokens")
    with gr.Row():
        base_box = app.tr(gr.Chatbot(label=t("chat.base"), elem_id="chat-base", height=380), "chat.base")
        tuned_box = app.tr(gr.Chatbot(label=t("chat.tuned"), elem_id="chat-tuned", height=380), "chat.tuned")
    with gr.Row():
        message = app.tr(gr.Textbox(label=t("chat.message"), elem_id="chat-message", scale=5), "chat.message")
        send = app.tr(gr.Button(t("chat.send"), variant="primary", elem_id="chat-send", scale=1), "chat.send",
                      prop="value")
        clear = app.tr(gr.Button(t("chat.clear"), scale=1, elem_id="chat-clear"), "chat.clear", prop="value")
    expect = gr.Markdown("", elem_id="chat-expectations")
    status = gr.Markdown("", elem_id="chat-status")

    def refresh_adapters(ws_name: str, request: gr.Request):
        try:
            choices = [(c.label, c.path) for c in find_adapters(app.open_workspace(ws_name, request))]
        except Exception:  # noqa: BLE001 - no workspace yet: an empty list
            choices = []
        return gr.update(choices=choices, value=choices[0][1] if choices else None)

    def on_adapter(path: str | None, current: str | None):
        base = adapter_base_model(path) if path else ""
        return gr.update(value=base) if base else gr.update(value=current)

    def on_expect(adapter_choice, adapter_dir, lang, ws_name=None, request: gr.Request = None):
        try:
            ws = app.open_workspace(ws_name, request)
            try:
                found = app.user_path(ws, (adapter_dir or "").strip() or adapter_choice, "adapter")
            finally:
                ws.close()
        except (StudioPathError, WorkspaceError):
            return ""
        return expectations_markdown(str(found) if found else None, lang)

    def on_send(text, base_hist, tuned_hist, base_name, adapter_choice, adapter_dir, system_prompt, temp, max_new,
                lang, ws_name=None, request: gr.Request = None):
        from ..chat.engine import ChatError, ChatSettings, build_messages, default_cache, stream_pair
        from ..config import ConfigError

        text = (text or "").strip()
        base_hist, tuned_hist = list(base_hist or []), list(tuned_hist or [])
        if not text:
            yield base_hist, tuned_hist, gr.update(), t("chat.empty", lang)
            return
        try:  # an adapter and a model folder of the caller's own workspace only
            ws = app.open_workspace(ws_name, request)
            try:
                found = app.user_path(ws, (adapter_dir or "").strip() or adapter_choice, "adapter")
                app.model_ref(ws, base_name)
            finally:
                ws.close()
        except (StudioPathError, WorkspaceError) as exc:
            yield base_hist, tuned_hist, gr.update(), t("msg.error", lang, message=str(exc))
            return
        chosen = str(found) if found else None
        prior_base = [{"role": m["role"], "content": _text(m.get("content"))} for m in base_hist]
        prior_tuned = [{"role": m["role"], "content": _text(m.get("content"))} for m in tuned_hist]
        total = len(text) + len(system_prompt or "") + sum(len(m["content"]) for m in prior_base + prior_tuned)
        if max(len(text), len(system_prompt or "")) > MAX_MESSAGE_CHARS or total > MAX_CONVERSATION_CHARS:
            yield base_hist, tuned_hist, gr.update(), t("chat.too_long", lang, n=MAX_MESSAGE_CHARS,
                                                         total=MAX_CONVERSATION_CHARS)
            return
        user = {"role": "user", "content": _shown(text)}
        base_hist = base_hist + [user, {"role": "assistant", "content": ""}]
        tuned_hist = tuned_hist + ([user, {"role": "assistant", "content": ""}] if chosen else [])
        what = f"{base_name} + adapter" if chosen else str(base_name)
        from ..chat.engine import expected_speed

        eta = speed_text("chat.eta", expected_speed(base_name or "", pair=bool(chosen)), int(max_new), lang)
        yield base_hist, tuned_hist, "", t("chat.loading", lang, what=what) + " " + eta
        try:
            settings = ChatSettings.from_dict({"system_prompt": system_prompt or "", "temperature": temp,
                                               "max_new_tokens": int(max_new)})
            cache = default_cache()
            # with an adapter, base and tuned share one model in memory (PEFT mixed-adapter batch)
            tuned = cache.get(base_name or "", chosen) if chosen else None
            base = None if tuned else cache.get(base_name or "")
            names = f"{tuned.base_label}, {tuned.label}" if tuned else base.label
            done = t("chat.ready", lang, models=names)
            if not tuned:
                done += " " + t("chat.no_adapter", lang)
            yield base_hist, tuned_hist, "", eta
            for b, tu in stream_pair(base, tuned, build_messages(prior_base, text, settings.system_prompt),
                                     build_messages(prior_tuned, text, settings.system_prompt), settings):
                base_hist[-1] = {"role": "assistant", "content": _shown(b)}
                if tuned:
                    tuned_hist[-1] = {"role": "assistant", "content": _shown(tu)}
                yield base_hist, tuned_hist, "", eta
        except (ChatError, ConfigError, ValueError) as exc:
            yield base_hist, tuned_hist, "", t("msg.error", lang, message=str(exc))
            return
        for hist in (base_hist, tuned_hist):
            if hist and not str(hist[-1]["content"]).strip():
                hist[-1] = {"role": "assistant", "content": t("chat.blank", lang)}
        measured = getattr(tuned or base, "tokens_per_s", None)
        yield base_hist, tuned_hist, "", " ".join(filter(None, [done, speed_text("chat.speed", measured, int(max_new),
                                                                                   lang)]))

    refresh.click(refresh_adapters, [app.workspace_name], [adapter])
    app.workspace_name.change(refresh_adapters, [app.workspace_name], [adapter])
    adapter.change(on_adapter, [adapter, base_model], [base_model])
    expect_inputs = [adapter, adapter_path, app.language, app.workspace_name]
    for source in (adapter, adapter_path, app.language):
        source.change(on_expect, expect_inputs, [expect], api_visibility="private")
    inputs = [message, base_box, tuned_box, base_model, adapter, adapter_path, system, temperature, max_tokens,
              app.language, app.workspace_name]
    outputs = [base_box, tuned_box, message, status]
    send.click(on_send, inputs, outputs, api_name="chat_send")
    message.submit(on_send, inputs, outputs)
    clear.click(lambda: ([], [], ""), None, [base_box, tuned_box, status])
