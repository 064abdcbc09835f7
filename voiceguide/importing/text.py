"""Plain text and Markdown (and the text of a PDF): numbered or bulleted lists are steps,
indented or lettered items under a step are its sub-steps, headings are sections, and a list
under "Ingredients" or "You will need" is the things to gather. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from voiceguide.importing.draft import (
    METHOD_HEADING,
    NEED_HEADING,
    SKIP_HEADING,
    Draft,
    RawStep,
    clean,
    join_sub_steps,
)

_ITEM = re.compile(
    r"^(?P<indent>\s*)(?:(?P<num>\d{1,3})[.)]|(?P<letter>[a-z])[.)]|(?P<bullet>[-*+•·▪–])|"
    r"step\s+(?P<stepnum>\d{1,3})\s*[:.)-]?)\s+(?P<text>\S.*)$",
    re.IGNORECASE,
)
_HEADING = re.compile(r"^\s{0,3}(?P<marks>#{1,6})\s+(?P<text>.+?)\s*#*\s*$")
_UNDERLINE = re.compile(r"^\s*(=+|-{3,})\s*$")
_PAGE_LINE = re.compile(r"^\s*(?:page\s+)?\d+(?:\s*(?:of|/)\s*\d+)?\s*$", re.IGNORECASE)
_BOLD_LEAD = re.compile(r"^(?:\*\*|__)(?P<lead>.+?)(?:\*\*|__)\s*[:.–-]?\s*(?P<rest>.*)$")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")
_TAG = re.compile(r"<[^>]+>")


@dataclass
class _Item:
    kind: str
    indent: int
    text: str
    section: str | None
    need: bool
    skip: bool
    subs: list[str] = field(default_factory=list)
    in_sub: bool = False
    """Lines that follow continue its last sub-step."""

    def continue_with(self, line: str) -> None:
        if self.in_sub:
            self.subs[-1] = f"{self.subs[-1]} {line}"
        else:
            self.text = f"{self.text} {line}"


def inline(text: str) -> str:
    """Markdown inline marks removed: links keep their text, images go, emphasis and code
    marks go."""
    text = _LINK.sub(lambda m: m.group(1) if not m.group(0).startswith("!") else "", text)
    text = _TAG.sub("", text)
    return _EMPHASIS.sub(lambda m: m.group(2), text).strip()


def read_text(text: str) -> Draft:
    """Steps, things to gather and the title of a plain-text or Markdown document."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").split("\n")
    title = None
    where = _Where()
    items: list[_Item] = []
    current: _Item | None = None
    blank = True
    for raw in lines:
        line = raw.expandtabs(4)
        stripped = line.strip()
        if not stripped or _UNDERLINE.match(stripped) or _PAGE_LINE.match(stripped):
            blank = blank or not stripped or bool(_UNDERLINE.match(stripped))
            continue
        match = _ITEM.match(line)
        heading = _HEADING.match(stripped)
        if heading:
            name = inline(heading.group("text"))
            if title is None and not items and len(heading.group("marks")) == 1:
                title = name
            else:
                where.enter(name)
            current, blank = None, True
            continue
        if match:
            current = _add(items, match, where)
        elif current is not None and (line[:1].isspace() or not (blank or _ends_list(current, stripped))):
            current.continue_with(stripped)
        elif (
            where.need
            and not where.listed
            and not stripped.endswith(":")
            and not METHOD_HEADING.search(stripped)
        ):
            current = None  # one thing to gather a line, without a bullet ("200 g flour")
            items.append(_Item("bullet", 0, stripped, where.section, need=True, skip=False))
        else:
            current = None
            if _is_heading(stripped):
                name = inline(stripped.rstrip(":"))
                if title is None and not items and not stripped.endswith(":"):
                    title = name
                else:
                    where.enter(name)
        blank = False
    return _draft(title, items)


@dataclass
class _Where:
    """The heading in force, and what kind of list it heads."""

    section: str | None = None
    need: bool = False
    skip: bool = False
    listed: bool = False
    """A list item was seen under it (so plain lines there are not things to gather)."""

    def enter(self, heading: str) -> None:
        self.section = heading
        self.listed = False
        self.need = bool(NEED_HEADING.search(heading))
        self.skip = bool(SKIP_HEADING.search(heading))


def _add(items: list[_Item], match: re.Match, where: _Where) -> _Item | None:
    """A list item: a new item, or a sub-step of the item above (deeper, or lettered under a
    number). Returns the item that later lines continue."""
    where.listed = True
    kind = (
        "num"
        if match.group("num") or match.group("stepnum")
        else "letter"
        if match.group("letter")
        else "bullet"
    )
    indent = len(match.group("indent"))
    text = match.group("text").strip()
    top = _top(items)
    if (
        top is not None
        and top.section == where.section
        and (indent > top.indent or (kind == "letter" and top.kind == "num"))
    ):
        top.subs.append(text)
        top.in_sub = True
        return top
    item = _Item(kind, indent, text, where.section, where.need, where.skip)
    items.append(item)
    return item


def _ends_list(item: _Item, line: str) -> bool:
    """True when ``line``, right under a list item with no blank line between (as a PDF's text
    has), is a heading rather than the item's next line: a short capitalised line without a
    full stop, after an item that is complete (a sentence end, or a short entry)."""
    complete = item.text[-1:] in ".!?:" or len(item.text.split()) <= 6
    return complete and line[:1].isupper() and len(line.split()) <= 5 and line[-1] not in ".,;"


def _is_heading(line: str) -> bool:
    """A short line on its own that names what follows ("Method", "You will need:")."""
    return len(line.split()) <= 8 and (line.endswith(":") or line[-1] not in ".!?,;")


def _top(items: list[_Item]) -> _Item | None:
    """The item the next deeper item belongs to: the last one at the outermost indent."""
    return items[-1] if items else None


def _draft(title: str | None, items: list[_Item]) -> Draft:
    draft = Draft(title=title)
    gather = [i for i in items if i.need]
    draft.items = [inline(i.text) for i in gather] + [inline(s) for i in gather for s in i.subs]
    rest = [i for i in items if not i.need and not i.skip]
    numbered = [i for i in rest if i.kind == "num"]
    chosen = numbered or [i for i in rest if i.kind == "bullet"]
    draft.found_in = "a numbered list" if numbered else "a bulleted list"
    for item in chosen:
        lead = _BOLD_LEAD.match(item.text)
        name = inline(lead.group("lead")).rstrip(".:") if lead and lead.group("rest") else None
        body = lead.group("rest") if name else item.text
        text = join_sub_steps(inline(body), [inline(sub) for sub in item.subs])
        if name and not text:
            text, name = clean(name), None
        draft.steps.append(RawStep(text=text, title=name, section=item.section))
    return draft
