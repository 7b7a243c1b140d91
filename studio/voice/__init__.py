""""Talk like me": the voice recipe (verbatim passages as answers) and the style score that checks it.

Modules: :mod:`.config` (settings), :mod:`.passages` (paragraph-bounded passages), :mod:`.split` (by document or
section, stable in the workspace), :mod:`.recipe` (backtranslated voice pairs and extractive pairs),
:mod:`.style` (the author profile and the score), :mod:`.metrics` (win rate, gap closure, memorisation guard),
:mod:`.evaluate` (base vs tuned on held-out prompts), :mod:`.cli`. Never imports gradio; heavy libraries load lazily.
"""
