"""Strings of the Export tab's sharing part: chat Space, GGUF + Ollama, serve."""

EN = {
    "share.space_title": "Publish a chat Space",
    "share.space_md": "A gradio Space where anyone can chat with the base model plus this adapter (transformers + PEFT, "
    "safetensors only). The adapter travels inside the Space; the README carries the evaluation summary and a suggested "
    "hardware from the base model's size (up to 0.6 B parameters: free CPU; up to 3 B: T4; larger: A10G). Stage first to "
    "see the files; publishing uses the token above.",
    "share.space_id": "Space id (owner/name; a bare name goes to your user)",
    "share.space_private": "Private Space",
    "share.space_stage": "Stage the Space",
    "share.space_push": "Publish the Space",
    "share.no_space_id": "Type a Space id (owner/name).",
    "share.space_staged": "Staged {n} files · suggested hardware `{hardware}` · base model `{base}`. Nothing was uploaded.",
    "share.space_pushed": "Published: {url}",
    "share.gguf_title": "GGUF for llama.cpp and Ollama",
    "share.gguf_md": "Merges the adapter into the base model (once) and writes `model.gguf` with an Ollama `Modelfile` "
    "(chat template, system prompt, stop tokens). Q8_0 is about half the size of F16 and close to it; F16 matches the "
    "merged model to half precision. Llama-family and Qwen2 models.",
    "share.gguf_quant": "Tensor type",
    "share.gguf_btn": "Export GGUF",
    "share.gguf_done": "Wrote `model.gguf` ({mb} MB, {quant}) and `Modelfile` in `{folder}`. With Ollama installed:",
    "share.serve_title": "Serve on an OpenAI-compatible endpoint",
    "share.serve_md": "On your own machine, this command merges the adapter (once) and starts `transformers serve` on "
    "it; it prints the base URL and the model name for any OpenAI client (`OpenAI(base_url=..., api_key=\"none\")`). "
    "The page never starts a server.\n\n```\n{command}\n```",
}

IT = {
    "share.space_title": "Pubblica uno Space di chat",
    "share.space_md": "Uno Space gradio dove chiunque può chattare con il modello base più questo adattatore "
    "(transformers + PEFT, solo safetensors). L'adattatore viaggia dentro lo Space; il README riporta il riepilogo "
    "della valutazione e l'hardware suggerito in base alla dimensione del modello base (fino a 0,6 B parametri: CPU "
    "gratuita; fino a 3 B: T4; oltre: A10G). Prepara prima per vedere i file; la pubblicazione usa il token qui sopra.",
    "share.space_id": "Id dello Space (proprietario/nome; un nome semplice va al tuo utente)",
    "share.space_private": "Space privato",
    "share.space_stage": "Prepara lo Space",
    "share.space_push": "Pubblica lo Space",
    "share.no_space_id": "Scrivi un id di Space (proprietario/nome).",
    "share.space_staged": "Preparati {n} file · hardware suggerito `{hardware}` · modello base `{base}`. Non è stato caricato nulla.",
    "share.space_pushed": "Pubblicato: {url}",
    "share.gguf_title": "GGUF per llama.cpp e Ollama",
    "share.gguf_md": "Unisce l'adattatore al modello base (una volta) e scrive `model.gguf` con un `Modelfile` di Ollama "
    "(template di chat, prompt di sistema, token di stop). Q8_0 è circa metà di F16 e molto vicino; F16 coincide con il "
    "modello unito a mezza precisione. Modelli della famiglia Llama e Qwen2.",
    "share.gguf_quant": "Tipo dei tensori",
    "share.gguf_btn": "Esporta GGUF",
    "share.gguf_done": "Scritti `model.gguf` ({mb} MB, {quant}) e `Modelfile` in `{folder}`. Con Ollama installato:",
    "share.serve_title": "Servi su un endpoint compatibile OpenAI",
    "share.serve_md": "Sulla tua macchina, questo comando unisce l'adattatore (una volta) e avvia `transformers serve`; "
    "stampa l'URL base e il nome del modello per qualsiasi client OpenAI (`OpenAI(base_url=..., api_key=\"none\")`). "
    "La pagina non avvia mai un server.\n\n```\n{command}\n```",
}
