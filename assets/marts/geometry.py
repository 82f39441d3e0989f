"""Area geometry for the map: simplified once per geometry vintage, and cached.

The report draws the map as inline SVG from these simplified polygons (no tiles, no CDN),
so it works from file:// and on a phone. Simplification keeps each shape recognisable at
report size: the tolerance is a fixed share of the whole map's extent.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pandas as pd
import shapely

#: Tolerance as a share of the larger side of the map's bounding box: about 1/2500 of the
#: width, i.e. well under a pixel on a 1,000-pixel map.
TOLERANCE_SHARE = 1 / 2500
DECIMALS = 6


def area_geometry(con: duckdb.DuckDBPyConnection, cache_dir: Path) -> pd.DataFrame:
    """area_id, geometry_wkb (EPSG:4326), simplified GeoJSON and centroid, per area."""
    rows = con.execute(
        "SELECT area_id, geometry_wkb FROM staging.area "
        "WHERE geometry_wkb IS NOT NULL ORDER BY area_id"
    ).fetchall()
    columns = [
        "area_id",
        "geometry_wkb",
        "geometry_simplified_geojson",
        "centroid_lon",
        "centroid_lat",
    ]
    if not rows:
        return pd.DataFrame(columns=columns)
    digest = hashlib.sha256()
    for area_id, wkb in rows:
        digest.update(area_id.encode() + b"\0" + bytes(wkb))
    cached = cache_dir / f"geometry-{digest.hexdigest()[:20]}.parquet"
    if cached.exists():
        return pd.read_parquet(cached)
    geoms = shapely.from_wkb([bytes(w) for _, w in rows])
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    tolerance = max(xmax - xmin, ymax - ymin) * TOLERANCE_SHARE
    simplified = shapely.simplify(geoms, tolerance, preserve_topology=True)
    centroids = shapely.point_on_surface(geoms)
    result = pd.DataFrame(
        {
            "area_id": [r[0] for r in rows],
            "geometry_wkb": [bytes(r[1]) for r in rows],
            "geometry_simplified_geojson": [
                json.dumps(_rounded(shapely.geometry.mapping(g)), separators=(",", ":"))
                for g in simplified
            ],
            "centroid_lon": shapely.get_x(centroids),
            "centroid_lat": shapely.get_y(centroids),
        }
    )
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(".part")
    result.to_parquet(partial, index=False)
    partial.replace(cached)
    return result


def _rounded(mapping: dict) -> dict:
    def walk(value):
        if isinstance(value, float):
            return round(value, DECIMALS)
        if isinstance(value, list | tuple):
            return [walk(v) for v in value]
        return value

    return {"type": mapping["type"], "coordinates": walk(mapping["coordinates"])}
