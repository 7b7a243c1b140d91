"""Push an adapter (or merged weights) to the Hugging Face Hub with a model card that carries its evidence.

Modules: ``auth`` (token and whoami), ``errors`` (readable Hub errors), ``card`` (README.md),
``staging`` (the folder that gets pushed), ``merge`` (merged weights), ``push`` (create repo, upload),
``job`` (the ``push`` and ``merge`` job kinds), ``cli``. Never imports gradio.
"""
