"""The report as a tree of sections and blocks, rendered by one recursive template macro.

A :class:`Section` becomes ``<section aria-labelledby>`` with a heading one level below its
parent's (h2 for the top level), so the heading order is right by construction. Blocks are
paragraphs, notes, lists, tables and charts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from assets.report.figures import Chart
from assets.report.tables import Table


@dataclass
class Block:
    #: 'p' paragraph, 'note' highlighted note, 'ul'/'ol' list, 'table', 'chart', 'html'.
    kind: str
    content: object
    css: str = ""


@dataclass
class Section:
    id: str
    title: str
    children: list[Block | Section] = field(default_factory=list)
    #: Listed in the table of contents (top-level sections always are).
    in_toc: bool = True
    css: str = ""

    def p(self, text: Markup | str, css: str = "") -> Section:
        self.children.append(Block("p", text, css))
        return self

    def note(self, text: Markup | str) -> Section:
        self.children.append(Block("note", text))
        return self

    def ul(self, items: list[Markup | str], ordered: bool = False) -> Section:
        if items:
            self.children.append(Block("ol" if ordered else "ul", items))
        return self

    def table(self, table: Table | None) -> Section:
        if table is not None and (table.rows or table.foot):
            self.children.append(Block("table", table))
        return self

    def chart(self, chart: Chart | None) -> Section:
        if chart is not None:
            self.children.append(Block("chart", chart))
        return self

    def html(self, markup: Markup) -> Section:
        self.children.append(Block("html", markup))
        return self

    def sub(self, section: Section) -> Section:
        self.children.append(section)
        return section

    def charts(self) -> list[Chart]:
        out = []
        for child in self.children:
            if isinstance(child, Section):
                out.extend(child.charts())
            elif child.kind == "chart":
                out.append(child.content)  # type: ignore[arg-type]
        return out

    def subsections(self) -> list[Section]:
        return [c for c in self.children if isinstance(c, Section)]
