"""Security rules checked over the code and the engine: no remote code by default, safetensors only,
file names that cannot escape, archives whose members cannot write anywhere, tokens that stay in memory."""

from __future__ import annotations

import io
import re
import stat
import zipfile
from pathlib import Path

import pytest

STUDIO = Path(__file__).resolve().parents[2] / "studio"


# ---- trust_remote_code ---------------------------------------------------------------------------------
def test_trust_remote_code_is_never_hard_wired_true():
    pattern = re.compile(r"trust_remote_code\s*[=:]\s*True")
    offenders = [f"{p.relative_to(STUDIO)}:{n}" for p in STUDIO.rglob("*.py")
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert offenders == []


def test_trust_remote_code_defaults_off():
    import inspect

    from studio.generate.backends.local import LocalBackend
    from studio.train.config import TrainConfig
    from studio.train.recipe import load_model, load_tokenizer

    assert TrainConfig().trust_remote_code is False
    assert LocalBackend("x").trust_remote_code is False
    for fn in (load_model, load_tokenizer):
        assert inspect.signature(fn).parameters["trust_remote_code"].default is False


# ---- safetensors only ----------------------------------------------------------------------------------
@pytest.fixture
def pickle_only_model(tiny_llama, tmp_path) -> Path:
    """The tiny model with its weights saved as a pickle (pytorch_model.bin) and no safetensors."""
    import shutil

    import torch
    from safetensors.torch import load_file

    folder = tmp_path / "pickled-model"
    shutil.copytree(tiny_llama, folder)
    state = load_file(str(folder / "model.safetensors"))
    (folder / "model.safetensors").unlink()
    torch.save(state, folder / "pytorch_model.bin")
    return folder


def test_pickle_only_folder_is_refused_by_the_shared_resolver(pickle_only_model, tiny_llama):
    from studio.models import ModelNotFound, resolve_model

    assert resolve_model(str(tiny_llama)) == str(tiny_llama.resolve())
    with pytest.raises(ModelNotFound, match="safetensors only") as err:
        resolve_model(str(pickle_only_model))
    assert "pytorch_model.bin" in str(err.value) and "\n" not in str(err.value)


def test_every_loader_refuses_pickle_weights_with_a_readable_message(pickle_only_model):
    """Generation, chat and evaluation load through resolve_model and say why, in one line."""
    from studio.chat.engine import ChatError, ModelCache
    from studio.generate.backends.local import BackendError, LocalBackend

    with pytest.raises(BackendError, match="safetensors only"):
        LocalBackend(str(pickle_only_model)).load()
    with pytest.raises(ChatError, match="safetensors only"):
        ModelCache().get(str(pickle_only_model))


# ---- file names and paths ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "..\\..\\boot.ini", "a/../../b.txt",
                                  "..", ".hidden", "con\x00trol\n.md", "x" * 300 + ".pdf"])
def test_safe_filename_never_escapes(name, tmp_path):
    from studio.paths import inside, safe_filename

    clean = safe_filename(name)
    assert clean and "/" not in clean and "\\" not in clean and not clean.startswith(".")
    assert "\x00" not in clean and "\n" not in clean and len(clean) <= 120
    assert inside(tmp_path, tmp_path / clean)


@pytest.mark.parametrize("name", ["../../escape.md", "/tmp/absolute-escape.md", "..\\win-escape.md"])
def test_uploaded_names_with_paths_stay_in_the_workspace(name, tmp_path):
    from studio.ingest import ingest_paths, load_config
    from studio.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws")
    src = tmp_path / "upload.md"
    src.write_text("# Title\n\nThe lighthouse keeper is Ada.\n")
    report = ingest_paths(ws, [(src, name)], load_config(ws))[0]
    assert report.status != "error", report.error
    doc = ws.get_document(report.document_id)
    stored = Path(doc["stored_path"])
    assert stored.parent.resolve() == ws.documents_dir.resolve() and stored.is_file()
    assert "/" not in doc["name"] and ".." not in doc["name"].replace("...", "")
    assert not (tmp_path / "escape.md").exists() and not Path("/tmp/absolute-escape.md").exists()


