"""The ``aiocognito.shapes`` facade and the generated attrs classes behind it.

Names and traits (required, sensitive) are derived from the service model JSON, never listed
by hand, so these tests follow the model.
"""

from __future__ import annotations

import enum
import json
import pickle
import subprocess
import sys
import types
import typing
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest

from aiocognito import shapes
from aiocognito._core.types import JSONValue
from codegen.naming import module_name

from ._model import (
    ALIAS_SHAPES,
    CLASS_SHAPES,
    ENUM_SHAPES,
    ROOT,
    SHAPES,
    sensitive_members,
)

MODEL_NAMES = sorted(set(CLASS_SHAPES) | set(ENUM_SHAPES) | set(ALIAS_SHAPES))
STRUCTURES = [getattr(shapes, name) for name in CLASS_SHAPES]
ENUMS = [getattr(shapes, name) for name in ENUM_SHAPES]


def _run(code: str) -> Any:
    """Run ``code`` in a fresh interpreter; it prints one JSON value, which is returned."""
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------
# lazy loading


def test_import_aiocognito_loads_no_shapes_and_no_cattrs() -> None:
    loaded = _run(
        "import sys, json; import aiocognito; print(json.dumps(sorted(sys.modules)))",
    )
    assert "aiocognito.shapes" not in loaded
    assert not [m for m in loaded if m.startswith("aiocognito._shapes")]
    assert "aiocognito._core.serde" not in loaded
    assert not [m for m in loaded if m == "cattrs" or m.startswith("cattrs.")]


def test_import_aiocognito_loads_no_generated_errors() -> None:
    loaded = _run("import sys, json; import aiocognito; print(json.dumps(sorted(sys.modules)))")
    assert "aiocognito.errors" not in loaded


def test_import_aiocognito_loads_no_client_or_httpx() -> None:
    loaded = _run("import sys, json; import aiocognito; print(json.dumps(sorted(sys.modules)))")
    assert "aiocognito.client" not in loaded
    assert "httpx" not in loaded


def test_import_shapes_facade_loads_no_classes() -> None:
    loaded = _run(
        "import sys, json; import aiocognito.shapes; print(json.dumps(sorted(sys.modules)))"
    )
    assert not [m for m in loaded if m.startswith("aiocognito._shapes.")]
    assert not [m for m in loaded if m == "cattrs" or m.startswith("cattrs.")]


def _reach(shape_name: str) -> set[str]:
    """The class shapes a value of ``shape_name`` can hold, itself included (from the model)."""
    seen: set[str] = set()
    pending = [shape_name]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        shape = SHAPES[name]
        if shape["type"] in ("structure", "union"):
            pending += [m["shape"] for m in shape.get("members", {}).values()]
        elif shape["type"] == "list":
            pending.append(shape["member"]["shape"])
        elif shape["type"] == "map":
            pending += [shape["key"]["shape"], shape["value"]["shape"]]
    return {n for n in seen if n in CLASS_SHAPES or n in ENUM_SHAPES}


@pytest.mark.parametrize("name", ["UserType", "InitiateAuthResponse", "ListUsersResponse"])
def test_a_class_loads_exactly_the_modules_of_what_it_reaches(name: str) -> None:
    """One module per class, named after it: loading one loads its own and its fields' only."""
    result = _run(
        "import sys, json\n"
        "from aiocognito import shapes\n"
        f"cls = shapes.{name}\n"
        "mods = [m for m in sys.modules if m.startswith('aiocognito._shapes.')]\n"
        "print(json.dumps({'mods': mods, 'module': cls.__module__}))"
    )
    assert result["module"] == f"aiocognito._shapes.{module_name(name)}"
    expected = {f"aiocognito._shapes.{module_name(n)}" for n in _reach(name)}
    assert set(result["mods"]) == expected


def test_every_class_is_in_the_module_named_after_it() -> None:
    for name in [*CLASS_SHAPES, *ENUM_SHAPES]:
        assert getattr(shapes, name).__module__ == f"aiocognito._shapes.{module_name(name)}"


def test_attribute_access_is_cached_and_identical() -> None:
    first = shapes.InitiateAuthRequest
    assert shapes.InitiateAuthRequest is first
    assert vars(shapes)["InitiateAuthRequest"] is first


def test_aiocognito_shapes_attribute_is_the_module() -> None:
    import aiocognito

    assert aiocognito.shapes is shapes
    assert "shapes" in dir(aiocognito)


# ---------------------------------------------------------------------------------------------
# names


def test_all_is_exactly_the_model_shapes() -> None:
    assert len(shapes.__all__) == len(set(shapes.__all__)), "duplicates in __all__"
    missing = set(MODEL_NAMES) - set(shapes.__all__)
    extra = set(shapes.__all__) - set(MODEL_NAMES)
    assert not missing, f"missing from __all__: {sorted(missing)}"
    assert not extra, f"in __all__ but not model shapes: {sorted(extra)}"


def test_dir_lists_every_model_shape() -> None:
    missing = set(MODEL_NAMES) - set(dir(shapes))
    assert not missing, sorted(missing)


