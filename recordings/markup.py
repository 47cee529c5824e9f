"""A tiny, safe text format for the guideline, written by the organisation admin.

    ## Overskrift          a heading ("### " for a smaller one)
    - punkt                a bullet list ("* " works too)
    **fed**                bold text inside a line
    blank line             a new paragraph; a single line break stays a line break

Nothing else is markup: every other character is text, and `to_html` escapes it, so no
tag, attribute, link or script the admin types can ever reach a page or a PDF. `parse`
gives the same structure as plain data for the live suggestion (the browser builds it
with textContent).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_BOLD_RE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_HEADING_RE = re.compile(r"^(#{2,3})\s+(.*)$")
_BULLET_RE = re.compile(r"^[-*]\s+(.*)$")


@dataclass
class Block:
    kind: str  # "heading", "paragraph" or "list"
    level: int = 0  # headings: 2 for "## ", 3 for "### "
    lines: list[str] = field(default_factory=list)  # paragraph lines, list items, or the heading text


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    current: Block | None = None
    for raw in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            current = None
            continue
        if heading := _HEADING_RE.match(line):
            blocks.append(Block("heading", level=len(heading[1]), lines=[heading[2].strip()]))
            current = None
        elif bullet := _BULLET_RE.match(line):
            if current is None or current.kind != "list":
                current = Block("list")
                blocks.append(current)
            current.lines.append(bullet[1].strip())
        else:
            if current is None or current.kind != "paragraph":
                current = Block("paragraph")
                blocks.append(current)
            current.lines.append(line)
    return blocks


def segments(line: str) -> list[tuple[bool, str]]:
    """A line as (bold, text) pieces."""
    pieces: list[tuple[bool, str]] = []
    last = 0
    for match in _BOLD_RE.finditer(line):
        if match.start() > last:
            pieces.append((False, line[last : match.start()]))
        pieces.append((True, match[1]))
        last = match.end()
    if last < len(line):
        pieces.append((False, line[last:]))
    return pieces


def _inline(line: str) -> str:
    return "".join(f"<strong>{escape(text)}</strong>" if bold else escape(text) for bold, text in segments(line))


def to_html(text: str, *, heading_level: int = 2) -> SafeString:
    """HTML for the text; "## " becomes <h{heading_level}>, "### " the level below it."""
    out: list[str] = []
    for block in parse(text):
        if block.kind == "heading":
            level = min(6, heading_level + block.level - 2)
            out.append(f"<h{level}>{_inline(block.lines[0])}</h{level}>")
        elif block.kind == "list":
            out.append("<ul>" + "".join(f"<li>{_inline(item)}</li>" for item in block.lines) + "</ul>")
        else:
            out.append("<p>" + "<br>".join(_inline(line) for line in block.lines) + "</p>")
    return mark_safe("\n".join(out))  # noqa: S308 - every piece of text above is escaped


def to_data(text: str) -> list[dict]:
    """The same structure as JSON-ready data: [{"kind", "level", "lines": [[[bold, text], …], …]}]."""
    return [
        {
            "kind": block.kind,
            "level": block.level,
            "lines": [[[bold, piece] for bold, piece in segments(line)] for line in block.lines],
        }
        for block in parse(text)
    ]
