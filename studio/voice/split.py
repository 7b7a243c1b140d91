"""Train / held-out split of the author's text for the voice recipe: by document, or by heading section.

With enough documents whole documents are held out (default 15%, at least one); with too few (one book, a
couple of long files) the unit is a heading section at the shallowest depth that gives enough sections, and
for text without enough headings a "part": a run of consecutive chunks (about a tenth of the text). A passage
that touches a held-out part is held out.
The split is stored in the workspace settings (``voice_split``) so it never moves between runs; a document
added later is placed by a hash of its content, so earlier placements stay. Held-out text yields no training
pair of any kind: the fact recipe asks :func:`heldout_chunk_ids` and skips those chunks too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from .config import VoiceConfig
from .source import document_blocks, section_key, text_documents

SETTING = "voice_split"
MIN_DOCUMENTS = 4  # below this many documents, split by section
MIN_SECTIONS = 4
PARTS = 10  # text without enough headings is cut into this many runs of chunks


@dataclass
class VoiceSplit:
    mode: str  # "document", "section" or "part"
    share: float
    seed: int
    depth: int = 1  # heading depth of a section (section mode)
    heldout_documents: list[int] = field(default_factory=list)
    heldout_sections: list[list] = field(default_factory=list)  # [document_id, section key]
    documents: dict[str, str] = field(default_factory=dict)  # document id -> sha256 at split time
    part_chunks: int = 0  # chunks per part (part mode)

    def to_dict(self) -> dict:
        return {
            "mode": self.mode, "share": self.share, "seed": self.seed, "depth": self.depth,
            "heldout_documents": self.heldout_documents, "heldout_sections": self.heldout_sections,
            "documents": self.documents, "part_chunks": self.part_chunks,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "VoiceSplit":
        return cls(d["mode"], float(d["share"]), int(d.get("seed", 0)), int(d.get("depth", 1)),
                   [int(x) for x in d.get("heldout_documents", [])],
                   [[int(a), str(b)] for a, b in d.get("heldout_sections", [])], dict(d.get("documents", {})),
                   int(d.get("part_chunks", 0)))

    def is_heldout(self, document_id: int | None, section: str = "", ordinals: list[int] | tuple = ()) -> bool:
        """Whether text of this document, in this section, in these chunk ordinals (part mode) is held out."""
        if document_id is None:
            return False
        if self.mode == "part":
            size = max(1, self.part_chunks)
            return any([int(document_id), str(int(o) // size)] in self.heldout_sections for o in ordinals)
        if self.mode == "document":
            if str(document_id) not in self.documents:
                return False  # unknown here: placed by place_new_documents
            return int(document_id) in self.heldout_documents
        return [int(document_id), section_key(section, self.depth)] in self.heldout_sections

    @property
    def summary(self) -> str:
        if self.mode == "part":
            return f"by part ({self.part_chunks} chunks each): {len(self.heldout_sections)} parts held out"
        if self.mode == "document":
            return f"by document: {len(self.heldout_documents)} of {len(self.documents)} held out"
        return f"by section (depth {self.depth}): {len(self.heldout_sections)} sections held out"


def _rank(key: str, seed: int) -> float:
    return int(hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()[:12], 16) / 16**12


def _pick(keys: list[str], share: float, seed: int) -> set[str]:
    n = max(1, int(round(share * len(keys)))) if len(keys) > 1 else 0
    return set(sorted(keys, key=lambda k: _rank(k, seed))[:n])


def make_split(workspace, config: VoiceConfig | None = None) -> VoiceSplit:
    """A new split of the workspace's text documents (not stored: see :func:`get_split`)."""
    cfg = config or VoiceConfig()
    docs = text_documents(workspace)
    known = {str(d["id"]): d["sha256"] for d in docs}
    if len(docs) >= MIN_DOCUMENTS:
        held = _pick([d["sha256"] for d in docs], cfg.heldout_share, cfg.seed)
        return VoiceSplit("document", cfg.heldout_share, cfg.seed, 1,
                          sorted(int(d["id"]) for d in docs if d["sha256"] in held), [], known)
    sections: list[tuple[int, str, str]] = []
    depth = 1
    for depth in (1, 2, 3):
        sections = []
        for d in docs:
            seen = []
            for block in document_blocks(workspace, d["id"]):
                key = section_key(block.section, depth)
                if block.kind != "heading" and key not in seen:
                    seen.append(key)
            sections += [(int(d["id"]), key, f"{d['sha256']}:{key}") for key in seen]
        if len(sections) >= MIN_SECTIONS:
            break
    if len(sections) < MIN_SECTIONS:
        return _part_split(workspace, docs, cfg, known)
    held = _pick([s[2] for s in sections], cfg.heldout_share, cfg.seed)
    return VoiceSplit("section", cfg.heldout_share, cfg.seed, depth, [],
                      [[doc_id, key] for doc_id, key, h in sections if h in held], known)


