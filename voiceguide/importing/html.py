"""A saved web page: the recipe's method from its schema.org ``Recipe`` (or ``HowTo``)
JSON-LD when present, else the page's main ordered list; a list under an "Ingredients" or
"You will need" heading is the things to gather. Pure; the standard library's ``html.parser``."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from voiceguide.importing.draft import (
    METHOD_HEADING,
    NEED_HEADING,
    SKIP_HEADING,
    Draft,
    RawStep,
    clean,
    join_sub_steps,
)

_CHROME = {"nav", "header", "footer", "aside", "form", "menu"}
"""Parts of a page that are not its content."""
_HIDDEN = {"script", "style", "template", "noscript", "svg", "head"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_TAG = re.compile(r"<[^>]+>")


@dataclass
class _List:
    tag: str
    heading: str
    chrome: bool
    hint: str
    """Its class and id attributes."""
    items: list[list[str]] = field(default_factory=list)
    """Each item: its text, then its sub-items' texts."""


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.h1 = ""
        self.heading = ""
        self.lists: list[_List] = []
        self.json_ld: list[str] = []
        self._open: list[_List] = []
        self._hidden = 0
        self._chrome = 0
        self._text: list[str] | None = None
        self._capture: str | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "ld+json" in (attributes.get("type") or "").lower():
            self._capture, self._buffer = "json", []
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag in _CHROME:
            self._chrome += 1
        elif tag in _HEADINGS or tag == "title":
            self._capture, self._buffer = tag, []
        elif tag in ("ol", "ul"):
            hint = f"{attributes.get('class') or ''} {attributes.get('id') or ''}"
            self._open.append(_List(tag, self.heading, self._chrome > 0, hint))
        elif tag == "li" and self._open:
            self._open[-1].items.append([""])
        elif tag in ("br", "p", "div") and self._open:
            self._add(" ")

    def handle_endtag(self, tag):
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
            if tag == "script" and self._capture == "json":
                self.json_ld.append("".join(self._buffer))
                self._capture = None
        elif tag in _CHROME:
            self._chrome = max(0, self._chrome - 1)
        elif tag == self._capture:
            text = clean("".join(self._buffer))
            if tag == "title":
                self.title = self.title or text
            else:
                self.heading = text
                self.h1 = self.h1 or (text if tag == "h1" else "")
            self._capture = None
        elif tag in ("ol", "ul") and self._open:
            done = self._open.pop()
            if self._open and self._open[-1].items:  # a nested list: sub-items of its item
                self._open[-1].items[-1].extend(item[0] for item in done.items)
            else:
                self.lists.append(done)

    def handle_data(self, data):
        if self._capture:
            self._buffer.append(data)
        elif self._hidden:
            return
        elif self._open:
            self._add(data)

    def _add(self, data: str) -> None:
        items = self._open[-1].items
        if items:
            items[-1][0] += data


def read_html(text: str) -> Draft:
    page = _Page()
    page.feed(text)
    page.close()
    title = page.h1 or page.title
    draft = _from_json_ld(page.json_ld)
    if draft is not None:
        draft.title = draft.title or title
        return draft
    draft = Draft(title=title, found_in="the page's main ordered list")
    lists = [item for item in page.lists if not item.chrome and item.items]
    gather = [
        item for item in lists if NEED_HEADING.search(item.heading) or "ingredient" in item.hint.lower()
    ]
    draft.items = [clean(text) for item in gather for entry in item.items for text in entry if clean(text)]
    rest = [item for item in lists if item not in gather and not SKIP_HEADING.search(item.heading)]
    ordered = [item for item in rest if item.tag == "ol"] or [
        item for item in rest if METHOD_HEADING.search(item.heading)
    ]
    if ordered:
        main = max(ordered, key=lambda item: sum(len(" ".join(entry)) for entry in item.items))
        draft.found_in = (
            "the page's main ordered list" if main.tag == "ol" else f"the list under '{main.heading}'"
        )
        draft.steps = [RawStep(text=join_sub_steps(entry[0], entry[1:])) for entry in main.items]
    return draft


def _from_json_ld(blocks: list[str]) -> Draft | None:
    """The first schema.org Recipe or HowTo with instructions, as a draft; None without one."""
    for block in blocks:
        try:
            data = json.loads(block.strip().removeprefix("<!--").removesuffix("-->"))
        except (json.JSONDecodeError, ValueError):
            continue
        for thing in _things(data):
            kinds = thing.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if not {"Recipe", "HowTo"} & set(map(str, kinds)):
                continue
            method = thing.get("recipeInstructions") or thing.get("step")
            if not method:
                continue
            draft = Draft(title=_plain(thing.get("name")), found_in=f"the page's schema.org {kinds[0]} data")
            draft.steps = list(_steps(method, None))
            needs = thing.get("recipeIngredient") or [
                *_as_list(thing.get("supply")),
                *_as_list(thing.get("tool")),
            ]
            draft.items = [_plain(_name_of(need)) for need in _as_list(needs) if _plain(_name_of(need))]
            if draft.steps:
                return draft
    return None


def _things(data):
    """Every mapping in a JSON-LD document (top level, lists, ``@graph``)."""
    if isinstance(data, list):
        for entry in data:
            yield from _things(entry)
    elif isinstance(data, dict):
        yield data
        yield from _things(data.get("@graph", []))


def _steps(method, section: str | None):
    if isinstance(method, str):
        for line in re.split(r"\n+|<br\s*/?>|</p>", method):
            if _plain(line):
                yield RawStep(text=_plain(line), section=section)
        return
    for entry in _as_list(method):
        if isinstance(entry, str):
            yield from _steps(entry, section)
        elif isinstance(entry, dict) and "itemListElement" in entry:  # a HowToSection
            yield from _steps(entry["itemListElement"], _plain(entry.get("name")) or section)
        elif isinstance(entry, dict):
            text = _plain(entry.get("text") or entry.get("description") or entry.get("name"))
            name = _plain(entry.get("name"))
            if text:
                yield RawStep(text=text, title=name if name and name != text else None, section=section)


def _name_of(value):
    return value.get("name") if isinstance(value, dict) else value


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _plain(value) -> str:
    return clean(html.unescape(_TAG.sub(" ", str(value)))) if value else ""
