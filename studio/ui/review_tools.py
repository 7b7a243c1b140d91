"""Review tab, second half: the selected row's panel, adding a pair, near-duplicates, stats with plots,
export with download, re-import, and the Hub dataset push (token field of type password, never stored)."""

from __future__ import annotations

from typing import Any

import gradio as gr

from ..dataset import service
from ..dataset.formats import FORMATS
from ..dataset.view import ViewState
from ..workspace import SPLITS
from .context import AppContext
from .review import _err, _page_error, _page_outputs


def build_tools(app: AppContext, state, table, page_outputs, log, message) -> None:
    ws_in = app.workspace_name
    groups_state = gr.State([])

    with app.tr(gr.Accordion(app.t("review.row_title"), open=False), "review.row_title"):
        with gr.Row():
            selected = app.tr(gr.Number(None, label=app.t("review.selected"), precision=0, elem_id="review-selected",
                                        min_width=120), "review.selected")
            src_btn = app.tr(gr.Button(app.t("review.show_source"), size="sm"), "review.show_source", prop="value")
            phr_btn = app.tr(gr.Button(app.t("review.show_phrasings"), size="sm"), "review.show_phrasings", prop="value")
            regen_btn = app.tr(gr.Button(app.t("review.regenerate"), size="sm", elem_id="review-regenerate"),
                               "review.regenerate", prop="value")
        source_text = app.tr(gr.Textbox(label=app.t("review.source_text"), lines=6, interactive=False,
                                        elem_id="review-source"), "review.source_text")
        phrasings = app.tr(gr.Dataframe(value=[], headers=["id", "question", "answer", "split", "status", "kind"],
                                        interactive=False, wrap=True, max_height=260, label=app.t("review.phrasings")),
                           "review.phrasings")
        app.i18n.register_headers(phrasings, [f"table.col_{h}" for h in ("id", "question", "answer", "split", "status",
                                                                          "kind")])
        with app.tr(gr.Accordion(app.t("review.add_title"), open=False), "review.add_title"):
            add_q = app.tr(gr.Textbox(label=app.t("review.add_question"), elem_id="review-add-q"), "review.add_question")
            add_a = app.tr(gr.Textbox(label=app.t("review.add_answer"), lines=2, elem_id="review-add-a"),
                           "review.add_answer")
            with gr.Row():
                add_split = app.tr(gr.Dropdown(list(SPLITS), value="train", label=app.t("review.add_split")),
                                   "review.add_split")
                add_like = app.tr(gr.Checkbox(False, label=app.t("review.add_like")), "review.add_like")
                add_btn = app.tr(gr.Button(app.t("review.add"), elem_id="review-add"), "review.add", prop="value")

    def on_select(evt: gr.SelectData):
        try:
            return int((evt.row_value or [None])[0])
        except (TypeError, ValueError):
            return gr.skip()

    def on_source(ws_name, pair_id, request: gr.Request):
        from ..dataset.rows import source_chunk

        try:
            src = source_chunk(app.open_workspace(ws_name, request), int(pair_id))
        except Exception as exc:  # noqa: BLE001
            return _err(exc)
        if not src["text"]:
            return src["message"]
        where = " › ".join(x for x in (src["document"], src["heading"]) if x)
        return f"{where}\n\n{src['text']}"

    def on_phrasings(ws_name, pair_id, request: gr.Request):
        from ..dataset.rows import other_phrasings

        try:
            rows = other_phrasings(app.open_workspace(ws_name, request), int(pair_id))
        except Exception as exc:  # noqa: BLE001
            return gr.skip(), _err(exc)
        data = [[r["id"], r["question"], r["answer"], r["split"], r["status"], r["kind"]] for r in rows]
        return data, app.t("review.msg_phrasings", app.lang_of(request), n=len(data), id=int(pair_id))

    def on_regenerate(ws_name, pair_id, st_dict, request: gr.Request):
        from ..dataset.rows import regenerate

        try:
            if pair_id in (None, ""):
                raise ValueError(app.t("review.msg_select_row", app.lang_of(request)))
            pair = regenerate(app.open_workspace(ws_name, request), int(pair_id))
            msg = app.t("review.msg_regenerated", app.lang_of(request), id=pair["id"], question=pair["question"])
        except Exception as exc:  # noqa: BLE001 - the engine's message, one line
            return _page_error(exc)
        return _reload(ws_name, st_dict, request, msg)

    def on_add(ws_name, q, a, sp, like, pair_id, st_dict, request: gr.Request):
        from ..dataset.rows import add_pair_by_hand

        try:
            ws = app.open_workspace(ws_name, request)
            like_id = int(pair_id) if like and pair_id not in (None, "") else None
            pair = add_pair_by_hand(ws, q, a, split=sp, like_pair=like_id)
            msg = app.t("review.msg_added", app.lang_of(request), id=pair["id"], split=pair["split"])
        except Exception as exc:  # noqa: BLE001
            return (*_page_error(exc), gr.skip(), gr.skip())
        return (*_reload(ws_name, st_dict, request, msg), "", "")

    def _reload(ws_name, st_dict, request, msg):
        return _page_outputs(app.open_workspace(ws_name, request), ViewState.from_dict(st_dict), msg, app.lang_of(request))

    table.select(on_select, None, [selected], api_visibility="private")
    src_btn.click(on_source, [ws_in, selected], [source_text], api_visibility="private")
    phr_btn.click(on_phrasings, [ws_in, selected], [phrasings, message], api_visibility="private")
    regen_btn.click(on_regenerate, [ws_in, selected, state], page_outputs, api_visibility="private")
    add_btn.click(on_add, [ws_in, add_q, add_a, add_split, add_like, selected, state], [*page_outputs, add_q, add_a],
                  api_visibility="private")

    # ---- near-duplicates ----------------------------------------------------------------------------
    with app.tr(gr.Accordion(app.t("review.dup_title"), open=False), "review.dup_title"):
        with gr.Row():
            threshold = app.tr(gr.Slider(0.80, 1.0, value=0.92, step=0.01, label=app.t("review.dup_threshold")),
                               "review.dup_threshold")
            field = app.tr(gr.Radio(["question", "answer", "both"], value="question", label=app.t("review.dup_field")),
                           "review.dup_field")
            app.tr_choices(field, [("table.col_question", "question"), ("table.col_answer", "answer"),
                                   ("table.both", "both")])
            find_btn = app.tr(gr.Button(app.t("review.dup_find")), "review.dup_find", prop="value")
        groups_table = app.tr(gr.Dataframe(value=[], headers=["group", "id", "similarity", "question"],
                                           interactive=False, wrap=True, max_height=300,
                                           label=app.t("review.dup_groups")), "review.dup_groups")
        app.i18n.register_headers(groups_table, ["table.col_group", "table.col_id", "table.col_similarity",
                                                 "table.col_question"])
        with gr.Row():
            group_no = app.tr(gr.Number(1, precision=0, minimum=1, label=app.t("review.dup_group")), "review.dup_group")
            keep_id = app.tr(gr.Number(None, precision=0, label=app.t("review.dup_keep")), "review.dup_keep")
            resolve_btn = app.tr(gr.Button(app.t("review.dup_resolve")), "review.dup_resolve", prop="value")

    def on_find(ws_name, st_dict, thr, fld, request: gr.Request, progress=gr.Progress()):
        from ..dataset.neardup import near_duplicate_groups

        try:
            progress(0.1, desc="embedding")
            groups = near_duplicate_groups(app.open_workspace(ws_name, request), ViewState.from_dict(st_dict).filter(),
                                           threshold=float(thr), field=fld)
        except Exception as exc:  # noqa: BLE001
            return gr.skip(), gr.skip(), _err(exc)
        rows = [[n, pid, round(g.similarity, 3), q] for n, g in enumerate(groups[:300], 1)
                for pid, q in zip(g.ids, g.questions)]
        return rows, [g.ids for g in groups[:300]], app.t("review.msg_dup_groups", app.lang_of(request), n=len(groups))

    def on_resolve(ws_name, groups, number, keep, st_dict, request: gr.Request):
        from ..dataset.neardup import resolve_group

        try:
            n = int(number or 0)
            if not 1 <= n <= len(groups or []):
                raise ValueError(app.t("review.msg_pick_group", app.lang_of(request), n=len(groups or [])))
            msg = resolve_group(app.open_workspace(ws_name, request), groups[n - 1], int(keep))
        except Exception as exc:  # noqa: BLE001
            return _page_error(exc)
        return _reload(ws_name, st_dict, request, msg)

    find_btn.click(on_find, [ws_in, state, threshold, field], [groups_table, groups_state, message],
                   api_visibility="private")
    resolve_btn.click(on_resolve, [ws_in, groups_state, group_no, keep_id, state], page_outputs,
                      api_visibility="private")

    # ---- stats --------------------------------------------------------------------------------------
    with app.tr(gr.Accordion(app.t("review.stats_title"), open=False), "review.stats_title"):
        stats_btn = app.tr(gr.Button(app.t("review.stats_refresh"), elem_id="review-stats"), "review.stats_refresh",
                           prop="value")
        summary = app.tr(gr.Textbox(label=app.t("review.stats_summary"), lines=7, interactive=False,
                                    elem_id="review-stats-summary"), "review.stats_summary")
        counts_plot = app.tr(gr.Plot(label=app.t("review.stats_counts")), "review.stats_counts")
        lengths_plot = app.tr(gr.Plot(label=app.t("review.stats_lengths")), "review.stats_lengths")
        with gr.Row():
            tok_model = app.tr(gr.Textbox("bundled:smollm2-135m-instruct", label=app.t("review.tokens_model"), scale=3),
                               "review.tokens_model")
            tok_btn = app.tr(gr.Button(app.t("review.tokens_count")), "review.tokens_count", prop="value")

    def on_stats(ws_name, st_dict, request: gr.Request):
        from ..dataset.stats import compute_stats, stats_figures

        try:
            stats = compute_stats(app.open_workspace(ws_name, request), ViewState.from_dict(st_dict).filter())
            figs = stats_figures(stats)
        except Exception as exc:  # noqa: BLE001
            return _err(exc), gr.skip(), gr.skip()
        return service.stats_summary(stats), figs["counts"], figs["lengths"]

    def on_tokens(ws_name, model, request: gr.Request):
        from ..dataset.stats import training_token_count

        try:
            t = training_token_count(app.open_workspace(ws_name, request), model)
        except Exception as exc:  # noqa: BLE001
            return _err(exc)
        return (f"{t['tokens']} tokens in {t['pairs']} kept train pairs for {t['model']} "
                f"(longest {t['max_tokens']}; {'with' if t['chat_template'] else 'without'} chat template)")

    stats_btn.click(on_stats, [ws_in, state], [summary, counts_plot, lengths_plot], api_visibility="private")
    tok_btn.click(on_tokens, [ws_in, tok_model], [summary], api_visibility="private")

    # ---- export / import / push ---------------------------------------------------------------------
    with app.tr(gr.Accordion(app.t("review.export_title"), open=False), "review.export_title"):
        with gr.Row():
            fmt = app.tr(gr.Dropdown(list(FORMATS), value="openai", label=app.t("review.export_format"),
                                     elem_id="review-export-format"), "review.export_format")
            ex_split = app.tr(gr.Dropdown(["all", *SPLITS], value="all", label=app.t("review.export_split")),
                              "review.export_split")
            ex_status = app.tr(gr.Dropdown(["kept", "pending", "rejected", "all"], value="kept",
                                           label=app.t("review.export_status")), "review.export_status")
        system = app.tr(gr.Textbox(label=app.t("review.export_system"), lines=2), "review.export_system")
        app.tr(gr.Markdown(app.t("review.export_csv_note")), "review.export_csv_note", prop="value")
        ex_btn = app.tr(gr.Button(app.t("review.export_go"), variant="primary", elem_id="review-export"),
                        "review.export_go", prop="value")
        ex_files = app.tr(gr.File(label=app.t("review.export_files"), file_count="multiple", interactive=False,
                                  elem_id="review-export-files"), "review.export_files")
    with app.tr(gr.Accordion(app.t("review.import_title"), open=False), "review.import_title"):
        im_file = app.tr(gr.File(label=app.t("review.import_file"), file_types=[".csv", ".jsonl", ".json", ".parquet"],
                                 type="filepath"), "review.import_file")
        im_map = app.tr(gr.Textbox(label=app.t("review.import_map")), "review.import_map")
        im_btn = app.tr(gr.Button(app.t("review.import_go")), "review.import_go", prop="value")
        im_report = app.tr(gr.Textbox(label=app.t("review.import_report"), lines=6, interactive=False,
                                      elem_id="review-import-report"), "review.import_report")
    with app.tr(gr.Accordion(app.t("review.push_title"), open=False), "review.push_title"):
        with gr.Row():
            repo = app.tr(gr.Textbox(label=app.t("review.push_repo"), scale=3), "review.push_repo")
            private = app.tr(gr.Checkbox(True, label=app.t("review.push_private")), "review.push_private")
            licence = app.tr(gr.Textbox("other", label=app.t("review.push_license")), "review.push_license")
        token = app.tr(gr.Textbox(label=app.t("review.push_token"), type="password"), "review.push_token")
        push_btn = app.tr(gr.Button(app.t("review.push_go")), "review.push_go", prop="value")
        push_out = app.tr(gr.Textbox(label=app.t("review.push_result"), interactive=False), "review.push_result")

    def on_export(ws_name, f, sp, st, sys_prompt, request: gr.Request):
        try:
            msg, files = service.export_for_download(app.open_workspace(ws_name, request), f, sp, st, sys_prompt)
        except Exception as exc:  # noqa: BLE001
            return None, _err(exc)
        return files, msg

    def on_import(ws_name, path, mapping, st_dict, request: gr.Request):
        try:
            report = service.import_file(app.open_workspace(ws_name, request), path, mapping)
        except Exception as exc:  # noqa: BLE001
            return (_err(exc), *_page_error(exc))
        return (report, *_reload(ws_name, st_dict, request, report.splitlines()[0]))

    def on_push(ws_name, repo_id, priv, lic, tok, f, sys_prompt, request: gr.Request):
        try:
            return service.push(app.open_workspace(ws_name, request), repo_id, priv, lic, tok,
                                f if f in ("openai", "parquet", "csv", "alpaca", "sharegpt") else "openai", sys_prompt)
        except Exception as exc:  # noqa: BLE001 - the message is already free of the token
            return _err(exc)

    ex_btn.click(on_export, [ws_in, fmt, ex_split, ex_status, system], [ex_files, message], api_visibility="private")
    im_btn.click(on_import, [ws_in, im_file, im_map, state], [im_report, *page_outputs], api_visibility="private")
    push_btn.click(on_push, [ws_in, repo, private, licence, token, fmt, system], [push_out], api_visibility="private")
