"""``python -m studio chat``: talk to a base model, or base + adapter, in the terminal (streamed)."""

from __future__ import annotations

import sys

from ..cli_util import CliError, emit_json


def register(sub) -> None:
    p = sub.add_parser("chat", help="chat with a base model or base + adapter in the terminal (streamed)")
    p.add_argument("--base-model", required=True, metavar="M",
                   help="Hub id, local folder or bundled:smollm2-135m-instruct")
    p.add_argument("--adapter", metavar="DIR", help="LoRA adapter folder (or its run folder)")
    p.add_argument("--system", default="", help="system prompt")
    p.add_argument("--temperature", type=float, default=0.0, help="0 = greedy (default)")
    p.add_argument("--max-tokens", type=int, default=256, help="longest reply in tokens")
    p.add_argument("--prompt", help="ask one question, print the answer and exit (for scripts)")
    p.add_argument("--json", action="store_true", help="with --prompt: print {model, prompt, reply} as JSON")
    p.set_defaults(func=_run)


def _reply(loaded, messages, settings, stream: bool) -> str:
    from .engine import stream_reply

    text = ""
    for text_so_far in stream_reply(loaded, messages, settings):
        if stream:
            sys.stdout.write(text_so_far[len(text):])
            sys.stdout.flush()
        text = text_so_far
    if stream:
        sys.stdout.write("\n")
    return text


def _run(args) -> int:
    from ..config import ConfigError
    from .engine import ChatError, ChatSettings, ModelCache, build_messages

    try:
        settings = ChatSettings.from_dict({"system_prompt": args.system, "temperature": args.temperature,
                                           "max_new_tokens": args.max_tokens})
        print("loading the model...", file=sys.stderr, flush=True)
        loaded = ModelCache(1).get(args.base_model, args.adapter)
    except (ChatError, ConfigError) as exc:
        raise CliError(str(exc)) from None
    if args.prompt is not None:
        try:
            reply = _reply(loaded, build_messages([], args.prompt, settings.system_prompt), settings, not args.json)
        except ChatError as exc:
            raise CliError(str(exc)) from None
        if args.json:
            emit_json({"model": loaded.label, "prompt": args.prompt, "reply": reply})
        return 0
    history: list[dict] = []
    interactive = sys.stdin.isatty()
    if interactive:
        print(f"chatting with {loaded.label}; empty line or Ctrl-D to quit, /reset to start over", file=sys.stderr)
    while True:
        if interactive:
            print("you> ", end="", file=sys.stderr, flush=True)
        line = sys.stdin.readline()
        if not line or not line.strip():
            return 0
        text = line.strip()
        if text == "/reset":
            history = []
            continue
        try:
            reply = _reply(loaded, build_messages(history, text, settings.system_prompt), settings, True)
        except ChatError as exc:
            print(f"error: {exc}", file=sys.stderr)
            continue
        history += [{"role": "user", "content": text}, {"role": "assistant", "content": reply}]
