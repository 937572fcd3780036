"""The model's HTML documentation as docstring text."""

from __future__ import annotations

import ast
import re
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from codegen import ir, render
from codegen.docs import WIDTH, html_to_text
from codegen.literals import docstring_body
from codegen.naming import operation_name
from tests.codegen.support import REPO, Generated, attribute_docs, import_generated

SRC = REPO / "src" / "aiocognito"

# Something that looks like an HTML tag: `<p>`, `</code>`, `<a href="...">`, but also the
# placeholders the docs legitimately contain as text (`&lt;region&gt;` in the HTML).
TAG = re.compile(r"<[a-zA-Z/][^>]*>")
ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")


# --- single conversions ------------------------------------------------------------------------


def test_empty() -> None:
    assert html_to_text(None) == ""
    assert html_to_text("") == ""
    assert html_to_text("  \n ") == ""
    assert html_to_text("<p></p>") == ""


def test_plain_text_passes_through() -> None:
    assert html_to_text("Just text.") == "Just text."


def test_paragraphs() -> None:
    assert html_to_text("<p>One.</p> <p>Two.</p>") == "One.\n\nTwo."


def test_code() -> None:
    assert (
        html_to_text("<p>Set <code>USER_PASSWORD_AUTH</code>.</p>") == "Set `USER_PASSWORD_AUTH`."
    )


def test_links_keep_their_url() -> None:
    url = "https://docs.aws.amazon.com/cognito/latest/developerguide/signing-in.html"
    text = html_to_text(f'<p>See <a href="{url}">Signing in</a>.</p>')
    assert " ".join(text.split()) == f"See [Signing in]({url})."  # wrapping may split the text
    assert any(f"({url})" in line for line in text.splitlines())  # never the URL
    assert html_to_text(f'<p>See <a href="{url}">{url}</a>.</p>') == f"See <{url}>."


def test_long_urls_are_never_broken() -> None:
    url = "https://docs.aws.amazon.com/cognito/latest/developerguide/" + "x" * 120 + ".html#anchor"
    text = html_to_text(f'<p>{"Some words here. " * 8}<a href="{url}">the guide</a> and more.</p>')
    assert any(url in line for line in text.splitlines())


def test_wrapping() -> None:
    text = html_to_text("<p>" + "word " * 100 + "</p>")
    lines = text.splitlines()
    assert len(lines) > 1
    assert all(len(line) <= WIDTH for line in lines)
    assert " ".join(lines).split() == ["word"] * 100


def test_unordered_list() -> None:
    text = html_to_text("<p>Flows:</p> <ul> <li> <p>one</p> </li> <li> <p>two</p> </li> </ul>")
    assert text.splitlines()[0] == "Flows:"
    items = [line.strip() for line in text.splitlines()[1:] if line.strip()]
    assert items == ["- one", "- two"]
    assert "\n\n" not in text.split("Flows:", 1)[1].strip()  # items packed together


def test_ordered_list() -> None:
    text = html_to_text("<p>Steps:</p><ol><li>one</li><li>two</li></ol>")
    items = [line.strip() for line in text.splitlines()[1:] if line.strip()]
    assert items == ["1. one", "2. two"]


def test_list_at_the_start_is_consistent() -> None:
    text = html_to_text("<ul><li><p>one</p></li><li><p>two</p></li></ul>")
    assert text.splitlines() == ["- one", "- two"]


