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
}
