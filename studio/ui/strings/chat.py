"""Strings of the Chat tab."""

EN = {
    "chat.intro": "Ask the same question to the base model and to the tuned one (base + adapter), side by side. "
    "Models load on first use and stay cached; on a CPU the bundled SmolLM2 answers in seconds.",
    "chat.base_model": "Base model",
    "chat.adapter": "Adapter from this workspace's training runs",
    "chat.adapter_path": "…or an adapter folder path (overrides the choice above)",
    "chat.refresh": "Refresh runs",
    "chat.system": "System prompt",
    "chat.temperature": "Temperature (0 = deterministic)",
    "chat.max_tokens": "Max new tokens",
    "chat.base": "Base",
    "chat.tuned": "Tuned (base + adapter)",
    "chat.message": "Your message",
    "chat.send": "Send",
    "chat.clear": "Clear",
    "chat.loading": "Loading {what}…",
    "chat.no_adapter": "No adapter picked: only the base model answers.",
    "chat.ready": "Answered by {models}.",
    "chat.empty": "Type a message first.",
    "chat.too_long": "The conversation is too long ({n:,} characters at most for a message or the system prompt, "
                     "{total:,} for the whole conversation): shorten it or clear the chat.",
    "chat.blank": "(no visible text: the model produced only blank space or special tokens)",
    "chat.about": "Ask the same question to the base model and to the tuned one (base + adapter), side by side. "
    "Models load on first use and stay cached. The first reply measures how fast this machine answers; the status "
    "line then says how long a reply takes (on a CPU a long reply can take minutes).",
    "chat.eta": "Answering: up to {tokens} tokens at {rate:.1f} tokens/s measured on this machine, about {time} at most.",
    "chat.eta_unknown": "Answering: the first reply of this model measures how fast this machine is (on a CPU it can "
                        "take minutes; lower the max new tokens for a quicker reply).",
    "chat.speed": "Measured {rate:.1f} tokens/s: a reply of up to {tokens} tokens takes about {time}.",
    "chat.expect_title": "What to expect from this adapter:",
    "chat.expect_tiny": "The base model is tiny ({size} parameters): expect short, often wrong or garbled answers, even "
                        "on trained questions. Use it to try the workflow; for usable answers train a model of 1B "
                        "parameters or more on a GPU.",
    "chat.expect_small_data": "Only {n} training pairs (fewer than {min}): the adapter can at best repeat some trained "
                              "answers; it cannot be expected to know the documents.",
    "chat.expect_few_exposures": "Some facts were seen only {n} times in training (fewer than {min}): those are "
                                 "probably not learned.",
    "chat.expect_not_evaluated": "This adapter was not evaluated: nothing shows yet that it answers better than the "
                                 "base model. Run an evaluation before trusting or publishing it.",
    "chat.expect_weak": "The evaluation found {pct} right on questions phrased in new words: most answers about the "
                        "documents will be wrong.",
}

IT = {
    "chat.intro": "Fai la stessa domanda al modello base e a quello addestrato (base + adapter), uno accanto all'altro. "
    "I modelli si caricano al primo uso e restano in memoria; su CPU lo SmolLM2 incluso risponde in pochi secondi.",
    "chat.base_model": "Modello base",
    "chat.adapter": "Adapter dagli addestramenti di quest'area di lavoro",
    "chat.adapter_path": "…oppure il percorso di una cartella adapter (ha la precedenza)",
    "chat.refresh": "Aggiorna",
    "chat.system": "Prompt di sistema",
    "chat.temperature": "Temperatura (0 = deterministica)",
    "chat.max_tokens": "Token nuovi al massimo",
    "chat.base": "Base",
    "chat.tuned": "Addestrato (base + adapter)",
    "chat.message": "Il tuo messaggio",
    "chat.send": "Invia",
    "chat.clear": "Pulisci",
    "chat.loading": "Caricamento di {what}…",
    "chat.no_adapter": "Nessun adapter scelto: risponde solo il modello base.",
    "chat.ready": "Risposte di {models}.",
    "chat.empty": "Scrivi prima un messaggio.",
    "chat.too_long": "La conversazione è troppo lunga (al massimo {n:,} caratteri per un messaggio o il prompt di "
                     "sistema, {total:,} per tutta la conversazione): accorciala o svuota la chat.",
    "chat.blank": "(nessun testo visibile: il modello ha prodotto solo spazi o token speciali)",
    "chat.about": "Fai la stessa domanda al modello base e a quello addestrato (base + adapter), uno accanto "
    "all'altro. I modelli si caricano al primo uso e restano in memoria. La prima risposta misura la velocità di "
    "questa macchina; poi la riga di stato dice quanto dura una risposta (su CPU una risposta lunga può richiedere "
    "minuti).",
    "chat.eta": "Risposta in corso: fino a {tokens} token a {rate:.1f} token/s misurati su questa macchina, al massimo "
                "circa {time}.",
    "chat.eta_unknown": "Risposta in corso: la prima risposta di questo modello misura la velocità della macchina (su "
                        "CPU può richiedere minuti; riduci i token nuovi per una risposta più rapida).",
    "chat.speed": "Misurati {rate:.1f} token/s: una risposta fino a {tokens} token richiede circa {time}.",
    "chat.expect_title": "Cosa aspettarsi da questo adapter:",
    "chat.expect_tiny": "Il modello base è minuscolo ({size} parametri): aspettati risposte brevi, spesso sbagliate o "
                        "confuse, anche sulle domande addestrate. Serve a provare il flusso; per risposte utilizzabili "
                        "addestra un modello da almeno 1B parametri su una GPU.",
    "chat.expect_small_data": "Solo {n} coppie di addestramento (meno di {min}): l'adapter può al massimo ripetere "
                              "alcune risposte addestrate; non ci si può aspettare che conosca i documenti.",
    "chat.expect_few_exposures": "Alcuni fatti sono stati visti solo {n} volte in addestramento (meno di {min}): "
                                 "probabilmente non sono stati appresi.",
    "chat.expect_not_evaluated": "Questo adapter non è stato valutato: niente mostra ancora che risponda meglio del "
                                 "modello base. Esegui una valutazione prima di fidarti o di pubblicarlo.",
    "chat.expect_weak": "La valutazione ha trovato il {pct} di risposte giuste sulle domande formulate con parole "
                        "nuove: la maggior parte delle risposte sui documenti sarà sbagliata.",
}
