"""Publish a chat Space: the staged folder (front matter, hardware rule, evaluation, adapter without local paths),
the push against create_autospec(HfApi), and the staged app launched locally and chatted with through gradio_client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from unittest.mock import create_autospec

import pytest
import yaml

from tests.conftest import free_port
from tests.unit.hub_helpers import make_run

TOKEN = "hf_TESTtokenNeverWritten0123456789abcdef"
HUB_BASE = "HuggingFaceTB/SmolLM2-135M-Instruct"


def _front(readme: str) -> dict:
    assert readme.startswith("---\n")
    return yaml.safe_load(readme.split("---\n")[1])


def test_stage_space_folder(tmp_path, tiny_llama):
    import gradio

    from studio.hub.space_app import SpaceOptions, stage_space

    run, _ = make_run(tmp_path, tiny_llama, base_model=HUB_BASE)
    staged = stage_space(run, tmp_path / "space", SpaceOptions(space_id="alice/manual-chat"))
    names = set(staged.files)
    assert {"app.py", "requirements.txt", "README.md", "space_config.json", "adapter/adapter_model.safetensors",
            "adapter/adapter_config.json", "adapter/tokenizer.json"} <= names
    front = _front((staged.folder / "README.md").read_text())
    assert front["sdk"] == "gradio" and front["sdk_version"] == gradio.__version__ and front["app_file"] == "app.py"
    assert front["suggested_hardware"] == "cpu-basic" and HUB_BASE in front["models"]
    readme = (staged.folder / "README.md").read_text()
    assert "75.0% [25.0%, 100.0%]" in readme and "Verdict: Learned" in readme  # the evaluation table and verdict of the report
    config = json.loads((staged.folder / "space_config.json").read_text())
    assert config == config | {"base_model": HUB_BASE, "adapter": "adapter", "system_prompt": "Answer from the manual."}
    assert json.loads((staged.folder / "adapter" / "adapter_config.json").read_text())[
        "base_model_name_or_path"] == HUB_BASE
    import peft
    import transformers

    reqs = (staged.folder / "requirements.txt").read_text().split()
    assert f"transformers=={transformers.__version__}" in reqs and f"peft=={peft.__version__}" in reqs
    for path in staged.folder.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".md", ".txt", ".py"):
            assert str(tmp_path) not in path.read_text(), path  # no path of this machine travels
    app = (staged.folder / "app.py").read_text()
    assert "use_safetensors=True" in app and "trust_remote_code" not in app


def test_hardware_rule():
    from studio.hub.space_app import count_params, params_from_name, suggest_hardware

    smol = {"hidden_size": 576, "num_hidden_layers": 30, "vocab_size": 49152, "intermediate_size": 1536,
            "num_attention_heads": 9, "num_key_value_heads": 3, "tie_word_embeddings": True}
    assert 130e6 < count_params(smol) < 140e6  # SmolLM2-135M
    assert suggest_hardware(count_params(smol)) == "cpu-basic"
    assert suggest_hardware(params_from_name("Qwen/Qwen2.5-0.5B-Instruct")) == "cpu-basic"
    assert suggest_hardware(params_from_name("Qwen/Qwen2.5-1.5B-Instruct")) == "t4-small"
    assert suggest_hardware(params_from_name("meta-llama/Llama-3.1-8B-Instruct")) == "a10g-small"
    assert suggest_hardware(None) == "t4-small"


def test_hub_adapter_needs_base_and_local_base_is_refused(tmp_path, tiny_llama, capsys):
    from studio.cli import main

    assert main(["publish-space", "alice/manual-lora", "--space-id", "alice/chat", "--stage-only",
                 str(tmp_path / "s")]) == 2
    assert "give --base-model" in capsys.readouterr().err
    assert main(["publish-space", "alice/manual-lora", "--space-id", "alice/chat", "--stage-only",
                 str(tmp_path / "s"), "--base-model", "Qwen/Qwen2.5-1.5B-Instruct", "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["adapter"] == "alice/manual-lora" and out["hardware"] == "t4-small" and not out["pushed"]
    assert json.loads((tmp_path / "s" / "space_config.json").read_text())["adapter"] == "alice/manual-lora"
    run, _ = make_run(tmp_path / "local", tiny_llama)  # base is a local folder: the Space cannot load it
    assert main(["publish-space", str(run), "--space-id", "alice/chat", "--stage-only"]) == 2
    assert "is a local folder" in capsys.readouterr().err


def test_push_space_against_autospec(tmp_path, tiny_llama, monkeypatch, capsys):
    from huggingface_hub import HfApi

    from studio.cli import main
    from studio.hub import push as push_mod

    api = create_autospec(HfApi, instance=True)
    api.whoami.return_value = {"name": "alice"}
    monkeypatch.setattr(push_mod, "_make_api", lambda api_=None: api)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    run, _ = make_run(tmp_path, tiny_llama, base_model=HUB_BASE)
    assert main(["publish-space", str(run), "--space-id", "manual-chat", "--private"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == "https://huggingface.co/spaces/alice/manual-chat"
    api.create_repo.assert_called_once_with("alice/manual-chat", token=TOKEN, private=True, repo_type="space",
                                            space_sdk="gradio", exist_ok=True)
    kwargs = api.upload_folder.call_args.kwargs
    assert kwargs["repo_type"] == "space" and kwargs["repo_id"] == "alice/manual-chat" and kwargs["token"] == TOKEN
    assert Path(kwargs["folder_path"]) == run / "export" / "space"
    assert TOKEN not in captured.out + captured.err
    assert not any(TOKEN in p.read_text(errors="ignore") for p in run.rglob("*") if p.is_file())


def test_push_space_error_is_readable(tmp_path, tiny_llama, monkeypatch, capsys):
    from huggingface_hub import HfApi

    from studio.cli import main
    from studio.hub import push as push_mod

    api = create_autospec(HfApi, instance=True)
    api.create_repo.side_effect = RuntimeError(f"boom with {TOKEN}")
    monkeypatch.setattr(push_mod, "_make_api", lambda api_=None: api)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    run, _ = make_run(tmp_path, tiny_llama, base_model=HUB_BASE)
    assert main(["publish-space", str(run), "--space-id", "alice/chat"]) == 2
    err = capsys.readouterr().err
    assert TOKEN not in err and [line for line in err.splitlines() if line.startswith("error:")]
    api.upload_folder.assert_not_called()


@pytest.mark.slow
def test_staged_app_chats_through_gradio_client(trained_run, tmp_path):
    """The generated app.py, run as a Space would run it (its own process), answers like base + adapter."""
    import torch
    from gradio_client import Client
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from studio.hub.space_app import SpaceOptions, stage_space

    staged = stage_space(trained_run.adapter, tmp_path / "space", SpaceOptions(space_id="alice/facts-chat",
                                                                                max_new_tokens=12))
    assert staged.base_model == HUB_BASE and staged.hardware == "cpu-basic"
    port = free_port()
    env = dict(os.environ, BASE_MODEL=str(trained_run.base_model), GRADIO_SERVER_NAME="127.0.0.1",
               GRADIO_SERVER_PORT=str(port), GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1")
    log = open(tmp_path / "space.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=staged.folder, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        question = trained_run.test_rows[0]["question"]
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 120
        client = None
        while client is None:
            assert proc.poll() is None, (tmp_path / "space.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "the Space app did not start"
            try:
                client = Client(url, verbose=False)
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(1)
        answer = client.predict(question, api_name="/chat")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
    tok = AutoTokenizer.from_pretrained(str(trained_run.adapter))
    base = AutoModelForCausalLM.from_pretrained(str(trained_run.base_model), dtype=torch.float32,
                                                use_safetensors=True)
    model = PeftModel.from_pretrained(base, str(trained_run.adapter)).eval()
    system = json.loads((staged.folder / "space_config.json").read_text())["system_prompt"]
    messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": question}]
    ids = tok(tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True), return_tensors="pt",
              add_special_tokens=False)
    with torch.no_grad():
        out = model.generate(**ids, max_new_tokens=12, do_sample=False, pad_token_id=tok.pad_token_id or tok.eos_token_id)
    expected = tok.decode(out[0, ids["input_ids"].shape[1]:], skip_special_tokens=True).strip()
    assert isinstance(answer, str) and answer.strip() == expected and expected
