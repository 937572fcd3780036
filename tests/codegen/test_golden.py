"""Golden test: the hand-made model in golden/ generates exactly the files in golden/expected/.

When the generator changes on purpose, run `nox -s golden`, review the diff of golden/expected/
like any other code change, and commit it with the generator change.
"""

from __future__ import annotations

import difflib
import enum
import inspect
import re
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest

from codegen import ir, naming
from tests.codegen.support import (
    GOLDEN_EXPECTED,
    GOLDEN_MODEL,
    REPO,
    import_generated,
    load_json,
    run_codegen_cli,
    run_mypy,
    tree,
)

PACKAGE = "goldenpkg"
HINT = "run `nox -s golden` and review the diff of tests/codegen/golden/expected/"
EXPECTED_FILES = sorted(tree(GOLDEN_EXPECTED))
GOLDEN = load_json(GOLDEN_MODEL)
SHAPES: dict[str, Any] = GOLDEN["shapes"]


def _structures() -> list[str]:
    return sorted(
        n
        for n, s in SHAPES.items()
        if s["type"] == "structure" and not s.get("exception") and not s.get("document")
    )


def _enums() -> list[str]:
    return sorted(n for n, s in SHAPES.items() if s["type"] == "string" and "enum" in s)


def _errors() -> list[str]:
    return sorted(n for n, s in SHAPES.items() if s.get("exception"))


