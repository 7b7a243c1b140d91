"""``python -m studio serve RUN``: merges the adapter, runs ``transformers serve`` pinned to the merged folder, and
an ``openai`` client chats with it; the merged model answers like base + adapter."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT, free_port
from tests.unit.hub_helpers import make_run


def test_print_only_names_endpoint_and_command(tmp_path, tiny_llama, capsys):
    from studio.cli import main

    run, _ = make_run(tmp_path, tiny_llama)
    assert main(["serve", str(run), "--port", "8123", "--print-only"]) == 0
    lines = capsys.readouterr().out.splitlines()
    merged = str((run / "merged").resolve())
    assert lines[0] == "base URL: http://127.0.0.1:8123/v1" and lines[1] == f"model: {merged}"
    assert " serve " + merged + " --host 127.0.0.1 --port 8123" in lines[2]
    stamp = (run / "merged" / "studio_merged.json").stat().st_mtime_ns
    assert main(["serve", str(run), "--print-only"]) == 0  # the merge is reused, not redone
    assert (run / "merged" / "studio_merged.json").stat().st_mtime_ns == stamp


def test_served_run_answers_the_openai_client(tmp_path, tiny_llama):
    import torch
    from openai import OpenAI
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from studio.hub.merge import ensure_merged

    run, peft_model = make_run(tmp_path, tiny_llama)
    ensure_merged(run)  # merged here (torch is loaded already); the CLI finds it current and goes straight to serve
    port = free_port()
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONPATH=str(ROOT))
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "studio", "serve", str(run), "--port", str(port), "--device", "cpu"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log)
    try:
        base_url = proc.stdout.readline().decode().split(": ", 1)[1].strip()
        model = proc.stdout.readline().decode().split(": ", 1)[1].strip()
        assert base_url == f"http://127.0.0.1:{port}/v1" and Path(model) == (run / "merged").resolve()
        client = OpenAI(base_url=base_url, api_key="none", max_retries=0, timeout=60)
        deadline = time.monotonic() + 150
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()[-2000:]
            try:
                reply = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Hi"}],
                                                       max_tokens=6, temperature=0)
                break
            except Exception:  # noqa: BLE001 - the server is still starting
                assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()[-2000:]
                time.sleep(1)
        assert model in [m.id for m in client.models.list().data] or client.models.list().data
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
    tok = AutoTokenizer.from_pretrained(str(run / "merged"))
    merged = AutoModelForCausalLM.from_pretrained(str(run / "merged"), dtype=torch.float32, use_safetensors=True)
    ids = tok.apply_chat_template([{"role": "user", "content": "Hi"}], add_generation_prompt=True,
                                  return_tensors="pt", return_dict=True)
    with torch.no_grad():
        assert torch.allclose(merged(**ids).logits, peft_model(**ids).logits, atol=1e-4)  # base + adapter
        out = merged.generate(**ids, max_new_tokens=6, do_sample=False, pad_token_id=tok.pad_token_id)
    expected = tok.decode(out[0, ids["input_ids"].shape[1]:], skip_special_tokens=True)
    assert reply.choices[0].message.content == expected, (reply.choices[0].message.content, expected)
