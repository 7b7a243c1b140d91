"""Upload tab: add files, see each file's outcome, the documents table, the chunk viewer, chunk settings
with a live preview, and deleting a document (with a confirmation). Every user text is shown as text."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import gradio as gr

from .i18n import t

log = logging.getLogger(__name__)
PREVIEW_ROWS = 200
STATUS_COLS = ("upload.col_file", "upload.col_status", "upload.col_message", "upload.col_chunks", "upload.col_pairs")
DOC_COLS = ("upload.col_id", "upload.col_name", "upload.col_type", "upload.col_pages", "upload.col_chars",
            "upload.col_tokens", "upload.col_chunks", "upload.col_dropped", "upload.col_lang", "upload.col_status")
CHUNK_COLS = ("upload.col_ordinal", "upload.col_heading", "upload.col_tokens", "upload.col_page", "upload.col_text")


def _table(cols: tuple[str, ...], rows: list[list[Any]], lang: str) -> dict:
    return {"headers": [t(c, lang) for c in cols], "data": rows or [["" for _ in cols]]}


def _error(exc: Exception, lang: str) -> str:
    return t("msg.error", lang, message=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


# ---- view models (engine calls only) -------------------------------------------------------------------
def status_rows(reports: list) -> list[list[Any]]:
    return [[r.name, r.status, r.message, r.chunks, r.pairs] for r in reports]


def document_rows(ws, lang: str = "en") -> list[list[Any]]:
    rows = []
    for d in ws.list_documents():
        chunks = d.get("chunk_count") or 0
        rows.append([d["id"], d["name"], d.get("kind") or "", d.get("pages") or "", d.get("chars") or 0,
                     d.get("tokens") or 0, chunks, dropped_cell(d, lang), d.get("lang") or "", d.get("status") or ""])
    return rows


def dropped_cell(doc: dict, lang: str = "en") -> str:
    """What was left out as page furniture: "2 · 7% (contents 9, navigation 3)" (chunks · share of characters)."""
    import json

    try:
        dropped = (json.loads(doc.get("meta_json") or "{}") or {}).get("dropped")
    except (ValueError, AttributeError):
        return ""
    if not isinstance(dropped, dict):  # a QA file, or read before furniture was counted
        return ""
    if not dropped.get("blocks"):
        return "0"
    why = ", ".join(f"{t('upload.drop_' + r, lang)} {n}" for r, n in sorted(dropped.get("reasons", {}).items()))
    return f"{dropped.get('chunks', 0)} · {100 * dropped.get('share', 0):.0f}% ({why})"


def document_choices(ws) -> list[tuple[str, int]]:
    return [(f"{d['name']} (#{d['id']})", int(d["id"])) for d in ws.list_documents()]


def chunk_rows(chunks: list[dict]) -> list[list[Any]]:
    rows = []
    for i, c in enumerate(chunks[:PREVIEW_ROWS]):
        text = c["text"]
        rows.append([c.get("ordinal", i), c.get("heading_path") or "", c.get("tokens") or 0, c.get("page") or "",
                     text if len(text) <= 160 else text[:160] + "…"])
    return rows


def build(app) -> None:
    lang0 = "en"
    app.tr(gr.Markdown(t("upload.intro")), "upload.intro", prop="value")
    with gr.Row():
        with gr.Column(scale=3):
            files = app.tr(gr.File(label=t("upload.files"), file_count="multiple", elem_id="upload-files"), "upload.files")
        with gr.Column(scale=2):
            message = app.tr(gr.Textbox(label=t("upload.message"), interactive=False, lines=3, elem_id="upload-message"),
                             "upload.message")
    status = app.tr(gr.Dataframe(value=_table(STATUS_COLS, [], lang0), label=t("upload.status"), interactive=False,
                                 wrap=True, elem_id="upload-status", max_height=300,
                                 column_widths=["22%", "10%", "52%", "8%", "8%"]), "upload.status")
    with gr.Row():
        docs = app.tr(gr.Dataframe(value=_table(DOC_COLS, [], lang0), label=t("upload.documents"), interactive=False,
                                   elem_id="upload-documents", max_height=360), "upload.documents")
    with gr.Row():
        pick = app.tr(gr.Dropdown(choices=[], value=None, label=t("upload.pick"), elem_id="upload-doc-pick", scale=3),
                      "upload.pick")
        refresh_btn = app.tr(gr.Button(t("upload.refresh"), size="sm", scale=1, elem_id="upload-refresh"), "upload.refresh", prop="value")
        delete_btn = app.tr(gr.Button(t("upload.delete"), variant="stop", size="sm", scale=1, elem_id="upload-delete"),
                            "upload.delete", prop="value")
    with gr.Row(visible=False, elem_id="upload-confirm-row") as confirm_row:
        delete_pairs = app.tr(gr.Checkbox(label=t("upload.delete_pairs"), value=False, elem_id="upload-delete-pairs"),
                              "upload.delete_pairs")
        confirm_btn = app.tr(gr.Button(t("upload.confirm_delete"), variant="stop", elem_id="upload-confirm"),
                             "upload.confirm_delete", prop="value")
        cancel_btn = app.tr(gr.Button(t("upload.cancel"), elem_id="upload-cancel"), "upload.cancel", prop="value")
    with app.tr(gr.Accordion(t("upload.settings"), open=False, elem_id="upload-settings"), "upload.settings"):
        with gr.Row():
            chunk_tokens = app.tr(gr.Slider(64, 2048, value=400, step=16, label=t("upload.chunk_tokens"),
                                            elem_id="upload-chunk-tokens"), "upload.chunk_tokens")
            overlap = app.tr(gr.Slider(0, 1024, value=60, step=4, label=t("upload.overlap"), elem_id="upload-overlap"),
                             "upload.overlap")
        with gr.Row():
            tokenizer = app.tr(gr.Textbox(label=t("upload.tokenizer"), value="", elem_id="upload-tokenizer", scale=3),
                               "upload.tokenizer")
            max_mb = app.tr(gr.Number(label=t("upload.max_file_mb"), value=100, minimum=1, elem_id="upload-max-mb", scale=1),
                            "upload.max_file_mb")
        apply_btn = app.tr(gr.Button(t("upload.apply"), elem_id="upload-apply"), "upload.apply", prop="value")
    with app.tr(gr.Accordion(t("upload.mapping"), open=True, visible=False, elem_id="upload-mapping"), "upload.mapping") as mapping_box:
        with gr.Row():
            map_q = app.tr(gr.Dropdown(choices=[], label=t("upload.map_question"), elem_id="upload-map-q"), "upload.map_question")
            map_a = app.tr(gr.Dropdown(choices=[], label=t("upload.map_answer"), elem_id="upload-map-a"), "upload.map_answer")
            map_btn = app.tr(gr.Button(t("upload.map_apply"), elem_id="upload-map-apply"), "upload.map_apply", prop="value")
        map_preview = gr.Dataframe(value={"headers": ["-"], "data": [[""]]}, interactive=False, wrap=True,
                                   elem_id="upload-map-preview", max_height=240)
    chunk_table = app.tr(gr.Dataframe(value=_table(CHUNK_COLS, [], lang0), label=t("upload.chunks"), interactive=False,
                                      wrap=True, elem_id="upload-chunks", max_height=420,
                                      column_widths=["6%", "22%", "8%", "7%", "57%"]), "upload.chunks")
    for frame, cols in ((status, STATUS_COLS), (chunk_table, CHUNK_COLS)):  # the documents follow lang_in below
        app.i18n.register_headers(frame, list(cols))
    with gr.Row():
        heading = app.tr(gr.Textbox(label=t("upload.chunk_heading"), interactive=False, elem_id="upload-chunk-heading", scale=1),
                         "upload.chunk_heading")
        chunk_text = app.tr(gr.Textbox(label=t("upload.chunk_text"), interactive=False, lines=8, elem_id="upload-chunk-text",
                                       scale=3), "upload.chunk_text")

    ws_in = app.workspace_name
    lang_in = app.language

    def _open(name, request):
        return app.open_workspace(name, request)

    def _config(ws, size, ov, tok, mb):
        from ..ingest import load_config

        return load_config(ws, chunk_tokens=int(size), overlap_tokens=int(ov), tokenizer=app.model_ref(ws, tok) or "",
                           max_file_mb=float(mb or 100))

    # ---- handlers ----------------------------------------------------------------------------------------
    def refresh(name, lang, current, request: gr.Request):
        """Documents table, picker and saved settings for the current workspace."""
        try:
            ws = _open(name, request)
        except Exception as exc:  # noqa: BLE001 - a message, never a traceback
            return (gr.update(), gr.update(), gr.update(), gr.update(), gr.update(), gr.update(), gr.update(), _error(exc, lang))
        from ..ingest import load_config

        cfg = load_config(ws)
        choices = document_choices(ws)
        ids = [c[1] for c in choices]
        value = current if current in ids else (ids[-1] if ids else None)
        return (_table(DOC_COLS, document_rows(ws, lang), lang), gr.update(choices=choices, value=value),
                cfg.chunk_tokens, cfg.overlap_tokens, cfg.tokenizer or "", cfg.max_file_mb, gr.update(), gr.update())

    def show_document(name, doc_id, lang, request: gr.Request):
        empty = (_table(CHUNK_COLS, [], lang), "", "", gr.update(visible=False), gr.update(), gr.update(), gr.update())
        if doc_id in (None, ""):
            return empty
        try:
            ws = _open(name, request)
            doc = ws.get_document(int(doc_id))
            if not doc:
                return empty
            if doc.get("kind") == "qa":
                return _qa_view(ws, doc, lang)
            chunks = ws.list_chunks(int(doc_id), limit=PREVIEW_ROWS)
        except Exception as exc:  # noqa: BLE001
            return (gr.update(), "", _error(exc, lang), gr.update(visible=False), gr.update(), gr.update(), gr.update())
        first = chunks[0] if chunks else {}
        return (_table(CHUNK_COLS, chunk_rows(chunks), lang), first.get("heading_path", ""), first.get("text", ""),
                gr.update(visible=False), gr.update(), gr.update(), gr.update())

    def _qa_view(ws, doc, lang):
        import json

        from ..ingest import read_qa_file

        meta = json.loads(doc.get("meta_json") or "{}")
        mapping = meta.get("mapping") or {}
        try:
            read = read_qa_file(doc["stored_path"], mapping or None)
        except Exception as exc:  # noqa: BLE001
            return (_table(CHUNK_COLS, [], lang), "", _error(exc, lang), gr.update(visible=False), gr.update(), gr.update(), gr.update())
        cols = read.columns
        raw = read.raw_preview
        preview = {"headers": cols, "data": [[str(r.get(c, "")) for c in cols] for r in raw] or [["" for _ in cols]]}
        pairs = ws.count_pairs(_pair_filter(doc["id"]))
        return (_table(CHUNK_COLS, [], lang), "", f"{doc['name']}: {pairs} QA pairs",
                gr.update(visible=True), gr.update(choices=cols, value=mapping.get("question")),
                gr.update(choices=cols, value=mapping.get("answer")), preview)

    def pick_chunk(name, doc_id, evt: gr.SelectData, request: gr.Request):
        try:
            row = evt.row_value if evt is not None else None
            if not row or row[0] in ("", None) or doc_id in (None, ""):
                return gr.update(), gr.update()
            ws = _open(name, request)
            chunks = ws.list_chunks(int(doc_id), limit=1, offset=int(row[0]))
            if not chunks:  # a live preview row: not stored
                return row[1], row[4]
            return chunks[0]["heading_path"], chunks[0]["text"]
        except Exception as exc:  # noqa: BLE001
            return "", str(exc)

    def pick_document_row(evt: gr.SelectData):
        row = evt.row_value if evt is not None else None
        if row and str(row[0]).isdigit():
            return int(row[0])
        return gr.update()

    def ingest(paths, name, lang, size, ov, tok, mb, request: gr.Request, progress=gr.Progress()):
        from ..ingest import ingest_paths

        if not paths:
            return gr.update(), t("upload.msg_no_files", lang), gr.update()
        try:
            ws = app.workspace_for_upload(name, request)
            config = _config(ws, size, ov, tok, mb)
            items = [(p, Path(p).name) for p in (paths if isinstance(paths, list) else [paths])]

            def on_progress(done, total, fname, report):
                progress((done, total), desc=t("upload.msg_progress", lang, name=fname), unit="files")

            reports = ingest_paths(ws, items, config, on_progress=on_progress)
        except Exception as exc:  # noqa: BLE001
            from ..ingest import IngestError
            from ..workspace import WorkspaceError

            if isinstance(exc, (IngestError, WorkspaceError, ValueError)):  # the user's input: a message, no traceback
                log.warning("upload refused: %s", exc)
            else:
                log.exception("upload failed")
            return gr.update(), _error(exc, lang), gr.update()
        ok = sum(r.status != "error" and not r.duplicate_of for r in reports)  # a skipped duplicate is not added
        chunks = sum(r.chunks for r in reports if not r.duplicate_of)
        pairs = sum(r.pairs for r in reports if not r.duplicate_of)
        last = next((r.document_id for r in reversed(reports) if r.document_id), None)
        msg = t("upload.msg_ingested", lang, ok=ok, total=len(reports), chunks=chunks, pairs=pairs)
        choices = document_choices(ws)
        value = last if last is not None else (choices[-1][1] if choices else None)
        return _table(STATUS_COLS, status_rows(reports), lang), msg, gr.update(choices=choices, value=value)

    def preview(name, doc_id, lang, size, ov, tok, mb, request: gr.Request):
        from ..ingest import rechunk

        if doc_id in (None, ""):
            return gr.update(), gr.update()
        try:
            ws = _open(name, request)
            doc = ws.get_document(int(doc_id))
            if not doc or doc.get("kind") == "qa":
                return gr.update(), gr.update()
            chunks = rechunk(ws, int(doc_id), _config(ws, size, ov, tok, mb), commit=False)
        except Exception as exc:  # noqa: BLE001
            return gr.update(), _error(exc, lang)
        for i, c in enumerate(chunks):
            c["ordinal"] = i
        avg = round(sum(c["tokens"] for c in chunks) / max(1, len(chunks)))
        return _table(CHUNK_COLS, chunk_rows(chunks), lang), t("upload.msg_preview", lang, n=len(chunks), avg=avg)

    def apply(name, doc_id, lang, size, ov, tok, mb, request: gr.Request):
        from ..ingest import rechunk, save_config

        try:
            ws = _open(name, request)
            config = _config(ws, size, ov, tok, mb)
            save_config(ws, config)
            if doc_id in (None, ""):
                return gr.update(), gr.update(), t("upload.msg_pick", lang)
            doc = ws.get_document(int(doc_id))
            chunks = rechunk(ws, int(doc_id), config, commit=True)
        except Exception as exc:  # noqa: BLE001
            return gr.update(), gr.update(), _error(exc, lang)
        msg = t("upload.msg_applied", lang, name=doc["name"], n=len(chunks), tokens=config.chunk_tokens,
                overlap=config.overlap_tokens)
        return _table(DOC_COLS, document_rows(ws, lang), lang), _table(CHUNK_COLS, chunk_rows(ws.list_chunks(int(doc_id), limit=PREVIEW_ROWS)), lang), msg

    def ask_delete(name, doc_id, lang, request: gr.Request):
        if doc_id in (None, ""):
            return gr.update(visible=False), t("upload.msg_pick", lang)
        try:
            ws = _open(name, request)
            doc = ws.get_document(int(doc_id))
            chunks = len(ws.list_chunks(int(doc_id)))
            pairs = ws.count_pairs(_pair_filter(int(doc_id)))
        except Exception as exc:  # noqa: BLE001
            return gr.update(visible=False), _error(exc, lang)
        return gr.update(visible=True), t("upload.msg_confirm", lang, name=doc["name"], chunks=chunks, pairs=pairs)

    def do_delete(name, doc_id, with_pairs, lang, request: gr.Request):
        try:
            ws = _open(name, request)
            result = ws.delete_document(int(doc_id), delete_pairs=bool(with_pairs))
        except Exception as exc:  # noqa: BLE001
            return gr.update(visible=False), _error(exc, lang), gr.update(), gr.update(), False
        choices = document_choices(ws)
        msg = t("upload.msg_deleted", lang, name=result["document"], chunks=result["chunks"], pairs=result["pairs"])
        return (gr.update(visible=False), msg, _table(DOC_COLS, document_rows(ws, lang), lang),
                gr.update(choices=choices, value=choices[-1][1] if choices else None), False)

    def cancel(lang):
        return gr.update(visible=False), t("upload.msg_cancelled", lang)

    def remap(name, doc_id, q, a, lang, request: gr.Request):
        from ..ingest.pipeline import reimport_qa

        try:
            ws = _open(name, request)
            doc = ws.get_document(int(doc_id))
            result = reimport_qa(ws, int(doc_id), {"question": q, "answer": a})
        except Exception as exc:  # noqa: BLE001
            return _error(exc, lang)
        return t("upload.msg_reimported", lang, name=doc["name"], pairs=result["pairs"], q=q, a=a)

    # ---- wiring ------------------------------------------------------------------------------------------
    settings = [chunk_tokens, overlap, tokenizer, max_mb]
    refresh_out = [docs, pick, *settings, status, message]
    refresh_btn.click(refresh, [ws_in, lang_in, pick], refresh_out, api_name="upload_documents")
    for trigger in (ws_in.change, lang_in.change):
        trigger(refresh, [ws_in, lang_in, pick], refresh_out, api_visibility="private")
    viewer_out = [chunk_table, heading, chunk_text, mapping_box, map_q, map_a, map_preview]
    pick.change(show_document, [ws_in, pick, lang_in], viewer_out, api_name="upload_chunks")
    lang_in.change(show_document, [ws_in, pick, lang_in], viewer_out, api_visibility="private")
    files.upload(ingest, [files, ws_in, lang_in, *settings], [status, message, pick], api_name="upload_ingest").then(
        refresh, [ws_in, lang_in, pick], refresh_out
    ).then(show_document, [ws_in, pick, lang_in], viewer_out)
    chunk_table.select(pick_chunk, [ws_in, pick], [heading, chunk_text])
    docs.select(pick_document_row, None, [pick])
    for slider in (chunk_tokens, overlap):
        slider.input(preview, [ws_in, pick, lang_in, *settings], [chunk_table, message], trigger_mode="always_last",
                     show_progress="hidden")
    apply_btn.click(apply, [ws_in, pick, lang_in, *settings], [docs, chunk_table, message], api_name="upload_apply_settings")
    delete_btn.click(ask_delete, [ws_in, pick, lang_in], [confirm_row, message])
    confirm_btn.click(do_delete, [ws_in, pick, delete_pairs, lang_in], [confirm_row, message, docs, pick, delete_pairs])
    cancel_btn.click(cancel, [lang_in], [confirm_row, message])
    map_btn.click(remap, [ws_in, pick, map_q, map_a, lang_in], [message])


def _pair_filter(doc_id: int):
    from ..workspace import PairFilter

    return PairFilter(document_id=int(doc_id))