@pytest.fixture(scope="module")
def golden_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The golden model regenerated, through the CLI, into ``<tmp>/goldenpkg``."""
    root = tmp_path_factory.mktemp("golden")
    result = run_codegen_cli(GOLDEN_MODEL.relative_to(REPO), root / PACKAGE)
    assert result.returncode == 0, f"python -m codegen failed:\n{result.stdout}\n{result.stderr}"
    return root


@pytest.fixture(scope="module")
def generated_tree(golden_root: Path) -> dict[str, bytes]:
    return tree(golden_root / PACKAGE)


@pytest.fixture(scope="module")
def golden_modules(golden_root: Path) -> dict[str, ModuleType]:
    return import_generated(golden_root, PACKAGE)


@pytest.fixture(scope="module")
def shapes(golden_modules: dict[str, ModuleType]) -> ModuleType:
    return golden_modules["shapes"]


@pytest.fixture(scope="module")
def errors(golden_modules: dict[str, ModuleType]) -> ModuleType:
    return golden_modules["errors"]


@pytest.fixture(scope="module")
def service() -> ir.Service:
    return ir.build(GOLDEN)


# --- the files, byte for byte ------------------------------------------------------------------


def test_expected_output_is_checked_in() -> None:
    assert EXPECTED_FILES, f"tests/codegen/golden/expected/ is empty: {HINT}"
    assert "shapes.py" in EXPECTED_FILES
    assert "errors.py" in EXPECTED_FILES


def test_cli_reports_what_it_generated(tmp_path: Path) -> None:
    result = run_codegen_cli(GOLDEN_MODEL, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    ops = len(GOLDEN["operations"])
    assert f"{ops} operations" in result.stdout
    assert f"{len(_structures())} structures" in result.stdout
    assert f"{len(_enums())} enums" in result.stdout
    assert f"{len(_errors())} errors" in result.stdout


def test_same_set_of_files(generated_tree: dict[str, bytes]) -> None:
    missing = sorted(set(EXPECTED_FILES) - set(generated_tree))
    extra = sorted(set(generated_tree) - set(EXPECTED_FILES))
    assert not missing and not extra, (
        f"generated files differ from golden/expected/: no longer generated {missing}, "
        f"newly generated {extra}; {HINT}"
    )


@pytest.mark.parametrize("rel", EXPECTED_FILES)
def test_file_matches_expected(rel: str, generated_tree: dict[str, bytes]) -> None:
    expected = (GOLDEN_EXPECTED / rel).read_bytes()
    actual = generated_tree.get(rel)
    assert actual is not None, f"{rel} is no longer generated; {HINT}"
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.decode("utf-8", "replace").splitlines(keepends=True),
                actual.decode("utf-8", "replace").splitlines(keepends=True),
                fromfile=f"golden/expected/{rel}",
                tofile=f"generated/{rel}",
            )
        )
        pytest.fail(f"{rel} differs from the golden file; {HINT}\n{diff}", pytrace=False)


def test_generated_files_say_they_are_generated(generated_tree: dict[str, bytes]) -> None:
    for rel, data in generated_tree.items():
        if rel.endswith(".py") and rel != "__init__.py":
            head = data.decode().splitlines()[0]
            assert head.startswith("# DO NOT EDIT"), rel


# --- the IR of the golden model ----------------------------------------------------------------


def test_signing_follows_auth_traits(service: ir.Service) -> None:
    signed = {op.wire_name: op.signed for op in service.operations}
    assert signed == {
        "SignIn": False,  # "auth": ["smithy.api#noAuth"]
        "ConfirmCode": False,  # "authtype": "none"
        "DescribeWidget": True,
        "ListWidgets": True,
    }


def test_operations(service: ir.Service) -> None:
    ops = {op.wire_name: op for op in service.operations}
    assert [op.name for op in service.operations] == [
        "confirm_code",
        "describe_widget",
        "list_widgets",
        "sign_in",
    ]
    assert ops["ConfirmCode"].output is None
    assert ops["SignIn"].input == "SignInRequest"
    assert ops["SignIn"].output == "SignInResponse"
    assert ops["DescribeWidget"].errors == ["InvalidParameterException", "InternalErrorException"]
    assert ops["ListWidgets"].deprecated == "Use DescribeWidget."
    assert ops["SignIn"].deprecated is None


def test_required_members_come_first(service: ir.Service) -> None:
    for name in _structures():
        members = service.structures[name].members
        required = set(SHAPES[name].get("required", []))
        flags = [m.required for m in members]
        assert flags == sorted(flags, reverse=True), name
        assert {m.wire_name for m in members if m.required} == required, name
        # Within each group, model order is kept.
        order = list(SHAPES[name]["members"])
        for group in (True, False):
            wires = [m.wire_name for m in members if m.required is group]
            assert wires == [w for w in order if w in wires], name


def test_sensitivity(service: ir.Service) -> None:
    sign_in = {m.wire_name: m for m in service.structures["SignInRequest"].members}
    assert sign_in["Password"].sensitive  # sensitive string shape
    assert sign_in["ClientId"].sensitive
    assert not sign_in["AuthFlow"].sensitive
    assert not sign_in["ClientMetadata"].sensitive
    response = {m.wire_name: m for m in service.structures["SignInResponse"].members}
    assert response["Credentials"].sensitive  # member whose target structure is sensitive
    assert not response["ExpiresAt"].sensitive
    creds = service.structures["CredentialsType"]
    assert creds.sensitive
    assert all(m.sensitive for m in creds.members)  # every member of a sensitive structure


def test_member_types(service: ir.Service) -> None:
    widget = {m.wire_name: m for m in service.structures["WidgetType"].members}
    assert {w: m.annotation for w, m in widget.items()} == {
        "AllowedOAuthFlows": "list[OAuthFlowType | str]",
        "Attributes": "JSONValue",
        "Bytes": "bytes",
        "CallbackURLs": "list[str]",
        "CreationDate": "datetime",
        "Enabled": "bool",
        "From": "str",
        "Id": "str",
        "Ratio": "float",
        "Size": "int",
        "Status": "FlowType | str",
        "Tags": "dict[str, str]",
        "Type": "FlowType | str",
    }
    assert widget["Status"].deprecated == "This property is no longer available."
    assert widget["Id"].constraints == {"min": 1, "max": 55}
    # Client parameters take any sequence or mapping, and an enum's members or values (or the
    # escape hatch), where fields stay open; error attributes what the body holds.
    params = {w: m.param_annotation for w, m in widget.items()}
    assert params["AllowedOAuthFlows"] == (
        "Sequence[OAuthFlowType | OAuthFlowTypeLiteral | UnmodeledValue]"
    )
    assert params["Tags"] == "Mapping[str, str]"
    assert params["Status"] == "FlowType | FlowTypeLiteral | UnmodeledValue"
    literals = {a.name: a.annotation for a in service.aliases if a.enum}
    assert literals["FlowTypeLiteral"].startswith('Literal["')
    errors = {w: m.error_annotation for w, m in widget.items()}
    assert errors["Status"] == "str"
    assert errors["Size"] == "int"
    assert errors["Tags"] == errors["CreationDate"] == errors["Attributes"] == "object"
    assert widget["Tags"].type.classes == frozenset()
    assert widget["AllowedOAuthFlows"].type.classes == {"OAuthFlowType"}
    assert widget["CreationDate"].type.uses_datetime
    assert widget["Attributes"].type.uses_json


def test_docstrings_are_assembled_in_the_ir(service: ir.Service) -> None:
    """docs.document() writes every docstring; the templates only place it."""
    widget = service.structures["WidgetType"]
    status = {m.wire_name: m for m in widget.members}["Status"]
    assert status.docstring.endswith("Deprecated: This property is no longer available.")
    ident = {m.wire_name: m for m in widget.members}["Id"]
    assert ident.docstring.endswith("Constraints: min 1, max 55.")
    assert all(s.docstring for s in service.structures.values())
    assert all(e.docstring for e in service.enums.values())
    assert all(e.docstring for e in service.errors)
    assert all(m.docstring for m in service.modules)
    assert all(op.method_doc for op in service.operations)
    for op in service.paginated:
        assert op.paginate_doc.startswith(f"Page through `{op.name}`")


def test_errors(service: ir.Service) -> None:
    errs = {e.code: e for e in service.errors}
    assert sorted(errs) == _errors()
    assert errs["InternalErrorException"].fault == "server"
    assert errs["InvalidParameterException"].fault == "client"
    assert [m.name for m in errs["InvalidParameterException"].members] == ["reason_code"]
    assert errs["InternalErrorException"].members == []  # `message` is carried by the base class


def test_aliases(service: ir.Service) -> None:
    aliases = {a.name: a.annotation for a in service.aliases if not a.enum}
    assert aliases == {
        "CallbackURLsListType": "list[str]",
        "Document": "JSONValue",
        "OAuthFlowsType": "list[OAuthFlowType | str]",
        "StringMapType": "dict[str, str]",
        "WidgetListType": "list[WidgetType]",
    }


# --- the generated package, imported -----------------------------------------------------------


def test_every_class_exists(shapes: ModuleType) -> None:
    for name in _structures():
        cls = getattr(shapes, name)
        assert attrs.has(cls), name
        wires = {f.metadata["wire"] for f in attrs.fields(cls)}
        assert wires == set(SHAPES[name]["members"]), name
    for name in _enums():
        cls = getattr(shapes, name)
        assert issubclass(cls, enum.StrEnum), name
        assert [m.value for m in cls] == SHAPES[name]["enum"], name


def test_all_lists_every_public_name(shapes: ModuleType) -> None:
    aliases = [n for n, s in SHAPES.items() if s["type"] in ("list", "map") or s.get("document")]
    literals = [f"{name}Literal" for name in _enums()]  # what enum-typed parameters take
    expected = _structures() + _enums() + aliases + literals + ["UnmodeledValue"]
    assert shapes.__all__ == sorted(expected)
    assert set(shapes.__all__) <= set(dir(shapes))
    with pytest.raises(AttributeError):
        _ = shapes.NoSuchShape


def test_python_names(shapes: ModuleType) -> None:
    widget = {f.name: f for f in attrs.fields(shapes.WidgetType)}
    for name in ("from_", "bytes_", "type_", "id", "callback_urls", "allowed_oauth_flows"):
        assert name in widget, name
    assert widget["from_"].metadata["wire"] == "From"
    assert widget["bytes_"].metadata["wire"] == "Bytes"
    assert widget["callback_urls"].metadata["wire"] == "CallbackURLs"
    assert widget["allowed_oauth_flows"].metadata["wire"] == "AllowedOAuthFlows"
    describe = {f.name for f in attrs.fields(shapes.DescribeWidgetRequest)}
    assert describe == {"id", "filter", "type_"}
    assert [m.name for m in shapes.FlowType] == [
        "USER_PASSWORD_AUTH",
        "ENABLED",
        "AWS_COGNITO_SIGNIN",
        "V1X",
    ]


def test_field_types_resolve(shapes: ModuleType) -> None:
    """``bytes_: bytes | None`` must resolve to the builtin, not to the field (the trap)."""
    resolved = attrs.resolve_types(shapes.WidgetType)
    types = {f.name: f.type for f in attrs.fields(resolved)}
    assert types["bytes_"] == bytes | None
    assert types["type_"] == shapes.FlowType | str


def test_keyword_only_and_required(shapes: ModuleType) -> None:
    w = shapes.WidgetType(id="w-1", type_=shapes.FlowType.V1X)
    assert w.from_ is None and w.bytes_ is None
    with pytest.raises(TypeError):
        shapes.WidgetType("w-1", "1x")
    with pytest.raises(TypeError):
        shapes.WidgetType(id="w-1")  # Type is required


def test_sensitive_fields_are_redacted(shapes: ModuleType) -> None:
    secret = "s3kr1t"  # a marker that no field name contains
    request = shapes.SignInRequest(
        auth_flow=shapes.FlowType.USER_PASSWORD_AUTH,
        client_id=f"client-{secret}",
        username=f"alice-{secret}",
        password=f"hunter2-{secret}",
        client_metadata={"k": "visible"},
    )
    text = repr(request)
    assert secret not in text
    assert "password=<redacted>" in text
    assert "username=<redacted>" in text
    assert "client_id=<redacted>" in text
    assert "visible" in text
    assert "USER_PASSWORD_AUTH" in text
    assert secret not in str(request)
    # A member whose target is a sensitive structure, and the structure itself.
    creds = shapes.CredentialsType(access_key_id=f"AKIA-{secret}", secret_key=f"SK-{secret}")
    response = shapes.SignInResponse(session="s" * 20 + secret, credentials=creds)
    for obj in (creds, response):
        assert secret not in repr(obj)
        assert "<redacted>" in repr(obj)
    assert "credentials=<redacted>" in repr(response)
    # Unset sensitive fields say so.
    assert "password=None" in repr(shapes.SignInRequest(auth_flow="x", client_id="y"))


def test_errors_module(errors: ModuleType) -> None:
    from aiocognito._core.errors import ServiceError

    assert sorted(errors.ERRORS) == _errors()
    assert sorted(n for n in errors.__all__ if n != "ERRORS") == _errors()
    for code, cls in errors.ERRORS.items():
        assert issubclass(cls, ServiceError)
        assert cls.error_code == code
        assert cls.__doc__
    assert errors.InternalErrorException.fault == "server"
    assert errors.InvalidParameterException.fault == "client"
    exc = errors.InvalidParameterException(
        "bad", body={"message": "bad", "reasonCode": "MISSING_PARAMETER"}
    )
    assert exc.reason_code == "MISSING_PARAMETER"
    assert exc.code == "InvalidParameterException"


def test_client_methods(golden_modules: dict[str, ModuleType], service: ir.Service) -> None:
    client = golden_modules.get("client")
    if client is None:
        pytest.skip("the generator writes no client module")
    cls = getattr(client, service.client_name)
    for wire, op in GOLDEN["operations"].items():
        method = getattr(cls, naming.operation_name(wire))
        assert inspect.iscoroutinefunction(method), wire
        params = list(inspect.signature(method).parameters.values())[1:]
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params), wire
        members = SHAPES[op["input"]["shape"]]["members"]
        assert {p.name for p in params} == {naming.member_name(w) for w in members}, wire
        assert method.__doc__, wire


def test_wire_round_trip(shapes: ModuleType) -> None:
    """The generated field metadata drives the runtime's wire mapping."""
    from datetime import UTC, datetime

    from aiocognito._core import serde

    widget = shapes.WidgetType(
        id="w-1",
        type_=shapes.FlowType.V1X,
        from_="me",
        bytes_=b"\x00\x01",
        creation_date=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        attributes={"nested": [1, 2.5, None, True, "x"]},
        allowed_oauth_flows=[shapes.OAuthFlowType.CODE, "future_flow"],
        callback_urls=["https://example.com/cb"],
        enabled=True,
        ratio=0.5,
        size=2**40,
        tags={"k": "v"},
    )
    wire = serde.to_wire(widget)
    assert wire["Id"] == "w-1"
    assert wire["Type"] == "1x"
    assert wire["From"] == "me"
    assert wire["Bytes"] == "AAE="
    assert wire["CreationDate"] == 1704164645
    assert wire["AllowedOAuthFlows"] == ["code", "future_flow"]
    assert wire["CallbackURLs"] == ["https://example.com/cb"]
    assert "Status" not in wire  # None members are left out
    assert serde.from_wire(shapes.WidgetType, wire) == widget