def _add_evil_members(zf: zipfile.ZipFile) -> None:
    zf.writestr("../../evil-traversal.txt", "pwned")
    zf.writestr("/abs-evil.txt", "pwned")
    link = zipfile.ZipInfo("word/link-to-passwd")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    zf.writestr(link, "/etc/passwd")


def _docx_with_evil_members(path: Path) -> None:
    import docx

    buf = io.BytesIO()
    d = docx.Document()
    d.add_heading("Faro di Varnholm", 1)
    d.add_paragraph("Il guardiano del faro si chiama Ada Quellstone.")
    d.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            out.writestr(info, src.read(info))
        _add_evil_members(out)


def _epub_with_evil_members(path: Path) -> None:
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier("sec-test")
    book.set_title("Varnholm")
    book.set_language("en")
    ch = epub.EpubHtml(title="One", file_name="one.xhtml", lang="en")
    ch.content = "<h1>One</h1><p>The lighthouse keeper is Ada Quellstone.</p>"
    book.add_item(ch)
    book.toc = [ch]
    book.spine = ["nav", ch]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    plain = path.with_suffix(".plain.epub")
    epub.write_epub(str(plain), book)
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as out:
        for info in src.infolist():
            out.writestr(info, src.read(info))
        _add_evil_members(out)


@pytest.mark.parametrize("kind", ["docx", "epub"])
def test_archive_members_with_traversal_or_symlinks_write_nothing(kind, tmp_path, monkeypatch):
    from studio.ingest import ingest_paths, load_config
    from studio.workspace import Workspace

    work = tmp_path / "a" / "b" / "c"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    ws = Workspace.create(tmp_path / "ws")
    src = work / f"book.{kind}"
    (_docx_with_evil_members if kind == "docx" else _epub_with_evil_members)(src)
    report = ingest_paths(ws, [(src, src.name)], load_config(ws))[0]
    # read in memory: either ingested (the text is there) or refused with one readable line
    if report.status == "error":
        assert report.error and "\n" not in report.error and "Traceback" not in report.error
    else:
        text = " ".join(c["text"] for c in ws.list_chunks(report.document_id))
        assert "Quellstone" in text
    for root in (tmp_path, work, Path("/")):
        assert not (root / "evil-traversal.txt").exists() and not (root / "abs-evil.txt").exists()
    assert not any(p.is_symlink() for p in ws.path.rglob("*"))


def test_workspace_names_cannot_traverse(tmp_path):
    from studio.paths import StudioPathError, check_workspace_name
    from studio.ui.context import AppContext

    app = AppContext(root=tmp_path, on_space=False, on_colab=False)
    for bad in ("../other", "/etc", "a/b", "..", ""):
        with pytest.raises(Exception) as err:
            app.open_workspace(bad, None, create=True)
        assert "\n" not in str(err.value)
    with pytest.raises(StudioPathError):
        check_workspace_name("..\\x")
    assert not (tmp_path / "other").exists() and not (tmp_path.parent / "other").exists()


# ---- tokens ---------------------------------------------------------------------------------------------
def test_token_is_redacted_from_messages():
    from studio.hub.auth import redact

    token = "hf_abcdefghijklmnopqrstuvwxyz0123"
    msg = redact(f"401 Client Error for url with Authorization: Bearer {token}", token)
    assert token not in msg


# ---- CSV formula injection ------------------------------------------------------------------------------
RISKY = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "'=already quoted",
         "''+twice", "'plain apostrophe", "-", "no risk = here", "=", "@"]