def test_lazy_table_covers_every_class_and_enum() -> None:
    assert set(shapes._MODULES) == set(CLASS_SHAPES) | set(ENUM_SHAPES)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_name_resolves(name: str) -> None:
    value = getattr(shapes, name)
    if name in CLASS_SHAPES:
        assert attrs.has(value)
        assert value.__name__ == name
    elif name in ENUM_SHAPES:
        assert issubclass(value, enum.StrEnum)
        assert value.__name__ == name
    else:  # list/map/document alias
        assert value is not None


def _namespace() -> dict[str, Any]:
    names = {name: getattr(shapes, name) for name in shapes.__all__}
    return {"JSONValue": JSONValue, **names}


@pytest.mark.parametrize("name", ALIAS_SHAPES)
def test_aliases_evaluate_to_the_model_type(name: str) -> None:
    """List/map aliases name real classes, with the model's container kind."""
    alias = getattr(shapes, name)
    value = eval(alias, _namespace()) if isinstance(alias, str) else alias
    shape = SHAPES[name]
    if shape["type"] == "list":
        assert typing.get_origin(value) is list
    elif shape["type"] == "map":
        assert typing.get_origin(value) is dict
    else:
        assert value is JSONValue


def test_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchShape"):
        shapes.NoSuchShape  # noqa: B018
    assert not hasattr(shapes, "NoSuchShape")
    with pytest.raises(ImportError):
        exec("from aiocognito.shapes import NoSuchShape", {})


def test_errors_are_not_shapes() -> None:
    from ._model import ERROR_SHAPES

    assert not set(ERROR_SHAPES) & set(shapes.__all__)


@pytest.mark.parametrize("cls", ENUMS, ids=lambda c: c.__name__)
def test_enum_values_match_model(cls: type[enum.StrEnum]) -> None:
    assert [m.value for m in cls] == [str(v) for v in SHAPES[cls.__name__]["enum"]]


# ---------------------------------------------------------------------------------------------
# class traits


def _wire(field: attrs.Attribute) -> str:  # type: ignore[type-arg]
    return typing.cast(str, field.metadata["wire"])


def _required(field: attrs.Attribute) -> bool:  # type: ignore[type-arg]
    return field.default is attrs.NOTHING


@pytest.mark.parametrize("cls", STRUCTURES, ids=lambda c: c.__name__)
def test_fields_match_model_members(cls: type) -> None:
    shape = SHAPES[cls.__name__]
    fields = attrs.fields(cls)
    assert sorted(_wire(f) for f in fields) == sorted(shape.get("members", {}))
    assert {_wire(f) for f in fields if _required(f)} == set(shape.get("required", []))
    for f in fields:
        if not _required(f):
            assert f.default is None, f.name


@pytest.mark.parametrize("cls", STRUCTURES, ids=lambda c: c.__name__)
def test_required_members_come_first(cls: type) -> None:
    flags = [_required(f) for f in attrs.fields(cls)]
    assert flags == sorted(flags, reverse=True)


@pytest.mark.parametrize("cls", STRUCTURES, ids=lambda c: c.__name__)
def test_keyword_only(cls: type) -> None:
    assert all(f.kw_only for f in attrs.fields(cls))
    with pytest.raises(TypeError):
        cls("positional")


@pytest.mark.parametrize("cls", STRUCTURES, ids=lambda c: c.__name__)
def test_slotted(cls: type) -> None:
    assert "__slots__" in vars(cls)
    instance = minimal(cls)
    assert not hasattr(instance, "__dict__")
    with pytest.raises(AttributeError):
        instance.not_a_field = 1


# ---------------------------------------------------------------------------------------------
# values for building instances


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def _non_none(tp: Any) -> list[Any]:
    return [a for a in typing.get_args(tp) if a is not type(None)]


def _is_enum(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, enum.Enum)


def _field_types(cls: type) -> dict[str, Any]:
    attrs.resolve_types(cls)
    return {f.name: f.type for f in attrs.fields(cls)}


def filler(tp: Any) -> Any:
    """A plain valid value of type ``tp``."""
    if tp is Any:
        return {"k": "v"}
    if _is_union(tp):
        args = _non_none(tp)
        enums = [a for a in args if _is_enum(a)]
        return next(iter(enums[0])) if enums else filler(args[0])
    origin = typing.get_origin(tp)
    if origin is list:
        return []
    if origin is dict:
        return {}
    if attrs.has(tp):
        return minimal(tp)
    simple = {
        str: "x",
        int: 1,
        bool: True,
        float: 1.5,
        bytes: b"x",
        datetime: datetime(2020, 1, 1, tzinfo=UTC),
    }
    return simple[tp]


def minimal(cls: type) -> Any:
    """An instance with only the required members set."""
    types_ = _field_types(cls)
    return cls(**{f.name: filler(types_[f.name]) for f in attrs.fields(cls) if _required(f)})