def test_long_list_items_are_indented_under_their_bullet() -> None:
    text = html_to_text("<p>Intro</p><ul><li>" + "long " * 40 + "</li></ul>")
    lines = [line for line in text.splitlines()[1:] if line.strip()]
    bullet = lines[0].index("- ")
    assert all(line.startswith(" " * (bullet + 2)) for line in lines[1:])


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<note><p>Be careful.</p></note>", "Note: Be careful."),
        ("<note> <p>Spaced.</p> </note>", "Note: Spaced."),
        ("<note>Bare.</note>", "Note: Bare."),
        ("<important><p>Very.</p></important>", "Important: Very."),
        (
            "<p>Before.</p><note><p>Mind.</p></note><p>After.</p>",
            "Before.\n\nNote: Mind.\n\nAfter.",
        ),
    ],
)
def test_admonitions(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


def test_emphasis_keeps_the_words() -> None:
    assert html_to_text("<p><b>bold</b> and <i>italic</i></p>") == "bold and italic"


def test_definition_lists() -> None:
    assert html_to_text("<dl> <dt>Term</dt> <dd> <p>Definition.</p> </dd> </dl>") == (
        "Term\n\nDefinition."
    )


def test_entities_are_decoded() -> None:
    text = html_to_text(
        "<p><code>https://cognito-idp.&lt;region&gt;.amazonaws.com</code> &amp; more</p>"
    )
    assert text == "`https://cognito-idp.<region>.amazonaws.com` & more"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p><code>ON</code> - MFA is on.</p>", "`ON` - MFA is on."),
        ("<p>1. is not a list here</p>", "1. is not a list here"),
    ],
)
def test_no_markdown_escapes(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


# --- escaping into docstrings ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'Triple """quotes""" inside',
        '"""',
        '""""',
        'ends with a quote"',
        '"starts with a quote',
        "a back\\slash",
        "ends with a backslash\\",
        "pattern `[\\w+]+` and \\n that is not a newline",
        "\\N{BULLET} is not a bullet",
        "tab\tand unicode é — ✓",
    ],
)
def test_docstring_body_round_trips(text: str) -> None:
    source = '"""' + docstring_body(text) + '\n"""'
    assert ast.literal_eval(source) == text + "\n"


