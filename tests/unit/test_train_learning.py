"""Real learning: the shared SmolLM2 run answers trained AND unseen phrasings with the trained facts."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_trained_and_unseen_phrasings_move_to_the_trained_facts(trained_run):
    """README states the shared run's figure (base 0/6, tuned 6/6 on phrasings it never saw): allow one miss."""
    from tests.fixtures.learning_measure import measure

    learned = measure(trained_run.run_dir, trained_run.base_model)
    n = trained_run.n_facts
    print(learned.line())
    assert learned.n == n == 6, learned.line()
    assert learned.base_unseen <= 1 and learned.base_trained <= 1, learned.line()  # invented facts: base cannot know
    assert learned.tuned_unseen >= n - 1, learned.line()
    assert learned.tuned_trained >= n - 1, learned.line()


def test_shared_run_layout_and_loss_curve(trained_run):
    import json

    info = json.loads((trained_run.adapter / "studio_run.json").read_text())
    assert info["run_dir"] == str(trained_run.run_dir.resolve())
    assert (trained_run.adapter / "adapter_model.safetensors").is_file()
    assert not (trained_run.adapter / "training_args.bin").exists()
    events = trained_run.events()
    losses = [e["loss"] for e in events if e["type"] == "train"]
    evals = [e["eval_loss"] for e in events if e["type"] == "eval"]
    assert len(losses) >= 20 and evals
    assert sum(losses[-5:]) / 5 < 0.5 * sum(losses[:3]) / 3  # the answer loss fell
    assert evals[-1] < evals[0]
