"""One reference level everywhere a comparison is made (issue 12), read back from the HTML.

The summary, the area sections, the funnel plots (caption, the reference line's legend entry
and the line itself) and the key findings of the sample report each quote "kommunens nivå";
every quote of a theme and year must be the same number, and that number is
public.area_theme_year.reference_per_1000 (public.area_year for all crimes) as the report
writes a rate. The total rate differs from it wherever crimes are in Okänt område (69,8 vs
67,8 for all crimes in the sample), so quoting the total anywhere fails here.

What counts as a quote, independent of the wording: a decimal number (the report's rate
format, "67,8", "0,68") following "kommunens nivå", "jämförelsenivå(n)" or "kommunen:" within
the same sentence, with no other digit and no full stop in between, and not followed by "%"
or "-procent". Which theme a quote is
about: the key finding's `data-theme`; elsewhere the last theme named before the number in
the same paragraph or list item, and all crimes when none is named.
"""

from __future__ import annotations

import json
import re

from assets.report.text import fmt_rate
from assets.report.themes import funnel_id
from tests.report.conftest import Rendered
from tests.report.html_tree import Element

TOTAL = "Totalt"
#: The anchor, then up to 40 characters without a digit or a full stop, then a decimal number
#: (groups of three digits separated by a space or a no-break space, a decimal comma) that is
#: not a percentage ("tydligt över kommunens nivå (utanför 99,8 %)" quotes a limit).
ANCHOR = re.compile(r"kommunens\s+nivå|jämförelsenivån?|kommunen:", re.IGNORECASE)
QUOTE = re.compile(
    rf"(?:{ANCHOR.pattern})[^.\d]{{0,40}}?"
    r"(?<![\d,])(\d{1,3}(?:[\s\u00a0\u202f]\d{3})*,\d+)(?![\d,]|\s*%|-procent)",
    re.IGNORECASE,
)
BLOCKS = {"p", "li", "figcaption", "caption", "td", "th", "dd", "dt"}


def _section_of(el: Element) -> str | None:
    for a in el.ancestors():
        if a.tag == "section":
            return a.attrs.get("id")
    return None


def _blocks(tree: Element, section_id: str) -> list[Element]:
    """The outermost paragraphs, list items, captions and cells whose own section is
    `section_id` (not one of its subsections)."""
    out = []
    for el in tree.iter():
        if el.tag not in BLOCKS or _section_of(el) != section_id:
            continue
        if any(a.tag in BLOCKS for a in el.ancestors() if _section_of(a) == section_id):
            continue
        out.append(el)
    return out


def _theme_before(text: str, end: int, themes: list[str]) -> str:
    """The last theme named in text[:end]; all crimes if none. Longer names are tried first,
    so a theme whose name holds another's is not read as the shorter one."""
    names = sorted(themes, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(t) for t in names), re.IGNORECASE)
    found = list(pattern.finditer(text[:end]))
    if not found:
        return TOTAL
    named = found[-1].group(0).lower()
    return next(t for t in themes if t.lower() == named)


def _quotes(text: str, themes: list[str], theme: str | None = None) -> list[tuple[str, str]]:
    return [
        (theme or _theme_before(text, m.start(1), themes), m.group(1)) for m in QUOTE.finditer(text)
    ]


