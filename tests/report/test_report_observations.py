"""The sample's area-team observations: only those marked `publiceras = ja` are published.

What is withheld is worked out here from the raw files themselves (data-contract §2.5: the
column is optional, ja/nej, default nej), not from the pipeline's tables, and then looked for
in every public file and in the report.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import pyarrow.parquet as pq

from tests.marts.conftest import SAMPLE_RAW

#: The sentence the sample generator always marks nej (tools/generate_raw.py).
RECRUITMENT = "Polisen bedömer att unga rekryteras till kriminella nätverk i området."


def _raw_observations() -> list[dict[str, str]]:
    rows = []
    for path in sorted((SAMPLE_RAW / "omradesteam").glob("*.csv")):
        text = path.read_text(encoding="utf-8")
        reader = csv.DictReader(io.StringIO(text), delimiter=";")
        for r in reader:
            r = {k.strip().lower(): (v or "") for k, v in r.items()}
            if r["observationer"].strip():
                rows.append(r)
    return rows


def _split(rows: list[dict[str, str]]) -> tuple[set[str], set[str]]:
    published = {r["observationer"] for r in rows if r.get("publiceras", "").strip() == "ja"}
    withheld = {r["observationer"] for r in rows if r.get("publiceras", "").strip() != "ja"}
    # The sample's texts are drawn from a few sentences: a withheld text that is part of a
    # published one (another row said the same and was reviewed) is published as that row.
    return published, {t for t in withheld if not any(t in p for p in published)}


def test_the_sample_withholds_sensitive_and_unreviewed_observations():
    rows = _raw_observations()
    flags = Counter(r.get("publiceras", "").strip() for r in rows)
    assert flags["ja"] > flags["nej"] > 0 and flags[""] > 0, flags
    assert all(r["publiceras"] == "nej" for r in rows if RECRUITMENT in r["observationer"])


def test_no_withheld_observation_is_in_a_public_file_or_the_report(report):
    published, withheld = _split(_raw_observations())
    assert len(withheld) >= 10 and any(RECRUITMENT in t for t in withheld)
    needles = [*sorted(withheld), RECRUITMENT]
    folder = report.marts_dir / "public"
    scanned = 0
    for path in sorted(folder.iterdir()):
        if path.suffix == ".csv":
            content = path.read_text(encoding="utf-8")
        elif path.suffix == ".parquet":
            content = repr(pq.read_table(path).to_pylist())
        else:
            continue
        scanned += 1
        assert [n for n in needles if n in content] == [], path.name
    assert scanned >= 10
    assert [n for n in needles if n in report.html] == []
    # The published ones did get through, to public/ and (for the report year) the report.
    csv_text = (folder / "area_team.csv").read_text(encoding="utf-8")
    assert published and all(t in csv_text for t in published)
    this_year = {
        r["observationer"]
        for r in _raw_observations()
        if r["publiceras"] == "ja" and r["period"].startswith(str(report.year))
    }
    assert this_year and all(t in report.html for t in this_year)


def test_public_area_team_withholds_exactly_the_rows_not_marked_ja(report):
    """Row by row, by key: texts repeat across rows, so a text search alone can't tell."""
    raw = {
        (r["omrade_id"], r["period"], r["tema"]): r["publiceras"].strip() == "ja"
        for r in _raw_observations()
    }
    with (report.marts_dir / "public" / "area_team.csv").open(encoding="utf-8") as f:
        public = {
            (r["area_id"], r["period"], r["theme"]): (r["observations"], r["observation_withheld"])
            for r in csv.DictReader(f, delimiter=";")
        }
    assert set(raw) <= set(public)
    wrong = [
        key
        for key, is_ja in raw.items()
        if (bool(public[key][0]), public[key][1]) != (is_ja, "false" if is_ja else "true")
    ]
    assert wrong == []
    assert sum(not v for v in raw.values()) >= 20


def test_the_report_counts_the_withheld_observations_of_the_year(report):
    rows = [r for r in _raw_observations() if r["period"].startswith(str(report.year))]
    expected = Counter(r["omrade_id"] for r in rows if r.get("publiceras", "").strip() != "ja")
    assert expected, "the sample should withhold something in the report year"
    found = {}
    for area_id in {r["omrade_id"] for r in rows}:
        sid = "omrade-" + re.sub(r"[^a-z0-9]+", "-", area_id.lower()).strip("-")
        team = report.tree.find("section", id=f"{sid}-team")
        assert team is not None, area_id
        text = " ".join(team.text(visible=True).split())
        m = re.search(
            r"(\d+) (iakttagelse|iakttagelser) från områdesteamet (\d{4}) har inte godkänts "
            r"för publicering och visas inte\.",
            text,
        )
        if m:
            n = int(m.group(1))
            assert m.group(2) == ("iakttagelse" if n == 1 else "iakttagelser")
            assert int(m.group(3)) == report.year
            found[area_id] = n
    assert found == dict(expected)
    shown = sum(1 for r in rows if r["publiceras"] == "ja")
    quality = " ".join(report.tree.find("section", id="datakvalitet").text(visible=True).split())
    assert (
        f"För {report.year} visas {shown} iakttagelser och {sum(expected.values())} visas inte."
        in quality
    )
