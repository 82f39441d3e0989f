"""The public tables are tested on the same session build of the sample as the marts, and on
a small planted municipality (tests/public/planted.py) built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.marts.conftest import marts, run_build, sample_build  # noqa: F401  (pytest fixtures)
from tests.public.planted import write_raw


@pytest.fixture(scope="session")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The planted municipality's public folder."""
    raw = write_raw(tmp_path_factory.mktemp("planted_raw"))
    build = run_build(raw, tmp_path_factory.mktemp("planted") / "marts")
    assert build.result.success, "the planted build failed"
    return build.settings.marts_path / "public"
