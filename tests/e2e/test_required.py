"""REQUIRE_BROWSER_TESTS: in CI a missing browser tool fails the browser tests, never skips them."""

from __future__ import annotations

import pytest

from tests.e2e import conftest


@pytest.fixture
def axe_not_installed(monkeypatch, tmp_path):
    monkeypatch.setattr(conftest, "AXE_SCRIPT", tmp_path / "axe.min.js")


@pytest.mark.parametrize("setting", ["1", "yes"])
def test_missing_axe_fails_when_browser_tests_are_required(axe_not_installed, monkeypatch, setting):
    monkeypatch.setenv("REQUIRE_BROWSER_TESTS", setting)
    with pytest.raises(pytest.fail.Exception, match="REQUIRE_BROWSER_TESTS is set but axe-core"):
        conftest.run_axe(page=None)


@pytest.mark.parametrize("setting", [None, "", "0"])
def test_missing_axe_skips_on_a_developer_machine(axe_not_installed, monkeypatch, setting):
    if setting is None:
        monkeypatch.delenv("REQUIRE_BROWSER_TESTS", raising=False)
    else:
        monkeypatch.setenv("REQUIRE_BROWSER_TESTS", setting)
    with pytest.raises(pytest.skip.Exception, match="axe-core is not installed"):
        conftest.run_axe(page=None)
