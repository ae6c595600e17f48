"""Read a written report the way the tests need: elements, headings, sections' text, inline SVG charts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"meta", "br", "img", "input", "link", "hr", "wbr", "source", "area", "base", "col", "embed", "track"}
SVG_NS = "{http://www.w3.org/2000/svg}"


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    section: str | None
    text: list[str] = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.section_text: dict[str, list[str]] = {}  # text inside each element that has an id
        self._sections: list[str] = []
        self._open: list[tuple[str, Element]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "section" and attributes.get("id"):
            self._sections.append(str(attributes["id"]))
            self.section_text.setdefault(self._sections[-1], [])
        element = Element(tag, attributes, self._sections[-1] if self._sections else None)
        self.elements.append(element)
        if tag not in VOID:
            self._open.append((tag, element))
            if attributes.get("id"):
                self.section_text.setdefault(str(attributes["id"]), [])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, dict(attrs), self._sections[-1] if self._sections else None))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break
        if tag == "section" and self._sections:
            self._sections.pop()

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][1].text.append(data)
        for _, element in self._open:
            if element.attrs.get("id"):
                self.section_text[str(element.attrs["id"])].append(data)


@dataclass
class Report:
    html: str
    elements: list[Element]
    section_text: dict[str, str]

    def find(self, tag: str, section: str | None = None) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and (section is None or e.section == section)]

    def text_of(self, element_id: str) -> str:
        """All text inside the element with this id (a section, a card), whitespace collapsed."""
        return " ".join(self.section_text[element_id].split())

    def headings(self) -> list[tuple[int, str]]:
        return [(int(e.tag[1]), "".join(e.text).strip()) for e in self.elements if re.fullmatch(r"h[1-6]", e.tag)]

    def svgs(self, section: str | None = None) -> list[ET.Element]:
        """Every inline chart parsed as XML: a chart that is not well-formed XML fails here."""
        fragments = re.findall(r"<svg\b.*?</svg>", self.html, flags=re.S)
        charts = [ET.fromstring(fragment) for fragment in fragments]
        if section is None:
            return charts
        in_section = [e for e in self.elements if e.tag == "svg"]
        return [chart for chart, element in zip(charts, in_section, strict=True) if element.section == section]

    def paragraph(self) -> str:
        lede = [e for e in self.elements if e.tag == "p" and e.attrs.get("class") == "lede"]
        return "".join(lede[0].text)


def parse_report(html: str) -> Report:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return Report(html, collector.elements, {k: " ".join(v) for k, v in collector.section_text.items()})


def svg_texts(chart: ET.Element) -> list[str]:
    """The visible text of a chart (its <text> elements), in document order."""
    return ["".join(node.itertext()) for node in chart.iter(f"{SVG_NS}text")]
