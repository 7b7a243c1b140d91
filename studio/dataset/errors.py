"""The one exception type of the dataset package: a readable one-line message."""

from __future__ import annotations

from ..workspace import WorkspaceError


class DatasetError(WorkspaceError):
    """A review, export or import problem the user can act on."""
