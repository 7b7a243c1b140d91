"""Generator prompts of the voice recipe (English and Italian): question, curation, extractive question.

The passage goes inside ``<passage>`` tags; every reply is one JSON object. Version changes when wording does.
"""

from __future__ import annotations

PROMPT_VERSION = "voice-1"

_Q = {
    "en": (
        "Here is a passage written by an author.\n<passage>\n{passage}\n</passage>\n\n"
        "Write ONE question or request that a reader could put to this author, to which this passage, "
        "exactly as written, would be a natural answer. Do not quote the passage and do not mention it "
        "(no \"the passage\", \"the text\", \"the author\"); ask about its subject, in the reader's own words. "
        'Reply with JSON only: {{"question": "..."}}'
    ),
    "it": (
        "Ecco un brano scritto da un autore.\n<passage>\n{passage}\n</passage>\n\n"
        "Scrivi UNA domanda o richiesta che un lettore potrebbe fare a questo autore, alla quale questo brano, "
        "così com'è scritto, sarebbe una risposta naturale. Non citare il brano e non nominarlo "
        "(niente \"il brano\", \"il testo\", \"l'autore\"); chiedi del suo argomento, con parole del lettore. "
        'Rispondi solo con JSON: {{"question": "..."}}'
    ),
}
_JUDGE = {
    "en": (
        "A reader asked an author:\n<question>\n{question}\n</question>\nThe author's answer is this passage:\n"
        "<passage>\n{passage}\n</passage>\n\nScore 1-5 how well the passage, as written, answers the question "
        "(5: a natural, complete answer; 3: related but only partly answers; 1: unrelated, or the question quotes the passage). "
        'Reply with JSON only: {{"score": 1-5, "reason": "..."}}'
    ),
    "it": (
        "Un lettore ha chiesto a un autore:\n<question>\n{question}\n</question>\nLa risposta dell'autore è questo brano:\n"
        "<passage>\n{passage}\n</passage>\n\nDai un voto 1-5 a quanto il brano, così com'è, risponde alla domanda "
        "(5: risposta naturale e completa; 3: pertinente ma parziale; 1: non pertinente, o la domanda cita il brano). "
        'Rispondi solo con JSON: {{"score": 1-5, "reason": "..."}}'
    ),
}
_EXTRACT = {
    "en": (
        "Here are the numbered sentences of a passage.\n<passage>\n{numbered}\n</passage>\n\n"
        "Write ONE factual question that some of these sentences answer, and list the numbers of the sentences "
        "(at most {max_sentences}) that together answer it. Do not copy a sentence into the question. "
        'Reply with JSON only: {{"question": "...", "sentences": [1, 2]}}'
    ),
    "it": (
        "Ecco le frasi numerate di un brano.\n<passage>\n{numbered}\n</passage>\n\n"
        "Scrivi UNA domanda fattuale a cui alcune di queste frasi rispondono, ed elenca i numeri delle frasi "
        "(al massimo {max_sentences}) che insieme vi rispondono. Non copiare una frase nella domanda. "
        'Rispondi solo con JSON: {{"question": "...", "sentences": [1, 2]}}'
    ),
}


def _lang(lang: str | None) -> str:
    return lang if lang in ("en", "it") else "en"


def question_messages(passage: str, lang: str | None = None) -> list[dict[str, str]]:
    return [{"role": "user", "content": _Q[_lang(lang)].format(passage=passage)}]


def judge_messages(question: str, passage: str, lang: str | None = None) -> list[dict[str, str]]:
    return [{"role": "user", "content": _JUDGE[_lang(lang)].format(question=question, passage=passage)}]


def extract_messages(sentences: list[str], max_sentences: int, lang: str | None = None) -> list[dict[str, str]]:
    numbered = "\n".join(f"[{i + 1}] {s}" for i, s in enumerate(sentences))
    return [{"role": "user", "content": _EXTRACT[_lang(lang)].format(numbered=numbered, max_sentences=max_sentences)}]


def prompt_kind(messages: list[dict[str, str]]) -> str:
    """``question``, ``judge`` or ``extract`` for a voice prompt; ``""`` for any other."""
    user = next((m["content"] for m in messages if m["role"] == "user"), "")
    if '"sentences"' in user and "<passage>" in user:
        return "extract"
    if '{"score"' in user and "<question>" in user:
        return "judge"
    if '{"question"' in user and "<passage>" in user:
        return "question"
    return ""
