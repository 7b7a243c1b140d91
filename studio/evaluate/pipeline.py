"""One evaluation, start to end: questions -> answers per arm -> calibrated scores -> metrics -> report.

Answers are appended to ``answers.jsonl`` as each batch finishes, so a stopped or failed run keeps them and a
rerun into the same folder skips what is done. If the embedder cannot load, the answers are still generated
and saved (retrieval falls back to BM25) and the run fails afterwards with that message.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from . import metrics as mt
from .config import EvalConfig
from .questions import (QuestionSet, QuestionsError, attach_contexts, from_file, from_run, from_workspace,
                        read_run_info)
from .report import SCHEMA, plot, verdict, write_answers_csv, write_json
from .scoring import EmbedderError, Item, Scorer

Progress = Callable[..., Any]


class EvaluationError(RuntimeError):
    """An evaluation that cannot go on, with a readable message (partial results stay in the folder)."""


@dataclass
class Hooks:
    progress: Progress | None = None  # progress(done, total, message)
    check_stop: Callable[[], None] | None = None  # raises to stop
    stop_requested: Callable[[], bool] | None = None  # Stop pressed: score the answers so far, skip the rest
    log: Callable[[str], None] | None = None


def load_questions(cfg: EvalConfig, ws=None) -> tuple[QuestionSet, dict | None]:
    run_info = read_run_info(cfg.adapter)
    if cfg.questions:
        qs = from_file(cfg.questions, cfg.sets, cfg.max_facts, cfg.seed)
    elif run_info and Path(str(run_info.get("run_dir", ""))).is_dir():
        qs = from_run(run_info["run_dir"], cfg.sets, cfg.max_facts, cfg.seed)
        qs.system_prompt = qs.system_prompt or run_info.get("system_prompt") or ""
    elif ws is not None:
        qs = from_workspace(ws, cfg.sets, cfg.max_facts, cfg.seed)
    else:
        raise QuestionsError("no questions: give a workspace, an adapter trained by the studio, or --questions FILE.jsonl")
    if cfg.system_prompt is not None:
        qs.system_prompt = cfg.system_prompt
    return qs, run_info


def _read_done(path: Path) -> dict[tuple[str, str], str]:
    done: dict[tuple[str, str], str] = {}
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        if text and not text.endswith("\n"):  # a line cut by a kill: drop it, or the next answer lands on its end
            text = text[: text.rfind("\n") + 1]
            path.write_text(text, encoding="utf-8")
        for line in text.splitlines():
            try:
                r = json.loads(line)
                done[(r["arm"], r["qid"])] = r["prediction"]
            except (json.JSONDecodeError, KeyError):
                continue  # a line cut by a crash
    return done


def calibration_pairs(questions, answers: dict[tuple[str, str], str], scorer: Scorer, seed: int = 0):
    """Positives: gold-context answers carrying their key, and answers of one fact in other phrasings;
    negatives: answers to other facts, against this fact's reference."""
    from .scoring import key_present

    rng = random.Random(seed)
    facts = [q for q in questions if not q.expect_refusal and q.reference]
    pos: list[tuple[str, str]] = []
    for q in facts:
        gold = answers.get(("gold", q.qid))
        if gold and (not q.key or key_present(q.key, gold)):
            pos.append((gold, q.reference))
    by_group: dict[str, list] = {}
    for q in facts:
        by_group.setdefault(q.group, []).append(q)
    for group in by_group.values():
        refs = list(dict.fromkeys(q.reference for q in group))
        pos += [(refs[i], refs[i + 1]) for i in range(len(refs) - 1)]
    neg: list[tuple[str, str]] = []
    pool = [(q.group, answers.get(("gold", q.qid)) or q.reference) for q in facts]
    for q in facts:
        others = [a for g, a in pool if g != q.group and a]
        for a in rng.sample(others, min(3, len(others))):
            neg.append((a, q.reference))
    return pos, neg


def _voice_result(run_dir, base_path, adapter, warnings: list[str]) -> dict[str, Any] | None:
    """The "Talk like me" style score of a studio run that trained voice pairs (None otherwise)."""
    if not run_dir or not adapter:
        return None
    try:
        from ..voice.evaluate import evaluate_frozen

        return evaluate_frozen(run_dir, str(base_path), str(adapter))
    except Exception as exc:  # noqa: BLE001 - the fact evaluation stands even when the style score fails
        warnings.append(f"style score not computed: {exc}")
        return None


