"""The API keeps its OpenAPI document: schemathesis, every check, against the app under gunicorn.

The run's figure (cases generated) is printed; `pytest -s` shows it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.servers import app_env, gunicorn

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def test_schemathesis_finds_nothing_with_every_check(app, sample_clinics):
    with gunicorn(app_env(app), workers=2) as base:
        run = subprocess.run(
            [
                str(SCHEMATHESIS),
                "--config-file",
                str(ROOT / "schemathesis.toml"),
                "run",
                f"{base}/api/openapi.json",
                "--checks",
                "all",
                "--max-examples",
                "30",
                "--seed",
                "13",
                "--no-color",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
    summary = re.search(r"(\d+) generated, (\d+) passed", run.stdout)
    assert run.returncode == 0 and summary, run.stdout[-6000:]
    generated = int(summary.group(1))
    print(f"\nschemathesis, every check: {generated} cases, all passed")
    assert generated == int(summary.group(2)) and generated > 500
    assert re.search(r"Tested: (\d+)", run.stdout).group(1) == "9"  # every operation
