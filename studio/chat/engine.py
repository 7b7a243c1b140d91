"""Load base and base + adapter lazily, keep a few in a bounded LRU cache, and stream their replies.

``stream_reply`` yields the reply so far after each new piece of text (``TextIteratorStreamer``);
``stream_pair`` runs base and tuned on the same conversation at once and yields both texts. When the tuned
model is a PEFT model, base and tuned share its weights: one batched ``generate`` with PEFT's mixed-adapter
batch (``adapter_names=["__base__", "default"]``), so side-by-side chat holds one model in memory, not two.
Temperature 0 means greedy decoding (deterministic).
"""

from __future__ import annotations

import os
import queue
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..config import Config, check, help_field


class ChatError(ValueError):
    """A chat request the engine refuses or cannot serve, with a readable message."""


@dataclass
class ChatSettings(Config):
    system_prompt: str = help_field("", "system message before the conversation (empty: none)")
    temperature: float = help_field(0.0, "0 = greedy (deterministic); higher = more varied")
    max_new_tokens: int = help_field(256, "longest reply in tokens")
    top_p: float = help_field(0.95, "nucleus sampling (used when temperature > 0)")
    seed: int = help_field(0, "random seed for sampling")

    def validate(self) -> None:
        check(0.0 <= self.temperature <= 2.0, f"temperature must be 0-2, not {self.temperature}")
        check(1 <= self.max_new_tokens <= 4096, f"max tokens must be 1-4096, not {self.max_new_tokens}")
        check(0.0 < self.top_p <= 1.0, f"top_p must be in (0, 1], not {self.top_p}")


@dataclass
class LoadedModel:
    key: tuple
    model: Any
    tokenizer: Any
    label: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_label: str = ""
    device: str = "cpu"
    tokens_per_s: float | None = None  # measured on this model's last reply

    @property
    def has_adapter(self) -> bool:
        return self.key[1] is not None


def _device() -> str:
    wanted = os.environ.get("STUDIO_CHAT_DEVICE", "")
    if wanted:
        return wanted
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except ImportError:  # pragma: no cover
        return "cpu"


def _adapter_key(adapter: str | None) -> tuple[str, float] | None:
    if not adapter:
        return None
    path = Path(adapter).expanduser()
    if (path / "adapter" / "adapter_config.json").is_file():
        path = path / "adapter"
    if not (path / "adapter_config.json").is_file():
        raise ChatError(f"not an adapter folder (no adapter_config.json): {adapter}")
    weights = path / "adapter_model.safetensors"
    if not weights.is_file():
        raise ChatError(f"the adapter has no adapter_model.safetensors: {path}")
    return (str(path.resolve()), weights.stat().st_mtime)


class ModelCache:
    """At most ``max_models`` loaded models; the least recently used is dropped first."""

    def __init__(self, max_models: int = 2):
        self.max_models = max(1, int(max_models))
        self._items: OrderedDict[tuple, LoadedModel] = OrderedDict()
        self._lock = threading.Lock()
        self.loads = 0  # how many times a model was actually loaded (for tests and the UI)

    def __len__(self) -> int:
        return len(self._items)

    def keys(self) -> list[tuple]:
        return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def get(self, base_model: str, adapter: str | None = None) -> LoadedModel:
        from ..models import ModelNotFound, resolve_model

        try:
            base_path = resolve_model(base_model)
        except ModelNotFound as exc:
            raise ChatError(str(exc)) from None
        key = (base_path, _adapter_key(adapter))
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            while len(self._items) >= self.max_models:
                self._items.popitem(last=False)
            loaded = self._load(key, base_model)
            self._items[key] = loaded
            self.loads += 1
            return loaded

    @staticmethod
    def _load(key: tuple, base_label: str) -> LoadedModel:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        base_path, adapter = key
        device = _device()
        dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
        try:
            tok_source = adapter[0] if adapter and (Path(adapter[0]) / "tokenizer_config.json").is_file() else base_path
            tokenizer = AutoTokenizer.from_pretrained(tok_source)
            model = AutoModelForCausalLM.from_pretrained(base_path, dtype=dtype, use_safetensors=True)
            if adapter:
                from peft import PeftModel

                model = PeftModel.from_pretrained(model, adapter[0])
        except (OSError, ValueError) as exc:
            raise ChatError(f"cannot load {base_label}{' + adapter' if adapter else ''}: "
                            f"{str(exc).splitlines()[0][:300]}") from None
        model.to(device).eval()
        folder = Path(adapter[0]) if adapter else None
        if folder is not None and folder.name == "adapter":
            folder = folder.parent  # a run's adapter: name it by its run
        label = f"{base_label} + {folder.name}" if folder is not None else base_label
        return LoadedModel(key=key, model=model, tokenizer=tokenizer, label=label, base_label=base_label,
                           device=device)


