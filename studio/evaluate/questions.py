"""Which questions an evaluation asks, and where they come from.

* An adapter trained by the studio names its run (``studio_run.json``): the questions are that run's **frozen**
  ``data/test.jsonl`` (sets: phrasings, facts, refusals, trained) plus, for consistency, every trained phrasing
  (``data/train.jsonl``) of each sampled fact; the run's system prompt is used. Never the live workspace.
* An outside adapter (or none): the workspace's held-out pairs, after dropping any whose question is also trained.
* ``--questions FILE.jsonl``: the user's own set (``question``, ``reference``, optional ``key``, ``group``, ``set``,
  ``context``).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .config import SETS

RUN_INFO = "studio_run.json"


class QuestionsError(ValueError):
    """No usable questions, or a file that cannot be read (readable message)."""


@dataclass
class Question:
    qid: str
    question: str
    reference: str
    key: str = ""
    group: str = ""
    set: str = "phrasings"
    kind: str = "fact"
    context: str | None = None  # the source chunk (gold-context arm, judge)
    pair_id: int | None = None

    @property
    def expect_refusal(self) -> bool:
        return self.set == "refusals" or self.kind == "refusal"


@dataclass
class QuestionSet:
    questions: list[Question]
    source: str  # run / workspace / file
    path: str = ""
    system_prompt: str = ""
    base_model: str | None = None
    run_dir: str | None = None
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for q in self.questions:
            out[q.set] = out.get(q.set, 0) + 1
        return out

    def sha256(self) -> str:
        blob = json.dumps([[q.question, q.reference, q.key, q.group, q.set] for q in self.questions], ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "path": self.path, "sha256": self.sha256(), "counts": self.counts(),
                "system_prompt": self.system_prompt, "warnings": list(self.warnings)}


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", (text or "").lower()).strip()


def read_run_info(adapter: str | Path | None) -> dict | None:
    """``studio_run.json`` of a studio-trained adapter (run folder, base model, system prompt), or None."""
    if not adapter:
        return None
    path = Path(adapter).expanduser()
    for cand in (path / RUN_INFO, path / "adapter" / RUN_INFO):
        if cand.is_file():
            try:
                info = json.loads(cand.read_text())
            except (OSError, json.JSONDecodeError) as exc:
                raise QuestionsError(f"{cand} cannot be read: {exc}") from None
            info["_adapter_dir"] = str(cand.parent)
            return info
    return None


def _sample_groups(groups: list[str], max_facts: int | None, seed: int) -> list[str]:
    groups = sorted(dict.fromkeys(groups))
    if max_facts is None or len(groups) <= max_facts:
        return groups
    return sorted(random.Random(seed).sample(groups, max_facts))


def _select(test_rows: list[dict], train_rows: list[dict], sets: list[str], max_facts: int | None, seed: int,
            source: str) -> list[Question]:
    """Sample facts per set and ask every phrasing of each; trained phrasings of the taught facts come from train."""
    by_set: dict[str, list[dict]] = {s: [] for s in SETS}
    for r in test_rows:
        by_set.setdefault(r.get("set") or "phrasings", []).append(r)
    out: list[Question] = []
    taught: list[str] = []
    if "phrasings" in sets or "trained" in sets:
        taught = _sample_groups([str(r["group"]) for r in by_set["phrasings"] + by_set["trained"]], max_facts, seed)
    chosen = {
        "phrasings": set(taught) if "phrasings" in sets else set(),
        "facts": set(_sample_groups([str(r["group"]) for r in by_set["facts"]], max_facts, seed + 1)) if "facts" in sets else set(),
    }
    for s in ("phrasings", "facts"):
        for r in by_set[s]:
            if str(r["group"]) in chosen[s]:
                out.append(_question(r, s, source))
    if "refusals" in sets:
        refusals = by_set["refusals"]
        if max_facts is not None and len(refusals) > max_facts:
            refusals = random.Random(seed + 2).sample(refusals, max_facts)
        out += [_question(r, "refusals", source) for r in refusals]
    if "trained" in sets:
        seen = {_norm(q.question) for q in out}
        taught_set = set(taught)
        for r in [*by_set["trained"], *train_rows]:
            if str(r.get("group")) in taught_set and _norm(r["question"]) not in seen:
                seen.add(_norm(r["question"]))
                out.append(_question(r, "trained", source))
    for i, q in enumerate(out):
        q.qid = f"q{i + 1}"
    return out


def _question(row: dict, set_name: str, source: str) -> Question:
    pid = row.get("id")
    return Question(
        qid="", question=str(row["question"]).strip(), reference=str(row.get("reference") or "").strip(),
        key=str(row.get("key") or "").strip(), group=str(row.get("group") or f"{source}-{pid}"), set=set_name,
        kind=str(row.get("kind") or ("refusal" if set_name == "refusals" else "fact")),
        context=row.get("context") or None, pair_id=int(pid) if isinstance(pid, int) or str(pid).isdigit() else None,
    )


def _train_qa(rows: list[dict]) -> list[dict]:
    """Prompt-completion rows of ``train.jsonl`` -> question/reference dicts."""
    out = []
    for r in rows:
        if "question" in r:
            out.append({**r, "reference": r.get("reference") or r.get("answer", "")})
            continue
        user = [m["content"] for m in r.get("prompt", []) if m.get("role") == "user"]
        answer = [m["content"] for m in r.get("completion", []) if m.get("role") == "assistant"]
        if user and answer:
            out.append({"id": r.get("id"), "question": user[-1], "reference": answer[-1], "group": r.get("group"),
                        "kind": r.get("kind", "fact"), "key": r.get("key", "")})
    return out


def from_run(run_dir: str | Path, sets: list[str], max_facts: int | None, seed: int = 0) -> QuestionSet:
    """The run's frozen test (and trained phrasings), verified against its manifest."""
    from ..train.data import DataError, load_frozen

    run_dir = Path(run_dir)
    try:
        manifest, rows = load_frozen(run_dir / "data")
    except DataError as exc:
        raise QuestionsError(str(exc)) from None
    train = _train_qa(rows["train"])
    questions = _select(rows["test"], train, sets, max_facts, seed, "run")
    if not questions:
        raise QuestionsError(
            f"the run {run_dir.name} has no held-out questions in the sets {', '.join(sets)}: "
            "its workspace had no held-out pairs when it trained (give --questions FILE.jsonl instead)"
        )
    return QuestionSet(questions, "run", str(run_dir / "data" / "test.jsonl"), manifest.get("system_prompt") or "",
                       manifest.get("base_model"), str(run_dir))


