"""Fine-Tuning Studio: ``python app.py`` (local), the Colab notebook (share link), or a GPU Space.

Building the UI on import is cheap (no torch, transformers or TRL): they load when a stage needs them.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

from studio.config import AppConfig, ConfigError, parse_auth  # noqa: E402
from studio.paths import StudioPathError, data_root, running_on_colab, running_on_space  # noqa: E402


def parse_args(argv: list[str] | None = None) -> AppConfig:
    parser = argparse.ArgumentParser(description="Fine-Tuning Studio web app")
    parser.add_argument("--host", default=None, help="interface to bind (default 127.0.0.1; 0.0.0.0 on a Space)")
    parser.add_argument("--port", type=int, default=None, help="port (default 7860 or GRADIO_SERVER_PORT)")
    parser.add_argument("--share", action="store_true", default=None, help="create a public share link")
    parser.add_argument("--auth", default=None, help="user:password for the page (also STUDIO_AUTH)")
    parser.add_argument("--data-dir", default=None, help="data root (also STUDIO_HOME)")
    parser.add_argument("--max-upload-mb", type=int, default=100, help="largest file accepted by upload")
    parser.add_argument("--language", default="auto", choices=["auto", "en", "it"])
    args = parser.parse_args(argv)
    on_space = running_on_space()
    return AppConfig.from_dict({
        "host": args.host or ("0.0.0.0" if on_space else os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1")),
        "port": args.port or int(os.environ.get("GRADIO_SERVER_PORT", 7860)),
        "share": args.share,
        "auth": args.auth or os.environ.get("STUDIO_AUTH") or None,
        "data_dir": args.data_dir or os.environ.get("STUDIO_HOME") or None,
        "max_upload_mb": args.max_upload_mb,
        "language": args.language,
    })


def build_demo(config: AppConfig | None = None):
    from studio.ui.context import AppContext
    from studio.ui.layout import build_app

    config = config or AppConfig()
    return build_app(AppContext(config=config))


def port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host if host != "0.0.0.0" else "", port))
            return True
        except OSError:
            return False


def launch_kwargs(config: AppConfig) -> dict:
    from studio.ui.layout import CSS

    kwargs = {
        "server_name": config.host,
        "server_port": config.port,
        "max_file_size": f"{config.max_upload_mb}mb",
        "show_error": False,
        "footer_links": ["gradio"],
        "run_history": False,
        "css": CSS,
    }
    if config.auth:
        kwargs["auth"] = parse_auth(config.auth)
    if config.share is not None:
        kwargs["share"] = config.share
    elif running_on_colab():
        kwargs["share"] = True
    return kwargs


def _start_space_housekeeping(root, config: AppConfig) -> None:
    """On a public Space: cap uploads and delete visitors' workspaces idle past the policy's limit."""
    import threading
    import time

    from studio.space import SpacePolicy, expire_idle

    policy = SpacePolicy.from_env()
    config.max_upload_mb = min(config.max_upload_mb, policy.max_upload_mb)

    def loop():
        while True:
            expire_idle(root, policy.idle_days)
            time.sleep(6 * 3600)

    threading.Thread(target=loop, daemon=True, name="studio-expiry").start()


def main(argv: list[str] | None = None) -> int:
    try:
        config = parse_args(argv)
        root = data_root(config.data_dir)
    except (ConfigError, StudioPathError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    os.environ["STUDIO_HOME"] = str(root)
    os.environ.setdefault("GRADIO_TEMP_DIR", str(root / "tmp" / "gradio"))  # uploads stay inside the data root
    if not running_on_space() and not port_free(config.host, config.port):
        print(f"error: port {config.port} on {config.host} is in use; pick another with --port", file=sys.stderr)
        return 2
    if running_on_space():
        _start_space_housekeeping(root, config)
    if running_on_colab():
        from studio.mirror import MirrorThread, drive_mirror_dir, restore_tree

        mirror = drive_mirror_dir()
        if mirror:
            restored = restore_tree(mirror, root)
            if restored:
                print(f"restored {restored} files from the Drive mirror {mirror}")
            MirrorThread(root, mirror).start()
    demo = build_demo(config.replace(data_dir=str(root)))
    demo.queue(default_concurrency_limit=4)
    demo.launch(**launch_kwargs(config))
    return 0


if __name__ == "__main__":
    sys.exit(main())
else:
    # Spaces and `gradio app.py` import the module and look for `demo`.
    demo = build_demo() if os.environ.get("STUDIO_BUILD_ON_IMPORT", "1") == "1" else None
