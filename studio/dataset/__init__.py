"""Review operations, stats, exporters, re-import and Hub dataset push for a workspace's QA pairs.

Engine package: never imports gradio; heavy libraries (datasets, sentence_transformers, transformers,
pyarrow, matplotlib) are imported inside the functions that need them.
"""

from .errors import DatasetError

__all__ = ["DatasetError"]
