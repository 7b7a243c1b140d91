"""Review tab: one page of the filtered, sorted pairs in an editable table, saved cell by cell.

Wiring only: every action is a function of :mod:`studio.dataset`. The page state (filters, page, and the
id and version of each row shown) lives in a small ``gr.State``; events carry one page, never the whole
dataset. User text is always shown as text (Dataframe cells, Textboxes), never rendered as HTML.
"""

from __future__ import annotations

import functools
from typing import Any

import gradio as gr

from ..dataset import service
from ..dataset.actions import ACTIONS
from ..dataset.view import DATATYPES, HEADERS, PAGE_SIZES, SORT_KEYS, STATIC_COLUMNS, ViewState, apply_edit_data, edit_cell
from ..workspace import KINDS, SPLITS, STATUSES
from .context import AppContext
from .i18n import t

FLAG_CHOICES = ["all", "any", "none", "short_answer", "near_duplicate", "leak", "judge_low"]
WIDTHS = ["64px", "80px", "26%", "30%", "14%", "84px", "86px", "96px", "100px"]


def _err(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"⚠ {text}"


def _page_error(exc: Exception) -> tuple:
    """The page outputs (table, state, info, page number, message) when a handler failed: only the message changes."""
    return gr.skip(), gr.skip(), gr.skip(), gr.skip(), _err(exc)


def _table(rows: list[list[Any]], lang: str = "en") -> dict[str, Any]:
    return {"headers": [t(f"table.col_{h}", lang) for h in HEADERS], "data": rows}


def _page_info(out: dict[str, Any], lang: str) -> str:
    size = int(out["state"].get("page_size") or 100)
    first = out["page"] * size + 1 if out["total"] else 0
    last = min(out["total"], (out["page"] + 1) * size)
    return t("table.page_info", lang, page=out["page"] + 1, pages=out["pages"], first=first, last=last,
             total=out["total"])


def _page_outputs(ws, state: ViewState, message: str = "", lang: str = "en"):
    """The page outputs (table, state, info, page number, message) for the view ``state`` of workspace ``ws``."""
    out = service.query(ws, state)
    return _table(out["data"], lang), out["state"], _page_info(out, lang), out["page"] + 1, message


def build(app: AppContext) -> None:
    app.tr(gr.Markdown(app.t("review.intro")), "review.intro", prop="value")
    state = gr.State(ViewState().to_dict())
    with gr.Row():
        document = app.tr(gr.Dropdown([("all", "all")], value="all", label=app.t("review.document"),
                                      elem_id="review-document", min_width=140), "review.document")
        split = app.tr(gr.Dropdown(["all", *SPLITS], value="all", label=app.t("review.split"), elem_id="review-split",
                                   min_width=110), "review.split")
        status = app.tr(gr.Dropdown(["all", *STATUSES], value="all", label=app.t("review.status"),
                                    elem_id="review-status", min_width=110), "review.status")
        kind = app.tr(gr.Dropdown(["all", *KINDS], value="all", label=app.t("review.kind"), elem_id="review-kind",
                                  min_width=110), "review.kind")
        flag = app.tr(gr.Dropdown(FLAG_CHOICES, value="all", label=app.t("review.flag"), allow_custom_value=True,
                                  elem_id="review-flag", min_width=110), "review.flag")
    with gr.Row():
        search = app.tr(gr.Textbox(label=app.t("review.search"), elem_id="review-search", scale=3), "review.search")
        sort = app.tr(gr.Dropdown(list(SORT_KEYS), value="id", label=app.t("review.sort"), elem_id="review-sort",
                                  min_width=110), "review.sort")
        descending = app.tr(gr.Checkbox(False, label=app.t("review.descending"), elem_id="review-desc"), "review.descending")
        page_size = app.tr(gr.Dropdown(list(PAGE_SIZES), value=100, label=app.t("review.page_size"),
                                       elem_id="review-page-size", min_width=90), "review.page_size")
        refresh = app.tr(gr.Button(app.t("review.refresh"), variant="primary", elem_id="review-refresh"),
                         "review.refresh", prop="value")
    with gr.Row():
        prev_btn = app.tr(gr.Button(app.t("review.prev"), size="sm", elem_id="review-prev"), "review.prev", prop="value")
        page_no = app.tr(gr.Number(1, label=app.t("review.page"), precision=0, minimum=1, elem_id="review-page",
                                   min_width=80), "review.page")
        next_btn = app.tr(gr.Button(app.t("review.next"), size="sm", elem_id="review-next"), "review.next", prop="value")
        info = app.tr(gr.Textbox("", label=app.t("review.page_info"), show_label=False, interactive=False,
                                 elem_id="review-page-info", scale=3), "review.page_info")
    table = app.tr(gr.Dataframe(
        value=_table([]), headers=HEADERS, datatype=DATATYPES, static_columns=STATIC_COLUMNS, interactive=True,
        column_widths=WIDTHS, max_height=620, wrap=True, pinned_columns=2, type="array",
        label=app.t("review.table"), elem_id="review-table",
    ), "review.table")
    message = app.tr(gr.Textbox("", label=app.t("review.message"), interactive=False, elem_id="review-message"),
                     "review.message")

    with app.tr(gr.Accordion(app.t("review.bulk_title"), open=True), "review.bulk_title"):
        with gr.Row():
            action = app.tr(gr.Dropdown(list(ACTIONS), value="keep", label=app.t("review.bulk_action"),
                                        elem_id="review-bulk-action", min_width=120), "review.bulk_action")
            bulk_btn = app.tr(gr.Button(app.t("review.bulk_apply"), elem_id="review-bulk-apply"), "review.bulk_apply",
                              prop="value")
            undo_btn = app.tr(gr.Button(app.t("review.undo"), elem_id="review-undo"), "review.undo", prop="value")
        log = app.tr(gr.Dataframe(value=[], headers=["time (UTC)", "action"], interactive=False, max_height=200,
                                  label=app.t("review.log"), elem_id="review-log"), "review.log")
        app.i18n.register_headers(log, ["table.col_time", "table.col_action"])

    filters = [document, split, status, kind, flag, search, sort, descending, page_size]
    page_outputs = [table, state, info, page_no, message]

    def on_query(ws_name, doc, sp, st, kd, fl, q, so, desc, size, request: gr.Request):
        try:
            view = service.make_view(doc, sp, st, kd, fl, q, so, desc, 0, size)
            return _page_outputs(app.open_workspace(ws_name, request), view, lang=app.lang_of(request))
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            return _page_error(exc)

    def on_page(ws_name, st_dict, number, request: gr.Request):
        try:
            view = ViewState.from_dict(st_dict)
            view.page = max(0, int(number or 1) - 1)
            return _page_outputs(app.open_workspace(ws_name, request), view, lang=app.lang_of(request))
        except Exception as exc:  # noqa: BLE001
            return _page_error(exc)

    def on_step(delta):
        def step(ws_name, st_dict, request: gr.Request):
            view = ViewState.from_dict(st_dict)
            return on_page(ws_name, st_dict, view.page + 1 + delta, request)
        return step

    def on_edit(ws_name, st_dict, rows, evt: gr.EditData, request: gr.Request):
        view = ViewState.from_dict(st_dict)
        row, col = int(evt.index[0]), int(evt.index[1])
        try:
            ws = app.open_workspace(ws_name, request)
            out = edit_cell(ws, view, row, col, evt.value)
        except Exception as exc:  # noqa: BLE001
            return gr.skip(), gr.skip(), _err(exc)
        edited = HEADERS[col] if 0 <= col < len(HEADERS) else ""
        if out.ok and not out.changed:  # a repeat of an edit already saved: keep the table and the message as they are
            return gr.skip(), view.to_dict(), gr.skip()
        if out.ok and edited not in ("keep", "status", "split", "kind", "flags"):
            return gr.skip(), view.to_dict(), out.message  # the browser already shows the new text
        try:
            patched = apply_edit_data(rows or [], (row, col), evt.value)
            if out.row is not None and row < len(patched):
                patched[row] = out.row
        except Exception:  # noqa: BLE001 - a table we cannot patch: reload the page instead
            return _page_outputs(ws, view, out.message, app.lang_of(request))[:2] + (out.message,)
        return _table(patched, app.lang_of(request)), view.to_dict(), out.message if out.ok else "⚠ " + out.message

    def _act(ws_name, st_dict, request, fn):
        """Run a workspace-wide action, then show the page again with its message and the action log."""
        try:
            ws = app.open_workspace(ws_name, request)
            msg = fn(ws)
            return (*_page_outputs(ws, ViewState.from_dict(st_dict), msg, app.lang_of(request)), service.action_log(ws))
        except Exception as exc:  # noqa: BLE001
            return (*_page_error(exc), gr.skip())

    def on_bulk(ws_name, st_dict, act, request: gr.Request):
        return _act(ws_name, st_dict, request, lambda ws: service.bulk(ws, ViewState.from_dict(st_dict), act))

    def on_undo(ws_name, st_dict, request: gr.Request):
        return _act(ws_name, st_dict, request, service.undo)

    def on_workspace(ws_name, request: gr.Request):
        try:
            ws = app.open_workspace(ws_name, request)
            return (gr.update(choices=service.document_choices(ws), value="all"), *_page_outputs(ws, ViewState(), lang=app.lang_of(request)),
                    service.action_log(ws))
        except Exception as exc:  # noqa: BLE001
            return (gr.skip(), *_page_error(exc), gr.skip())

    ws_in = app.workspace_name
    query_inputs = [ws_in, *filters]
    refresh.click(on_query, query_inputs, page_outputs, api_visibility="private")
    search.submit(on_query, query_inputs, page_outputs, api_visibility="private")
    for comp in (document, split, status, kind, flag, sort, descending, page_size):
        comp.input(on_query, query_inputs, page_outputs, api_visibility="private")
    page_no.submit(on_page, [ws_in, state, page_no], page_outputs, api_visibility="private")
    prev_btn.click(on_step(-1), [ws_in, state], page_outputs, api_visibility="private")
    next_btn.click(on_step(+1), [ws_in, state], page_outputs, api_visibility="private")
    table.edit(on_edit, [ws_in, state, table], [table, state, message], api_visibility="private")
    bulk_btn.click(on_bulk, [ws_in, state, action], [*page_outputs, log], api_visibility="private")
    undo_btn.click(on_undo, [ws_in, state], [*page_outputs, log], api_visibility="private")
    ws_in.change(on_workspace, [ws_in], [document, table, state, info, page_no, message, log],
                 api_visibility="private")

    def on_language(ws_name, st_dict, request: gr.Request):
        """The same page again, with headers and page line in the language just picked."""
        try:
            ws = app.open_workspace(ws_name, request)
            return _page_outputs(ws, ViewState.from_dict(st_dict), "", app.lang_of(request))
        except Exception:  # noqa: BLE001 - no workspace yet: nothing to show again
            return (gr.skip(),) * len(page_outputs)

    app.language.change(on_language, [ws_in, state], page_outputs, api_visibility="private",
                        show_progress="hidden")

    _register_api(app)

    from .review_tools import build_tools

    build_tools(app, state, table, page_outputs, log, message)


def _register_api(app: AppContext) -> None:
    """Named endpoints for API clients (gradio_client): the same engine calls as the table's events, with the
    workspace and the view passed as plain values. Errors come back as ``{"ok": False, "message": ...}``."""

    def guarded(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            try:
                return {"ok": True, **fn(*args, **kwargs)}
            except Exception as exc:  # noqa: BLE001
                return {"ok": False, "message": _err(exc)}
        return inner

    def _ws(workspace, request):
        return app.open_workspace(workspace, request)

    def review_query(workspace: str, document: str = "all", split: str = "all", status: str = "all",
                     kind: str = "all", flag: str = "all", search: str = "", sort: str = "id",
                     descending: bool = False, page: int = 0, page_size: int = 100,
                     request: gr.Request = None) -> dict:
        """One page (0-based ``page``) of the filtered, sorted view: headers, data, total, pages, state."""
        view = service.make_view(document, split, status, kind, flag, search, sort, descending, page, page_size)
        return service.query(_ws(workspace, request), view)

    def review_edit(workspace: str, pair_id: int, version: int, column: str, value: str,
                    request: gr.Request = None) -> dict:
        """Edit one cell of a pair seen at ``version``; a newer version elsewhere is reported, not overwritten."""
        return service.edit_by_id(_ws(workspace, request), int(pair_id), int(version), column, value)

    def review_bulk(workspace: str, action: str, document: str = "all", split: str = "all", status: str = "all",
                    kind: str = "all", flag: str = "all", search: str = "", request: gr.Request = None) -> dict:
        """Apply keep/reject/pending/delete/train/val/heldout to every pair of the filtered view."""
        view = service.make_view(document, split, status, kind, flag, search)
        return {"message": service.bulk(_ws(workspace, request), view, action)}

    def review_undo(workspace: str, request: gr.Request = None) -> dict:
        """Undo the last review action."""
        return {"message": service.undo(_ws(workspace, request))}

    def review_regenerate(workspace: str, pair_id: int, request: gr.Request = None) -> dict:
        """Rewrite one pair from its source chunk and fact with the workspace's generator (undoable)."""
        from ..dataset.rows import regenerate

        pair = regenerate(_ws(workspace, request), int(pair_id))
        return {"message": f"regenerated pair {pair['id']}",
                "pair": {k: pair.get(k) for k in ("id", "question", "answer", "key_answer", "status", "version")}}

    for fn in (review_query, review_edit, review_bulk, review_undo, review_regenerate):
        gr.api(guarded(fn), api_name=fn.__name__)
