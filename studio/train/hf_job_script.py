# /// script
# requires-python = ">=3.10"
# dependencies = ["torch", "transformers>=5.24,<6", "trl>=1.16,<2", "peft>=0.21", "accelerate>=1.15",
#   "bitsandbytes>=0.50", "datasets", "huggingface_hub>=1.0", "pyyaml", "safetensors", "psutil"]
# ///
"""Hugging Face Jobs entry point: ``--data-repo`` holds the run's frozen data, ``recipe.yaml`` and the studio code
(``code/studio``); train with that recipe on this machine's GPU, then push ``adapter/`` to ``--output-repo``.

Self-contained on purpose: ``run_uv_job`` uploads only this file.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-repo", required=True)
    parser.add_argument("--output-repo", required=True)
    parser.add_argument("--workdir", default="/tmp/studio_job")
    args = parser.parse_args(argv)
    from huggingface_hub import HfApi, snapshot_download

    work = Path(args.workdir)
    snapshot_download(args.data_repo, repo_type="dataset", local_dir=str(work))
    sys.path.insert(0, str(work / "code"))
    os.environ.setdefault("STUDIO_HOME", str(work / "home"))
    import yaml

    from studio.jobs import JobRunner

    recipe = yaml.safe_load((work / "recipe.yaml").read_text())
    # The plan is re-made for this GPU; the frozen data is used as is.
    recipe.update(preset="auto", method="auto", batch_size=None, grad_accum=None, packing=None)
    run_dir = work / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    os.replace(work / "data", run_dir / "data")
    status = JobRunner(None, root=work / "home").run_foreground("train", recipe, run_dir=run_dir, on_event=print)
    if status.get("state") != "completed":
        print(f"training did not complete: {status.get('error')}", file=sys.stderr)
        return 1
    HfApi().upload_folder(repo_id=args.output_repo, folder_path=str(run_dir / "adapter"),
                          commit_message="studio: adapter trained on Hugging Face Jobs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
