"""``python -m studio compare RUN...`` (runs side by side), ``arena RUN`` (blind A/B judging in the terminal) and
``arena-results RUN`` (the arena's figures)."""

from __future__ import annotations

import sys

from ..cli_util import CliError, emit_json

KEYS = {"1": "A", "a": "A", "2": "B", "b": "B", "3": "tie", "t": "tie", "4": "both_wrong", "w": "both_wrong"}


def register(sub) -> None:
    c = sub.add_parser("compare", help="evaluation reports of several runs side by side (accuracy with 95%% CIs)")
    c.add_argument("runs", nargs="+", metavar="RUN", help="run id, report label, or a folder holding report.json")
    c.add_argument("--workspace", "-w", metavar="W", help="workspace whose run ids and report labels to resolve")
    c.add_argument("--json", action="store_true", help="one JSON object")
    c.set_defaults(func=_compare)

    a = sub.add_parser("arena", help="blind A/B judging of two models' answers to held-out questions")
    a.add_argument("run", metavar="RUN", help="run id, report label, or a folder holding report.json")
    a.add_argument("--workspace", "-w", required=True, metavar="W", help="workspace that keeps the judgments")
    a.add_argument("--pairing", default="base-tuned", metavar="P",
                   help="base-tuned, tuned-rag, voice, or run (with --against)")
    a.add_argument("--against", metavar="RUN2", help="the other run for --pairing run")
    a.set_defaults(func=_arena)

    r = sub.add_parser("arena-results", help="the arena's preference rates (95%% CI) for a run's report")
    r.add_argument("run", metavar="RUN", help="run id, report label, or a folder holding report.json")
    r.add_argument("--workspace", "-w", required=True, metavar="W", help="workspace that keeps the judgments")
    r.add_argument("--json", action="store_true", help="one JSON object")
    r.set_defaults(func=_results)


def _workspace(args):
    if not getattr(args, "workspace", None):
        return None
    from ..cli_util import open_workspace

    return open_workspace(args)


def _compare(args) -> int:
    from .compare import CompareError, compare_runs, table

    try:
        result = compare_runs(args.runs, _workspace(args))
    except CompareError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        emit_json(result)
        return 0
    headers, rows = table(result)
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    for line in [headers, *rows]:
        print("  ".join(str(x).ljust(w) for x, w in zip(line, widths)).rstrip())
    print(result["note"])
    return 0


def _matchup(args, ws):
    from .arena import ArenaError, Matchup
    from .compare import CompareError, resolve

    pairing = args.pairing
    try:
        _label, folder = resolve(ws, args.run)
        other = None
        if pairing == "run":
            if not args.against:
                raise CliError("--pairing run needs --against RUN2")
            other_label, other = resolve(ws, args.against)
            pairing = f"run:{other_label}"
        return Matchup.open(ws, folder, pairing, other)
    except (ArenaError, CompareError) as exc:
        raise CliError(str(exc)) from None


def _arena(args) -> int:
    from .arena import summary_rows

    ws = _workspace(args)
    m = _matchup(args, ws)
    ask = "Which sounds like me?" if m.is_voice else "Which answer is better?"
    out = sys.stdout
    while True:
        view = m.next_item()
        if view["item"] is None:
            print(f"All {view['total']} items judged.", file=out)
            break
        print(f"\n[{view['judged'] + 1} of {view['total']}] {view['question']}\n\nA: {view['a']}\n\nB: {view['b']}\n", file=out)
        try:
            answer = input(f"{ask} 1/a = A, 2/b = B, 3/t = tie, 4/w = both wrong, q = stop: ").strip().lower()
        except EOFError:
            break
        if answer in ("q", "quit"):
            break
        if answer not in KEYS:
            print("type 1, 2, 3, 4 (or a, b, t, w), or q", file=out)
            continue
        shown = m.record(view["item"], KEYS[answer])
        print(f"(A was {shown['A']}, B was {shown['B']})", file=out)
    _headers, rows = summary_rows({m.pairing: m.stats()})
    for row in rows:
        print(f"{row[0]}: preferred {row[6]} in {row[1]} judgments (ties count half, {row[5]} both wrong left out)",
              file=out)
    return 0


def _results(args) -> int:
    from .arena import METHOD, results, summary_rows
    from .compare import CompareError, resolve

    ws = _workspace(args)
    try:
        label, folder = resolve(ws, args.run)
    except CompareError as exc:
        raise CliError(str(exc)) from None
    block = results(ws, folder)
    if args.json:
        emit_json({"ok": True, "run": label, "method": METHOD, "pairings": block})
        return 0
    if not block:
        print("No arena judgments for this run yet: python -m studio arena RUN -w W")
        return 0
    headers, rows = summary_rows(block)
    for row in rows:
        print("  ".join(f"{h}: {v}" for h, v in zip(headers, row)))
    print(METHOD)
    return 0