_DEFAULT: ModelCache | None = None


def default_cache() -> ModelCache:
    """The process-wide cache (the UI shares one; base + one tuned model by default)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = ModelCache(int(os.environ.get("STUDIO_CHAT_CACHE", "2")))
    return _DEFAULT


def expected_speed(base_model: str, pair: bool) -> float | None:
    """Tokens per second measured on earlier replies of this model on this machine (None: not yet measured)."""
    from .speed import lookup, speed_key

    return lookup(speed_key(base_model, _device(), pair))


def _measured(loaded: LoadedModel, meter, tokens: int, pair: bool) -> None:
    from .speed import record, speed_key

    rate = meter.rate(tokens)
    if rate:
        loaded.tokens_per_s = rate
        record(speed_key(loaded.base_label or loaded.label, loaded.device, pair), rate, tokens)


def build_messages(history: list[dict], user_text: str, system_prompt: str = "") -> list[dict]:
    messages = [{"role": "system", "content": system_prompt}] if system_prompt.strip() else []
    for item in history or []:
        role, content = item.get("role"), item.get("content")
        if isinstance(content, list):  # gradio may send [{"type": "text", "text": ...}]
            content = " ".join(c.get("text", "") for c in content if isinstance(c, dict))
        if role in ("user", "assistant") and isinstance(content, str):
            messages.append({"role": role, "content": content})
    messages.append({"role": "user", "content": user_text})
    return messages


def stream_reply(loaded: LoadedModel, messages: list[dict], settings: ChatSettings | None = None,
                 stop: threading.Event | None = None) -> Iterator[str]:
    """Yield the reply so far each time the model produces more text."""
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

    settings = settings or ChatSettings()
    settings.validate()
    tok, model = loaded.tokenizer, loaded.model
    if not getattr(tok, "chat_template", None):
        raise ChatError("this model has no chat template: pick an instruct/chat model")
    inputs = tok.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    inputs = {k: v.to(model.device) for k, v in inputs.items()}
    streamer = TextIteratorStreamer(tok, skip_prompt=True, skip_special_tokens=True, timeout=600)

    class _Stop(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):  # noqa: ARG002
            return bool(stop and stop.is_set())

    sample = settings.temperature > 0
    kwargs = _generate_kwargs(inputs, tok, settings, streamer=streamer, stopping_criteria=StoppingCriteriaList([_Stop()]))
    failure: list[BaseException] = []

    def work():
        try:
            with loaded.lock, torch.inference_mode():
                if sample:
                    torch.manual_seed(settings.seed)
                model.generate(**kwargs)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            failure.append(exc)
            streamer.end()

    from .speed import ReplyMeter

    meter = ReplyMeter()
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    text = ""
    for piece in streamer:
        if piece:
            text += piece
            yield text
    thread.join()
    if failure:
        raise ChatError(f"generation failed: {str(failure[0]).splitlines()[0][:300]}")
    if not (stop and stop.is_set()):
        _measured(loaded, meter, len(tok.encode(text, add_special_tokens=False)), pair=False)


def _eos_ids(loaded: LoadedModel) -> set[int]:
    ids = getattr(loaded.model.generation_config, "eos_token_id", None)
    ids = set(ids if isinstance(ids, (list, tuple)) else [ids] if ids is not None else [])
    if loaded.tokenizer.eos_token_id is not None:
        ids.add(loaded.tokenizer.eos_token_id)
    return ids


def stream_mixed(tuned: LoadedModel, messages_base: list[dict], messages_tuned: list[dict],
                 settings: ChatSettings | None = None) -> Iterator[tuple[str, str]]:
    """Base and tuned from ONE PEFT model in one batched generate (rows: base, tuned); yields both texts."""
    import torch
    from transformers.generation.streamers import BaseStreamer

    settings = settings or ChatSettings()
    settings.validate()
    tok, model = tuned.tokenizer, tuned.model
    if not getattr(tok, "chat_template", None):
        raise ChatError("this model has no chat template: pick an instruct/chat model")
    prompts = [tok.apply_chat_template(m, add_generation_prompt=True, tokenize=False)
               for m in (messages_base, messages_tuned)]
    side = tok.padding_side
    tok.padding_side = "left"
    try:
        inputs = tok(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
    finally:
        tok.padding_side = side
    inputs = {k: v.to(model.device) for k, v in inputs.items()}
    eos = _eos_ids(tuned)
    updates: queue.Queue = queue.Queue()

    class PairStreamer(BaseStreamer):
        def __init__(self):
            self.ids: list[list[int]] = [[], []]
            self.done = [False, False]
            self.prompt_seen = False

        def put(self, value):
            if not self.prompt_seen:
                self.prompt_seen = True
                return
            for i, row in enumerate(value.reshape(2, -1).tolist()):
                for token in row:
                    if self.done[i]:
                        break
                    if token in eos:
                        self.done[i] = True
                    else:
                        self.ids[i].append(token)
            updates.put(tuple(tok.decode(ids, skip_special_tokens=True).rstrip("\ufffd") for ids in self.ids))

        def end(self):
            # the final text in full: a reply may end inside a multi-byte character, shown as U+FFFD like the
            # single-model stream does (only mid-stream is an incomplete character held back)
            updates.put(tuple(tok.decode(ids, skip_special_tokens=True) for ids in self.ids))
            updates.put(None)

    sample = settings.temperature > 0
    pair_streamer = PairStreamer()
    kwargs = _generate_kwargs(inputs, tok, settings, streamer=pair_streamer, adapter_names=["__base__", "default"])
    failure: list[BaseException] = []

    def work():
        try:
            with tuned.lock, torch.inference_mode():
                if sample:
                    torch.manual_seed(settings.seed)
                model.generate(**kwargs)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            failure.append(exc)
            updates.put(None)

    from .speed import ReplyMeter

    meter = ReplyMeter()
    threading.Thread(target=work, daemon=True).start()
    last = ("", "")
    while True:
        item = updates.get()
        if item is None:
            break
        last = item
        yield last
    if failure:
        raise ChatError(f"generation failed: {str(failure[0]).splitlines()[0][:300]}")
    _measured(tuned, meter, max(len(ids) for ids in pair_streamer.ids), pair=True)
    yield last


def stream_pair(base: LoadedModel | None, tuned: LoadedModel | None, messages_base: list[dict],
                messages_tuned: list[dict] | None = None, settings: ChatSettings | None = None
                ) -> Iterator[tuple[str, str]]:
    """Generate with both models at once; yield (base text, tuned text) as either grows.

    With ``base=None`` and a tuned PEFT model, both come from the tuned model's shared weights (one model in memory).
    """
    if base is None:
        if tuned is None or not tuned.has_adapter:
            raise ChatError("no model to answer: pick a base model")
        yield from stream_mixed(tuned, messages_base, messages_tuned or messages_base, settings)
        return
    events: queue.Queue = queue.Queue()
    texts = {"base": "", "tuned": ""}
    errors: dict[str, str] = {}
    jobs = [("base", base, messages_base)]
    if tuned is not None:
        jobs.append(("tuned", tuned, messages_tuned or messages_base))

    def run(side, loaded, messages):
        try:
            for text in stream_reply(loaded, messages, settings):
                events.put((side, text))
        except ChatError as exc:
            errors[side] = str(exc)
        finally:
            events.put((side, None))

    for job in jobs:
        threading.Thread(target=run, args=job, daemon=True).start()
    pending = len(jobs)
    while pending:
        side, text = events.get()
        if text is None:
            pending -= 1
            continue
        texts[side] = text
        yield texts["base"], texts["tuned"]
    if errors:
        raise ChatError("; ".join(f"{k}: {v}" for k, v in errors.items()))
    yield texts["base"], texts["tuned"]


def _generate_kwargs(inputs, tok, settings, **extra) -> dict:
    """``generate`` arguments for the chat settings: greedy at temperature 0, else sampled with top-p."""
    kwargs = dict(**inputs, max_new_tokens=settings.max_new_tokens, do_sample=settings.temperature > 0,
                  pad_token_id=tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id, **extra)
    if settings.temperature > 0:
        kwargs.update(temperature=settings.temperature, top_p=settings.top_p)
    else:
        kwargs.update(temperature=None, top_p=None, top_k=None)
    return kwargs
