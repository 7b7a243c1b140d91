"""Talk to a base model and base + adapter side by side: lazy loading, a bounded cache, streamed tokens.

Never imports gradio; torch/transformers/peft are imported inside functions.
"""