def _collect(report: Rendered, themes: list[str]) -> list[tuple[str, str, str]]:
    """(place, theme, number as written) for every quote of the reference level."""
    tree = report.tree
    sections = [s.attrs["id"] for s in tree.find_all("section") if "id" in s.attrs]
    found: list[tuple[str, str, str]] = []
    # The summary (its own paragraphs) and the key findings.
    # The municipality's picture ("Läget i kommunen") is part of the summary.
    for el in _blocks(tree, "sammanfattning") + _blocks(tree, "laget-i-kommunen"):
        found += [("sammanfattning", t, n) for t, n in _quotes(el.text(visible=True), themes)]
    for el in _blocks(tree, "viktigaste-iakttagelser"):
        finding = el.find("div", class_="finding")
        theme = finding.attrs.get("data-theme") if finding is not None else None
        found += [
            ("viktigaste-iakttagelser", t, n)
            for t, n in _quotes(el.text(visible=True), themes, theme)
        ]
    # The area sections.
    for sid in sections:
        if sid.startswith("omrade-") and not sid.endswith("-team"):
            for el in _blocks(tree, sid):
                found += [(sid, t, n) for t, n in _quotes(el.text(visible=True), themes)]
    # The funnel plots: the caption, the reference line's name and the line's height.
    for theme in [TOTAL, *themes]:
        sid = funnel_id(theme)
        if sid not in sections:
            continue
        for el in _blocks(tree, sid):
            found += [(sid, theme, n) for _, n in _quotes(el.text(visible=True), themes, theme)]
        data = tree.find("script", id=f"{sid}-chart-data")
        if data is None:
            continue
        for trace in json.loads(data.text())["data"]:
            for _, n in _quotes(trace.get("name") or "", themes, theme):
                found.append((f"{sid} (linjens namn)", theme, n))
                assert len(set(trace["y"])) == 1, "the reference line is flat"
                found.append((f"{sid} (linjen)", theme, fmt_rate(trace["y"][0])))
    return found


def test_every_quote_of_the_reference_level_is_the_published_reference(
    report: Rendered,
) -> None:
    themes = [
        r["theme"] for r in report.public("SELECT theme FROM public.theme") if r["theme"] != TOTAL
    ]
    published: dict[str, str | None] = {}
    total_rate: dict[str, str] = {}
    for theme in [TOTAL, *themes]:
        table, where = (
            ("public.area_year", "")
            if theme == TOTAL
            else ("public.area_theme_year", "AND theme = ?")
        )
        recs = report.public(
            f"SELECT reference_per_1000, reference_per_1000_suppressed, crimes_per_1000 "
            f"FROM {table} WHERE area_id = 'Totalt' AND year = ? {where}",
            [report.year] + ([] if theme == TOTAL else [theme]),
        )
        if not recs:
            continue
        r = recs[0]
        hidden = r["reference_per_1000_suppressed"] or r["reference_per_1000"] is None
        published[theme] = None if hidden else fmt_rate(r["reference_per_1000"])
        total_rate[theme] = fmt_rate(r["crimes_per_1000"])

    found = _collect(report, themes)
    by_theme: dict[str, set[str]] = {}
    for place, theme, number in found:
        assert theme in published, (place, theme)
        assert published[theme] is not None, (
            f"{place} quotes {number} for {theme}, whose reference is not published"
        )
        assert number == published[theme], (
            f"{place} quotes {number} as the reference for {theme} {report.year}; "
            f"the published reference is {published[theme]}"
            + (" (the total rate)" if number == total_rate.get(theme) else "")
        )
        by_theme.setdefault(theme, set()).add(place)

    # Every kind of place is there: the test would otherwise pass on a report that quotes
    # nothing. The summary and at least one area section quote all crimes; each key finding
    # quotes its theme; each funnel with a published reference quotes it three times.
    places = {p for p, _, _ in found}
    assert "sammanfattning" in by_theme[TOTAL]
    assert any(p.startswith("omrade-") for p in by_theme[TOTAL])
    # A finding that compares with the reference prints it (once) for its own theme.
    findings = report.tree.find("section", id="viktigaste-iakttagelser").find_all(
        "div", class_="finding"
    )
    comparing = [f.attrs["data-theme"] for f in findings if ANCHOR.search(f.text(visible=True))]
    assert len(comparing) >= 3
    finding_quotes = [t for p, t, _ in found if p == "viktigaste-iakttagelser"]
    assert sorted(finding_quotes) == sorted(comparing)
    funnels = 0
    for theme, reference in published.items():
        sid = funnel_id(theme)
        if report.tree.find("section", id=sid) is None:
            continue
        kinds = {p for p in places if p.startswith(sid)} & by_theme.get(theme, set())
        if reference is None:
            assert not kinds, f"{sid}: a hidden reference is quoted"
        else:
            funnels += 1
            assert kinds == {sid, f"{sid} (linjens namn)", f"{sid} (linjen)"}, sid
    assert funnels >= 5
    # The sample puts crimes in Okänt område, so the reference is not the total rate: the
    # test tells the two apart.
    assert published[TOTAL] != total_rate[TOTAL]
