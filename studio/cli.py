"""``python -m studio``: the headless CLI. Each stage adds its subcommands from ``studio/<pkg>/cli.py``.

Every command is a thin shell over the same engine functions the UI calls. Errors print one readable
line and exit non-zero; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from . import __version__
from .cli_util import CliError

# Modules that contribute subcommands, in the order the stages run.
COMMAND_MODULES = (
    "studio.workspace.cli",
    "studio.ingest.cli",
    "studio.generate.cli",
    "studio.dataset.cli",
    "studio.train.cli",
    "studio.evaluate.cli",
    "studio.evaluate.arena_cli",
    "studio.voice.cli",
    "studio.hub.cli",
    "studio.hub.share_cli",
    "studio.chat.cli",
    "studio.jobs.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m studio",
        description="Fine-Tuning Studio: documents -> QA pairs -> LoRA/QLoRA adapter -> evaluation -> Hub.",
    )
    parser.add_argument("--version", action="version", version=f"studio {__version__}")
    parser.add_argument("--data-dir", help="data root (default: STUDIO_HOME or ./studio_data)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.data_dir:
        os.environ["STUDIO_HOME"] = args.data_dir
    if not getattr(args, "func", None):
        parser.print_help()
        return 0 if not argv else 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (``... | head``): stop quietly, as a shell tool does
        _silence_stdout()
        return 141
    except Exception as exc:  # noqa: BLE001 - one readable line, never a traceback, unless --debug
        if args.debug:
            raise
        from .paths import shorten

        message = str(exc) if isinstance(exc, CliError) else _readable(exc)
        print(f"error: {shorten(' '.join(message.split()), 400)}", file=sys.stderr)  # one line, never a wall
        return 2


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush raises nothing either."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _readable(exc: Exception) -> str:
    from .config import ConfigError
    from .paths import StudioPathError
    from .workspace import WorkspaceError

    if isinstance(exc, (ConfigError, StudioPathError, WorkspaceError, FileNotFoundError, ValueError, PermissionError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