_DOC_TEXT = st.text(
    alphabet=st.sampled_from([*"ab \"'\\\n`<>{}%#-*.", "é", "—"]),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(_DOC_TEXT)
def test_docstring_macro_renders_valid_python(text: str) -> None:
    """Through the real macro, any text becomes a class docstring that reads back the same."""
    env = render.environment()
    template = env.from_string(
        '{% import "_macros.j2" as m %}class C:\n    {{ m.docstring(text, "    ") }}\n'
    )
    source = template.render(text=text)
    namespace: dict[str, Any] = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    doc = namespace["C"].__doc__ or ""
    if "\n" not in text:
        # One line: the closing quotes stay on the same line.
        assert doc == text
    else:
        lines = doc.split("\n")
        # The macro indents continuation lines and ends with a newline plus indentation.
        restored = "\n".join([lines[0]] + [line.removeprefix("    ") for line in lines[1:]])
        assert restored.rstrip(" ") == text + "\n"


# --- the real models ---------------------------------------------------------------------------


class _Text(HTMLParser):
    """Text content of model HTML, plus the autolinks html2text writes as `<url>`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _literal_tags(html: str) -> set[str]:
    """Tag-like strings the documentation means literally (escaped text, or autolinked URLs)."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    return set(TAG.findall(text)) | {f"<{href}>" for href in parser.hrefs}


def _model_docs(node: Any) -> list[str]:
    out: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "documentation" and isinstance(value, str):
                out.append(value)
            else:
                out += _model_docs(value)
    elif isinstance(node, list):
        for value in node:
            out += _model_docs(value)
    return out


def _ir_docs(service: ir.Service) -> list[str]:
    docs = [service.doc, getattr(service, "client_doc", "")]
    for op in service.operations:
        docs += [op.doc, getattr(op, "method_doc", "")]
    for struct in service.structures.values():
        docs.append(struct.doc)
        docs += [m.doc for m in struct.members]
    docs += [e.doc for e in service.enums.values()]
    for error in service.errors:
        docs.append(error.doc)
        docs += [m.doc for m in error.members]
    docs += [a.doc for a in service.aliases]
    return [d for d in docs if d]


@pytest.fixture(scope="module", params=["current", "2022-12-12"])
def model(request: pytest.FixtureRequest) -> dict[str, Any]:
    fixture = "current_model" if request.param == "current" else "old_model"
    result: dict[str, Any] = request.getfixturevalue(fixture)
    return result


def test_no_html_left_in_any_conversion(model: dict[str, Any]) -> None:
    """Each documentation string, converted, has no tag but those its text means literally.

    A plain `<[a-zA-Z/][^>]*>` scan is not enough: the docs contain placeholders such as
    `&lt;region&gt;` or `Test User &lt;testuser@example.com&gt;`, which are text, and
    html2text writes a link whose text is its URL as `<https://...>`. So every tag-like match
    in the output must appear in the text content of the source HTML (entities decoded) or be
    an autolinked href; anything else is markup that leaked through.
    """
    docs = _model_docs(model)
    assert docs
    leaks: list[str] = []
    for html in docs:
        text = html_to_text(html)
        leftover = set(TAG.findall(text)) - _literal_tags(html)
        if leftover:
            leaks.append(f"{sorted(leftover)} in {html[:120]!r}")
    assert not leaks, "\n".join(leaks[:20])


def test_no_html_left_in_ir_docs(model: dict[str, Any]) -> None:
    """The same over the IR (docs composed by the generator included, e.g. method docs)."""
    allowed: set[str] = set()
    for html in _model_docs(model):
        allowed |= _literal_tags(html)
    leftover: set[str] = set()
    for doc in _ir_docs(ir.build(model)):
        leftover |= set(TAG.findall(doc)) - allowed
        assert not ENTITY.search(doc), doc[:200]
    assert not leftover


def test_no_html_left_in_generated_docstrings(generated_current: Generated) -> None:
    """Every docstring in the generated files (module, class, attribute, method)."""
    allowed: set[str] = set()
    for html in _model_docs(generated_current.model):
        allowed |= _literal_tags(html)
    count = 0
    leftover: set[str] = set()
    for path in sorted(generated_current.path.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Expr)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                count += 1
                leftover |= set(TAG.findall(node.value.value)) - allowed
    assert count >= len(generated_current.service.structures)
    assert not leftover


def test_the_model_uses_only_known_tags(model: dict[str, Any]) -> None:
    """The converter is tuned for these tags; a new one in a model update needs a look."""
    known = {"p", "code", "a", "li", "ul", "ol", "dl", "dt", "dd", "b", "i", "note", "important"}
    known |= {"br", "em", "strong", "pre"}  # handled by html2text out of the box
    used: set[str] = set()

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            used.add(tag)

    for html in _model_docs(model):
        Tags().feed(html)
    assert used <= known, sorted(used - known)


def test_admonitions_in_the_current_model(current_model: dict[str, Any]) -> None:
    docs = [d for d in _model_docs(current_model) if "<note>" in d]
    assert docs
    for html in docs[:50]:
        assert "Note: " in html_to_text(html)


def _undent(doc: str | None, indent: int) -> str:
    """A generated docstring's text: continuation lines lose the code's indentation only."""
    lines = (doc or "").split("\n")
    return "\n".join([lines[0]] + [line.removeprefix(" " * indent) for line in lines[1:]]).rstrip()


def test_generated_docstrings_read_back_as_the_ir_docs(generated_current: Generated) -> None:
    """Escaping, indentation and ruff format together change nothing in the text."""
    service = generated_current.service
    modules = import_generated(generated_current.root, generated_current.package)
    shapes, errors = modules["shapes"], modules["errors"]
    for struct in service.structures.values():
        assert _undent(getattr(shapes, struct.name).__doc__, 4) == struct.docstring, struct.name
        if struct.doc:
            assert struct.docstring.startswith(struct.doc)
    for enum in service.enums.values():
        assert _undent(getattr(shapes, enum.name).__doc__, 4) == enum.docstring, enum.name
    for error in service.errors:
        assert _undent(getattr(errors, error.name).__doc__, 4) == error.docstring, error.name
    if "client" in modules:
        client = getattr(modules["client"], service.client_name)
        for op in service.operations:
            doc = _undent(getattr(client, op.name).__doc__, 8)
            assert doc == op.method_doc, op.name


def test_member_docstrings_read_back_as_the_ir_docs(generated_current: Generated) -> None:
    docs: dict[str, dict[str, str]] = {}
    for path in sorted((generated_current.path / "_shapes").glob("*.py")):
        docs.update(attribute_docs(path.read_text(encoding="utf-8")))
    for struct in generated_current.service.structures.values():
        for member in struct.members:
            if member.doc:
                assert member.docstring.startswith(member.doc), f"{struct.name}.{member.name}"
            if member.docstring:
                assert _undent(docs[struct.name][member.name], 4) == member.docstring, (
                    f"{struct.name}.{member.name}"
                )


# --- the shipped package: docstrings of src/aiocognito as committed --------------------------

# The tags the model's documentation uses (and html2text's usual ones), opened or closed, and
# any closing tag: none may reach a shipped docstring. Stricter than TAG, which has to let the
# docs' literal placeholders (`<region>`) and autolinks (`<https://...>`) through.
MODEL_TAG = re.compile(
    r"</?(?:p|code|a|li|ul|ol|dl|dt|dd|b|i|br|em|strong|pre|note|important)\b[^>]*>"
    r"|</[a-zA-Z][^>]*>",
    re.IGNORECASE,
)
HREF = re.compile(r"<a\s[^>]*?href=\"([^\"]+)\"", re.IGNORECASE)


def _hrefs(html: str | None) -> list[str]:
    return [unescape(url).strip() for url in HREF.findall(html or "")]


@pytest.fixture(scope="module")
def shipped_method_docs(current_model: dict[str, Any]) -> dict[str, str]:
    """Operation wire name -> the docstring of its method on the shipped client."""
    from aiocognito.client import CognitoIdentityProviderClient

    return {
        name: getattr(CognitoIdentityProviderClient, operation_name(name)).__doc__ or ""
        for name in current_model["operations"]
    }


def test_shipped_operation_docstrings_have_no_html(shipped_method_docs: dict[str, str]) -> None:
    assert len(shipped_method_docs) > 100
    leaks = {
        name: sorted(set(MODEL_TAG.findall(doc)))
        for name, doc in shipped_method_docs.items()
        if MODEL_TAG.search(doc)
    }
    assert not leaks


def test_shipped_operation_docstrings_keep_the_model_links(
    current_model: dict[str, Any], shipped_method_docs: dict[str, str]
) -> None:
    """Every link of an operation's model docs is in its method docstring as a whole URL.

    A URL is never wrapped across lines, so it must appear whole on one line: that is what an
    editor's hover and the docs site turn into a link.
    """
    count = 0
    missing: list[str] = []
    for name, operation in current_model["operations"].items():
        lines = shipped_method_docs[name].splitlines()
        for url in _hrefs(operation.get("documentation")):
            count += 1
            if not any(url in line for line in lines):
                missing.append(f"{name}: {url}")
    assert count > 100  # the model links a lot; zero would mean the check checks nothing
    assert not missing, "\n".join(missing[:20])


def test_shipped_member_docstrings_keep_the_model_links(
    current_model: dict[str, Any], current_service: ir.Service
) -> None:
    """The same for the members of every shape (the docstrings under the attrs fields)."""
    docs: dict[str, dict[str, str]] = {}
    for path in sorted((SRC / "_shapes").glob("*.py")):
        docs.update(attribute_docs(path.read_text(encoding="utf-8")))
    count = 0
    missing: list[str] = []
    for struct in current_service.structures.values():
        wire_members = current_model["shapes"][struct.shape].get("members", {})
        for member in struct.members:
            urls = _hrefs(wire_members.get(member.wire_name, {}).get("documentation"))
            lines = docs.get(struct.name, {}).get(member.name, "").splitlines()
            for url in urls:
                count += 1
                if not any(url in line for line in lines):
                    missing.append(f"{struct.name}.{member.name}: {url}")
    assert count > 100
    assert not missing, "\n".join(missing[:20])
