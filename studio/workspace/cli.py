"""``python -m studio workspace create|list|info|delete``."""

from __future__ import annotations

from ..cli_util import CliError, emit_json


def register(sub) -> None:
    p = sub.add_parser("workspace", help="create, list, inspect or delete workspaces")
    wsub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, help_text in (
        ("create", "create a workspace"),
        ("info", "show a workspace's documents, pairs and runs"),
        ("delete", "delete a workspace and everything in it"),
    ):
        q = wsub.add_parser(action, help=help_text)
        q.add_argument("name", help="workspace name (or a path containing a separator)")
        q.add_argument("--json", action="store_true", help="machine-readable output")
        if action == "delete":
            q.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        q.set_defaults(func=_run)
    q = wsub.add_parser("list", help="list workspaces")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=_run)


def _run(args) -> int:
    from ..paths import data_root, resolve_workspace_path, workspaces_dir
    from ..workspace import Workspace, list_workspaces

    root = data_root(args.data_dir)
    if args.action == "list":
        names = list_workspaces(workspaces_dir(root))
        if args.json:
            emit_json([{"name": n, "path": str(workspaces_dir(root) / n)} for n in names])
        else:
            print("\n".join(names) if names else f"no workspaces in {workspaces_dir(root)}")
        return 0
    path = resolve_workspace_path(args.name, root)
    if args.action == "create":
        ws = Workspace.create(path)
        info = ws.info()
        emit_json(info) if args.json else print(f"created workspace {ws.name} at {ws.path}")
        return 0
    ws = Workspace.open(path)
    if args.action == "info":
        info = ws.info()
        if args.json:
            emit_json(info)
        else:
            for key, value in info.items():
                print(f"{key:>16}: {value}")
        return 0
    if args.action == "delete":
        if not args.yes:
            answer = input(f"Delete workspace {ws.name!r} and all its documents, pairs and runs? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CliError("not deleted")
        ws.delete()
        emit_json({"deleted": ws.name}) if args.json else print(f"deleted {ws.name}")
        return 0
    raise CliError(f"unknown action {args.action}")
