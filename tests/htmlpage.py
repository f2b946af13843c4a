"""A small HTML reader for tests: find elements by id, tag or attribute, read their text.

Tests assert what a user (or a screen reader) meets: a message in the element a
field points to with aria-describedby, the value a field still holds.
"""
from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Element | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element | str] = []

    def get(self, name: str, default=None):
        value = self.attrs.get(name, default)
        return "" if value is None and name in self.attrs else value

    @property
    def text(self) -> str:
        parts = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text)
        return " ".join(" ".join(parts).split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs) -> list[Element]:
        found = []
        for el in self.iter():
            if tag and el.tag != tag:
                continue
            if all(el.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items()):
                found.append(el)
        return found

    def find(self, tag: str | None = None, **attrs) -> Element | None:
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        el = Element(tag, dict(attrs), self.current)
        self.current.children.append(el)
        if tag not in VOID:
            self.current = el

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


class Page:
    def __init__(self, html: str):
        builder = _Builder()
        builder.feed(html)
        self.html = html
        self.root = builder.root

    def by_id(self, element_id: str) -> Element | None:
        return self.root.find(id=element_id)

    def find(self, tag=None, **attrs):
        return self.root.find(tag, **attrs)

    def find_all(self, tag=None, **attrs):
        return self.root.find_all(tag, **attrs)

    @property
    def text(self) -> str:
        return self.root.text

    def described_by(self, element: Element) -> str:
        """The text a screen reader reads as the element's description (aria-describedby)."""
        ids = (element.get("aria-describedby") or "").split()
        return " ".join(self.by_id(i).text for i in ids if self.by_id(i) is not None)

    def error_for(self, field_id: str) -> str:
        """The error message linked to a field: on the input itself, or on the fieldset around a radio group."""
        field = self.by_id(field_id)
        assert field is not None, f"no element with id {field_id!r}"
        holders = [field] + [a for a in field.ancestors() if a.tag == "fieldset"]
        texts = [self.described_by(h) for h in holders]
        return " ".join(t for t in texts if t)
