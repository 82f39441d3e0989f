"""omraden/: the areas, from GeoJSON/GPKG (with geometry) or CSV/XLSX (without).

Area files are unioned. An id seen twice, within a file or in an earlier file (in name
order), rejects the file that brings the duplicate (reason duplicate_area_id).
Geometry is reprojected to EPSG:4326 (GeoJSON without a CRS already is), and invalid
polygons are repaired with a warning in the load log.
"""

from __future__ import annotations

import warnings

import pyarrow as pa
import shapely

from assets.database import fetch_one
from assets.ingest import readers
from assets.ingest.files import FileRejected, RawFile, map_header
from assets.ingest.loader import FileOutcome, RowLoader
from assets.ingest.sources import AREA

GEO_EXTENSIONS = (".geojson", ".json", ".gpkg")


class AreaLoader(RowLoader):
    """RowLoader for omraden/, with the geometry reader and the duplicate-id rule."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, spec=AREA, **kwargs)
        self._empty_geometry_table()
        for ext in GEO_EXTENSIONS:
            self.openers[ext] = self._open_geo
        self.openers[".csv"] = self._with_empty_geometry(self.openers[".csv"])
        self.openers[".xlsx"] = self._with_empty_geometry(self.openers[".xlsx"])

    def _with_empty_geometry(self, opener):
        def open_without_geometry(raw: RawFile) -> None:
            self._empty_geometry_table()
            opener(raw)
            note = "no geometry: the report shows no map for these areas"
            if note not in raw.notes:
                raw.notes.append(note)

        return open_without_geometry

    def _empty_geometry_table(self) -> None:
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE area_geometry (row_number BIGINT, "
            "geometry_wkb BLOB, area_km2 DOUBLE, geometry_repaired BOOLEAN)"
        )

    def _open_geo(self, raw: RawFile) -> None:
        import geopandas as gpd

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                frame = gpd.read_file(raw.path)
        except Exception as exc:  # pyogrio raises DataSourceError and friends
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise FileRejected(
                "file_unreadable", f"not a readable geometry file ({first})"
            ) from None
        properties = [c for c in frame.columns if c != frame.geometry.name]
        try:
            map_header(raw, [str(c) for c in properties], AREA)
        except FileRejected as rejection:
            rejection.rows = len(frame)
            raise
        if len(frame) == 0:
            raise FileRejected("file_empty", "the file has no features")
        if frame.crs is None:
            frame = frame.set_crs(4326)
            raw.notes.append("no CRS declared: read as EPSG:4326")
        elif frame.crs.to_epsg() != 4326:
            raw.notes.append(f"reprojected from {frame.crs.to_string()} to EPSG:4326")
            frame = frame.to_crs(4326)
        geoms = frame.geometry.values
        invalid = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
        repaired = int(invalid.sum())
        if repaired:
            geoms = geoms.copy()
            geoms[invalid] = [_polygonal(shapely.make_valid(g)) for g in geoms[invalid]]
            raw.notes.append(f"warning: {repaired} invalid polygon(s) repaired")
        area_km2 = _area_km2(geoms)
        numbers = list(range(1, len(frame) + 1))
        columns = {
            # By position: raw.mapping holds the name stripped of surrounding spaces, and
            # a property ' OMRÅDE_NAMN ' must still be found in the frame.
            name: [_text(v) for v in frame[properties[raw.positions[name]]]]
            if name in raw.positions
            else [None] * len(frame)
            for name in AREA.raw_names
        }
        readers.register_rows(
            self.con,
            pa.table(
                {
                    "file_ord": pa.array([raw.file_ord] * len(frame), pa.int32()),
                    "row_number": pa.array(numbers, pa.int64()),
                    **{k: pa.array(v, pa.string()) for k, v in columns.items()},
                }
            ),
        )
        geometry = pa.table(
            {
                "row_number": pa.array(numbers, pa.int64()),
                "geometry_wkb": pa.array(
                    [None if g is None or g.is_empty else shapely.to_wkb(g) for g in geoms],
                    pa.binary(),
                ),
                "area_km2": pa.array(area_km2, pa.float64()),
                "geometry_repaired": pa.array(invalid.tolist(), pa.bool_()),
            }
        )
        self.con.register("area_geometry_arrow", geometry)
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE area_geometry AS SELECT * FROM area_geometry_arrow"
        )
        self.con.unregister("area_geometry_arrow")

    def after_file(self, outcome: FileOutcome) -> None:
        """A duplicate area id rejects the file that brings it."""
        file_ord = outcome.raw.file_ord
        within = fetch_one(
            self.con,
            f"""SELECT area_id, count(*) FROM {self.checked}
                WHERE file_ord = ? AND reason IS NULL GROUP BY area_id HAVING count(*) > 1
                ORDER BY area_id LIMIT 1""",
            [file_ord],
        )
        if within:
            raise FileRejected(
                "duplicate_area_id",
                f"area id '{within[0]}' appears {within[1]} times in this file",
                column=outcome.raw.mapping.get("omrade_id"),
                rows=outcome.rows_read,
            )
        earlier = fetch_one(
            self.con,
            f"""SELECT c.area_id, min(e.file_ord) FROM {self.checked} AS c
                JOIN {self.checked} AS e ON e.area_id = c.area_id AND e.file_ord < c.file_ord
                WHERE c.file_ord = ? AND c.reason IS NULL AND e.reason IS NULL
                GROUP BY c.area_id ORDER BY c.area_id LIMIT 1""",
            [file_ord],
        )
        if earlier:
            first_file = next(f.raw.name for f in self.result.files if f.raw.file_ord == earlier[1])
            raise FileRejected(
                "duplicate_area_id",
                f"area id '{earlier[0]}' was already delivered in '{first_file}'",
                column=outcome.raw.mapping.get("omrade_id"),
                rows=outcome.rows_read,
            )

    def after_outputs(self) -> None:
        notes = self.con.execute(
            """SELECT file_ord, count(*) FILTER (WHERE name_missing),
                      count(*) FILTER (WHERE team_flag_unreadable)
               FROM staging.area GROUP BY file_ord"""
        ).fetchall()
        by_ord = {f.raw.file_ord: f for f in self.result.files}
        for file_ord, names, flags in notes:
            raw = by_ord[file_ord].raw
            if names:
                raw.notes.append(f"{names} area(s) without a name: the id is shown instead")
            if flags:
                raw.notes.append(f"{flags} unreadable omradesteam value(s): treated as unknown")
        self.con.execute("ALTER TABLE staging.area DROP COLUMN name_missing")
        self.con.execute("ALTER TABLE staging.area DROP COLUMN team_flag_unreadable")


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygonal part of a repaired geometry (make_valid may add stray lines/points)."""
    if isinstance(geom, shapely.GeometryCollection):
        parts = [g for g in geom.geoms if isinstance(g, shapely.Polygon | shapely.MultiPolygon)]
        return shapely.union_all(parts) if parts else shapely.Polygon()
    return geom


def _area_km2(geoms) -> list[float | None]:
    """Area in km² in a Lambert equal-area projection centred on the data."""
    import geopandas as gpd

    series = gpd.GeoSeries(geoms, crs=4326)
    present = ~series.is_empty & series.notna()
    if not present.any():
        return [None] * len(series)
    lon, lat = series[present].union_all().centroid.coords[0]
    projected = series.to_crs(f"+proj=laea +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m")
    areas = projected.area / 1e6
    return [float(a) if ok else None for a, ok in zip(areas, present, strict=True)]


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if text.strip() else None
