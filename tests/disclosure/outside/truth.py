"""The true value of any quantity the attacker names, from the unsuppressed marts (tests only).

The attacker never sees this; tests use it to check that what it recovers is right, and to
undo one protection at a time in a copy of the published folder.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from .model import TOTAL, Key


class Truth:
    def __init__(self, db: Path) -> None:
        con = duckdb.connect(str(db), read_only=True)
        try:
            q = lambda sql: con.execute(sql).df()  # noqa: E731
            self.areas = set(q("SELECT area_id FROM main.area")["area_id"])
            crimes = q(
                "SELECT area_id, year::VARCHAR AS year, theme, strftime(month, '%m') AS month,"
                " crime_count FROM main.crime_month"
            )
            yearly = q(
                "SELECT area_id, year::VARCHAR AS year, theme, 'helår' AS month, crime_count"
                " FROM main.crime_year WHERE is_yearly_delivery"
            )
            self.crimes = pd.concat([crimes, yearly], ignore_index=True)
            self.referrals = q(
                "SELECT area_id, year::VARCHAR AS year, type, source, age_group,"
                " CASE sex WHEN 'totalt' THEN 'ej uppdelat' ELSE sex END AS sex,"
                " referral_count FROM main.referral_month"
            )
            self.r017 = q(
                "SELECT area_id, year::VARCHAR AS year, referral_count FROM main.area_year"
                " UNION ALL SELECT 'Totalt', year::VARCHAR, referral_count"
                " FROM main.municipality_year"
            ).set_index(["area_id", "year"])["referral_count"]
            self.priority = q("SELECT * FROM main.priority")
            self.area_theme_year = q("SELECT * FROM main.area_theme_year")
        finally:
            con.close()

    def _area(self, frame: pd.DataFrame, area: str) -> pd.Series:
        if area == TOTAL:
            return pd.Series(True, index=frame.index)
        if area == "okant":
            return ~frame["area_id"].isin(self.areas)
        return frame["area_id"] == area

    def __call__(self, key: Key) -> int:
        if key[0] == "c":
            _, year, area, theme, month = key
            f = self.crimes
            mask = (f["year"] == year) & self._area(f, area)
            if theme != TOTAL:
                mask &= f["theme"] == theme
            if month != TOTAL:
                mask &= f["month"] == month
            return int(f.loc[mask, "crime_count"].sum())
        if key[0] == "r":
            _, year, kind, area, source, age, sex = key
            f = self.referrals
            mask = (f["year"] == year) & (f["type"] == kind) & self._area(f, area)
            for column, value in (("source", source), ("age_group", age), ("sex", sex)):
                if value != TOTAL:
                    mask &= f[column] == value
            return int(f.loc[mask, "referral_count"].sum())
        _, year, area = key
        if area == "okant":
            whole = self.r017[(TOTAL, year)]
            parts = sum(self.r017.get((a, year), 0) for a in self.areas)
            return int(whole - parts)
        return int(self.r017[(area, year)])
