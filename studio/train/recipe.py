"""The training recipe (docs/ARCHITECTURE.md, "Training recipe") as library calls: model, 4-bit config, LoRA, SFTConfig, trainer.

QLoRA on CUDA: NF4 with double quantization, compute dtype by capability, ``prepare_model_for_kbit_training``;
LoRA on all linear layers; prompt-completion data so TRL puts the loss on the answer only; cosine schedule with
``warmup_steps=0.03`` (a float below 1 is a ratio in transformers 5); bf16/fp16 by capability, fp32 on the CPU;
activation checkpointing on the GPU; eval loss on val only. Heavy libraries are imported inside the functions.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .config import TrainConfig
from .hardware import DeviceInfo, attention_implementation, compute_dtype, keep_adapter_fp32, mixed_precision_flags
from .plan import Plan


def torch_dtype(name: str):
    import torch

    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[name]


def bnb_config(dev: DeviceInfo):
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch_dtype(compute_dtype(dev)),
    )


def load_tokenizer(model_path: str, trust_remote_code: bool = False):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_path, trust_remote_code=trust_remote_code)
    if not getattr(tok, "chat_template", None):
        raise ValueError(f"the model {model_path} has no chat template: pick an instruct/chat model")
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok


def load_model(model_path: str, plan: Plan, dev: DeviceInfo, trust_remote_code: bool = False):
    """The base model: 4-bit NF4 for QLoRA (prepared for k-bit training), else full precision."""
    from transformers import AutoModelForCausalLM

    kwargs: dict[str, Any] = {"trust_remote_code": trust_remote_code, "attn_implementation": attention_implementation(dev),
                              "use_safetensors": True}
    if plan.method == "qlora":
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        kwargs.update(quantization_config=bnb_config(dev), dtype=torch_dtype(compute_dtype(dev)),
                      device_map={"": local_rank})
    elif dev.is_cuda:
        kwargs.update(dtype=torch_dtype(compute_dtype(dev)))
    else:
        import torch

        kwargs.update(dtype=torch.float32)
    model = AutoModelForCausalLM.from_pretrained(model_path, **kwargs)
    if plan.method == "qlora":
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=True, gradient_checkpointing_kwargs={"use_reentrant": False}
        )
    model.config.use_cache = False
    return model


def lora_config(cfg: TrainConfig):
    from peft import LoraConfig

    return LoraConfig(
        r=cfg.lora_r,
        lora_alpha=cfg.alpha,
        lora_dropout=cfg.lora_dropout,
        target_modules=cfg.target_modules(),
        bias="none",
        task_type="CAUSAL_LM",
    )


def sft_config(cfg: TrainConfig, plan: Plan, output_dir: Path, dev: DeviceInfo, has_val: bool, **overrides: Any):
    """The SFTConfig of a run. ``output_dir`` is ``RUN_DIR/checkpoints``."""
    from trl import SFTConfig

    args: dict[str, Any] = dict(
        output_dir=str(output_dir),
        max_steps=plan.max_steps,
        num_train_epochs=plan.epochs,
        per_device_train_batch_size=plan.batch_size,
        per_device_eval_batch_size=plan.batch_size,
        gradient_accumulation_steps=plan.grad_accum,
        learning_rate=plan.lr,
        lr_scheduler_type="cosine",
        warmup_steps=0.03,
        weight_decay=0.0,
        max_length=plan.max_length,
        packing=plan.packing,
        completion_only_loss=True,
        activation_checkpointing=dev.is_cuda,
        logging_strategy="steps",
        logging_steps=cfg.logging_steps,
        logging_first_step=True,
        save_strategy="steps",
        save_steps=plan.save_steps,
        save_total_limit=cfg.save_total_limit,
        eval_strategy="steps" if has_val else "no",
        eval_steps=plan.eval_steps if has_val else None,
        eval_on_start=has_val,  # the val loss before any step: the curve starts where the model started
        report_to="none",
        seed=cfg.seed,
        data_seed=cfg.seed,
        dataloader_num_workers=0,
        disable_tqdm=True,
        use_cpu=not dev.is_cuda,
        **mixed_precision_flags(dev),
    )
    if plan.packing:
        args["packing_strategy"] = "bfd"
    if cfg.early_stopping and has_val:
        args.update(load_best_model_at_end=True, metric_for_best_model="eval_loss", greater_is_better=False)
    if dev.is_cuda:
        args["activation_checkpointing_kwargs"] = {"use_reentrant": False}
    args.update(overrides)
    return SFTConfig(**args)


def datasets_from_rows(train_rows: list[dict], val_rows: list[dict]):
    """Hugging Face datasets with only ``prompt`` and ``completion`` (the metadata stays in the frozen files)."""
    from datasets import Dataset

    def keep(rows):
        return Dataset.from_list([{"prompt": r["prompt"], "completion": r["completion"]} for r in rows])

    return keep(train_rows), (keep(val_rows) if val_rows else None)


def build_trainer(cfg: TrainConfig, plan: Plan, dev: DeviceInfo, model_path: str, run_dir: Path,
                  train_rows: list[dict], val_rows: list[dict], callbacks: list | None = None, tokenizer=None):
    """A ready :class:`StudioSFTTrainer` (checkpoints written atomically) for the run."""
    from .trainer import make_trainer_class

    tokenizer = tokenizer or load_tokenizer(model_path, cfg.trust_remote_code)
    model = load_model(model_path, plan, dev, cfg.trust_remote_code)
    peft_config = lora_config(cfg)
    if cfg.init_adapter:  # continue: the parent's LoRA weights (and its rank and targets), trainable; a new run
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, cfg.init_adapter, is_trainable=True)
        peft_config = None
    train_ds, val_ds = datasets_from_rows(train_rows, val_rows)
    args = sft_config(cfg, plan, Path(run_dir) / "checkpoints", dev, has_val=val_ds is not None)
    cbs = list(callbacks or [])
    if cfg.early_stopping and val_ds is not None:
        from transformers import EarlyStoppingCallback

        cbs.append(EarlyStoppingCallback(early_stopping_patience=cfg.early_stopping_patience))
    trainer = make_trainer_class()(
        model=model,
        args=args,
        train_dataset=train_ds,
        eval_dataset=val_ds,
        processing_class=tokenizer,
        peft_config=peft_config,
        callbacks=cbs,
    )
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)  # our callback reports; stdout stays clean for --json
    trainer.studio_mirror_dir = cfg.mirror_dir
    if keep_adapter_fp32(dev, plan.method == "qlora"):
        import torch

        for param in trainer.model.parameters():
            if param.requires_grad:
                param.data = param.data.to(torch.float32)
    return trainer


__all__ = ["bnb_config", "load_tokenizer", "load_model", "lora_config", "sft_config", "datasets_from_rows", "build_trainer"]
