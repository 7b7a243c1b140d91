"""Workspace store: SQLite (WAL) with documents, chunks, facts, QA pairs, runs, settings."""

from .db import WorkspaceError
from .pairs import KINDS, SPLITS, STATUSES, ConflictError, PairFilter, PairValidationError
from .store import Workspace, list_workspaces, now_iso

__all__ = [
    "KINDS", "SPLITS", "STATUSES", "ConflictError", "PairFilter", "PairValidationError",
    "Workspace", "WorkspaceError", "list_workspaces", "now_iso",
]
