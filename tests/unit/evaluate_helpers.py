"""A run folder as training leaves it (frozen data + adapter), built in seconds on the tiny model."""

from __future__ import annotations

import json
from pathlib import Path


def fake_run(run: Path, tiny_llama: Path, ws, base_name: str | None = None, system_prompt: str = "Answer from the documents.") -> Path:
    """Frozen data from ``ws``'s kept pairs and a random LoRA on the tiny model, with ``studio_run.json``."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from studio.train.data import freeze

    freeze(ws, run / "data", system_prompt=system_prompt, extra={"base_model": str(tiny_llama)})
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(str(tiny_llama))
    peft = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    peft.save_pretrained(str(run / "adapter"))
    (run / "adapter" / "studio_run.json").write_text(json.dumps({
        "run_dir": str(run), "base_model": base_name or str(tiny_llama), "system_prompt": system_prompt}))
    return run


def attach_chunks(ws) -> None:
    """Two chunks holding the first four invented facts, linked to their pairs (retrieval and gold context)."""
    doc = ws.add_document("facts.txt", "facts-sha")
    ws.replace_chunks(doc, [
        {"text": "The lighthouse cat of Varnholm is called Pemberton. The Zorblat River is 412 kilometres long."},
        {"text": "The Quellstone bridge was designed by Ilsa Marrow. The town of Brenvik was founded in 1873."},
    ])
    chunks = ws.list_chunks()
    for p in ws.iter_pairs():
        ws.update_pair(p["id"], chunk_id=chunks[0]["id"] if p["fact_id"] in ("f01", "f02") else chunks[1]["id"])
