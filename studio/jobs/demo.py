"""A small job kind for tests and for checking a deployment: counts to ``steps``, one event per step."""

from __future__ import annotations

import time

from .context import JobContext


def run(ctx: JobContext) -> dict:
    steps = int(ctx.config.get("steps", 5))
    delay = float(ctx.config.get("delay", 0.2))
    fail_at = ctx.config.get("fail_at")
    start = int((ctx.status.get("result") or {}).get("last_step", 0)) if ctx.config.get("resume") else 0
    for step in range(start + 1, steps + 1):
        ctx.check_stop()
        if fail_at is not None and step == int(fail_at):
            raise RuntimeError(f"demo failure at step {step}")
        time.sleep(delay)
        ctx.emit("metric", step=step, value=step * step)
        ctx.set_result(last_step=step)
        ctx.progress(step, steps, f"step {step}/{steps}")
    out = {"last_step": steps}
    if ctx.config.get("echo_env"):  # for tests: did a variable reach the worker (never its value)
        import os

        out["env_seen"] = bool(os.environ.get(ctx.config["echo_env"]))
    return out
