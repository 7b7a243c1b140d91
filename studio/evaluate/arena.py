"""Blind A/B arena: a person judges two answers to one held-out question without knowing which model wrote which.

Match-ups come from answers already saved by an evaluation (``answers.csv`` beside ``report.json``; a voice run's
``report["voice"]["rows"]``), never regenerated:

* ``base-tuned``: the base model against the tuned one;
* ``tuned-rag``: the tuned model against tuned + retrieval (when the evaluation ran that arm);
* ``voice``: a "Talk like me" run's base and tuned answers to the author's held-out prompts ("which sounds like me");
* ``run:<other report>``: this run's tuned answers against another run's, on the questions both asked.

Only held-out questions are used (unseen phrasings, facts held out whole, refusals), never trained ones; an item whose
two answers are the same text is left out (it could only be a tie). The order of the items and which answer is shown
as A are drawn from a seed kept in the workspace (``arena.seed``), so they are stable and the challenger is A on half
the items (balanced, not coin flips). The page only ever gets the question and the texts A and B; which model wrote
which is resolved on the server when the judgment is recorded (table ``arena_judgments``, one row per item, so judging
resumes at the next unjudged item). Statistics: :func:`stats`.
"""

from __future__ import annotations

import csv
import math
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..dataset.csvsafe import unescape_cell
from .compare import HELD_OUT_SETS
from .config import ARM_LABELS

CHOICES = ("A", "B", "tie", "both_wrong")
Z95 = 1.959963984540054
METHOD = ("preference = (challenger wins + half the ties) / judgments other than 'both wrong'; "
          "Wilson 95% interval on that share")


class ArenaError(ValueError):
    """A match-up that cannot be built or judged (readable message)."""


@dataclass(frozen=True)
class Pairing:
    key: str
    baseline: str  # arm (or "other run") shown against
    challenger: str  # the arm whose preference rate is reported
    label: str


PAIRINGS = {
    "base-tuned": Pairing("base-tuned", "base", "tuned", "tuned vs base"),
    "tuned-rag": Pairing("tuned-rag", "tuned", "tuned+rag", "tuned + retrieval vs tuned"),
    "voice": Pairing("voice", "base", "tuned", "tuned vs base (which sounds like the author)"),
}


def pairing_for(key: str) -> Pairing:
    if key in PAIRINGS:
        return PAIRINGS[key]
    if key.startswith("run:") and len(key) > 4:
        return Pairing(key, "other run", "this run", f"this run vs {key[4:]}")
    raise ArenaError(f"unknown pairing {key!r}: base-tuned, tuned-rag, voice or run:<other report>")


@dataclass
class Item:
    qid: str
    question: str
    baseline: str
    challenger: str


def read_answers(folder: Path) -> dict[str, dict[str, tuple[str, str, str]]]:
    """{arm: {qid: (set, question, prediction)}} of the held-out questions in ``answers.csv``."""
    path = Path(folder) / "answers.csv"
    out: dict[str, dict[str, tuple[str, str, str]]] = {}
    if not path.is_file():
        return out
    with open(path, encoding="utf-8") as fh:  # cells the CSV wrote as text ('=...) read back as the model said them
        for row in csv.DictReader(fh):
            if row.get("set") in HELD_OUT_SETS:
                out.setdefault(row["arm"], {})[row["qid"]] = (row["set"], unescape_cell(row.get("question") or ""),
                                                              unescape_cell(row.get("prediction") or ""))
    return out


def is_voice(report: dict | None) -> bool:
    """A "Talk like me" run: its report carries the voice evaluation's rows (as the Evaluate tab's voice view reads)."""
    voice = (report or {}).get("voice")
    return isinstance(voice, dict) and bool(voice.get("rows"))


def available_pairings(folder: Path, report: dict | None) -> list[str]:
    arms = read_answers(folder)
    keys = [k for k, p in PAIRINGS.items() if k != "voice" and p.baseline in arms and p.challenger in arms]
    return (["voice"] if is_voice(report) else []) + keys


