"""Every figure README.md cites agrees with the results file a benchmark script wrote.

Convention: a measured figure in README is a Markdown link to its results file, with the figure's key in the
fragment: ``[**1.20x**](benchmarks/results/startup.json#ratio)``. The key is a dotted path inside the file's
``figures`` (a number picks a list item: ``#win_rate_ci.0``); ``#a/b`` compares a fraction shown as ``x/y`` with two keys. The number shown is compared at the
precision README shows it (``58%`` against 0.58 as a percentage). A link without a fragment cites the whole file.
Every row of the Results table and the "It learns" paragraph cite at least one results file, and a results file
records its figures, the command that wrote it, the date, the machine and the versions.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
LINK = re.compile(r"\[([^\]]+)\]\((benchmarks/results/[\w-]+\.json)(?:#([\w./-]+))?\)")
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
# rows whose benchmark does not write a results file yet (scripts being reworked); their figures are not checked
AWAITING_RESULTS: tuple[str, ...] = ()
# what a measured figure looks like in prose (a score, a share, a count of hits): outside a link it cites nothing
MEASURED = (r"\b\d+/\d+\b", r"\d%", r"\b[01]\.\d\d\b", r"\bW = ")


def _section(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def _lookup(figures: dict, path: str):
    value = figures
    for part in path.split("."):
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
            continue
        assert isinstance(value, dict) and part in value, f"no figure {path!r} in the results file"
        value = value[part]
    return value


def _resolves(figures: dict, path: str) -> bool:
    try:
        _lookup(figures, path)
    except AssertionError:
        return False
    return True


def _number(text: str) -> tuple[float, int]:
    """The first number shown in ``text`` and its decimals."""
    found = NUMBER.search(text.replace("**", ""))
    assert found, f"no number in {text!r}"
    raw = found.group(0).replace(",", "")
    return float(raw), len(raw.split(".")[1]) if "." in raw else 0


def _agrees(shown: str, value) -> bool:
    number, decimals = _number(shown)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if "%" in shown and abs(value) <= 1.0:
        value = 100 * value
    return f"{value:.{decimals}f}" == f"{number:.{decimals}f}"


def check_claims(text: str, results_dir: Path) -> list[str]:
    """Every disagreement between README's cited figures and their results files, as readable lines."""
    problems = []
    for shown, target, key in LINK.findall(text):
        path = results_dir.parent.parent / target
        if not path.is_file():
            problems.append(f"{target}: cited by README, missing")
            continue
        record = json.loads(path.read_text(encoding="utf-8"))
        missing = [k for k in ("figures", "command", "date", "machine", "versions") if not record.get(k)]
        if missing:
            problems.append(f"{target}: lacks {', '.join(missing)}")
            continue
        if not key:
            continue
        try:
            if "/" in key and not _resolves(record["figures"], key):  # "#a/b": a fraction of two figures
                num_key, den_key = key.split("/")
                parts = re.findall(r"\d+", shown.replace("**", ""))
                ok = (len(parts) >= 2 and int(parts[0]) == _lookup(record["figures"], num_key)
                      and int(parts[1]) == _lookup(record["figures"], den_key))
            else:
                ok = _agrees(shown, _lookup(record["figures"], key))
        except AssertionError as exc:
            problems.append(f"{target}#{key}: {exc}")
            continue
        if not ok:
            where = key if _resolves(record["figures"], key) else key.split("/")[0]
            problems.append(f"README shows {shown!r} for {target}#{key}, the file says "
                            f"{_lookup(record['figures'], where)!r}")
    return problems


def test_cited_figures_match_their_results_files():
    problems = check_claims(README.read_text(encoding="utf-8"), ROOT / "benchmarks" / "results")
    assert not problems, "\n".join(problems)


def test_every_results_row_and_the_learning_paragraph_cite_a_file():
    text = README.read_text(encoding="utf-8")
    results = _section(text, "## Results", "## Troubleshooting")
    rows = [line for line in results.splitlines() if line.startswith("| ") and not line.startswith("| what")
            and not line.startswith("| run ")]
    assert len(rows) >= 7
    for row in rows:
        if any(script in row for script in AWAITING_RESULTS):
            continue
        assert LINK.search(row), f"a Results row cites no results file: {row[:80]}"
    assert LINK.search(_section(results, "**QLoRA on a GPU**", "| run")), "the GPU table cites no results file"
    learns = _section(text, "**It learns.**", "## Troubleshooting")
    assert LINK.search(learns), "'It learns' cites no results file"
    unlinked = LINK.sub("", learns)
    for pattern in MEASURED:
        found = re.search(pattern, unlinked)
        assert not found, f"a measured figure in 'It learns' cites no results file: {found.group(0)!r}"


def test_the_check_catches_a_wrong_figure(tmp_path):
    results = tmp_path / "benchmarks" / "results"
    results.mkdir(parents=True)
    record = {"figures": {"ratio": 1.2, "auc": {"truman": 0.97}, "hits": 6, "n": 6, "share": 0.58, "ci": [0.5, 1.0]},
              "command": "python benchmarks/x.py", "date": "2026-12-06T00:00:00Z", "machine": {"cpu_count": 2},
              "versions": {"torch": "2"}}
    (results / "x.json").write_text(json.dumps(record))
    good = ("[**1.20x**](benchmarks/results/x.json#ratio), Truman [0.97](benchmarks/results/x.json#auc.truman), "
            "[6/6](benchmarks/results/x.json#hits/n), [58%](benchmarks/results/x.json#share), "
            "[1.00](benchmarks/results/x.json#ci.1)")
    assert check_claims(good, results) == []
    bad = (good.replace("1.20x", "1.25x").replace("[0.97]", "[0.99]").replace("[6/6]", "[5/6]")
           .replace("58%", "60%").replace("[1.00]", "[0.50]"))
    assert len(check_claims(bad, results)) == 5
    assert check_claims("[see](benchmarks/results/nope.json)", results) == [
        "benchmarks/results/nope.json: cited by README, missing"]
