"""The repository stands alone: a clone with nothing beside it collects and runs the tests.

`.ci/run` runs the README's whole test command in such a clone; this test catches the
same mistake on a developer's machine, where a sibling folder can hide it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The team's shared folder beside the checkout, which a user's clone does not have
# (spelled in parts so that this file does not name it itself).
OUTSIDE = ("/".join(("..", "shared")), "/".join(("", "work", "shared")))


def tracked_files() -> list[str]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [name for name in out.split("\0") if name]


@pytest.fixture(scope="module")
def lone_copy(tmp_path_factory) -> Path:
    """The tracked files (as in a fresh clone), in a folder that holds nothing else."""
    target = tmp_path_factory.mktemp("alone") / "dialoogbot"
    for name in tracked_files():
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def run_pytest(copy: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "TEST_POSTGRES"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-o", "addopts=", "-p", "no:cacheprovider", *args],
        cwd=copy, env=env, capture_output=True, text=True, timeout=300,
    )


def test_examples_are_in_the_repository():
    assert (ROOT / "examples" / "hitteplan.yaml").is_file()
    assert (ROOT / "examples" / "neerslag.yaml").is_file()


def test_nothing_tracked_reaches_outside_the_repository():
    offenders = []
    for name in tracked_files():
        if not (name.endswith((".py", ".toml", ".cfg", ".ini")) or name.startswith(".ci/")):
            continue
        text = (ROOT / name).read_text(encoding="utf-8", errors="replace")
        if any(outside in text for outside in OUTSIDE):
            offenders.append(name)
    assert offenders == []


def test_a_lone_clone_collects_every_test(lone_copy):
    result = run_pytest(lone_copy, "--collect-only", "-q")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert re.match(r"\d+ tests collected in ", summary), summary


def test_a_lone_clone_runs_the_example_tests(lone_copy):
    result = run_pytest(lone_copy, "-q", "tests/test_trajectory_file.py")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