def _csv_cells(path):
    import csv

    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csv_export_writes_formula_cells_as_text_and_import_restores_them(tmp_path):
    from studio.dataset.export import ExportOptions, export_dataset
    from studio.dataset.importer import import_pairs
    from studio.workspace import Workspace

    ws = Workspace.create(tmp_path / "ws")
    ids = ws.add_pairs([{"question": f"Q{i} {v}" if i % 2 else v, "answer": v, "split": "train", "status": "kept"}
                        for i, v in enumerate(RISKY)])
    stored = {i: (ws.get_pair(i)["question"], ws.get_pair(i)["answer"]) for i in ids}
    res = export_dataset(ws, ExportOptions("csv", tmp_path / "out", split="train"))
    rows = _csv_cells(res.files["train"])
    assert len(rows) == len(RISKY)
    for row in rows:
        for col in ("question", "answer"):
            # what a spreadsheet sees first: never a formula character
            assert row[col][:1] not in ("=", "+", "-", "@", "\t", "\r"), (col, row[col])
    answers = {r["answer"] for r in rows}
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in answers and "'@SUM(A1:A2)" in answers and "'-" in answers
    assert "'''+twice" in answers and "'plain apostrophe" in answers and "no risk = here" in answers

    # the round trip through import-pairs is lossless: nothing changes, every value comes back exactly
    report = import_pairs(ws, res.files["train"])
    assert (report.updated, report.added, report.errors) == (0, 0, []) and report.unchanged == len(RISKY)
    assert {i: (ws.get_pair(i)["question"], ws.get_pair(i)["answer"]) for i in ids} == stored


def test_csv_escape_is_a_bijection():
    from studio.dataset.csvsafe import escape_cell, unescape_cell

    samples = RISKY + ["", "'", "''", "a", "'a", "'-", "''-", 5, None, -3.5]
    for value in samples:
        assert unescape_cell(escape_cell(value)) == value
    assert len({escape_cell(v) for v in samples if isinstance(v, str)}) == len({v for v in samples if isinstance(v, str)})


def test_evaluation_answers_csv_escapes_model_output(tmp_path):
    from studio.evaluate.report import write_answers_csv

    path = tmp_path / "answers.csv"
    write_answers_csv(path, [{"question": "=1+1", "prediction": "@cmd|' /C calc'!A0", "reference": "+x"}])
    text = path.read_text()
    assert "'=1+1" in text and "'@cmd" in text and "'+x" in text


def test_export_help_states_the_csv_escape_in_both_languages():
    from studio.ui.i18n import t

    for lang in ("en", "it"):
        note = t("review.export_csv_note", lang)
        assert "CSV" in note and "=, +, -, @" in note and "'" in note


def test_every_model_loader_asks_for_safetensors():
    """A Hub repo with only pickle weights is never loaded: every from_pretrained of a model passes
    use_safetensors=True (directly or in the kwargs dict it spreads); the bundled GGUF conversion is the exception."""
    import ast

    offenders = []
    for path in STUDIO.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        dicts = {}  # name -> keys of a dict literal assigned to it (kwargs: dict = {...})
        for node in ast.walk(tree):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, ast.Dict):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for tgt in targets:
                    if isinstance(tgt, ast.Name):
                        dicts[tgt.id] = {k.value: v for k, v in zip(node.value.keys, node.value.values)
                                         if isinstance(k, ast.Constant)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "from_pretrained" and isinstance(node.func.value, ast.Name)
                    and node.func.value.id.startswith("AutoModel")):
                continue
            kw = {k.arg: k.value for k in node.keywords if k.arg}
            if "gguf_file" in kw:
                continue
            value = kw.get("use_safetensors")
            for spread in (k.value for k in node.keywords if k.arg is None):
                if value is None and isinstance(spread, ast.Name):
                    value = dicts.get(spread.id, {}).get("use_safetensors")
            if not (isinstance(value, ast.Constant) and value.value is True):
                offenders.append(f"{path.relative_to(STUDIO)}:{node.lineno}")
    assert offenders == []


def test_evaluation_table_shows_escaped_answers_as_the_model_said_them(tmp_path):
    from studio.evaluate.report import write_answers_csv
    from studio.evaluate.view import fact_table

    write_answers_csv(tmp_path / "answers.csv", [{"qid": "q1", "group": "f1", "set": "phrasings", "arm": "tuned",
                                                  "question": "=2+2?", "reference": "-4", "prediction": "@four",
                                                  "correct": True}])
    headers, rows = fact_table(tmp_path)
    flat = [str(c) for row in rows for c in row]
    assert "=2+2?" in flat and "-4" in flat and any(c.startswith("@four") for c in flat)
