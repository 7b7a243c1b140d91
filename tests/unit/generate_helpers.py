"""Small workspaces with documents and chunks for the generation tests."""

from __future__ import annotations

from pathlib import Path

from studio.workspace import Workspace

ROME = (
    "The Colosseum in Rome was completed in 80 AD under Emperor Titus. "
    "The Colosseum could hold about 50000 spectators. "
    "The Pantheon in Rome was rebuilt by Emperor Hadrian around 126 AD."
)
PARIS = (
    "The Eiffel Tower in Paris was finished in 1889 for the World Fair. "
    "Gustave Eiffel's company designed and built the Eiffel Tower. "
    "The Eiffel Tower is 330 metres tall including its antennas."
)
MILANO = (
    "Il Duomo di Milano fu iniziato nel 1386 per volere di Gian Galeazzo Visconti. "
    "La Madonnina del Duomo di Milano è alta 4,16 metri. "
    "La Galleria Vittorio Emanuele II di Milano fu inaugurata nel 1867."
)


def make_workspace(tmp: Path, docs: dict[str, tuple[str, list[str]]] | None = None, name: str = "gen") -> Workspace:
    """``docs``: name -> (lang, [chunk texts])."""
    docs = docs or {"rome.md": ("en", [ROME]), "paris.md": ("en", [PARIS]), "milano.md": ("it", [MILANO])}
    ws = Workspace.create(tmp / name)
    for i, (doc, (lang, chunks)) in enumerate(docs.items()):
        doc_id = ws.add_document(doc, sha256=f"sha-{i}-{doc}", lang=lang, chars=sum(map(len, chunks)))
        ws.replace_chunks(doc_id, [{"text": t, "tokens": len(t.split())} for t in chunks])
    return ws