def build_items(folder: Path, report: dict | None, pairing: str, other: Path | None = None) -> list[Item]:
    p = pairing_for(pairing)
    items: list[Item] = []
    if p.key == "voice":
        if not is_voice(report):
            raise ArenaError("this report has no voice answers: the voice pairing is for \"Talk like me\" runs")
        for i, row in enumerate(report["voice"]["rows"]):
            items.append(Item(f"v{i:04d}", str(row.get("prompt") or ""), str(row.get("base") or ""),
                              str(row.get("tuned") or "")))
    elif p.key.startswith("run:"):
        if other is None:
            raise ArenaError("pick the other run to compare with")
        mine, theirs = read_answers(folder), read_answers(other)
        arm_a = "tuned" if "tuned" in mine else next(iter(mine), None)
        arm_b = "tuned" if "tuned" in theirs else next(iter(theirs), None)
        if arm_a is None or arm_b is None:
            raise ArenaError("one of the two runs has no saved answers: evaluate it first")
        by_q = {(s, q): pred for s, q, pred in theirs[arm_b].values()}
        for qid, (s, q, pred) in mine[arm_a].items():
            if (s, q) in by_q:
                items.append(Item(qid, q, by_q[(s, q)], pred))
        if not items:
            raise ArenaError("the two runs share no held-out question: nothing to judge side by side")
    else:
        arms = read_answers(folder)
        if p.baseline not in arms or p.challenger not in arms:
            missing = [ARM_LABELS.get(a, a) for a in (p.baseline, p.challenger) if a not in arms]
            raise ArenaError(f"this evaluation has no saved answers of {' and '.join(missing)}: evaluate with "
                             "that arm first")
        base = arms[p.baseline]
        for qid, (_s, q, pred) in arms[p.challenger].items():
            if qid in base:
                items.append(Item(qid, q, base[qid][2], pred))
    return [it for it in items if it.baseline.strip() != it.challenger.strip()]


def layout(qids: list[str], seed: int, key: str) -> list[tuple[str, str]]:
    """(qid, role shown as A) in judging order: shuffled by ``seed`` and the match-up ``key``; the challenger is A
    on exactly half the items (the odd one out drawn too)."""
    rng = random.Random(f"{seed}:{key}")
    order = sorted(qids)
    rng.shuffle(order)
    roles = ["challenger"] * (len(order) // 2) + ["baseline"] * (len(order) // 2)
    if len(order) % 2:
        roles.append(rng.choice(["challenger", "baseline"]))
    rng.shuffle(roles)
    return list(zip(order, roles))


def wilson(successes: float, n: float, z: float = Z95) -> list[float] | None:
    """Wilson score interval for ``successes`` of ``n`` (fractional successes allowed: ties count half)."""
    if n <= 0:
        return None
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return [round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)]


def stats(rows: list[dict], pairing: str, items: int | None = None) -> dict[str, Any]:
    """Counts and the challenger's preference rate with its Wilson 95% interval (ties count half; "both wrong"
    judgments are counted apart and left out of the rate)."""
    p = pairing_for(pairing)
    wins = losses = ties = both = 0
    for r in rows:
        if r["choice"] == "tie":
            ties += 1
        elif r["choice"] == "both_wrong":
            both += 1
        else:
            shown = "challenger" if (r["choice"] == "A") == (r["a_role"] == "challenger") else "baseline"
            wins, losses = (wins + 1, losses) if shown == "challenger" else (wins, losses + 1)
    decided = wins + losses + ties
    pref = (wins + 0.5 * ties) / decided if decided else None
    return {"label": p.label, "challenger": p.challenger, "baseline": p.baseline, "judged": len(rows), "items": items,
            "wins": wins, "losses": losses, "ties": ties, "both_wrong": both,
            "preference": None if pref is None else round(pref, 4), "preference_ci": wilson(wins + 0.5 * ties, decided)}


# ---- one match-up, as the page and the CLI see it ----------------------------------------------------------------

def report_key(ws, folder: Path) -> str:
    """The report's name in the judgments table: its folder inside the workspace (or its full path)."""
    folder = Path(folder).resolve()
    try:
        return str(folder.relative_to(Path(ws.path).resolve()))
    except ValueError:
        return str(folder)


def workspace_seed(ws) -> int:
    seed = ws.get_setting("arena.seed")
    if not isinstance(seed, int):
        seed = random.SystemRandom().randrange(1, 2**31)
        ws.set_setting("arena.seed", seed)
    return seed


