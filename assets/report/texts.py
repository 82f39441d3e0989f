"""The municipality's own text in the report: one section per file of ``texter/``.

The data can't show the consequences of crime or planned construction; the law asks for both
(domain.md §2, items 4 and 5). Each section shows the coordinator's screened Markdown, or,
where the file is missing, a short prompt saying what the law expects there and which file to
write. Markdown becomes HTML with raw HTML escaped (never passed through), no images (the
report loads nothing), and headings one level below the section's own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markupsafe import Markup

from assets.report.document import Section


@dataclass(frozen=True)
class OwnText:
    id: str
    title: str
    file: str
    prompt: str


SECTIONS = {
    "inledning": OwnText(
        "inledning",
        "Inledning",
        "texter/inledning.md",
        "Här kan kommunen skriva en inledning: varför lägesbilden tas fram, vem som har tagit "
        "fram den tillsammans med polisen och hur rådet ska använda den.",
    ),
    "konsekvenser": OwnText(
        "konsekvenser",
        "Brottslighetens konsekvenser",
        "texter/konsekvenser.md",
        "Lagen (2023:196, 4 § p. 1) kräver att lägesbilden beskriver brottslighetens "
        "konsekvenser. Data visar dem bara delvis (orosanmälningar och områdesteamens "
        "bedömningar). Beskriv här till exempel otrygghet, skador och kostnader, och hur "
        "brotten påverkar boende, barn, skolor och företag.",
    ),
    "annan-information": OwnText(
        "annan-information",
        "Annan information av betydelse",
        "texter/annan-information.md",
        "Lagen (4 § p. 2) kräver annan information av betydelse för lägesbilden. Brå föreslår "
        "till exempel planerat byggande, nyetableringar, ändrade verksamheter och större "
        "evenemang: sådant som data om brott inte visar.",
    ),
}

#: The section's own heading level: the file's highest heading ('#' or '##') becomes h3.
SECTION_LEVEL = 2


def _markdown() -> MarkdownIt:
    # "html": False escapes raw HTML; markdown-it's link check already drops javascript:,
    # vbscript:, file: and data: links. Images are off: the report loads nothing from outside.
    return MarkdownIt("commonmark", {"html": False}).disable("image")


def markdown_html(text: str, level: int = SECTION_LEVEL) -> Markup:
    """Markdown as safe HTML, its highest heading at h``level + 1`` and the rest below it."""
    md = _markdown()
    tokens = md.parse(text)
    headings = [t for t in tokens if t.type in ("heading_open", "heading_close")]
    if headings:
        shift = level + 1 - min(int(t.tag[1]) for t in headings)
        for token in headings:
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
    return Markup(md.renderer.render(tokens, md.options, {}))  # escaped by markdown-it


def own_text_section(name: str, texts: Mapping[str, str]) -> Section:
    """The section for ``texter/<name>.md``: its text, or the prompt when there is none."""
    spec = SECTIONS[name]
    section = Section(spec.id, spec.title)
    text = texts.get(name, "").strip()
    if text:
        section.html(markdown_html(text))
        section.p(f"Text från kommunen ({spec.file}).", css="own-text-source")
    else:
        section.note(
            Markup("{} <em>Texten saknas: lägg den i filen {} i rådatamappen.</em>").format(
                spec.prompt, spec.file
            )
        )
    return section
