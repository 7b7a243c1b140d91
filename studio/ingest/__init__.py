"""Ingestion: every common document format to clean, token-sized, heading-aware chunks.

Entry points: :func:`ingest_paths` (files and folders into a workspace, one committed document
at a time), :func:`rechunk` (new chunk settings on a stored document), :func:`read_qa_file`
(existing QA data as normalised rows). Never imports gradio or torch.
"""

from .config import IngestConfig
from .model import IngestError
from .pipeline import FileReport, ingest_file, ingest_paths, load_config, rechunk, save_config
from .qa_files import QaFileRead, read_qa_file

__all__ = [
    "FileReport", "IngestConfig", "IngestError", "QaFileRead", "ingest_file", "ingest_paths", "load_config",
    "read_qa_file", "rechunk", "save_config",
]
