"""Text helpers of the model card: user text shown as text, metric values with their intervals, the evaluation
table (every arm and question set)."""

from __future__ import annotations

import re

from .report_view import ARM_LABELS, SET_LABELS, ReportView

PERCENT_METRICS = {"accuracy", "strict_accuracy", "consistency", "agreement", "refusal_accuracy", "probe_accuracy"}


def md_text(value: object) -> str:
    """User text shown as text: no HTML, no table breakers, one line."""
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def fmt(metric: str, value: float) -> str:
    return f"{100 * value:.1f}%" if metric in PERCENT_METRICS and 0 <= value <= 1 else f"{value:.4g}"


def fmt_ci(metric: str, ci: tuple[float, float] | None) -> str:
    if not ci:
        return ""
    return f" [{fmt(metric, ci[0])}, {fmt(metric, ci[1])}]"


def evaluation_table(report: ReportView) -> str:
    arms = report.arms()
    head = "| question set | metric | " + " | ".join(ARM_LABELS.get(a, a) for a in arms) + " |"
    lines = [head, "|---|---|" + "---|" * len(arms)]
    seen = []
    for row in report.rows:
        key = (row.set, row.metric)
        if key in seen:
            continue
        seen.append(key)
        cells = []
        for arm in arms:
            hit = report.get(arm, row.set, row.metric)
            cells.append(fmt(hit.metric, hit.value) + fmt_ci(hit.metric, hit.ci) if hit else "")
        lines.append(f"| {SET_LABELS.get(row.set, md_text(row.set))} | {md_text(row.metric)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def arena_lines(raw: dict | None) -> list[str]:
    """One line per blind A/B arena pairing of the report (people's judgments), or none."""
    block = (raw or {}).get("arena") if isinstance(raw, dict) else None
    pairings = block.get("pairings") if isinstance(block, dict) else None
    lines = []
    for s in (pairings or {}).values():
        if not isinstance(s, dict) or s.get("preference") is None:
            continue
        ci = s.get("preference_ci")
        lines.append(f"Blind A/B arena, {md_text(s.get('label', ''))}: preferred in {100 * s['preference']:.0f}%"
                     + (f" [{100 * ci[0]:.0f}%, {100 * ci[1]:.0f}%]" if ci else "")
                     + f" of {s.get('judged', 0)} judgments ({s.get('both_wrong', 0)} \"both wrong\" left out; "
                     "ties count half; Wilson 95% interval).")
    return lines
