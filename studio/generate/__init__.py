"""Generation: backends, versioned prompts, the fact -> QA recipe, tolerant parsing, dedup, split by phrasing."""
