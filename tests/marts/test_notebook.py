"""The researcher notebook runs against the published sample marts (so it can't rot)."""

from __future__ import annotations

import os

import jupytext
from nbclient import NotebookClient

from tests.marts.conftest import REPO


def test_explore_marts_notebook_executes(sample_build, monkeypatch) -> None:
    notebook = jupytext.read(REPO / "notebooks" / "explore_marts.py")
    monkeypatch.setenv("LAGESBILD_MARTS_DIR", str(sample_build.settings.marts_path))
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(REPO / "notebooks")}},
    )
    client.execute()
    outputs = [o for cell in notebook.cells for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    printed = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert " per 1,000" in printed
    assert os.environ["LAGESBILD_MARTS_DIR"] == str(sample_build.settings.marts_path)
