"""SFTTrainer with atomic checkpoints (staged, then renamed) and an optional mirror; built lazily (imports TRL)."""

from __future__ import annotations

import os
from pathlib import Path

from . import checkpoints as ck

_CLASS = None


def make_trainer_class():
    global _CLASS
    if _CLASS is not None:
        return _CLASS
    from trl import SFTTrainer

    class StudioSFTTrainer(SFTTrainer):
        studio_mirror_dir: str | None = None
        studio_on_checkpoint = None  # callable(step, path) set by the job

        def _save_checkpoint(self, model, trial):
            final_root = Path(self.args.output_dir)
            staging = final_root / ck.STAGING
            step = self.state.global_step
            _fault("save", step)
            original = self._get_output_dir
            self._get_output_dir = lambda trial=None: str(staging)  # noqa: ARG005
            try:
                super()._save_checkpoint(model, trial)
            finally:
                self._get_output_dir = original
            if not self.args.should_save:  # not the main process
                return
            target = ck.finalize(staging / f"checkpoint-{step}", final_root, step)
            run_dir = final_root.parent
            best = self.state.best_model_checkpoint
            if best and ck.STAGING in best:
                self.state.best_model_checkpoint = str(final_root / Path(best).name)
            ck.rotate(run_dir, self.args.save_total_limit or 2)
            if self.studio_mirror_dir:
                try:
                    ck.mirror(target, self.studio_mirror_dir, run_dir.name, self.args.save_total_limit or 2)
                except OSError as exc:  # the mirror is a convenience: training goes on
                    print(f"warning: could not mirror {target} to {self.studio_mirror_dir}: {exc}")
            if self.studio_on_checkpoint:
                self.studio_on_checkpoint(step, target)

    _CLASS = StudioSFTTrainer
    return _CLASS


def _fault(where: str, step: int) -> None:
    """Test hook: ``STUDIO_TRAIN_FAULT=enospc@save`` or ``oom@3`` simulates a failure (never set in production)."""
    spec = os.environ.get("STUDIO_TRAIN_FAULT", "")
    if not spec:
        return
    kind, _, at = spec.partition("@")
    if kind == "enospc" and at == where:
        raise OSError(28, "No space left on device")
    if kind == "oom" and where == "step" and at.isdigit() and int(at) == step:
        import torch

        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB (simulated)")


fault = _fault
