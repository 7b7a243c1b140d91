""""Improve the missed facts": from an evaluation report, more training phrasings for each fact the tuned model
answered wrong on an unseen phrasing, through the workspace's generator.

* A fact is missed when any of its unseen phrasings (set ``phrasings``, arm ``tuned``) was scored wrong.
* Its trained pairs whose answer disagrees with the source (the answer is not supported by the source chunk, or
  does not carry the fact's key answer) get the ``check_answer`` flag: more phrasings of a wrong answer would
  teach the wrong answer better, so the person looks at them in Review first.
* New phrasings come from :func:`studio.generate.regenerate.more_phrasings` (the workspace's generator settings),
  are stored as ``train`` pairs of the fact with ``round`` = the evaluated run's round + 1, ``kept`` unless a
  quality flag asks for a look (then ``pending``).
* Held-out pairs are never changed and never copied: a candidate that repeats a held-out question, or comes
  within the leak threshold (cosine of the sentence embedder) of one, is refused and counted, exactly as the
  generation's leak check would; after storing, the check runs again over the whole workspace: a new pair that
  repeats a held-out question is removed and the step refused (earlier pairs that do are counted, not changed).
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

CHECK_FLAG = "check_answer"


class ImproveError(RuntimeError):
    """Nothing can be improved from this report, with a readable reason."""


@dataclass
class ImproveResult:
    report: str
    round: int
    missed: list[str] = field(default_factory=list)  # fact groups answered wrong on an unseen phrasing
    added: dict[str, int] = field(default_factory=dict)  # fact -> new pairs
    pair_ids: list[int] = field(default_factory=list)
    flagged: list[int] = field(default_factory=list)  # trained pairs whose answer disagrees with the source
    leaks_refused: int = 0
    earlier_leaks: int = 0  # train pairs that already repeated a held-out question (not this round's)
    skipped: dict[str, str] = field(default_factory=dict)  # fact -> why it got no new phrasing

    @property
    def n_added(self) -> int:
        return len(self.pair_ids)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "n_missed": len(self.missed), "n_added": self.n_added,
                "facts_improved": sum(1 for v in self.added.values() if v)}


def missed_facts(folder: str | Path) -> list[str]:
    """Fact groups with at least one unseen phrasing the tuned model got wrong, in the report's order."""
    path = Path(folder) / "answers.csv"
    if not path.is_file():
        raise ImproveError("this evaluation has no answers.csv: run the evaluation to the end first")
    missed: dict[str, None] = {}
    seen = False
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r.get("arm") != "tuned" or r.get("set") != "phrasings":
                continue
            seen = True
            if r.get("correct") == "False":
                missed.setdefault(r["group"], None)
    if not seen:
        raise ImproveError("this evaluation has no tuned answers on unseen phrasings: evaluate an adapter with the "
                           "'unseen phrasings' set")
    return list(missed)


def run_round(report: dict) -> int:
    """The training round of the evaluated run (``studio_run.json``), 1 for a first run or an outside adapter."""
    run_dir = (report.get("models") or {}).get("run_dir")
    if run_dir:
        try:
            info = json.loads((Path(run_dir) / "adapter" / "studio_run.json").read_text())
            return int(info.get("round") or 1)
        except (OSError, ValueError):
            pass
    return 1


def _fact_pairs(ws, group: str) -> list[dict]:
    from ..workspace import PairFilter

    if group.startswith("pair-") and group[5:].isdigit():
        pair = ws.get_pair(int(group[5:]))
        return [pair] if pair else []
    return list(ws.iter_pairs(PairFilter(fact_id=group)))


def answer_disagrees(ws, pair: dict) -> bool:
    """The pair's answer is not what its source says: unsupported by the chunk, or without the fact's key."""
    from ..generate.quality import quality_flags
    from ..generate.textutil import normalise

    key = pair.get("key_answer") or ""
    if pair.get("fact_id"):
        row = ws.conn.execute("SELECT key_answer FROM facts WHERE id = ?", (pair["fact_id"],)).fetchone()
        key = (row[0] if row and row[0] else key) or ""
    if key and f" {normalise(key)} " not in f" {normalise(pair['answer'])} ":
        return True
    chunk = ws.get_chunk(pair["chunk_id"]) if pair.get("chunk_id") else None
    if chunk is None:
        return False
    return "unsupported" in quality_flags(pair["question"], pair["answer"], key or None, chunk["text"], None,
                                          pair.get("kind") or "fact")


def leak_checker(heldout: list[str], threshold: float, encode: Callable[[list[str]], Any] | None):
    """``leaks(question) -> bool``: the same tokens as a held-out question, or an embedding at ``threshold`` or above."""
    from ..generate.textutil import token_key

    keys = {token_key(q) for q in heldout}
    emb = encode(heldout) if encode is not None and heldout else None

    def leaks(question: str) -> bool:
        if token_key(question) in keys:
            return True
        if emb is None:
            return False
        return bool((emb @ encode([question])[0]).max() >= threshold)

    return leaks


