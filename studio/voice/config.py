"""Settings of the voice recipe and of the style score (one object for the CLI, the UI and the jobs)."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Config, check, help_field

# Below this many parameters a generator is too small to judge its own pairs (curation is switched off, with a warning).
MIN_JUDGE_PARAMS_B = 1.0


@dataclass
class VoiceConfig(Config):
    """How the author's own words become training pairs, and how their style is measured."""

    author_name: str = help_field("", "the author's name for the system prompt (\"You are NAME...\"); empty: none")
    heldout_share: float = help_field(0.15, "share of documents (or heading sections) held out for the voice evaluation")
    min_passage_words: int = help_field(120, "shortest passage, in words")
    max_passage_words: int = help_field(350, "longest passage, in words")
    max_length: int = help_field(1024, "training max length in tokens: a passage longer than this allows is never used")
    voice_share: float = help_field(0.7, "share of assistant tokens from voice pairs (the rest: extractive pairs)")
    curate: bool = help_field(True, "a curation call that sees the passage scores each voice pair 1-5")
    curate_min_score: int = help_field(4, "lowest curation score kept")
    min_words: int = help_field(5000, "below this many words of the author's text, warn that it is too little")
    style_top_k: int = help_field(300, "most frequent author words in the style profile")
    memorisation_ngram: int = help_field(30, "flag a tuned answer sharing a run of this many tokens with the train passages")
    validity_threshold: float = help_field(0.9, "held-out passages must beat the base answers this often, else inconclusive")
    extractive_max_sentences: int = help_field(4, "most sentences in an extractive answer")
    seed: int = help_field(0, "seed of the split and of the mix")
    temperature: float = help_field(0.7, "generator sampling temperature")
    max_new_tokens: int = help_field(256, "longest generator reply, in tokens")

    def validate(self) -> None:
        check(0.0 < self.heldout_share < 0.9, "held-out share must be between 0 and 0.9")
        check(20 <= self.min_passage_words <= self.max_passage_words,
              f"passage words must satisfy 20 <= min ({self.min_passage_words}) <= max ({self.max_passage_words})")
        check(self.max_passage_words <= 5000, "passages longer than 5000 words are not useful answers")
        check(64 <= self.max_length <= 131072, "max length must be 64-131072 tokens")
        check(0.0 <= self.voice_share <= 1.0, "voice share must be between 0 and 1")
        check(1 <= self.curate_min_score <= 5, "curation minimum score must be 1-5")
        check(self.min_words >= 0, "minimum words cannot be negative")
        check(10 <= self.style_top_k <= 5000, "style top-k must be 10-5000 words")
        check(5 <= self.memorisation_ngram <= 1000, "memorisation n-gram length must be 5-1000 tokens")
        check(0.5 <= self.validity_threshold <= 1.0, "validity threshold must be between 0.5 and 1")
        check(1 <= self.extractive_max_sentences <= 20, "extractive sentences must be 1-20")
        check(0.0 <= self.temperature <= 2.0, "temperature must be between 0 and 2")
        check(16 <= self.max_new_tokens <= 4096, "max new tokens must be 16-4096")


def system_prompt(author_name: str = "", lang: str | None = None) -> str:
    """The one system prompt of every voice and extractive pair (and of the voice evaluation)."""
    name = (author_name or "").strip()
    if lang == "it":
        return (f"Sei {name}. Rispondi con la tua voce, come scrivi tu." if name
                else "Rispondi con la voce dell'autore, come scrive l'autore.")
    return (f"You are {name}. Answer in your own voice, the way you write." if name
            else "Answer in the author's own voice, the way the author writes.")
