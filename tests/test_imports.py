"""Every module of the package imports on its own, in a fresh interpreter.

A circular import only shows when a module is imported first, which is what a
test file, a command or gunicorn may do; the suite as a whole can hide it.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import portal

ROOT = Path(__file__).resolve().parent.parent


CHECK_EACH = """
import importlib, sys
failures = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "portal" or m.startswith("portal.")]:
        del sys.modules[loaded]  # forget the package: `name` is imported first
    try:
        importlib.import_module(name)
    except Exception as error:
        failures.append(f"{name}: {error!r}")
print("\\n".join(failures))
"""


def test_every_portal_module_imports_first():
    names = sorted(
        module.name for module in pkgutil.walk_packages(portal.__path__, prefix="portal.")
    )
    assert len(names) >= 30
    done = subprocess.run(
        [sys.executable, "-c", CHECK_EACH, *names],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == ""