def verify_no_leak(ws, new_ids: list[int]) -> int:
    """The leak check over the whole workspace after adding ``new_ids``: a new pair whose question repeats a held-out
    one (same words) is removed again and refused; returns how many earlier train pairs already repeat one (data
    imported or edited that way: reported, not changed here)."""
    from ..generate.textutil import token_key
    from ..workspace import PairFilter

    held = {token_key(p["question"]) for p in ws.iter_pairs(PairFilter(split="heldout"))}
    bad = [p["id"] for p in ws.iter_pairs(PairFilter(split="train")) if token_key(p["question"]) in held]
    fresh = sorted(set(bad) & set(new_ids))
    if fresh:
        ws.delete_pairs(fresh)
        raise ImproveError(f"leak check: {len(fresh)} new question(s) repeat a held-out one; nothing was added")
    return len(bad)


def improve(ws, folder: str | Path, per_fact: int = 5, gen_cfg=None, backend=None,
            encode: Callable[[list[str]], Any] | None = None) -> ImproveResult:
    """More phrasings for every missed fact of the evaluation in ``folder``; see the module docstring.

    ``encode``: unit sentence embeddings for the leak check (default: the generator settings' embedder)."""
    from ..dataset.actions import record_action
    from ..generate.regenerate import RegenerateError, generator_settings, more_phrasings
    from ..workspace import PairFilter
    from .view import load_report

    if not 1 <= int(per_fact) <= 20:
        raise ImproveError(f"phrasings per fact must be 1-20, not {per_fact}")
    folder = Path(folder)
    report = load_report(folder)
    if report is None:
        raise ImproveError("no evaluation report there: pick a finished evaluation")
    result = ImproveResult(report=folder.name, round=run_round(report) + 1, missed=missed_facts(folder))
    if not result.missed:
        return result
    cfg = gen_cfg or generator_settings(ws)
    if encode is None:
        from ..generate.embed import Embedder

        encode = Embedder(cfg.embedder).encode
    heldout = [p["question"] for p in ws.iter_pairs(PairFilter(split="heldout"))]
    leaks = leak_checker(heldout, cfg.leak_threshold, encode)
    own = backend is None
    if own:
        from ..generate.backends import BackendError, make_backend

        try:
            backend = make_backend(cfg)
        except BackendError as exc:
            raise ImproveError(str(exc)) from None
    flagged_before: dict[int, dict] = {}
    new_rows: list[dict] = []
    try:
        for group in result.missed:
            pairs = _fact_pairs(ws, group)
            trained = [p for p in pairs if p["split"] in ("train", "val") and p["status"] != "rejected"]
            if not trained:
                result.skipped[group] = "no trained pair of this fact in the workspace"
                continue
            for p in trained:
                if answer_disagrees(ws, p) and CHECK_FLAG not in (p["flags"] or "").split(","):
                    flagged_before[p["id"]] = {"flags": p["flags"], "status": p["status"]}
            seed = next((p for p in trained if p["kind"] == "fact"), trained[0])
            try:
                found = more_phrasings(ws, seed, per_fact * 2, cfg, backend,
                                       avoid={q for q in (r["question"] for r in new_rows)})
            except RegenerateError as exc:
                result.skipped[group] = str(exc)
                continue
            kept = 0
            for rw in found:
                if kept >= per_fact:
                    break
                if leaks(rw.question):
                    result.leaks_refused += 1
                    continue
                kept += 1
                new_rows.append({
                    "chunk_id": seed.get("chunk_id"), "document_id": seed.get("document_id"), "fact_id": seed.get("fact_id"),
                    "question": rw.question, "answer": rw.answer, "key_answer": rw.key_answer, "kind": "paraphrase",
                    "split": "train", "status": "pending" if rw.flags else "kept", "flags": rw.flags,
                    "generator": rw.generator, "model": rw.model, "prompt_version": rw.prompt_version,
                    "lang": seed.get("lang"), "round": result.round,
                    "meta_json": {"improved_from": folder.name, "fact_group": group},
                })
            result.added[group] = kept
            if not kept:
                result.skipped[group] = "the generator gave no new phrasing that is not a held-out one"
    finally:
        if own:
            backend.close()
    if new_rows:
        result.pair_ids = ws.add_pairs(new_rows)
    result.earlier_leaks = verify_no_leak(ws, result.pair_ids)
    for pid, before in flagged_before.items():
        flags = sorted({f for f in (before["flags"] or "").split(",") if f} | {CHECK_FLAG})
        ws.update_pair(pid, flags=flags, status="pending")
        result.flagged.append(pid)
    if result.pair_ids or result.flagged:
        record_action(ws, "improve", f"improve the missed facts ({len(result.pair_ids)} new pairs)",
                      changed=flagged_before, added=result.pair_ids)
    return result


def find_report(ws, run: str) -> Path:
    """The report folder of ``run``: a training run's newest evaluation, an evaluation run, or a report folder
    inside the workspace."""
    from .view import list_reports

    run = (run or "").strip()
    if not run:
        raise ImproveError("name a run: a training run or an evaluation of this workspace")
    for label, folder in list_reports(ws, limit=200):
        if label == run or label.split(" / ")[0] == run or Path(folder).name == run:
            return Path(folder)
    raise ImproveError(f"no finished evaluation of {run!r} in workspace {ws.name!r}: evaluate it first")


__all__ = ["improve", "missed_facts", "find_report", "verify_no_leak", "ImproveError", "ImproveResult", "CHECK_FLAG"]
