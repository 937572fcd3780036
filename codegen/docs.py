"""The model's HTML documentation as plain text for docstrings.

The text is Markdown-flavoured (``code``, ``- `` list items, ``[text](url)`` links) so it reads
well in an editor, in ``help()`` and in a rendered API reference alike.
"""

from __future__ import annotations

import re
import textwrap
from functools import lru_cache

import html2text

WIDTH = 88


def _converter() -> html2text.HTML2Text:
    h = html2text.HTML2Text()
    h.body_width = 0  # we wrap ourselves, keeping list indentation and long URLs intact
    h.ignore_emphasis = True
    h.ignore_images = True
    h.ul_item_mark = "-"
    h.use_automatic_links = True
    h.unicode_snob = True
    return h


# <note> and <important> are AWS-specific: html2text would drop the tags and their meaning.
_ADMONITION = re.compile(r"<(note|important)>\s*(?:<p>)?", re.IGNORECASE)
_CLOSE_ADMONITION = re.compile(r"</(note|important)>", re.IGNORECASE)


@lru_cache(maxsize=4096)
def html_to_text(html: str | None, width: int = WIDTH) -> str:
    """Convert model documentation (HTML) into wrapped plain text; ``""`` when there is none."""
    if not html or not html.strip():
        return ""
    html = _ADMONITION.sub(lambda m: f"<p>{m.group(1).capitalize()}: ", html)
    html = _CLOSE_ADMONITION.sub("", html)
    text = _converter().handle(html)
    # html2text escapes Markdown-significant characters (`\-`, `1\.`); plain text wants none.
    text = re.sub(r"(?<!\\)\\([-+.])(?=\s)", r"\1", text)
    lines = [re.sub(r"(?<=\S) {2,}", " ", line.rstrip()) for line in text.splitlines()]
    text = "\n".join(lines)
    # html2text separates list items with blank lines; a list reads better packed.
    packed = None
    while packed != text:
        packed, text = text, re.sub(r"(?m)^( *- [^\n]*)\n\n(?= *- )", r"\1\n", text)
    text = textwrap.dedent(re.sub(r"\n{3,}", "\n\n", text).strip("\n")).rstrip()
    return _wrap(text, width)


def _wrap(text: str, width: int) -> str:
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        bullet = re.match(r"([-*] |\d+\. )", stripped)
        sub = indent + (" " * len(bullet.group(1)) if bullet else "")
        out.extend(
            textwrap.wrap(
                stripped,
                width=width,
                initial_indent=indent,
                subsequent_indent=sub,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(out)


def docstring_body(text: str) -> str:
    """Escape text for use inside a triple-quoted docstring."""
    text = text.replace("\\", "\\\\")
    if text.endswith('"'):  # a quote right before the closing quotes would end the string early
        text = text[:-1] + '\\"'
    return text.replace('"""', '\\"\\"\\"')
