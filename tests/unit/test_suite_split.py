"""``make test`` runs tests/e2e in one pytest process beside tests/unit and tests/api in another
(``tests/run_split.sh``): a test file anywhere else would silently never run in CI."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPLIT = ("tests/e2e", "tests/unit", "tests/api")


def test_every_test_file_is_in_a_folder_the_split_runs():
    files = [p.relative_to(ROOT).as_posix() for p in (ROOT / "tests").rglob("test_*.py")]
    assert len(files) > 50
    outside = [f for f in files if not f.startswith(tuple(s + "/" for s in SPLIT))]
    assert not outside, f"make test would never run these: {outside}"


def test_the_runner_starts_both_halves_and_fails_when_either_fails():
    script = (ROOT / "tests" / "run_split.sh").read_text()
    commands = re.findall(r'"\$py" -m pytest ([^"]+?) "\$\{common\[@\]\}"', script)
    assert sorted(" ".join(commands).split()) == sorted(["tests", *SPLIT]), commands
    assert '[ "$engine" -eq 0 ] && [ "$rc" -eq 0 ]' in script.splitlines()[-1]
    assert "run_split.sh" in (ROOT / "Makefile").read_text()
