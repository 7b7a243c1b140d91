"""Settings of one generation run (the same object for the CLI, the Generate tab and the job worker)."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Config, check, help_field

BACKENDS = ("transformers", "openai", "replay")
MODES = ("knowledge", "voice", "both")
RECIPES = ("auto", "full", "guided")  # know my documents, talk like me (studio.voice), or both
LANGS = ("auto", "en", "it")


@dataclass
class GenerateConfig(Config):
    """How QA pairs are generated from the workspace's chunks."""

    backend: str = help_field("transformers", "generator: transformers (local model), openai (any OpenAI-compatible endpoint) or replay")
    model: str = help_field("bundled:smollm2-135m-instruct", "model id, local path, or bundled:smollm2-135m-instruct")
    base_url: str | None = help_field(None, "endpoint URL for the openai backend (e.g. http://localhost:8000/v1)")
    api_key_env: str | None = help_field(None, "name of the environment variable that holds the API key (never stored)")
    facts_per_chunk: int = help_field(5, "atomic facts to extract per chunk")
    paraphrases: int = help_field(4, "paraphrased questions per fact, besides the first question")
    refusal_share: float = help_field(0.1, "out-of-documents questions per fact (answered with a refusal)")
    false_premise_share: float = help_field(0.05, "false-premise questions per fact (answered with a correction)")
    heldout_facts_share: float = help_field(0.10, "share of facts held out whole (the harder probe)")
    heldout_phrasings: int = help_field(1, "phrasings per fact held out for the test (facts with at least 3 phrasings)")
    leak_threshold: float = help_field(0.95, "held-out vs train question cosine above which it counts as a leak")
    dedup_threshold: float = help_field(0.95, "cosine above which questions of different facts are duplicates")
    curate: bool = help_field(False, "grounded curation: a judge that sees the chunk scores every pair 1-5")
    judge_min_score: int = help_field(4, "lowest judge score kept when curating")
    temperature: float = help_field(0.7, "sampling temperature (0 = greedy)")
    max_new_tokens: int = help_field(768, "longest generator answer, in tokens")
    concurrency: int = help_field(4, "parallel requests to an endpoint")
    batch_size: int = help_field(8, "prompts per batch for a local model")
    limit_chunks: int | None = help_field(None, "only the first N chunks not yet done (a quick trial)")
    embedder: str | None = help_field(None, "sentence embedder for dedup and leakage (default all-MiniLM-L6-v2)")
    mode: str = help_field("knowledge", "goal: knowledge (know my documents), voice (talk like me) or both")
    author_name: str = help_field("", "voice: the author's name for the system prompt (\"You are NAME...\")")
    language: str = help_field("auto", "prompt language: auto (each document's own), en or it")
    retry_failed: bool = help_field(False, "also redo chunks that failed before")
    recipe: str = help_field("auto", "full (the model finds facts and writes JSON), guided (facts are picked from the "
                             "text, the model writes one question per call: for small local models) or auto (guided "
                             "for local models under 1B parameters)")
    seed: int = help_field(0, "seed for local sampling")
    recordings: str | None = help_field(None, "replay backend: a JSONL file of recorded generator outputs")

    def validate(self) -> None:
        check(self.backend in BACKENDS, f"backend must be one of {', '.join(BACKENDS)}, not {self.backend!r}")
        check(bool((self.model or "").strip()) or self.backend == "replay", "choose a generator model")
        check(1 <= self.facts_per_chunk <= 50, "facts per chunk must be 1-50")
        check(0 <= self.paraphrases <= 20, "paraphrases must be 0-20")
        for name in ("refusal_share", "false_premise_share"):
            check(0.0 <= getattr(self, name) <= 1.0, f"{name.replace('_', ' ')} must be between 0 and 1")
        check(0.0 <= self.heldout_facts_share <= 0.5, "held-out facts share must be between 0 and 0.5")
        check(0 <= self.heldout_phrasings <= 3, "held-out phrasings must be 0-3")
        check(0.5 <= self.leak_threshold <= 1.0, "leak threshold must be between 0.5 and 1")
        check(0.5 <= self.dedup_threshold <= 1.0, "dedup threshold must be between 0.5 and 1")
        check(1 <= self.judge_min_score <= 5, "judge minimum score must be 1-5")
        check(0.0 <= self.temperature <= 2.0, "temperature must be between 0 and 2")
        check(16 <= self.max_new_tokens <= 8192, "max new tokens must be 16-8192")
        check(1 <= self.concurrency <= 64, "concurrency must be 1-64")
        check(1 <= self.batch_size <= 128, "batch size must be 1-128")
        check(self.limit_chunks is None or self.limit_chunks >= 1, "limit chunks must be at least 1")
        check(self.mode in MODES, f"mode must be one of {', '.join(MODES)}")
        check(self.language in LANGS, f"language must be one of {', '.join(LANGS)}")
        check(self.recipe in RECIPES, f"recipe must be one of {', '.join(RECIPES)}")

    @property
    def phrasings_per_fact(self) -> int:
        return 1 + self.paraphrases

    def public_dict(self) -> dict:
        """What may be stored or logged (no secrets live here: the key stays in the environment)."""
        return self.to_dict()
