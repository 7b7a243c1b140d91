"""The voice recipe as a job (``run(ctx)``), for the generate job to call in ``voice`` and ``both`` modes.

``ctx.config`` is the generate config (backend, model, base_url, api_key_env, batch_size, seed...) plus an
optional ``voice`` mapping of :class:`~studio.voice.config.VoiceConfig` settings (``author_name``...).
"""

from __future__ import annotations

from .config import VoiceConfig
from .pipeline import run_voice_recipe


def backend_from_config(config: dict):
    """The generator a generate-config mapping names (the voice replay for ``replay``)."""
    if (config.get("backend") or "transformers") == "replay":
        from .replay import VoiceReplayBackend

        return VoiceReplayBackend(config.get("model") or "voice-replay")
    from ..generate.backends import make_backend
    from ..generate.config import GenerateConfig

    known = {k: v for k, v in config.items() if k in GenerateConfig.help() and k != "mode"}
    cfg = GenerateConfig.from_dict(known, strict=False)
    if cfg.backend == "transformers":
        from ..models import resolve_model

        cfg = cfg.replace(model=resolve_model(cfg.model))
    return make_backend(cfg)


def run(ctx) -> dict:
    config = dict(ctx.config or {})
    voice_cfg = VoiceConfig.from_dict(config.get("voice") or {}, strict=False)
    ws = ctx.workspace()
    backend = backend_from_config(config)
    try:
        summary = run_voice_recipe(ws, backend, voice_cfg, progress=lambda d, t, m: ctx.progress(d, t, m),
                                   should_stop=ctx.stop_requested)
    finally:
        backend.close()
    for w in summary["warnings"]:
        ctx.log(w)
    ctx.set_result(voice=summary)
    return summary
