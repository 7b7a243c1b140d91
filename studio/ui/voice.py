"""The Voice ("Talk like me") section: mounted by the Generate tab (goal, author name, how much text) and by
the Evaluate tab (W, G with their CIs, the validity gate, and a side-by-side table). No pipeline logic here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gradio as gr

from .i18n import t

MAX_REPORT_BYTES = 64 * 1024 * 1024
COLUMNS = ("prompt", "base", "tuned", "author", "base_score", "tuned_score", "author_score")


def text_status(workspace, author_name: str, lang: str = "en") -> str:
    """How much of the author's text there is, and the split (the Generate tab's check)."""
    from ..voice.config import VoiceConfig
    from ..voice.recipe import amount_check, collect_passages

    cfg = VoiceConfig(author_name=author_name or "")
    ps = collect_passages(workspace, cfg)
    if not ps.train and not ps.heldout:
        return t("voice.no_text", lang)
    amount = amount_check(ps.train_words, cfg)
    if not amount["enough"]:
        return t("voice.too_little", lang, words=f"{amount['words']:,}", needed=f"{amount['needed']:,}",
                 missing=f"{amount['missing']:,}")
    return t("voice.enough", lang, words=f"{amount['words']:,}", split=ps.split.summary if ps.split else "",
             train=len(ps.train), heldout=len(ps.heldout))


def _ci(ci) -> str:
    try:
        return f"{ci[0]:.2f}-{ci[1]:.2f}"
    except (TypeError, IndexError, ValueError):
        return "n/a"


def summary_markdown(voice: dict | None, lang: str = "en") -> str:
    if not voice:
        return t("voice.no_report", lang)
    gate = voice.get("validity") or {}
    lines = [
        f"**{t('voice.win_rate', lang)}:** {voice.get('win_rate', float('nan')):.2f} (95% CI {_ci(voice.get('win_rate_ci'))})",
        f"**{t('voice.gap', lang)}:** {voice.get('gap_closure', float('nan')):.2f} (95% CI {_ci(voice.get('gap_closure_ci'))})",
        t("voice.valid", lang, w=f"{gate.get('author_vs_base', float('nan')):.2f}", th=f"{gate.get('threshold', 0.9):.2f}"),
    ]
    if not voice.get("valid"):
        lines.append(f"**{t('voice.inconclusive', lang)}**")
    mem = voice.get("memorisation") or {}
    if mem.get("flagged"):
        lines.append(t("voice.memorised", lang, n=mem["flagged"], limit=mem.get("limit", 30)))
    return "\n\n".join(lines)


def side_by_side(voice: dict | None, lang: str = "en") -> dict:
    headers = [t(f"voice.col_{c}", lang) for c in COLUMNS]
    rows = [[r.get(c, "") for c in COLUMNS] for r in (voice or {}).get("rows", [])]
    return {"headers": headers, "data": rows or [[""] * len(COLUMNS)]}


def load_voice(path: str) -> dict | None:
    """The voice result inside an evaluation report (``"voice"`` key) or a file that is one."""
    p = Path((path or "").strip()).expanduser()
    if p.is_dir():
        p = p / "report.json"
    if not p.is_file() or p.stat().st_size > MAX_REPORT_BYTES:  # never a device, a pipe or a huge file
        raise ValueError("not a report file")
    data = json.loads(p.read_text(encoding="utf-8"))
    return data.get("voice") if isinstance(data, dict) and "voice" in data else (data if "win_rate" in data else None)


def build_voice_section(app, part: str = "generate") -> dict[str, Any]:
    """Mount the section (``part`` = ``generate`` or ``evaluate``) and return its components."""
    if part == "evaluate":
        return _build_evaluate(app)
    app.tr(gr.Markdown(t("voice.title")), "voice.title", prop="value")
    app.tr(gr.Markdown(t("voice.goal")), "voice.goal", prop="value")
    author = app.tr(gr.Textbox(label=t("voice.author_name"), max_lines=1), "voice.author_name")
    check = app.tr(gr.Button(t("voice.check"), size="sm"), "voice.check", prop="value")
    status = app.tr(gr.Textbox(label=t("voice.status"), interactive=False, lines=2), "voice.status")

    def on_check(ws_name, name, lang, request: gr.Request):
        try:
            ws = app.open_workspace(ws_name, request)
            try:
                return text_status(ws, name, lang or "en")
            finally:
                ws.close()
        except Exception as exc:  # noqa: BLE001 - one readable line, never a traceback
            return t("msg.error", lang or "en", message=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)

    check.click(on_check, [app.workspace_name, author, app.language], [status], api_name="voice_check")
    return {"author_name": author, "check": check, "status": status}


def _build_evaluate(app) -> dict[str, Any]:
    app.tr(gr.Markdown(t("voice.results_title")), "voice.results_title", prop="value")
    path = app.tr(gr.Textbox(label=t("voice.report_path"), max_lines=1), "voice.report_path")
    show = app.tr(gr.Button(t("voice.show"), size="sm"), "voice.show", prop="value")
    summary = gr.Markdown("", elem_id="voice-summary")
    table = app.tr(gr.Dataframe(value=side_by_side(None), interactive=False, wrap=True, max_height=520,
                                label=t("voice.table")), "voice.table")

    def on_show(p, lang, ws_name=None, request: gr.Request = None):
        from ..paths import StudioPathError
        from ..workspace import WorkspaceError

        lang = lang or "en"
        try:
            ws = app.open_workspace(ws_name, request)
            try:  # only a report of the caller's own workspace, checked before anything is opened
                target = app.user_path(ws, p)
            finally:
                ws.close()
            if target is None:
                raise ValueError(t("voice.no_report", lang))
            voice = load_voice(str(target))
        except (StudioPathError, WorkspaceError) as exc:
            return t("msg.error", lang, message=str(exc)), side_by_side(None, lang)
        except Exception:  # noqa: BLE001 - never say whether or why a file could not be read
            return t("msg.error", lang, message=t("voice.unreadable", lang)), side_by_side(None, lang)
        return summary_markdown(voice, lang), side_by_side(voice, lang)

    show.click(on_show, [path, app.language, app.workspace_name], [summary, table], api_name="voice_results")
    return {"report_path": path, "show": show, "summary": summary, "table": table, "render": on_show}
