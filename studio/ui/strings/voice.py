"""Strings of the Voice ("Talk like me") section, shown in the Generate and Evaluate tabs."""

EN = {
    "voice.title": "### Talk like me",
    "voice.goal": "The model learns to answer in your own words: each answer is a passage you wrote, kept verbatim, "
    "paired with a question a reader might ask you; extractive pairs add facts answered with your own sentences. "
    "Part of your text is held out (whole documents, or sections of a single book) so the evaluation can check "
    "that the tuned model sounds like you on things it never saw.",
    "voice.author_name": "Your name, for the system prompt (optional: \"You are NAME...\")",
    "voice.check": "Check my text",
    "voice.status": "Your text",
    "voice.enough": "{words} words of your text available for training ({split}); {train} passages to train on, {heldout} held out.",
    "voice.too_little": "Only {words} words of your own text are available for training; about {needed} are recommended, "
    "so add about {missing} more words (more documents) for the model to pick up your voice. You can still proceed.",
    "voice.no_text": "No documents with text in this workspace yet: add them in the Upload tab.",
    "voice.results_title": "### Voice: does the tuned model sound like you?",
    "voice.report_path": "Evaluation report (report.json) or voice result file",
    "voice.show": "Show voice results",
    "voice.table": "Side by side (held-out prompts)",
    "voice.win_rate": "Win rate W (tuned sounds more like you than base)",
    "voice.gap": "Gap closure G (share of the base-to-you gap closed)",
    "voice.valid": "Validity: your own held-out passages beat the base answers {w} of the time (needs {th}).",
    "voice.inconclusive": "Inconclusive: the score cannot tell this author from the base model.",
    "voice.memorised": "{n} tuned answers repeat {limit}+ tokens of a training passage (copying, not imitation).",
    "voice.no_report": "No voice results in that report: evaluate a model trained with \"Talk like me\".",
    "voice.unreadable": "That is not an evaluation report of this workspace: pick an evaluation run or its report.json.",
    "voice.col_prompt": "Prompt", "voice.col_base": "Base", "voice.col_tuned": "Tuned", "voice.col_author": "You (real passage)",
    "voice.col_base_score": "Base score", "voice.col_tuned_score": "Tuned score", "voice.col_author_score": "Your score",
}

IT = {
    "voice.title": "### Parla come me",
    "voice.goal": "Il modello impara a rispondere con le tue parole: ogni risposta è un brano che hai scritto, lasciato "
    "identico, abbinato a una domanda che un lettore potrebbe farti; le coppie estrattive aggiungono fatti con le tue "
    "stesse frasi. Una parte del testo resta fuori (documenti interi, o sezioni di un solo libro) perché la valutazione "
    "verifichi che il modello addestrato suoni come te su ciò che non ha mai visto.",
    "voice.author_name": "Il tuo nome, per il prompt di sistema (facoltativo: \"Sei NOME...\")",
    "voice.check": "Controlla il mio testo",
    "voice.status": "Il tuo testo",
    "voice.enough": "{words} parole del tuo testo disponibili per l'addestramento ({split}); {train} brani da addestrare, {heldout} tenuti da parte.",
    "voice.too_little": "Sono disponibili solo {words} parole del tuo testo; ne servono circa {needed}, quindi aggiungine "
    "circa {missing} (altri documenti) perché il modello colga la tua voce. Puoi comunque procedere.",
    "voice.no_text": "Ancora nessun documento con testo in quest'area di lavoro: aggiungili nella scheda Carica.",
    "voice.results_title": "### Voce: il modello addestrato suona come te?",
    "voice.report_path": "Rapporto di valutazione (report.json) o file dei risultati di voce",
    "voice.show": "Mostra i risultati di voce",
    "voice.table": "A confronto (domande tenute da parte)",
    "voice.win_rate": "Tasso di vittoria W (l'addestrato suona più come te del base)",
    "voice.gap": "Chiusura del divario G (quota del divario base-te colmata)",
    "voice.valid": "Validità: i tuoi brani tenuti da parte battono le risposte del base {w} delle volte (serve {th}).",
    "voice.inconclusive": "Non conclusivo: il punteggio non distingue questo autore dal modello base.",
    "voice.memorised": "{n} risposte dell'addestrato ripetono {limit}+ token di un brano di addestramento (copia, non imitazione).",
    "voice.no_report": "Nessun risultato di voce in quel rapporto: valuta un modello addestrato con \"Parla come me\".",
    "voice.unreadable": "Non è un rapporto di valutazione di quest'area di lavoro: scegli una valutazione o il suo report.json.",
    "voice.col_prompt": "Domanda", "voice.col_base": "Base", "voice.col_tuned": "Addestrato", "voice.col_author": "Tu (brano vero)",
    "voice.col_base_score": "Punteggio base", "voice.col_tuned_score": "Punteggio addestrato", "voice.col_author_score": "Il tuo punteggio",
}