def _part_split(workspace, docs: list[dict], cfg: VoiceConfig, known: dict) -> VoiceSplit:
    total = sum(int(d.get("chunk_count") or 0) for d in docs)
    size = max(1, -(-total // PARTS))
    units = []
    for d in docs:
        n = int(d.get("chunk_count") or 0)
        units += [(int(d["id"]), str(k), f"{d['sha256']}:part{k}") for k in range(-(-n // size))]
    held = _pick([u[2] for u in units], cfg.heldout_share, cfg.seed)
    return VoiceSplit("part", cfg.heldout_share, cfg.seed, 1, [], [[i, k] for i, k, h in units if h in held], known, size)


def get_split(workspace, config: VoiceConfig | None = None, refresh: bool = False) -> VoiceSplit:
    """The stored split, made and stored on first use; documents added since are placed by content hash."""
    cfg = config or VoiceConfig()
    stored = workspace.get_setting(SETTING)
    if stored and not refresh:
        split = VoiceSplit.from_dict(stored)
        if _place_new_documents(workspace, split):
            workspace.set_setting(SETTING, split.to_dict())
        return split
    split = make_split(workspace, cfg)
    workspace.set_setting(SETTING, split.to_dict())
    return split


def _place_new_documents(workspace, split: VoiceSplit) -> bool:
    changed = False
    for d in text_documents(workspace):
        if str(d["id"]) in split.documents:
            continue
        split.documents[str(d["id"])] = d["sha256"]
        changed = True
        if split.mode == "document":
            if _rank(d["sha256"], split.seed) < split.share:
                split.heldout_documents.append(int(d["id"]))
        elif split.mode == "part":
            n = int(d.get("chunk_count") or 0)
            for k in range(-(-n // max(1, split.part_chunks))):
                if _rank(f"{d['sha256']}:part{k}", split.seed) < split.share:
                    split.heldout_sections.append([int(d["id"]), str(k)])
        else:
            for block in document_blocks(workspace, d["id"]):
                key = section_key(block.section, split.depth)
                pair = [int(d["id"]), key]
                if block.kind != "heading" and pair not in split.heldout_sections and _rank(f"{d['sha256']}:{key}", split.seed) < split.share:
                    split.heldout_sections.append(pair)
    return changed


def heldout_chunk_ids(workspace, config: VoiceConfig | None = None) -> set[int]:
    """Ids of the chunks held out for the voice evaluation: no recipe may make a training pair from them."""
    split = get_split(workspace, config)
    out: set[int] = set()
    for ch in workspace.list_chunks():
        if split.is_heldout(ch["document_id"], ch.get("heading_path") or "", (ch["ordinal"],)):
            out.add(int(ch["id"]))
    return out


def heldout_document_ids(workspace, config: VoiceConfig | None = None) -> set[int]:
    """Documents held out whole (document mode); empty in section mode."""
    split = get_split(workspace, config)
    return set(split.heldout_documents) if split.mode == "document" else set()
