"""Space rules: training needs a login and respects the quota; idle visitors expire; ZeroGPU refused."""

import os
import time

import pytest

from studio.config import ConfigError
from studio.space import SpacePolicy, expire_idle, runs_today
from studio.workspace import Workspace


def test_training_rules(monkeypatch):
    policy = SpacePolicy()
    assert policy.can_train(None, 0)[0] is False and "sign in" in policy.can_train(None, 0)[1]
    assert policy.can_train("alice", 0) == (True, "")
    ok, reason = policy.can_train("alice", 3)
    assert not ok and "limit on this Space is 3" in reason
    monkeypatch.setenv("SPACES_ZERO_GPU", "1")
    assert "ZeroGPU" in policy.can_train("alice", 0)[1]


def test_policy_from_env(monkeypatch):
    monkeypatch.setenv("STUDIO_TRAIN_RUNS_PER_DAY", "5")
    monkeypatch.setenv("STUDIO_IDLE_DAYS", "2")
    p = SpacePolicy.from_env()
    assert p.train_runs_per_day == 5 and p.idle_days == 2 and "5 runs per visitor" in p.describe()
    monkeypatch.setenv("STUDIO_IDLE_DAYS", "0")
    with pytest.raises(ConfigError, match="idle_days"):
        SpacePolicy.from_env()


def test_runs_today_counts_across_workspaces(tmp_path):
    for name in ("a", "b"):
        ws = Workspace.create(tmp_path / name)
        ws.add_run(f"train-{name}", "train", {}, str(tmp_path / name / "runs" / "x"))
        ws.add_run(f"gen-{name}", "generate", {}, str(tmp_path / name / "runs" / "y"))
        ws.close()
    assert runs_today(tmp_path) == 2


def test_expire_idle(tmp_path):
    old = tmp_path / "users" / "old-visitor" / "workspaces" / "w"
    new = tmp_path / "users" / "new-visitor" / "workspaces" / "w"
    for folder in (old, new):
        folder.mkdir(parents=True)
        (folder / "f").write_text("x")
    past = time.time() - 10 * 86400
    for p in [*old.parents, old, old / "f"]:
        if str(p).startswith(str(tmp_path / "users" / "old-visitor")):
            os.utime(p, (past, past))
    assert expire_idle(tmp_path, idle_days=7) == ["old-visitor"]
    assert new.exists() and not old.exists()
