"""Fine-Tuning Studio: from a folder of documents to a fine-tuned adapter that provably learned them."""

__version__ = "0.1.0"
