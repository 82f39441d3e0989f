"""The map: an inline SVG drawn from the areas' simplified GeoJSON, no tiles, no library.

Longitude/latitude are projected equirectangularly, x scaled by cos(mean latitude), onto a
viewBox 10 000 units wide, and written as integer, relative path commands (one ``<path>``
per area, with a ``<title>`` of its name and value and a ``data-id``). Fill is a class
``q0``..``q6`` of a colour-blind-safe sequential scale (cividis): five classes of the smoothed
rate (``smoothed_per_1000``) relative to the reference level (:func:`classify`); ``qf`` is a
layer with nothing to tell apart, ``qs`` suppressed (hatched, ``..``), ``qn`` not available.

Every layer of the theme/year selector is embedded as JSON: a string of class codes, the
values as text, and a string of Gi* hot-spot codes, so a few lines of script can switch
fills without redrawing the paths.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
from markupsafe import Markup, escape

from assets.report.text import MISSING_LEGEND, NBSP, SUPPRESSED, fmt_int, fmt_rate

VIEW_WIDTH = 10_000
#: cividis, light to dark: higher values are darker.
COLORS = ("#fde737", "#d8c364", "#ad9f73", "#858176", "#5f636e", "#3a466c", "#00224e")
N_CLASSES = len(COLORS)
#: Above this many areas the map keeps fewer layers.
LARGE_MAP = 1000


@dataclass
class MapLayer:
    key: str
    label: str
    #: area_id -> (value, suppressed)
    values: dict[str, tuple[float | None, bool]]
    #: area_id -> 'hot' / 'cold' / other
    hotspots: dict[str, str | None] = field(default_factory=dict)
    #: The reference level (per 1,000) the classes are relative to.
    reference: float | None = None


@dataclass
class MapModel:
    svg: Markup
    layers_json: Markup
    legend: list[tuple[str, str]]
    layers: list[tuple[str, str]]
    areas_drawn: int
    missing_geometry: list[str]
    hot_count: int
    cold_count: int
    #: False when Gi* was not tried (too few areas): the report offers no cluster layer.
    hotspots_tested: bool = True

    @property
    def areas_drawn_text(self) -> str:
        return fmt_int(self.areas_drawn)


def _rings(geometry: dict) -> list[list[list[float]]]:
    kind = geometry.get("type")
    if kind == "Polygon":
        return [r for r in geometry.get("coordinates", [])]
    if kind == "MultiPolygon":
        return [r for poly in geometry.get("coordinates", []) for r in poly]
    if kind == "GeometryCollection":
        return [r for g in geometry.get("geometries", []) for r in _rings(g)]
    return []


def _path(rings: list[np.ndarray]) -> str:
    parts: list[str] = []
    for ring in rings:
        pts = np.rint(ring).astype(np.int64)
        keep = np.ones(len(pts), dtype=bool)
        keep[1:] = np.any(pts[1:] != pts[:-1], axis=1)
        pts = pts[keep]
        if len(pts) > 1 and (pts[0] == pts[-1]).all():
            pts = pts[:-1]
        if len(pts) < 3:
            continue
        deltas = np.diff(pts, axis=0)
        out = [f"M{pts[0, 0]} {pts[0, 1]}l"]
        first = True
        for dx, dy in deltas:
            sep = "" if first else (" " if dx >= 0 else "")
            out.append(f"{sep}{dx}{' ' if dy >= 0 else ''}{dy}")
            first = False
        out.append("z")
        parts.append("".join(out))
    return "".join(parts)


#: Class edges as ratios to the reference level, and what each class says (light to dark).
RELATIVE_EDGES = (0.5, 0.8, 1.25, 2.0)
RELATIVE_LABELS = (
    "under halva kommunens nivå",
    "50–80\u00a0% av kommunens nivå",
    "nära kommunens nivå (±25\u00a0%)",
    "25–100\u00a0% över kommunens nivå",
    "minst dubbelt så hög som kommunens nivå",
)
#: The colour of each relative class: the scale's ends and middle, so that "near" is mid-tone.
RELATIVE_COLOURS = (0, 2, 3, 4, 6)


def classify(
    values: list[float | None], reference: float | None
) -> tuple[list[str | None], list[tuple[str, str]]]:
    """Classes relative to the reference level, and the legend: ``(codes, legend)``.

    The classes say what the report says (well below ... well above the municipality's level),
    so that an area the text calls high is dark on the map; quantile classes over a handful of
    areas put 45 and 7 per 1,000 in one colour. When every shown value falls in one class (the
    smoothing left nothing to tell apart) the layer is drawn in one neutral colour ``f`` and the
    legend says so, instead of a scale with a single step.
    """
    shown = [v for v in values if v is not None]
    if not shown or reference is None or reference < 0:
        return [None] * len(values), []
    if reference == 0:
        # No crime of the layer anywhere (the reference is the placed crimes over the
        # population): every area's rate is 0, which is a value, not "uppgift saknas".
        note = "inga anmälda brott: 0 per 1 000 i alla visade områden"
        return ["f" if v is not None else None for v in values], [("qf", note)]
    edges = np.asarray(RELATIVE_EDGES) * reference
    klass = [None if v is None else int(np.searchsorted(edges, v, side="right")) for v in values]
    used = sorted({k for k in klass if k is not None})
    ref = fmt_rate(reference)
    if len(used) == 1:
        only = RELATIVE_LABELS[used[0]]
        note = f"alla visade områden: {only} ({ref}); utjämningen lämnar inga skillnader att visa"
        return ["f" if k is not None else None for k in klass], [("qf", note)]
    codes = [None if k is None else str(RELATIVE_COLOURS[k]) for k in klass]
    legend = []
    for k in used:
        low = "" if k == 0 else fmt_rate(edges[k - 1])
        high = "" if k == len(edges) else fmt_rate(edges[k])
        span = f"under {high}" if not low else (f"{low} och mer" if not high else f"{low}–{high}")
        legend.append((f"q{RELATIVE_COLOURS[k]}", f"{RELATIVE_LABELS[k]} ({span})"))
    return codes, legend


def build_map(
    *,
    areas: list[tuple[str, str]],
    geometries: dict[str, str],
    layers: list[MapLayer],
    title: str,
    description: str,
    centroids: dict[str, tuple[float, float]] | None = None,
    max_labels: int = 60,
) -> MapModel | None:
    """The SVG and the layer data; None when no area has geometry."""
    shapes: list[tuple[str, str, list[np.ndarray]]] = []
    missing: list[str] = []
    for area_id, name in areas:
        text = geometries.get(area_id)
        if not text:
            missing.append(name)
            continue
        try:
            rings = [np.asarray(r, dtype=float)[:, :2] for r in _rings(json.loads(text)) if len(r)]
        except (ValueError, TypeError, IndexError):
            missing.append(name)
            continue
        if not rings:
            missing.append(name)
            continue
        shapes.append((area_id, name, rings))
    if not shapes:
        return None

    allpts = np.concatenate([r for _, _, rings in shapes for r in rings])
    lon0, lat0 = allpts[:, 0].min(), allpts[:, 1].min()
    lat1 = allpts[:, 1].max()
    kx = math.cos(math.radians((lat0 + lat1) / 2))
    width = (allpts[:, 0].max() - lon0) * kx
    height = lat1 - lat0
    scale = VIEW_WIDTH / max(width, height * 1e-9, 1e-12)
    view_height = max(math.ceil(height * scale), 1)
    pad = 40

    def project(ring: np.ndarray) -> np.ndarray:
        x = (ring[:, 0] - lon0) * kx * scale + pad
        y = (lat1 - ring[:, 1]) * scale + pad
        return np.column_stack([x, y])

    ids = [a for a, _, _ in shapes]
    names = [n for _, n, _ in shapes]
    layer_data = [_layer_json(layer, ids) for layer in layers]
    first = layer_data[0] if layer_data else None

    paths = []
    for i, (area_id, name, rings) in enumerate(shapes):
        d = _path([project(r) for r in rings])
        if not d:
            continue
        cls = first["b"][i] if first else "n"
        value = first["v"][i] if first else None
        paths.append(
            # Focusable and labelled: a value is reached by keyboard or tap, not only by hover
            # (issue 13); the script shows the focused area's value below the map.
            f'<path class="q{cls}" data-id="{escape(area_id)}" tabindex="0" '
            f'aria-label="{escape(name)}: {escape(_value_text(value))}" d="{d}">'
            f"<title>{escape(name)}: {escape(_value_text(value))}</title></path>"
        )
    labels = ""
    if centroids and len(shapes) <= max_labels:
        size = max(int(VIEW_WIDTH / 70), 10)
        texts = []
        for area_id, name, _ in shapes:
            c = centroids.get(area_id)
            if c is None or any(v is None or v != v for v in c):
                continue
            x, y = project(np.array([[c[0], c[1]]], dtype=float))[0]
            texts.append(f'<text x="{round(x)}" y="{round(y)}">{escape(name)}</text>')
        labels = (
            f'<g class="map-labels" aria-hidden="true" font-size="{size}" '
            f'stroke-width="{max(size // 5, 2)}">{"".join(texts)}</g>'
        )
    vb = f"0 0 {VIEW_WIDTH + 2 * pad} {view_height + 2 * pad}"
    hatch = max(int(VIEW_WIDTH / 160), 8)
    svg = (
        f'<svg class="map" id="map-svg" viewBox="{vb}" role="img" '
        'aria-labelledby="map-svg-title map-svg-desc" xmlns="http://www.w3.org/2000/svg" '
        'preserveAspectRatio="xMidYMid meet">'
        f'<title id="map-svg-title">{escape(title)}</title>'
        f'<desc id="map-svg-desc">{escape(description)}</desc>'
        f'<defs><pattern id="hatch" patternUnits="userSpaceOnUse" width="{hatch}" '
        f'height="{hatch}" patternTransform="rotate(45)">'
        f'<rect width="{hatch}" height="{hatch}" fill="#e6e6e6"/>'
        f'<line x1="0" y1="0" x2="0" y2="{hatch}" stroke="#6b6b6b" '
        f'stroke-width="{max(hatch // 3, 2)}"/></pattern></defs>'
        f'<g id="map-areas">{"".join(paths)}</g>{labels}</svg>'
    )
    payload = {
        "ids": ids,
        "names": names,
        "layers": layer_data,
    }
    layers_json = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    layers_json = (
        layers_json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    )
    hot = sum(1 for h in (first["h"] if first else "") if h == "h")
    cold = sum(1 for h in (first["h"] if first else "") if h == "c")
    return MapModel(
        svg=Markup(svg),
        layers_json=Markup(layers_json),
        legend=[tuple(x) for x in first["g"]] if first else [],
        layers=[(layer.key, layer.label) for layer in layers],
        areas_drawn=len(paths),
        missing_geometry=missing,
        hot_count=hot,
        cold_count=cold,
    )


def _value_text(value: str | None) -> str:
    if value is None:
        return MISSING_LEGEND.lower()
    if value == SUPPRESSED:
        return f"{SUPPRESSED} (visas inte)"
    return f"{value} per{NBSP}1{NBSP}000 (utjämnad nivå)"


def _layer_json(layer: MapLayer, ids: list[str]) -> dict:
    values: list[float | None] = []
    flags: list[bool] = []
    for area_id in ids:
        value, suppressed = layer.values.get(area_id, (None, False))
        if value is not None and (isinstance(value, float) and math.isnan(value)):
            value = None
        values.append(None if suppressed else value)
        flags.append(bool(suppressed))
    classes, legend = classify(values, layer.reference)
    codes = []
    shown = []
    for c, v, s in zip(classes, values, flags, strict=True):
        if s:
            codes.append("s")
            shown.append(SUPPRESSED)
        elif c is None:
            codes.append("n")
            shown.append(None)
        else:
            codes.append(c)
            shown.append(fmt_rate(v))
    hot = []
    for area_id in ids:
        h = layer.hotspots.get(area_id)
        hot.append("h" if h == "hot" else ("c" if h == "cold" else "-"))
    return {
        "k": layer.key,
        "l": layer.label,
        "b": "".join(codes),
        "v": shown,
        "h": "".join(hot),
        "g": legend,
    }
