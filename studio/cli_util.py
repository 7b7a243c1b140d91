"""Helpers shared by every CLI subcommand: readable errors, JSON output, opening a workspace."""

from __future__ import annotations

import json
import sys
from typing import Any


class CliError(Exception):
    """One readable line for the user; the CLI exits with status 2 (``--debug`` shows the traceback)."""


def emit_json(obj: Any, stream=None) -> None:
    print(json.dumps(obj, default=str, ensure_ascii=False), file=stream or sys.stdout, flush=True)


def add_workspace_arg(parser, required: bool = True) -> None:
    parser.add_argument(
        "--workspace", "-w", required=required, metavar="W",
        help="workspace name under the data root (STUDIO_HOME), or a path when it contains a separator",
    )


def open_workspace(args, create: bool = False):
    """The workspace named by ``args.workspace`` (and ``args.data_dir`` when given)."""
    from .paths import data_root, resolve_workspace_path
    from .workspace import Workspace

    root = data_root(getattr(args, "data_dir", None))
    return Workspace.open(resolve_workspace_path(args.workspace, root), create=create)
