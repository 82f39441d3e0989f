"""Open data, linked (issue 13): the report links the public CSV and Parquet files it was
built from, and says when it was published and when the next lägesbild is expected."""

from __future__ import annotations

from pathlib import Path

from assets.report.render import render_report
from tests.report.conftest import PRODUCED, Rendered


def _links(tree) -> list[str]:
    section = tree.find("section", id="oppna-data")
    assert section is not None, "the report has an open-data section"
    return [a.attrs["href"] for a in section.find_all("a")]


def test_every_public_table_is_linked_and_the_links_reach_the_files(report: Rendered):
    tables = {
        r["table_name"]
        for r in report.public(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'public'"
        )
    }
    links = _links(report.tree)
    linked = {Path(h).name for h in links}
    assert linked == {f"{t}.{ext}" for t in tables for ext in ("csv", "parquet")} | {"LASMIG.txt"}
    # Relative to the report's folder, each link opens the published file.
    for href in links:
        target = (report.path.parent / href).resolve()
        assert target.is_file(), f"{href} does not reach a file"
        assert target.parent == (report.marts_dir / "public").resolve()


def test_publication_date_and_next_report_are_stated(report: Rendered):
    text = " ".join(report.tree.find("section", id="oppna-data").text().split())
    assert (
        f"Lägesbilden publicerades {PRODUCED.isoformat()}. Nästa lägesbild, för "
        f"{report.year + 1}, väntas februari {report.year + 2}."
    ) in text
    # The title block says both too, on the first screen.
    meta = {
        dt.text().strip(): dd.text().strip()
        for div in report.tree.find("dl", **{"class": "meta"}).find_all("div")
        for dt, dd in [(div.find("dt"), div.find("dd"))]
    }
    assert meta["Publicerad"] == PRODUCED.isoformat()
    assert meta["Nästa lägesbild"] == f"februari {report.year + 2}"


def test_the_settings_set_where_the_data_are_and_when_the_next_report_comes(report, tmp_path):
    html = render_report(
        report.db,
        tmp_path,
        report.year,
        produced=PRODUCED,
        open_data_url="https://data.alvstad.example.se/lagesbild",
        next_report="mars 2027",
    ).path.read_text(encoding="utf-8")
    assert 'href="https://data.alvstad.example.se/lagesbild/area_year.csv"' in html
    assert 'href="https://data.alvstad.example.se/lagesbild/area_year.parquet"' in html
    assert f"Nästa lägesbild, för {report.year + 1}, väntas mars 2027." in html
