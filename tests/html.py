"""Read pages the way a person or a browser does: as parsed HTML, found by data-* hooks, ids,
names and roles, never by matching markup strings (a class rename must not break a test).

Built on the standard library's html.parser, so the tests need no extra package: the portal's
templates are well-formed (every element is closed), which is all this small tree builder needs.
"""
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    """One element of a parsed page: tag, attributes, children; text and lookups below it."""

    def __init__(self, tag: str, attrs: dict[str, str], parent: "Element | None" = None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element | str] = []

    def __getitem__(self, name: str) -> str:
        return self.attrs[name]

    def get(self, name: str, default=None):
        return self.attrs.get(name, default)

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"

    @property
    def text(self) -> str:
        """The visible text, white space folded as a browser shows it."""
        return " ".join(self._raw_text(False).split())

    @property
    def spoken(self) -> str:
        """The text a screen reader reads: without aria-hidden parts (symbols beside words)."""
        return " ".join(self._raw_text(True).split())

    def _raw_text(self, spoken: bool) -> str:
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag in ("script", "style") or (spoken and child.get("aria-hidden") == "true"):
                continue
            elif child.tag in BLOCKS:
                parts.append(f" {child._raw_text(spoken)} ")
            else:
                parts.append(child._raw_text(spoken))
        return "".join(parts)

    def iter(self):
        """Every element below this one, in document order."""
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, text: str | None = None, **attrs) -> list["Element"]:
        """Elements below this one with that tag and attributes (data_x=… means data-x=…;
        True means "present with any value"); `text` must be part of the element's text."""
        wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        return [element for element in self.iter()
                if (tag is None or element.tag == tag) and element._has(wanted)
                and (text is None or text in element.text)]

    def find(self, tag: str | None = None, **attrs) -> "Element | None":
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def one(self, tag: str | None = None, **attrs) -> "Element":
        """The single element that matches; anything else fails the test with what was asked."""
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, f"expected one {tag or 'element'} with {attrs}, found {len(found)}"
        return found[0]

    def _has(self, wanted: dict) -> bool:
        for name, value in wanted.items():
            if value is True:
                if name not in self.attrs:
                    return False
            elif self.attrs.get(name) != str(value):
                return False
        return True

    def field_value(self, name: str) -> str | None:
        """What a form control below this one holds: an input's value, a textarea's text, the
        selected option of a select."""
        control = self.one(name=name)
        if control.tag == "textarea":
            return "".join(child for child in control.children if isinstance(child, str)).lstrip("\n")
        if control.tag == "select":
            chosen = control.find("option", selected=True) or control.find("option")
            return None if chosen is None else chosen.get("value", chosen.text)
        return control.get("value")

    def links(self) -> list[str]:
        return [a["href"] for a in self.find_all("a", href=True)]


BLOCKS = {"p", "div", "li", "tr", "td", "th", "dt", "dd", "br", "section", "h1", "h2", "h3", "table",
          "ul", "ol", "nav", "form", "fieldset", "label", "option", "details", "summary", "caption"}


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: "" if value is None else value for name, value in attrs}, self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(
            Element(tag, {name: "" if value is None else value for name, value in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:  # a stray end tag closes nothing
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str | bytes) -> Element:
    """The page as a tree of elements (the document itself is the root)."""
    builder = _TreeBuilder()
    builder.feed(html.decode() if isinstance(html, bytes) else html)
    builder.close()
    return builder.root


def page(response) -> Element:
    """A test client response, parsed."""
    return parse(response.get_data(as_text=True))


def field_errors(page: Element) -> list[str]:
    """The messages shown beside form fields (each has the id "<field>-error" or "error-<key>")."""
    return [element.text for element in page.find_all(id=True)
            if element["id"].endswith("-error") or element["id"].startswith("error-")]


def get(client, url: str, **kwargs) -> Element:
    """GET a page with a test client and parse it."""
    return page(client.get(url, **kwargs))
