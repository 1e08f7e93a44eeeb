"""Rendered report pages read back: the HTML as a tree, each table's cells by column, with the
raw values the renderer writes in `data-value` (so figures compare exactly, not as formatted text)."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"meta", "img", "br", "hr", "link", "input", "col", "source", "wbr"}


class Element:
    def __init__(self, tag: str, attrs: list[tuple[str, str | None]]):
        self.tag, self.attrs, self.children = tag, dict(attrs), []

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)

    def find_all(self, tag: str | None = None, **attrs: str | None) -> list[Element]:
        """Elements with that tag and attributes (`data_value` for data-value; None: present, any value)."""
        wanted = {name.replace("_", "-"): value for name, value in attrs.items()}
        return [
            element
            for element in self.iter()
            if (tag is None or element.tag == tag)
            and all(name in element.attrs and value in (None, element.attrs[name]) for name, value in wanted.items())
        ]

    def find(self, tag: str | None = None, **attrs: str | None) -> Element:
        (element,) = self.find_all(tag, **attrs)
        return element


class Page(HTMLParser):
    """The page as a tree of elements, and every start tag seen (to prove no <script> got through)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = Element("document", [])
        self.stack = [self.root]
        self.tags: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs)
        self.stack[-1].children.append(element)
        self.tags.append(tag)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, attrs))
        self.tags.append(tag)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def section_element(page: Page, title: str) -> Element:
    (element,) = [div for div in page.root.find_all("div", data_kind=None) if div.find("h2").text() == title]
    return element


def table_rows(page: Page, title: str) -> list[dict[str, Element]]:
    """Each body row of the table for that section, as column name -> cell."""
    table = page.root.find("table", data_section=title)
    rows = [
        {cell.attrs["data-column"]: cell for cell in tr.find_all("td", data_column=None)} for tr in table.find_all("tr")
    ]
    return [row for row in rows if row]
