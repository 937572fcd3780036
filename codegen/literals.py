"""Text as Python source: string literals and docstrings, written the way ruff formats them.

The templates (through ``render``'s filters) and the code ``converters`` writes both use
these, so a docstring or a string literal is placed the same way wherever it appears.
"""

from __future__ import annotations

import json


def py_str(text: str) -> str:
    """A Python string literal (double quotes, as ruff format writes it)."""
    return json.dumps(text, ensure_ascii=False)


def docstring_body(text: str) -> str:
    """Escape text for use inside a triple-quoted docstring."""
    text = text.replace("\\", "\\\\")
    if text.endswith('"'):  # a quote right before the closing quotes would end the string early
        text = text[:-1] + '\\"'
    return text.replace('"""', '\\"\\"\\"')


def docstring_literal(text: str, indent: str = "") -> str:
    """``text`` as a docstring placed at ``indent``: one line stays on one line; otherwise the
    lines after the first are indented (blank ones left empty) and the closing quotes go on a
    line of their own."""
    body = docstring_body(text)
    if "\n" not in text:
        return f'"""{body}"""'
    first, *rest = body.split("\n")
    lines = [first, *(indent + line if line else line for line in rest)]
    return '"""' + "\n".join(lines) + "\n" + indent + '"""'
