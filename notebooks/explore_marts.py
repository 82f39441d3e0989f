# %% [markdown]
# # Exploring the lägesbild marts
#
# This notebook opens the published marts **read-only** and reproduces the report's headline
# figure by hand: the municipality's reported crimes per 1,000 inhabitants in the latest
# complete year. It runs in the test suite, so it can't go stale.
#
# Set `LAGESBILD_MARTS_DIR` to read another marts folder (default `data/marts`). The same
# tables are in `parquet/` for R (`arrow::read_parquet`) or any Parquet reader, and the data
# dictionary is `docs/marts.md`.

# %%
import os
from pathlib import Path

import duckdb

marts_dir = Path(os.environ.get("LAGESBILD_MARTS_DIR", "../data/marts"))
if not marts_dir.exists():  # run from the repository root instead of notebooks/
    marts_dir = Path("data/marts")
con = duckdb.connect(str(marts_dir / "lagesbild.duckdb"), read_only=True)

# %% [markdown]
# Every table and column carries a COMMENT with its meaning and unit:

# %%
con.sql(
    "SELECT table_name, comment FROM duckdb_tables() "
    "WHERE database_name = current_database() AND schema_name = 'main' ORDER BY table_name"
).df()

# %% [markdown]
# ## The headline figure, by hand
#
# Crimes: every accepted crime in the year, including those the police could not place in an
# area (`okant`), summed from `crime_year`. Population: the areas' populations on 31 December
# (the latest earlier year where a year is missing), from `area_year`.

# %%
year = con.sql("SELECT max(year) FROM municipality_year WHERE is_complete_year").fetchall()[0][0]
crimes = con.sql(f"SELECT sum(crime_count) FROM crime_year WHERE year = {year}").fetchall()[0][0]
population = con.sql(f"SELECT sum(population) FROM area_year WHERE year = {year}").fetchall()[0][0]
by_hand = crimes / population * 1000
published = con.sql(
    f"SELECT crimes_per_1000 FROM municipality_year WHERE year = {year}"
).fetchall()[0][0]
print(f"{year}: {crimes} crimes, {population} inhabitants, {by_hand:.2f} per 1,000")
assert abs(by_hand - published) < 1e-9, (by_hand, published)

# %% [markdown]
# ## Areas compared with the whole
#
# The areas furthest above the municipality's level, with their exact 95 % intervals and
# their position in the funnel plot (2 = above the 99.8 % limit).

# %%
con.sql(
    f"""SELECT a.area_name, y.crime_count, y.population,
               round(y.crimes_per_1000, 1) AS per_1000,
               round(y.crimes_per_1000_ci_low, 1) AS ci_low,
               round(y.crimes_per_1000_ci_high, 1) AS ci_high,
               y.funnel_position, round(y.q_value, 4) AS q_value
        FROM area_year AS y JOIN area AS a USING (area_id)
        WHERE y.year = {year}
        ORDER BY y.crimes_per_1000 DESC NULLS LAST
        LIMIT 5"""
).df()

# %% [markdown]
# ## Lineage
#
# Which files, with which sha256, the numbers above came from:

# %%
con.sql(
    "SELECT source, file, sha256 FROM lineage WHERE table_name = 'area_year' ORDER BY source, file"
).df()
