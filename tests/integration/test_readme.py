"""The README's two commands are true: they come first, and `make demo` does the main job."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from runtime.settings import Settings
from tests.conftest import REPO_ROOT


def test_readme_starts_with_the_two_commands() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    blocks = re.findall(r"```\n(.*?)```", readme, flags=re.DOTALL)
    assert [block.strip() for block in blocks[:2]] == ["make demo", "make test"]
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert "make test" in ci


def test_make_demo_runs_the_main_job_end_to_end(tmp_path: Path) -> None:
    env = os.environ | {
        "WATCHKEEPER_HOME": str(tmp_path / "home"),
        "WATCHKEEPER_CACHE": str(Settings.from_env().cache),
    }
    result = subprocess.run(
        ["make", "--no-print-directory", "demo"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout
    assert "[baseline]\nCompleted" in output
    assert "[calm hour]\nCompleted" in output
    assert "[shifted hour]\nCompletedWithViolations" in output
    assert "baseline_drift_check" in output
    reports = tmp_path / "home" / "demo" / "reports"
    assert sorted(path.name for path in reports.iterdir()) == ["baseline", "calm", "shifted"]
    assert (reports / "shifted" / "constraint_violations.json").is_file()
