"""Versioned prompt texts (English and Italian), chosen by the chunk's document language.

Every pair records ``PROMPT_VERSION``; change the version whenever a text below changes.
The chunk always sits between ``<document>`` and ``</document>`` (the replay backend relies on it).
"""

from __future__ import annotations

PROMPT_VERSION = "knowledge-v1"
STEPS = ("facts", "qa", "extra", "judge")

SYSTEM = {
    "en": "You turn documents into training data. You answer with JSON only, no prose, no code fences.",
    "it": "Trasformi documenti in dati di addestramento. Rispondi solo con JSON, senza testo e senza blocchi di codice.",
}

FACTS = {
    "en": (
        "Read the document and list up to {n} atomic facts it states. Each fact is one self-contained sentence "
        "that names every entity in full (never \"he\", \"it\", \"the company\"), keeping numbers, names, dates "
        "and units exactly as written. For each fact give its key answer: the short number, name, date or "
        "phrase that makes it true.\n\n<document>\n{chunk}\n</document>\n\n"
        'Reply with JSON: {{"facts": [{{"fact": "...", "key": "..."}}]}}'
    ),
    "it": (
        "Leggi il documento ed elenca fino a {n} fatti atomici che afferma. Ogni fatto è una frase autonoma "
        "che nomina per intero ogni entità (mai \"lui\", \"esso\", \"l'azienda\"), con numeri, nomi, date e "
        "unità esattamente come scritti. Per ogni fatto indica la risposta chiave: il numero, nome, data o "
        "breve frase che lo rende vero.\n\n<document>\n{chunk}\n</document>\n\n"
        'Rispondi in JSON: {{"facts": [{{"fact": "...", "key": "..."}}]}}'
    ),
}

QA = {
    "en": (
        "For each numbered fact below, write one question and its answer, plus {k} paraphrased questions with "
        "different wording, structure and direction. Answers use only the document, keep numbers, names and "
        "units exactly, and are complete sentences. key_answer is the short part that makes the answer right.\n\n"
        "<document>\n{chunk}\n</document>\n\nFacts:\n{facts}\n\n"
        'Reply with JSON: {{"items": [{{"fact": 1, "question": "...", "answer": "...", "key_answer": "...", '
        '"paraphrases": ["...", "..."]}}]}}'
    ),
    "it": (
        "Per ogni fatto numerato qui sotto scrivi una domanda e la sua risposta, più {k} domande parafrasate "
        "con parole, struttura e direzione diverse. Le risposte usano solo il documento, mantengono numeri, "
        "nomi e unità esatti e sono frasi complete. key_answer è la parte breve che rende giusta la risposta.\n\n"
        "<document>\n{chunk}\n</document>\n\nFatti:\n{facts}\n\n"
        'Rispondi in JSON: {{"items": [{{"fact": 1, "question": "...", "answer": "...", "key_answer": "...", '
        '"paraphrases": ["...", "..."]}}]}}'
    ),
}

EXTRA = {
    "en": (
        "Write {r} question(s) a reader of this document might ask but that the document does NOT answer "
        "(type \"refusal\"), and {p} question(s) built on a false premise that the document contradicts "
        "(type \"false_premise\"), whose answer corrects the premise using the document. Give each question "
        "{k} paraphrases.\n\n<document>\n{chunk}\n</document>\n\n"
        'Reply with JSON: {{"items": [{{"type": "refusal", "question": "...", "paraphrases": ["..."]}}, '
        '{{"type": "false_premise", "question": "...", "answer": "...", "key_answer": "...", "paraphrases": ["..."]}}]}}'
    ),
    "it": (
        "Scrivi {r} domanda/e che un lettore potrebbe porre ma a cui il documento NON risponde (type "
        "\"refusal\"), e {p} domanda/e basata/e su una premessa falsa che il documento smentisce (type "
        "\"false_premise\"), la cui risposta corregge la premessa usando il documento. Dai a ogni domanda "
        "{k} parafrasi.\n\n<document>\n{chunk}\n</document>\n\n"
        'Rispondi in JSON: {{"items": [{{"type": "refusal", "question": "...", "paraphrases": ["..."]}}, '
        '{{"type": "false_premise", "question": "...", "answer": "...", "key_answer": "...", "paraphrases": ["..."]}}]}}'
    ),
}

JUDGE = {
    "en": (
        "You check training pairs against their source. For each numbered pair, score 1-5 how well the answer "
        "is supported by the document and accurate (5 = fully supported and exact, 1 = unsupported or wrong); "
        "a refusal is right only if the document really lacks the answer.\n\n<document>\n{chunk}\n</document>\n\n"
        "Pairs:\n{pairs}\n\n"
        'Reply with JSON: {{"scores": [{{"id": 1, "score": 5, "reason": "..."}}]}}'
    ),
    "it": (
        "Verifichi coppie di addestramento rispetto alla fonte. Per ogni coppia numerata dai un voto 1-5 a quanto "
        "la risposta è sostenuta dal documento ed esatta (5 = pienamente sostenuta ed esatta, 1 = non sostenuta "
        "o sbagliata); un rifiuto è giusto solo se il documento non contiene davvero la risposta.\n\n"
        "<document>\n{chunk}\n</document>\n\nCoppie:\n{pairs}\n\n"
        'Rispondi in JSON: {{"scores": [{{"id": 1, "score": 5, "reason": "..."}}]}}'
    ),
}

