"""Beyond one GPU: the exact ``accelerate launch`` command for a run, and "run on Hugging Face Jobs".

``HfApi.run_uv_job`` uploads only the script and the files named in its arguments, so the run's frozen data,
its recipe and the studio's own code travel through a private dataset repo; the job script
(:mod:`studio.train.hf_job_script`) downloads it, trains with the same recipe on the job's GPU and pushes the
adapter to a private model repo. Nothing here logs or stores the token.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from .config import TrainConfig

HF_JOB_DEPENDENCIES = [
    "torch", "transformers>=5.24,<6", "trl>=1.16,<2", "peft>=0.21", "accelerate>=1.15", "bitsandbytes>=0.50",
    "datasets", "huggingface_hub>=1.0", "pyyaml", "safetensors", "psutil",
]
SCRIPT = Path(__file__).with_name("hf_job_script.py")


def cli_args(cfg: TrainConfig, workspace: str | None, output: str | Path, recipe: str | Path | None = None) -> list[str]:
    """``train`` arguments reproducing ``cfg`` (the recipe file carries everything else)."""
    args = ["train"]
    if workspace:
        args += ["--workspace", str(workspace)]
    args += ["--base-model", cfg.base_model, "--output", str(output)]
    if recipe:
        args += ["--config", str(recipe)]
    else:
        if cfg.method != "auto":
            args += ["--method", cfg.method]
        if cfg.max_steps:
            args += ["--max-steps", str(cfg.max_steps)]
        elif cfg.epochs:
            args += ["--epochs", f"{cfg.epochs:g}"]
        if cfg.lr:
            args += ["--lr", f"{cfg.lr:g}"]
    return args


def accelerate_command(cfg: TrainConfig, workspace: str | None, output: str | Path, num_processes: int = 1,
                       recipe: str | Path | None = None, accelerate_config: str | None = None) -> str:
    """The shell command that runs this recipe under ``accelerate launch`` (one process per GPU)."""
    cmd = ["accelerate", "launch"]
    if accelerate_config:
        cmd += ["--config_file", accelerate_config]
    else:
        cmd += ["--num_processes", str(max(1, num_processes))]
        if num_processes > 1:
            cmd.append("--multi_gpu")
    cmd += ["-m", "studio"] + cli_args(cfg, workspace, output, recipe)
    return shlex.join(cmd)


def cli_command(cfg: TrainConfig, workspace: str | None, output: str | Path, recipe: str | Path | None = None) -> str:
    return shlex.join(["python", "-m", "studio"] + cli_args(cfg, workspace, output, recipe))


def _code_root() -> Path:
    return Path(__file__).resolve().parents[2]


def submit_hf_job(run_dir: Path, token: str, data_repo: str, output_repo: str, flavor: str = "a10g-small",
                  timeout: str = "4h", api=None) -> dict:
    """Upload the run's frozen data, recipe and the studio code to a private dataset repo and start a UV job.

    ``run_dir`` must already hold ``data/`` and ``recipe.yaml`` (see :func:`studio.train.job.prepare`).
    """
    run_dir = Path(run_dir)
    for needed in ("data/manifest.json", "data/train.jsonl", "recipe.yaml"):
        if not (run_dir / needed).is_file():
            raise FileNotFoundError(f"{run_dir / needed} is missing: prepare the run (freeze its data) first")
    if not token:
        raise ValueError("a Hugging Face token with write access is needed to run on Hugging Face Jobs")
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi()
    api.create_repo(data_repo, repo_type="dataset", private=True, exist_ok=True, token=token)
    api.create_repo(output_repo, repo_type="model", private=True, exist_ok=True, token=token)
    api.upload_folder(repo_id=data_repo, repo_type="dataset", folder_path=str(run_dir), token=token,
                      allow_patterns=["data/*", "recipe.yaml"], commit_message="studio: frozen data and recipe")
    api.upload_folder(repo_id=data_repo, repo_type="dataset", folder_path=str(_code_root()), path_in_repo="code",
                      token=token, allow_patterns=["studio/**/*.py"], ignore_patterns=["studio/ui/**"],
                      commit_message="studio: training code")
    job = api.run_uv_job(
        str(SCRIPT),
        script_args=["--data-repo", data_repo, "--output-repo", output_repo],
        dependencies=HF_JOB_DEPENDENCIES,
        flavor=flavor,
        timeout=timeout,
        secrets={"HF_TOKEN": token},
        labels={"app": "fine-tuning-studio"},
        token=token,
    )
    return {"job_id": getattr(job, "id", None), "url": getattr(job, "url", None), "data_repo": data_repo,
            "output_repo": output_repo, "flavor": flavor}


__all__ = ["accelerate_command", "cli_command", "cli_args", "submit_hf_job", "HF_JOB_DEPENDENCIES"]