def run_evaluation(cfg: EvalConfig, out_dir: Path, ws=None, hooks: Hooks | None = None) -> dict[str, Any]:
    """Evaluate and write the report into ``out_dir``; returns the report dict."""
    from .answers import AnswerModel, GenerationError, messages_for
    from .retrieval import Retriever

    hooks = hooks or Hooks()
    log = hooks.log or (lambda m: None)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    qs, run_info = load_questions(cfg, ws)
    base_model = (cfg.base_model or "").strip() or (run_info or {}).get("base_model") or ""
    if not base_model:
        raise EvaluationError("no base model: pick the model the adapter was trained on")
    questions = qs.questions
    arms = list(cfg.arms)
    n_context = attach_contexts(qs, ws)
    warnings = list(qs.warnings)
    if "gold" in arms and n_context == 0:
        warnings.append("gold-context arm skipped: no question has its source chunk (no workspace, or questions "
                        "without a context)")
        log(warnings[-1])
        arms.remove("gold")

    scorer = Scorer(cfg.embedder, threshold=cfg.threshold, device="cpu")
    embed_error: str | None = None
    try:
        scorer.model()
    except EmbedderError as exc:
        embed_error = str(exc)
        log(f"{exc}; answers are generated and saved, scoring will fail")

    chunks = ws.list_chunks() if ws is not None and cfg.needs_retrieval else []
    if cfg.needs_retrieval and not chunks:
        warnings.append("retrieval arms skipped: the workspace has no chunks")
        log(warnings[-1])
        arms = [a for a in arms if not a.endswith("+rag")]
    retrieval_info: dict[str, Any] = {}
    passages: dict[str, list[str]] = {}
    if chunks:
        retriever = Retriever(chunks, scorer if not embed_error else None, cfg.retriever, cfg.top_k)
        found = retriever.search_many([q.question for q in questions])
        passages = {q.qid: [c["text"] for c in f] for q, f in zip(questions, found)}
        with_gold = [(q, f) for q, f in zip(questions, found) if q.context]
        hits = sum(any(c["text"] == q.context for c in f) for q, f in with_gold)
        retrieval_info = {"mode": retriever.mode, "top_k": cfg.top_k, "chunks": len(chunks),
                          "recall_at_k": round(hits / len(with_gold), 4) if with_gold else None}

    if not arms:
        raise EvaluationError("nothing to evaluate: every chosen arm was skipped (see the warnings above)")
    answers_path = out_dir / "answers.jsonl"
    done = _read_done(answers_path)
    model = AnswerModel(base_model, cfg.adapter if any(a.startswith("tuned") for a in arms) else None, cfg.device,
                        cfg.batch_size, cfg.max_new_tokens, cfg.temperature, cfg.seed, run_info)
    total = sum(1 for a in arms for q in questions if a != "gold" or q.context)
    if cfg.forgetting and not embed_error:  # the probe's answers and one perplexity pass per arm count as steps
        from .forgetting import probe_questions

        total += (len(probe_questions()) + 1) * (2 if any(a.startswith("tuned") for a in arms) else 1)
    counter = {"done": sum(1 for k in done if k[0] in arms)}
    stopped = False

    def stop_now() -> bool:
        return bool(hooks.stop_requested and hooks.stop_requested())
    if hooks.progress:
        hooks.progress(counter["done"], total, "loading the model")
    try:
        model.load()
        for arm in arms:
            todo = [q for q in questions if (arm, q.qid) not in done and (arm != "gold" or q.context)]
            if not todo:
                continue
            convs = []
            for q in todo:
                ctx = [q.context] if arm == "gold" else (passages.get(q.qid) if arm.endswith("+rag") else None)
                convs.append(messages_for(q.question, qs.system_prompt, ctx))
            step = max(1, cfg.batch_size * 2)
            for start in range(0, len(todo), step):
                if stop_now():
                    stopped = True
                    break
                if hooks.check_stop:
                    hooks.check_stop()
                part = todo[start:start + step]
                preds = model.generate(convs[start:start + step], adapter=arm.startswith("tuned"))
                with open(answers_path, "a", encoding="utf-8") as fh:
                    for q, p in zip(part, preds):
                        fh.write(json.dumps({"arm": arm, "qid": q.qid, "prediction": p}, ensure_ascii=False) + "\n")
                        done[(arm, q.qid)] = p
                counter["done"] += len(part)
                if hooks.progress:
                    hooks.progress(counter["done"], total, f"{arm}: {start + len(part)} of {len(todo)} answers")
            if stopped:
                break
        forgetting = None
        if cfg.forgetting and not embed_error and not stopped:
            from .forgetting import measure

            base_done = counter["done"]

            def on_step(n: int, message: str) -> None:
                if hooks.progress:
                    hooks.progress(base_done + n, total, f"forgetting probe: {message}")

            forgetting = measure(model, scorer, qs.system_prompt, on_step=on_step, stop_requested=stop_now)
            stopped = stopped or forgetting.get("stopped", False)
    except GenerationError as exc:
        raise EvaluationError(str(exc)) from None
    finally:
        model.close()

    rows = []
    q_by = {q.qid: q for q in questions}
    for arm in arms:
        for q in questions:
            if (arm, q.qid) in done:
                rows.append({"arm": arm, "qid": q.qid, "set": q.set, "group": q.group, "question": q.question,
                             "reference": q.reference, "key": q.key, "prediction": done[(arm, q.qid)],
                             "context": q.context})
    if embed_error:
        write_answers_csv(out_dir / "answers.csv", rows)
        raise EvaluationError(f"{embed_error}. The answers are saved in {out_dir / 'answers.csv'} (not scored).")

    if hooks.progress:
        hooks.progress(total, total, "scoring")
    pos, neg = calibration_pairs(questions, done, scorer, cfg.seed)
    items = [Item(r["question"], r["reference"], r["prediction"], key=r["key"] or None, group=r["group"],
                  expect_refusal=q_by[r["qid"]].expect_refusal) for r in rows]
    # one encode pass for every answer, reference and calibration text
    scorer.prepare_items(items, [t for pair in pos + neg for t in pair])
    if cfg.threshold is None:
        info = scorer.calibrate(pos, neg)
        saved = ws.get_setting("evaluate.threshold") if ws is not None else None
        if info["source"] == "calibrated" and ws is not None:
            ws.set_setting("evaluate.threshold", {"value": info["value"], "embedder": scorer.embedder_name})
        elif saved and saved.get("embedder") == scorer.embedder_name and saved.get("value"):
            scorer.threshold = float(saved["value"])
            scorer.threshold_info = {**info, "value": scorer.threshold, "source": "workspace",
                                     "note": "too few calibration pairs here: the workspace's last calibrated threshold"}
    for r, sc in zip(rows, scorer.score_many(items)):
        r.update(sc.to_dict())
    empty = {a: sum(1 for r in rows if r["arm"] == a and not r["prediction"].strip()) for a in arms}
    for a, n in empty.items():
        if n:
            warnings.append(f"{a}: {n} empty answer(s), counted as wrong")

    judge_info = None
    if cfg.judge_model:
        try:
            from .judge import judge_rows, make_judge

            judge_info = judge_rows(rows, make_judge(cfg.judge_model, cfg.judge_base_url))
        except Exception as exc:  # noqa: BLE001 - the judge is optional: its failure never loses the report
            judge_info = {"error": str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__}

    def agree(a: dict, b: dict) -> bool:
        return scorer.agree(a["prediction"], b["prediction"], a["correct"], b["correct"])

    metrics = mt.summarise(rows, agree, cfg.bootstrap, cfg.seed)
    differences = {}
    for s in {r["set"] for r in rows}:
        base_rows = [r for r in rows if r["arm"] == "base" and r["set"] == s]
        tuned_rows = [r for r in rows if r["arm"] == "tuned" and r["set"] == s]
        if base_rows and tuned_rows:
            differences[s] = mt.paired_difference(base_rows, tuned_rows, cfg.bootstrap, cfg.seed)
    gap = None
    if all(a in arms for a in ("base", "tuned", "base+rag")):
        s = "phrasings" if any(r["set"] == "phrasings" for r in rows) else "facts"
        pick = lambda arm: [r for r in rows if r["arm"] == arm and r["set"] == s]  # noqa: E731
        gap = {"set": s, **mt.retrieval_gap(pick("base"), pick("tuned"), pick("base+rag"), cfg.bootstrap, cfg.seed)}
    report: dict[str, Any] = {
        "schema": SCHEMA,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": round(time.time() - t0, 1),
        "config": cfg.to_dict(),
        "models": {"base": base_model, "base_path": model.base_path, "adapter": cfg.adapter,
                   "run_dir": qs.run_dir, "embedder": scorer.embedder_name, "quantisation": None},
        "dataset": qs.to_dict(),
        "arms": arms,
        "threshold": scorer.threshold_info,
        "metrics": metrics,
        "differences": differences,
        "retrieval_gap_recovered": gap,
        "retrieval": retrieval_info,
        "forgetting": forgetting,
        "judge": judge_info,
        "warnings": warnings,
        "style": {"evaluated": False, "note": "voice/style score: not part of this evaluation"},
    }
    voice = _voice_result(qs.run_dir, model.base_path, cfg.adapter, warnings)
    if voice:
        report["voice"] = voice
        report["style"] = {"evaluated": True, "win_rate": voice.get("win_rate"), "valid": voice.get("valid")}
    from .rounds import split_by_round

    rounds = split_by_round(rows, run_info, cfg.bootstrap, cfg.seed)  # a continued run: earlier vs new facts
    if rounds:
        report["rounds"] = rounds
    report["verdict"] = verdict(metrics, differences, gap, forgetting)
    if stopped:
        answered = sum(1 for k in done if k[0] in arms)
        report["partial"] = {"stopped": True, "answers": answered,
                             "note": f"stopped by you: scored on the {answered} answers generated before the stop"}
        warnings.append(report["partial"]["note"])
    write_answers_csv(out_dir / "answers.csv", rows)
    try:
        plots = plot(metrics, out_dir)
    except Exception as exc:  # noqa: BLE001 - a plot failure never loses the report
        plots = []
        warnings.append(f"plots not drawn: {exc}")
    report["files"] = {"folder": str(out_dir), "report": "report.json", "answers": "answers.csv", "plots": plots}
    write_json(out_dir / "report.json", report)
    return report
