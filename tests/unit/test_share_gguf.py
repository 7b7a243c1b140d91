"""GGUF export: written with the ``gguf`` library, read back by transformers' GGUF loader (a reader the studio did
not write), next-token logits compared with the merged model; the Ollama Modelfile's template matches the chat
template; unsupported models give one readable line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.unit.hub_helpers import make_run


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory, tiny_llama) -> Path:
    run, _model = make_run(tmp_path_factory.mktemp("gguf"), tiny_llama)
    return run


def test_cli_f16_export_verifies_against_transformers_loader(tiny_run, capsys):
    from studio.cli import main

    assert main(["export-gguf", str(tiny_run), "--quant", "f16", "--verify", "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    gguf_path = Path(out["gguf"])
    assert gguf_path == tiny_run / "export" / "gguf-f16" / "model.gguf" and gguf_path.stat().st_size > 10_000
    check = out["check"]
    assert check["same_token_ids"] and check["same_chat_template"] and check["same_eos"]
    assert check["top1_agreement"] == 1.0 and check["max_abs_diff"] < 0.01, check  # F16: tight
    assert (tiny_run / "merged" / "studio_merged.json").is_file()  # merged once, reused below


def test_q8_0_is_smaller_and_within_tolerance(tiny_run):
    from gguf import GGUFReader

    from studio.hub.gguf_check import TOLERANCE, compare_with_merged
    from studio.hub.gguf_export import GgufOptions, export_gguf

    result = export_gguf(tiny_run, GgufOptions(quant="q8_0"))
    f16 = tiny_run / "export" / "gguf-f16" / "model.gguf"
    if f16.is_file():
        assert result.bytes < f16.stat().st_size
    reader = GGUFReader(str(result.gguf_path))
    types = {t.name: t.tensor_type.name for t in reader.tensors}
    assert types["blk.0.attn_q.weight"] == "Q8_0" and types["blk.0.attn_norm.weight"] == "F32"
    fields = {k: reader.fields[k] for k in ("tokenizer.ggml.model", "tokenizer.chat_template",
                                            "tokenizer.ggml.eos_token_id", "tokenizer.ggml.merges")}
    assert bytes(fields["tokenizer.ggml.model"].parts[-1]).decode() == "gpt2"
    check = compare_with_merged(tiny_run / "merged", result.gguf_path, "q8_0")
    assert check.within_tolerance, check
    assert check.max_abs_diff <= TOLERANCE["q8_0"]["max_abs"]


def _tiny_qwen2(target: Path, tokenizer_dir: Path) -> Path:
    import torch
    from transformers import AutoTokenizer, Qwen2Config, Qwen2ForCausalLM

    tok = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    torch.manual_seed(0)
    cfg = Qwen2Config(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                      tie_word_embeddings=False, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id)
    model = Qwen2ForCausalLM(cfg)
    with torch.no_grad():  # random non-zero q/k/v biases: they must reach the file too
        for layer in model.model.layers:
            for proj in (layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj):
                proj.bias.normal_(0, 0.5)
    model.save_pretrained(target, safe_serialization=True)
    tok.save_pretrained(target)
    return target


def test_qwen2_with_untied_head_and_biases(tmp_path, tiny_llama):
    from studio.hub.gguf_check import compare_with_merged
    from studio.hub.gguf_export import write_gguf

    model_dir = _tiny_qwen2(tmp_path / "qwen2", tiny_llama)
    out = tmp_path / "out" / "model.gguf"
    out.parent.mkdir()
    arch, count = write_gguf(model_dir, out, "f16")
    assert arch == "qwen2" and count == 2 * 12 + 3  # 9 weights + 3 biases a block; embeddings, norm, output
    check = compare_with_merged(model_dir, out, "f16")
    assert check.within_tolerance and check.top1_agreement == 1.0, check


def _render_go(template: str, values: dict[str, str]) -> str:
    """The two constructs the Modelfile uses: {{ if .X }}...{{ end }} and {{ .X }}."""
    def cond(m):
        return m.group(2) if values.get(m.group(1)) else ""
    text = re.sub(r"\{\{ if \.(\w+) \}\}(.*?)\{\{ end \}\}", cond, template, flags=re.S)
    return re.sub(r"\{\{ \.(\w+) \}\}", lambda m: values.get(m.group(1), ""), text)


def test_modelfile_template_matches_the_chat_template(tiny_run, tiny_llama):
    from transformers import AutoTokenizer

    from studio.hub.gguf_export import modelfile_text

    tok = AutoTokenizer.from_pretrained(str(tiny_llama))
    text = modelfile_text(tok.chat_template, "Answer from the manual.")
    assert text.startswith("FROM ./model.gguf\n")
    template = re.search(r'TEMPLATE """(.*?)"""', text, re.S).group(1)
    assert 'SYSTEM """Answer from the manual."""' in text
    assert 'PARAMETER stop "<|im_end|>"' in text
    prompt = _render_go(template, {"System": "Be brief.", "Prompt": "Who wrote it?", "Response": ""})
    expected = tok.apply_chat_template([{"role": "system", "content": "Be brief."},
                                        {"role": "user", "content": "Who wrote it?"}], tokenize=False,
                                       add_generation_prompt=True)
    assert prompt.startswith(expected)
    assert "<|start_header_id|>" in modelfile_text("{{ '<|start_header_id|>' }}")
    run_modelfile = (tiny_run / "export" / "gguf-q8_0" / "Modelfile")
    if run_modelfile.is_file():  # written by the export above with the run's system prompt
        assert 'SYSTEM """Answer from the manual."""' in run_modelfile.read_text()


def test_unsupported_architecture_is_one_readable_line(tmp_path, capsys):
    from studio.cli import main

    merged = tmp_path / "merged"
    merged.mkdir()
    (merged / "config.json").write_text(json.dumps({"model_type": "gpt2"}))
    (merged / "model.safetensors").write_bytes(b"0")
    assert main(["export-gguf", str(tmp_path / "missing"), "--quant", "f16"]) == 2
    err = capsys.readouterr().err.strip()
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "adapter folder not found" in errors[0] and "Traceback" not in err

    from studio.hub.gguf_export import write_gguf
    from studio.hub.runinfo import StagingError

    with pytest.raises(StagingError, match="Llama-family and Qwen2"):
        write_gguf(merged, tmp_path / "x.gguf", "f16")


@pytest.mark.slow
def test_bundled_smollm2_merged_q8_0(trained_run, tmp_path):
    from studio.hub.gguf_check import compare_with_merged
    from studio.hub.gguf_export import GgufOptions, export_gguf

    result = export_gguf(trained_run.adapter, GgufOptions(quant="q8_0", out_dir=str(tmp_path / "g"),
                                                          merged_dir=str(tmp_path / "merged")))
    assert result.architecture == "llama"
    check = compare_with_merged(tmp_path / "merged", result.gguf_path, "q8_0")
    assert check.within_tolerance and check.same_chat_template, check