def from_workspace(ws, sets: list[str], max_facts: int | None, seed: int = 0) -> QuestionSet:
    """Held-out pairs of the workspace (not rejected); any whose question is also trained is dropped and counted."""
    from ..workspace import PairFilter

    pairs = [p for p in ws.iter_pairs(PairFilter()) if p["status"] != "rejected"]
    train = [p for p in pairs if p["split"] in ("train", "val")]
    heldout = [p for p in pairs if p["split"] == "heldout"]
    trained_q = {_norm(p["question"]) for p in train}
    train_groups = {str(p.get("fact_id") or f"pair-{p['id']}") for p in train}
    test_rows, leaks = [], 0
    for p in heldout:
        if _norm(p["question"]) in trained_q:
            leaks += 1
            continue
        group = str(p.get("fact_id") or f"pair-{p['id']}")
        set_name = "refusals" if p["kind"] == "refusal" else ("phrasings" if group in train_groups else "facts")
        test_rows.append({"id": p["id"], "question": p["question"], "reference": p["answer"],
                          "key": p.get("key_answer") or "", "group": group, "set": set_name, "kind": p["kind"]})
    train_rows = [{"id": p["id"], "question": p["question"], "reference": p["answer"], "key": p.get("key_answer") or "",
                   "group": str(p.get("fact_id") or f"pair-{p['id']}"), "kind": p["kind"]} for p in train]
    questions = _select(test_rows, train_rows, sets, max_facts, seed, "workspace")
    if not any(q.set != "trained" for q in questions):
        raise QuestionsError(
            f"workspace {ws.name!r} has no held-out questions: mark some pairs as held out in the Review tab "
            "(or give your own test set with --questions FILE.jsonl)"
        )
    qs = QuestionSet(questions, "workspace", str(ws.path))
    if leaks:
        qs.warnings.append(f"{leaks} held-out question(s) also trained word for word: left out of the test")
    return qs


def from_file(path: str | Path, sets: list[str] | None = None, max_facts: int | None = None, seed: int = 0) -> QuestionSet:
    """The user's own JSONL test set; a line that cannot be used is reported with its number."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise QuestionsError(f"no such questions file: {path}")
    rows: list[dict] = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise QuestionsError(f"{path.name} line {n}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict) or not str(row.get("question") or "").strip():
                raise QuestionsError(f"{path.name} line {n}: each line needs a 'question' (and a 'reference')")
            if not str(row.get("reference") or row.get("answer") or "").strip() and row.get("set") != "refusals":
                raise QuestionsError(f"{path.name} line {n}: the 'reference' answer is missing")
            row.setdefault("reference", row.get("answer", ""))
            row.setdefault("group", row.get("id", f"line-{n}"))
            s = str(row.get("set") or "phrasings")
            if s not in SETS:
                raise QuestionsError(f"{path.name} line {n}: set must be one of {', '.join(SETS)}, not {s!r}")
            row["set"] = s
            rows.append(row)
    if not rows:
        raise QuestionsError(f"{path.name} has no questions")
    wanted = sets or list(SETS)
    test = [r for r in rows if r["set"] != "trained"]
    train = [r for r in rows if r["set"] == "trained"]
    questions = _select(test + train, [], wanted, max_facts, seed, "file")
    if not questions:
        raise QuestionsError(f"{path.name} has no questions in the sets {', '.join(wanted)}")
    return QuestionSet(questions, "file", str(path))


def attach_contexts(qs: QuestionSet, ws) -> int:
    """Fill each question's source chunk from the workspace (gold-context arm); returns how many have one."""
    if ws is None:
        return sum(1 for q in qs.questions if q.context)
    chunk_text: dict[int, str] = {}
    group_chunk: dict[str, int] = {}
    for q in qs.questions:
        if q.context or q.pair_id is None:
            continue
        pair = ws.get_pair(q.pair_id)
        if pair and pair.get("chunk_id"):
            group_chunk.setdefault(q.group, pair["chunk_id"])
    for q in qs.questions:
        if q.context:
            continue
        cid = group_chunk.get(q.group)
        if cid is None and q.pair_id is not None:
            pair = ws.get_pair(q.pair_id)
            cid = pair.get("chunk_id") if pair else None
        if cid is None:
            continue
        if cid not in chunk_text:
            chunk = ws.get_chunk(cid)
            chunk_text[cid] = chunk["text"] if chunk else ""
        q.context = chunk_text[cid] or None
    return sum(1 for q in qs.questions if q.context)


def question_dicts(qs: QuestionSet) -> list[dict]:
    return [asdict(q) for q in qs.questions]
