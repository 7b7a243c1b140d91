"""Ingestion settings: chunk size and overlap in tokens, the file size limit, the tokenizer."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Config, check, help_field

DEFAULT_CHUNK_TOKENS = 400
DEFAULT_OVERLAP_TOKENS = 60  # 15% of 400


@dataclass
class IngestConfig(Config):
    """How documents are read and cut into chunks."""

    chunk_tokens: int = help_field(DEFAULT_CHUNK_TOKENS, "target chunk size in tokens")
    overlap_tokens: int = help_field(DEFAULT_OVERLAP_TOKENS, "tokens repeated between neighbouring chunks")
    max_file_mb: float = help_field(100, "largest file accepted, in MB")
    tokenizer: str | None = help_field(
        None,
        "model whose tokenizer counts tokens (local folder, cached Hub id, bundled:...); "
        "empty: a built-in estimate that needs no download",
    )
    max_unzipped_mb: float = help_field(500, "largest total uncompressed size of a DOCX/EPUB (zip bomb guard)")
    max_parse_seconds: float = help_field(60, "longest time spent reading one HTML or EPUB file")

    def validate(self) -> None:
        check(32 <= self.chunk_tokens <= 8192, f"chunk size must be 32-8192 tokens, not {self.chunk_tokens}")
        check(self.overlap_tokens >= 0, f"overlap must be 0 or more tokens, not {self.overlap_tokens}")
        check(
            self.overlap_tokens <= self.chunk_tokens // 2,
            f"overlap ({self.overlap_tokens}) must be at most half the chunk size ({self.chunk_tokens})",
        )
        check(self.max_file_mb > 0, "the file size limit must be positive")
        check(self.max_unzipped_mb > 0, "the uncompressed size limit must be positive")
        check(self.max_parse_seconds > 0, "the reading time limit must be positive")

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_unzipped_bytes(self) -> int:
        return int(self.max_unzipped_mb * 1024 * 1024)

    @classmethod
    def with_overlap_share(cls, chunk_tokens: int, share: float = 0.15, **kw) -> "IngestConfig":
        return cls.from_dict({"chunk_tokens": chunk_tokens, "overlap_tokens": int(round(chunk_tokens * share)), **kw})
