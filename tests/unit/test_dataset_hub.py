"""Dataset push to the Hub with a faked HfApi (offline), and the dataset card."""

from __future__ import annotations

from pathlib import Path
from unittest.mock import create_autospec

import pytest
from huggingface_hub import DatasetCard, HfApi

from studio.dataset.actions import bulk_action
from studio.dataset.errors import DatasetError
from studio.dataset.hub_push import DatasetPushOptions, push_dataset
from studio.workspace import PairFilter

TOKEN = "hf_test_secret_token_123456"


@pytest.fixture
def fake_api(tmp_path):
    api = create_autospec(HfApi, instance=True)
    api.repo_exists.return_value = False
    staged = {}

    def upload_folder(**kw):
        folder = Path(kw["folder_path"])
        staged.update({p.name: p.read_bytes().decode("utf-8", "replace") for p in folder.iterdir()})
        return None

    api.upload_folder.side_effect = upload_folder
    api.staged = staged
    return api


def test_push_creates_private_repo_with_card(review_ws, fake_api):
    bulk_action(review_ws, "keep", PairFilter())
    out = push_dataset(review_ws, DatasetPushOptions("me/manual-qa", license="cc-by-4.0"), token=TOKEN, api=fake_api)
    fake_api.create_repo.assert_called_once()
    args, kw = fake_api.create_repo.call_args
    assert kw["private"] is True and kw["repo_type"] == "dataset" and "me/manual-qa" in args
    assert fake_api.upload_folder.call_args.kwargs["repo_type"] == "dataset"
    assert out["url"] == "https://huggingface.co/datasets/me/manual-qa" and out["counts"]["heldout"] == 20
    staged = fake_api.staged
    assert {"train.jsonl", "val.jsonl", "heldout.jsonl", "README.md"} <= set(staged)
    card = DatasetCard(staged["README.md"])
    data = card.data.to_dict()
    assert data["license"] == "cc-by-4.0"
    splits = {f["split"]: f["path"] for f in data["configs"][0]["data_files"]}
    assert splits == {"train": "train.jsonl", "validation": "val.jsonl", "test": "heldout.jsonl"}
    text = card.text
    for needle in ("doc0.pdf", "doc2.pdf", "bundled:smollm2-135m-instruct", "qa-v1", "| test (`heldout.jsonl`) | 20 |"):
        assert needle in text
    assert TOKEN not in staged["README.md"]


def test_existing_repo_gets_visibility_updated(review_ws, fake_api):
    bulk_action(review_ws, "keep", PairFilter())
    fake_api.repo_exists.return_value = True
    push_dataset(review_ws, DatasetPushOptions("me/manual-qa", private=False, format="parquet"), token=TOKEN, api=fake_api)
    fake_api.create_repo.assert_not_called()
    assert fake_api.update_repo_settings.call_args.kwargs["private"] is False
    assert {"train.parquet", "heldout.parquet", "README.md"} <= set(fake_api.staged)
    assert "path: train.parquet" in fake_api.staged["README.md"]


def test_hub_errors_are_one_line_without_token(review_ws, fake_api):
    bulk_action(review_ws, "keep", PairFilter())
    fake_api.upload_folder.side_effect = RuntimeError(f"boom with {TOKEN} inside")
    with pytest.raises(DatasetError) as err:
        push_dataset(review_ws, DatasetPushOptions("me/x"), token=TOKEN, api=fake_api)
    assert TOKEN not in str(err.value) and "\n" not in str(err.value)


def test_missing_token_and_bad_repo_id(review_ws, fake_api, monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HUGGING_FACE_HUB_TOKEN", raising=False)
    with pytest.raises(DatasetError, match="no Hugging Face token"):
        push_dataset(review_ws, DatasetPushOptions("me/x"), token=None, api=fake_api)
    with pytest.raises(DatasetError, match="owner/name"):
        DatasetPushOptions("not a repo")