# --- type checking ----------------------------------------------------------------------------

USAGE_OK = """\
from __future__ import annotations

from datetime import UTC, datetime

from aiocognito import ServiceError
from goldenpkg.errors import ERRORS, InvalidParameterException
from goldenpkg.shapes import FlowType, OAuthFlowType, SignInRequest, StringMapType, WidgetType

widget = WidgetType(
    id="w-1",
    type_=FlowType.V1X,
    from_="me",
    bytes_=b"raw",
    creation_date=datetime.now(UTC),
    attributes={"a": [1, 2.5, None, True, "x"]},
    allowed_oauth_flows=[OAuthFlowType.CODE, "future_flow"],
    tags={"k": "v"},
)
raw: bytes | None = widget.bytes_
origin: str | None = widget.from_
kind: FlowType | str = widget.type_
tags: StringMapType | None = widget.tags
request = SignInRequest(auth_flow="USER_PASSWORD_AUTH", client_id="c")
reason: str | None = InvalidParameterException("bad").reason_code
error_class: type[ServiceError] = ERRORS["InvalidParameterException"]
"""

# Each line marked `# E` must be reported by mypy: the generated annotations are real types.
USAGE_BAD = """\
from __future__ import annotations

from goldenpkg.shapes import FlowType, WidgetType

WidgetType("w-1", FlowType.V1X)  # E
WidgetType(type_=FlowType.V1X)  # E
WidgetType(id=1, type_=FlowType.V1X)  # E
WidgetType(id="w", type_=FlowType.V1X, bytes_="not bytes")  # E
WidgetType(id="w", type_=FlowType.V1X, From="wire names are not parameters")  # E
size: str | None = WidgetType(id="w", type_="x").size  # E
"""


@pytest.fixture(scope="module")
def mypy_result(golden_root: Path) -> tuple[int, str]:
    (golden_root / "usage_ok.py").write_text(USAGE_OK, encoding="utf-8")
    (golden_root / "usage_bad.py").write_text(USAGE_BAD, encoding="utf-8")
    result = run_mypy(golden_root, PACKAGE, "usage_ok.py", "usage_bad.py")
    return result.returncode, result.stdout + result.stderr


def test_mypy_strict_passes_on_generated_package(mypy_result: tuple[int, str]) -> None:
    _, output = mypy_result
    ours = [line for line in output.splitlines() if line.startswith((PACKAGE, "usage_ok.py"))]
    assert not ours, "mypy --strict reports errors in the generated package:\n" + "\n".join(ours)


def test_mypy_sees_real_types(mypy_result: tuple[int, str]) -> None:
    returncode, output = mypy_result
    assert returncode == 1, output
    expected = {i for i, line in enumerate(USAGE_BAD.splitlines(), 1) if line.endswith("# E")}
    reported = {int(m) for m in re.findall(r"^usage_bad\.py:(\d+): error", output, re.M)}
    assert reported == expected, textwrap.indent(output, "  ")