RETRY = {
    "en": "Your reply could not be used: {error}. Reply again with only the JSON described above, nothing else.",
    "it": "La tua risposta non è utilizzabile: {error}. Rispondi di nuovo solo con il JSON descritto sopra, nient'altro.",
}

REFUSAL_ANSWER = {
    "en": "I'm sorry, but the documents I was trained on do not contain that information.",
    "it": "Mi dispiace, ma i documenti su cui sono stato addestrato non contengono questa informazione.",
}


def prompt_lang(doc_lang: str | None, setting: str = "auto") -> str:
    """The prompt language: the setting when forced, else the document's own (English when unknown)."""
    if setting in ("en", "it"):
        return setting
    lang = (doc_lang or "").lower()[:2]
    return lang if lang in FACTS else "en"


def messages(step: str, lang: str, **fields) -> list[dict[str, str]]:
    table = {"facts": FACTS, "qa": QA, "extra": EXTRA, "judge": JUDGE}[step]
    return [
        {"role": "system", "content": SYSTEM[lang]},
        {"role": "user", "content": table[lang].format(**fields)},
    ]


def retry_messages(previous: list[dict[str, str]], reply: str, error: str, lang: str) -> list[dict[str, str]]:
    """The same conversation, the model's unusable reply, and a note saying what was wrong with it."""
    return [
        *previous,
        {"role": "assistant", "content": (reply or "")[:2000]},
        {"role": "user", "content": RETRY[lang].format(error=error)},
    ]


# ---- the guided recipe for small models (guided.py): one short question per call --------------------
GUIDED_VERSION = "guided-v1"

QUESTION_SYSTEM = {
    "en": "Write the question whose answer is the given answer, using the sentence. Name the subject in full.",
    "it": "Scrivi la domanda la cui risposta è quella data, usando la frase. Nomina il soggetto per intero.",
}
QUESTION_SHOTS = {
    "en": [("The Eiffel Tower was completed in 1889 for the World's Fair.", "1889", "When was the Eiffel Tower completed?"),
           ("Python was created by Guido van Rossum.", "Guido van Rossum", "Who created Python?"),
           ("The pump moves 40 litres of water per minute.", "40 litres", "How much water does the pump move per minute?")],
    "it": [("La Torre Eiffel fu completata nel 1889 per l'Esposizione universale.", "1889", "Quando fu completata la Torre Eiffel?"),
           ("Python è stato creato da Guido van Rossum.", "Guido van Rossum", "Chi ha creato Python?"),
           ("La pompa sposta 40 litri d'acqua al minuto.", "40 litri", "Quanta acqua sposta la pompa al minuto?")],
}
PARAPHRASE_SYSTEM = {
    "en": "Ask the same question in other words. Keep every name and number.",
    "it": "Fai la stessa domanda con altre parole. Mantieni ogni nome e numero.",
}
PARAPHRASE_SHOTS = {
    "en": [("When was the Eiffel Tower completed?", "In what year was the Eiffel Tower finished?"),
           ("Who created Python?", "Which person is the creator of the Python language?"),
           ("How much water does the pump move per minute?", "What volume of water does the pump move each minute?")],
    "it": [("Quando fu completata la Torre Eiffel?", "In che anno venne terminata la Torre Eiffel?"),
           ("Chi ha creato Python?", "Quale persona è l'autore del linguaggio Python?"),
           ("Quanta acqua sposta la pompa al minuto?", "Che volume d'acqua muove la pompa ogni minuto?")],
}
ANSWER_LABEL = {"en": ("Sentence", "Answer"), "it": ("Frase", "Risposta")}


def question_messages(sentence: str, key: str, lang: str) -> list[dict[str, str]]:
    """Few-shot chat: sentence and answer in, one question out (short enough for a 135M model)."""
    s_lab, a_lab = ANSWER_LABEL[lang]
    out = [{"role": "system", "content": QUESTION_SYSTEM[lang]}]
    for s, a, q in QUESTION_SHOTS[lang]:
        out += [{"role": "user", "content": f"{s_lab}: {s}\n{a_lab}: {a}"}, {"role": "assistant", "content": q}]
    out.append({"role": "user", "content": f"{s_lab}: {sentence}\n{a_lab}: {key}"})
    return out


def paraphrase_messages(question: str, lang: str) -> list[dict[str, str]]:
    out = [{"role": "system", "content": PARAPHRASE_SYSTEM[lang]}]
    for q, p in PARAPHRASE_SHOTS[lang]:
        out += [{"role": "user", "content": q}, {"role": "assistant", "content": p}]
    out.append({"role": "user", "content": question})
    return out
