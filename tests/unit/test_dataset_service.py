"""The plain functions behind the Review tab: page payloads, edits by id, downloads, import reports, push."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from unittest.mock import create_autospec

import pytest
from huggingface_hub import HfApi

from studio.dataset import service
from studio.dataset.errors import DatasetError


def test_query_and_edit_by_id(review_ws):
    out = service.query(review_ws, service.make_view(split="all", status="all", page=1, page_size=25))
    assert out["info"] == "page 2 of 3 · rows 26-50 of 60" and len(out["data"]) == 25
    assert out["state"]["ids"] == [r[0] for r in out["data"]]
    pid, ver = out["state"]["ids"][0], out["state"]["versions"][0]
    res = service.edit_by_id(review_ws, pid, ver, "flags", "Checked, Odd")
    assert res["ok"] and res["version"] == ver + 1 and review_ws.get_pair(pid)["flags"] == "checked,odd"
    assert not service.edit_by_id(review_ws, pid, ver, "flags", "x")["ok"]  # stale version
    with pytest.raises(DatasetError, match="no column"):
        service.edit_by_id(review_ws, pid, ver, "nope", "x")
    assert service.query(review_ws, service.make_view(search="zzz-nothing"))["info"] == "page 1 of 1 · rows 0-0 of 0"


def test_export_for_download_zip_and_files(review_ws):
    service.bulk(review_ws, service.make_view(), "keep")
    msg, files = service.export_for_download(review_ws, "llamafactory", "all", "kept", "")
    assert msg.startswith("exported 60 pairs as llamafactory") and "/tmp" not in msg
    archive = Path(files[0])
    names = zipfile.ZipFile(archive).namelist()
    assert archive.suffix == ".zip" and any(n.endswith("dataset_info.json") for n in names) and len(names) == 4
    assert all(Path(f).is_file() for f in files[1:])
    with pytest.raises(DatasetError):
        service.export_for_download(review_ws, "csv", "all", "rejected", "")


def test_import_file_report_lists_bad_rows(review_ws, tmp_path):
    path = tmp_path / "edit.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "question", "answer"])
        w.writerow([1, "Edited?", "Yes."])
        w.writerow([777, "Unknown?", "No."])
    text = service.import_file(review_ws, str(path), "")
    assert text.splitlines()[0] == "edit.csv: 2 rows: 1 updated, 0 added, 0 unchanged, 1 rejected"
    assert "row 2: id 777 is not in this workspace" in text
    with pytest.raises(DatasetError, match="choose a file"):
        service.import_file(review_ws, None)


def test_push_message_and_action_log(review_ws):
    service.bulk(review_ws, service.make_view(split="heldout"), "keep")
    api = create_autospec(HfApi, instance=True)
    api.repo_exists.return_value = False
    msg = service.push(review_ws, "me/qa", True, "mit", "hf_secret_value_1234", api=api)
    assert msg.startswith("pushed to https://huggingface.co/datasets/me/qa (private; ")
    assert "hf_secret" not in msg
    log = service.action_log(review_ws)
    assert log[0][1].startswith("status -> kept for 20 pairs") and len(log[0][0]) == 19
    assert service.undo(review_ws).startswith("undone")
