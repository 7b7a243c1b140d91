"""The model card's Voice section, from the evaluation report's ``"voice"`` result (Markdown, no HTML)."""

from __future__ import annotations


def _ci(ci) -> str:
    try:
        return f"{ci[0]:.2f}-{ci[1]:.2f}"
    except (TypeError, IndexError, ValueError):
        return "n/a"


def voice_section(voice: dict | None) -> str | None:
    """The body of the model card's Voice section; None when the model was not trained to talk like an author."""
    if not voice:
        return None
    gate = voice.get("validity") or {}
    mem = voice.get("memorisation") or {}
    prof = voice.get("profile") or {}
    lines = [
        "Trained on the author's own passages, kept verbatim as answers (instruction backtranslation). "
        "Style is measured offline: a profile of the author's most frequent words, z-scored against other writers' "
        f"texts ({prof.get('reference', 'reference')}), and the cosine of each answer's profile to the author's.",
        "",
        "| measure | value | 95% CI |",
        "|---|---|---|",
        f"| win rate W (tuned sounds more like the author than base, {voice.get('n', 0)} held-out prompts) | "
        f"{voice.get('win_rate', float('nan')):.2f} | {_ci(voice.get('win_rate_ci'))} |",
        f"| gap closure G | {voice.get('gap_closure', float('nan')):.2f} | {_ci(voice.get('gap_closure_ci'))} |",
        f"| validity: held-out author passages beat base | {gate.get('author_vs_base', float('nan')):.2f} | "
        f"{_ci(gate.get('author_vs_base_ci'))} |",
        "",
        f"Verdict: {voice.get('verdict', '')}.",
        f"Memorisation guard: {mem.get('flagged', 0)} answers share more than {mem.get('limit', 30)} tokens in a row "
        f"with the training passages (longest run {mem.get('max_shared_ngram', 0)}).",
    ]
    if "embedding" in voice:
        emb = voice["embedding"]
        lines.append(f"Style-embedding check ({emb.get('model')}): W {emb.get('win_rate', float('nan')):.2f} "
                     f"(95% CI {_ci(emb.get('win_rate_ci'))}).")
    return "\n".join(lines)
