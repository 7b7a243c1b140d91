"""The one table of interface strings, assembled from a module per tab (``EN`` and ``IT`` dicts) and a module per
further language (``lang_es.py`` holds ``ES``, ...): every module's dict named after a language joins that language.

Every key exists in English; a key missing in another language falls back to English (a test lists any gap).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

LANGUAGES = ("en", "it", "es", "fr", "de", "pt", "zh", "ja")
# How each language names itself in the language picker.
LANGUAGE_NAMES = {"en": "English", "it": "Italiano", "es": "Español", "fr": "Français", "de": "Deutsch",
                  "pt": "Português", "zh": "中文", "ja": "日本語"}


@lru_cache(maxsize=1)
def table() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for lang in LANGUAGES:
            merged[lang].update(getattr(module, lang.upper(), {}))
    return merged