def secret(tp: Any, marker: str) -> Any:
    """A value of type ``tp`` in whose ``repr`` ``marker`` shows, wherever it can."""
    if tp is Any:
        return {marker: marker}
    if _is_union(tp):
        args = _non_none(tp)
        return marker if str in args else secret(args[0], marker)
    origin = typing.get_origin(tp)
    if origin is list:
        return [secret(typing.get_args(tp)[0], marker)]
    if origin is dict:
        key, value = typing.get_args(tp)
        return {secret(key, marker): secret(value, marker)}
    if attrs.has(tp):
        types_ = _field_types(tp)
        return tp(**{f.name: secret(types_[f.name], marker) for f in attrs.fields(tp)})
    simple = {
        str: marker,
        int: 987654321,
        bool: True,
        float: 98765.4321,
        bytes: marker.encode(),
        datetime: datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC),
    }
    return simple[tp]


# ---------------------------------------------------------------------------------------------
# redaction

SENSITIVE_FIELDS = [
    (cls, field.name)
    for cls in STRUCTURES
    for field in attrs.fields(cls)
    if _wire(field) in sensitive_members(cls.__name__)
]
PLAIN_FIELDS = [
    (cls, field.name)
    for cls in STRUCTURES
    for field in attrs.fields(cls)
    if _wire(field) not in sensitive_members(cls.__name__)
]


def _ids(case: tuple[type, str]) -> str:
    return f"{case[0].__name__}.{case[1]}"


def test_sensitive_set_is_derived_from_the_model() -> None:
    names = {(cls.__name__, name) for cls, name in SENSITIVE_FIELDS}
    assert ("InitiateAuthRequest", "auth_parameters") in names
    assert ("AttributeType", "value") in names
    assert ("RespondToAuthChallengeRequest", "challenge_responses") in names
    assert ("UserContextDataType", "ip_address") in names  # member of a sensitive structure
    assert ("AttributeType", "name") not in names
    assert len(names) > 100


@pytest.mark.parametrize("case", SENSITIVE_FIELDS, ids=_ids)
def test_sensitive_field_is_redacted(case: tuple[type, str]) -> None:
    cls, name = case
    marker = "s3cr3t-" + name
    types_ = _field_types(cls)
    values = {f.name: filler(types_[f.name]) for f in attrs.fields(cls) if _required(f)}
    values[name] = secret(types_[name], marker)
    instance = cls(**values)
    text = repr(instance)
    assert f"{name}=<redacted>" in text
    assert marker not in text
    assert marker not in str(instance)
    # Nested inside a list, still redacted.
    assert marker not in repr([instance])


OPTIONAL_SENSITIVE_FIELDS = [
    (cls, name) for cls, name in SENSITIVE_FIELDS if not _required(attrs.fields_dict(cls)[name])
]


@pytest.mark.parametrize("case", OPTIONAL_SENSITIVE_FIELDS, ids=_ids)
def test_unset_sensitive_field_shows_none(case: tuple[type, str]) -> None:
    cls, name = case
    assert f"{name}=None" in repr(minimal(cls))


@pytest.mark.parametrize("case", PLAIN_FIELDS, ids=_ids)
def test_plain_field_shows_its_value(case: tuple[type, str]) -> None:
    cls, name = case
    types_ = _field_types(cls)
    values = {f.name: filler(types_[f.name]) for f in attrs.fields(cls) if _required(f)}
    values[name] = secret(types_[name], "visible-" + name)
    text = repr(cls(**values))
    assert f"{name}={values[name]!r}" in text


def test_redaction_examples() -> None:
    request = shapes.InitiateAuthRequest(
        auth_flow=shapes.AuthFlowType.USER_PASSWORD_AUTH,
        client_id="my-client",
        auth_parameters={"USERNAME": "alice", "PASSWORD": "hunter2"},
    )
    text = repr(request)
    assert "hunter2" not in text
    assert "alice" not in text
    assert "auth_parameters=<redacted>" in text
    assert "USER_PASSWORD_AUTH" in text

    user = shapes.AdminCreateUserRequest(
        user_pool_id="eu-west-1_pool",
        username="bob",
        user_attributes=[shapes.AttributeType(name="email", value="bob@example.com")],
        temporary_password="Temp0rary!",
    )
    text = repr(user)
    assert "eu-west-1_pool" in text
    assert "email" in text
    assert "bob@example.com" not in text
    assert "Temp0rary!" not in text


# ---------------------------------------------------------------------------------------------
# pickling


@pytest.mark.parametrize("cls", STRUCTURES, ids=lambda c: c.__name__)
def test_pickle_round_trip(cls: type) -> None:
    types_ = _field_types(cls)
    instance = cls(**{f.name: secret(types_[f.name], "p") for f in attrs.fields(cls)})
    assert pickle.loads(pickle.dumps(instance)) == instance
    assert pickle.loads(pickle.dumps(minimal(cls))) == minimal(cls)


def test_pickle_round_trip_nested_with_enums() -> None:
    response = shapes.InitiateAuthResponse(
        challenge_name=shapes.ChallengeNameType.SMS_MFA,
        available_challenges=[shapes.ChallengeNameType.PASSWORD, "FUTURE"],
        authentication_result=shapes.AuthenticationResultType(access_token="t", expires_in=3600),
    )
    copy = pickle.loads(pickle.dumps(response))
    assert copy == response
    assert copy.challenge_name is shapes.ChallengeNameType.SMS_MFA