@dataclass
class Matchup:
    ws: Any
    folder: Path
    report: dict
    pairing: str
    items: dict[str, Item]
    order: list[tuple[str, str]]  # (qid, role shown as A)
    key: str

    @classmethod
    def open(cls, ws, folder: Path, pairing: str, other: Path | None = None) -> "Matchup":
        from .view import load_report

        folder = Path(folder)
        report = load_report(folder)
        if not isinstance(report, dict):
            raise ArenaError("the evaluation report cannot be read")
        items = {it.qid: it for it in build_items(folder, report, pairing, other)}
        if not items:
            raise ArenaError("no held-out question with two different answers to judge")
        key = report_key(ws, folder)
        return cls(ws, folder, report, pairing, items, layout(list(items), workspace_seed(ws), f"{key}|{pairing}"), key)

    @property
    def is_voice(self) -> bool:
        return self.pairing == "voice"

    def judged(self) -> dict[str, dict]:
        rows = self.ws.conn.execute("SELECT item, a_role, choice FROM arena_judgments WHERE report = ? AND pairing = ?",
                                    (self.key, self.pairing)).fetchall()
        return {r["item"]: dict(r) for r in rows if r["item"] in self.items}

    def next_item(self) -> dict[str, Any]:
        """What the page gets: the next unjudged item's question and the texts A and B (no model names), progress."""
        done = self.judged()
        view: dict[str, Any] = {"judged": len(done), "total": len(self.order), "voice": self.is_voice, "item": None}
        for qid, a_role in self.order:
            if qid not in done:
                it = self.items[qid]
                a, b = (it.challenger, it.baseline) if a_role == "challenger" else (it.baseline, it.challenger)
                view.update(item=qid, question=it.question, a=a, b=b)
                break
        return view

    def record(self, qid: str, choice: str) -> dict[str, str]:
        """Store a judgment; returns which model was A and which B (revealed once judged)."""
        if choice not in CHOICES:
            raise ArenaError(f"a judgment is one of {', '.join(CHOICES)}")
        a_role = dict(self.order).get(qid)
        if a_role is None:
            raise ArenaError("that item is not part of this match-up")
        with self.ws.transaction() as c:
            c.execute("INSERT INTO arena_judgments(report, pairing, item, a_role, choice, judged_at) "
                      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(report, pairing, item) DO UPDATE SET "
                      "a_role = excluded.a_role, choice = excluded.choice, judged_at = excluded.judged_at",
                      (self.key, self.pairing, qid, a_role, choice, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())))
        write_block(self.ws, self.folder, self.report)
        p = pairing_for(self.pairing)
        names = {"challenger": ARM_LABELS.get(p.challenger, p.challenger), "baseline": ARM_LABELS.get(p.baseline, p.baseline)}
        return {"A": names[a_role], "B": names["baseline" if a_role == "challenger" else "challenger"]}

    def stats(self) -> dict[str, Any]:
        return stats(list(self.judged().values()), self.pairing, len(self.order))


def results(ws, folder: Path) -> dict[str, dict]:
    """Every pairing judged on this report: {pairing: stats}."""
    key = report_key(ws, folder)
    rows = ws.conn.execute("SELECT pairing, item, a_role, choice FROM arena_judgments WHERE report = ? ORDER BY pairing",
                           (key,)).fetchall()
    by: dict[str, list[dict]] = {}
    for r in rows:
        by.setdefault(r["pairing"], []).append(dict(r))
    return {pairing: stats(rs, pairing) for pairing, rs in by.items()}


def write_block(ws, folder: Path, report: dict | None = None) -> dict[str, Any]:
    """Write the ``arena`` block (every pairing's figures) into the report's ``report.json``; returns it."""
    from .report import write_json
    from .view import load_report

    report = load_report(folder) or report or {}  # re-read: the file may have changed since the match-up opened
    block = {"method": METHOD, "seed": ws.get_setting("arena.seed"), "pairings": results(ws, folder),
             "updated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    report["arena"] = block
    write_json(Path(folder) / "report.json", report)
    return block


def summary_rows(block: dict) -> tuple[list[str], list[list[str]]]:
    """The per-pairing results table (numbers and fixed words only)."""
    headers = ["pairing", "judged", "wins", "losses", "ties", "both wrong", "preference (95% CI)"]
    rows = []
    for _key, s in (block or {}).items():
        pref = s.get("preference")
        ci = s.get("preference_ci")
        cell = "–" if pref is None else f"{100 * pref:.0f}%" + (f" [{100 * ci[0]:.0f}–{100 * ci[1]:.0f}]" if ci else "")
        rows.append([s.get("label", _key), str(s.get("judged", 0)), str(s.get("wins", 0)), str(s.get("losses", 0)),
                     str(s.get("ties", 0)), str(s.get("both_wrong", 0)), cell])
    return headers, rows
