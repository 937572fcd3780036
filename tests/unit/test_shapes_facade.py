"""The ``aiocognito.shapes`` facade and the generated attrs classes behind it.

Names and traits (required, sensitive) are derived from the service model JSON (and the
redaction of values that are secrets in practice from ``codegen.redaction``), never listed by
hand, so these tests follow the model. What the generator decides is checked for every
class, in one loop per decision; what attrs does with those declarations (keyword-only
``__init__``, slots, the repr of a redacted field, pickling) is attrs' own behaviour, checked
once on a sample.
"""

from __future__ import annotations

import enum
import json
import pickle
import subprocess
import sys
import typing
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest

from aiocognito import shapes
from aiocognito._core.types import JSONValue, redact
from aiocognito._shapes import redact_secret_keys
from codegen import naming, redaction
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


_READ_AND_WRITE = """
import json, sys
from datetime import UTC, datetime
from aiocognito import shapes
from aiocognito._core import serde

user = {
    "Username": "alice",
    "Attributes": [{"Name": "email", "Value": "alice@example.com"}],
    "UserCreateDate": 1715949015.25,
    "Enabled": True,
    "UserStatus": "CONFIRMED",
}
page = serde.from_wire(shapes.ListUsersResponse, {"Users": [user] * 60, "PaginationToken": "t"})
assert page.users[0].user_status is shapes.UserStatusType.CONFIRMED
request = shapes.AdminCreateUserRequest(
    user_pool_id="eu-west-1_x",
    username="bob",
    user_attributes=[shapes.AttributeType(name="email", value="bob@example.com")],
    desired_delivery_mediums=[shapes.DeliveryMediumType.EMAIL],
)
assert serde.to_wire(request)["DesiredDeliveryMediums"] == ["EMAIL"]
fine = "cattrs" in sys.modules
try:
    serde.from_wire(shapes.ListUsersResponse, {"Users": [{"Enabled": "yes"}]})
except Exception:
    pass
print(json.dumps([fine, "cattrs" in sys.modules]))
"""


def test_answers_are_read_and_requests_written_by_the_generated_functions() -> None:
    """Issue 17.3: the structure and unstructure functions the generator writes next to each
    class do the work; cattrs is imported only to describe an answer that does not fit."""
    assert _run(_READ_AND_WRITE) == [False, True]


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


LITERAL_ALIASES = sorted(f"{name}Literal" for name in ENUM_SHAPES)
"""Each enum's values as a ``Literal``: what enum-typed parameters take as plain strings."""


def test_all_is_exactly_the_model_shapes() -> None:
    """The model's shapes, each enum's Literal alias, and the parameters' escape hatch."""
    assert len(shapes.__all__) == len(set(shapes.__all__)), "duplicates in __all__"
    expected = {*MODEL_NAMES, *LITERAL_ALIASES, "UnmodeledValue"}
    missing = expected - set(shapes.__all__)
    extra = set(shapes.__all__) - expected
    assert not missing, f"missing from __all__: {sorted(missing)}"
    assert not extra, f"in __all__ but not model shapes: {sorted(extra)}"


def test_dir_lists_every_model_shape() -> None:
    missing = set(MODEL_NAMES) - set(dir(shapes))
    assert not missing, sorted(missing)


def test_lazy_table_covers_every_class_and_enum() -> None:
    assert set(shapes._MODULES) == set(CLASS_SHAPES) | set(ENUM_SHAPES)


def test_every_name_resolves_to_what_the_model_says() -> None:
    for name in MODEL_NAMES:
        value = getattr(shapes, name)
        if name in CLASS_SHAPES:
            assert attrs.has(value), name
            assert value.__name__ == name
        elif name in ENUM_SHAPES:
            assert issubclass(value, enum.StrEnum), name
            assert value.__name__ == name
        else:  # list/map/document alias
            assert value is not None, name


def _namespace() -> dict[str, Any]:
    names = {name: getattr(shapes, name) for name in shapes.__all__}
    return {"JSONValue": JSONValue, **names}


def test_aliases_evaluate_to_the_model_type() -> None:
    """List/map aliases name real classes, with the model's container kind."""
    for name in ALIAS_SHAPES:
        alias = getattr(shapes, name)
        value = eval(alias, _namespace()) if isinstance(alias, str) else alias
        shape = SHAPES[name]
        if shape["type"] == "list":
            assert typing.get_origin(value) is list, name
        elif shape["type"] == "map":
            assert typing.get_origin(value) is dict, name
        else:
            assert value is JSONValue, name


def test_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchShape"):
        shapes.NoSuchShape  # noqa: B018
    assert not hasattr(shapes, "NoSuchShape")
    with pytest.raises(ImportError):
        exec("from aiocognito.shapes import NoSuchShape", {})


def test_errors_are_not_shapes() -> None:
    from ._model import ERROR_SHAPES

    assert not set(ERROR_SHAPES) & set(shapes.__all__)


def test_enum_values_match_model() -> None:
    for cls in ENUMS:
        assert [m.value for m in cls] == [str(v) for v in SHAPES[cls.__name__]["enum"]], cls


def test_each_enums_literal_alias_lists_exactly_its_values() -> None:
    for cls in ENUMS:
        alias = getattr(shapes, f"{cls.__name__}Literal")
        value = eval(alias, {"Literal": typing.Literal}) if isinstance(alias, str) else alias
        assert typing.get_origin(value) is typing.Literal, cls
        assert list(typing.get_args(value)) == [m.value for m in cls], cls


def test_unmodeled_value_is_the_string_itself() -> None:
    assert shapes.UnmodeledValue("A_FLOW_FROM_THE_FUTURE") == "A_FLOW_FROM_THE_FUTURE"
    assert type(shapes.UnmodeledValue("X")) is str


# ---------------------------------------------------------------------------------------------
# classes against the model: every class, one loop each (what the generator decided)


def _wire(field: attrs.Attribute) -> str:  # type: ignore[type-arg]
    return typing.cast(str, field.metadata["wire"])


def _required(field: attrs.Attribute) -> bool:  # type: ignore[type-arg]
    return field.default is attrs.NOTHING


def test_fields_match_model_members() -> None:
    for cls in STRUCTURES:
        shape = SHAPES[cls.__name__]
        fields = attrs.fields(cls)
        wires = list(shape.get("members", {}))
        assert sorted(_wire(f) for f in fields) == sorted(wires), cls
        assert {_wire(f) for f in fields if _required(f)} == set(shape.get("required", [])), cls
        assert all(f.default is None for f in fields if not _required(f)), cls
        names = dict(zip(wires, naming.unique([naming.member_name(w) for w in wires]), strict=True))
        assert {f.name: _wire(f) for f in fields} == {n: w for w, n in names.items()}, cls


def test_required_members_come_first_in_model_order() -> None:
    for cls in STRUCTURES:
        fields = attrs.fields(cls)
        flags = [_required(f) for f in fields]
        assert flags == sorted(flags, reverse=True), cls
        order = list(SHAPES[cls.__name__].get("members", {}))
        for group in (True, False):
            wires = [_wire(f) for f in fields if _required(f) is group]
            assert wires == [w for w in order if w in wires], cls


def test_every_class_is_keyword_only_and_slotted() -> None:
    """How the generator declares each class; what that means is attrs' (one sample below)."""
    for cls in STRUCTURES:
        assert "__slots__" in vars(cls), cls
        assert all(f.kw_only for f in attrs.fields(cls)), cls


def _secret(cls: type, field: attrs.Attribute) -> bool:  # type: ignore[type-arg]
    """Redacted whole: the model makes the value sensitive, or codegen's list of values that
    are secrets in practice names its member or shape."""
    member = SHAPES[cls.__name__]["members"][_wire(field)]
    return _wire(field) in sensitive_members(cls.__name__) or redaction.is_secret(
        _wire(field), member["shape"]
    )


def _string_map(cls: type, field: attrs.Attribute) -> bool:  # type: ignore[type-arg]
    target = SHAPES[SHAPES[cls.__name__]["members"][_wire(field)]["shape"]]
    return target["type"] == "map" and SHAPES[target["value"]["shape"]]["type"] == "string"


def test_redaction_follows_the_model_and_the_list_of_secrets() -> None:
    """A field is redacted in repr exactly when the model makes its value sensitive or
    ``codegen.redaction`` names it; any other map of strings redacts the values of
    ``redaction.SECRET_MAP_KEYS``, and every other field shows its value."""
    wrong = []
    for cls in STRUCTURES:
        for field in attrs.fields(cls):
            if _secret(cls, field):
                expected: object = redact
            elif _string_map(cls, field):
                expected = redact_secret_keys
            else:
                expected = True
            if field.repr is not expected:
                wrong.append(f"{cls.__name__}.{field.name}")
    assert wrong == []
    assert redact_secret_keys.keys == frozenset(redaction.SECRET_MAP_KEYS)


@pytest.mark.parametrize(
    ("make", "secrets"),
    [
        (
            lambda: shapes.InitiateAuthResponse(
                challenge_name="PASSWORD_VERIFIER",
                challenge_parameters={
                    "SRP_B": "srp-b-value",
                    "SALT": "salt-value",
                    "SECRET_BLOCK": "secret-block-value",
                    "USER_ID_FOR_SRP": "alice",
                },
            ),
            ["srp-b-value", "salt-value", "secret-block-value"],
        ),
        (
            lambda: shapes.ConfirmSignUpRequest(
                client_id="c", username="u", confirmation_code="123456"
            ),
            ["123456"],
        ),
        (
            lambda: shapes.ConfirmForgotPasswordRequest(
                client_id="c", username="u", confirmation_code="123456", password="p"
            ),
            ["123456"],
        ),
        (
            lambda: shapes.VerifyUserAttributeRequest(
                access_token="t", attribute_name="email", code="654321"
            ),
            ["654321"],
        ),
        (
            lambda: shapes.ConfirmDeviceRequest(
                access_token="t",
                device_key="k",
                device_secret_verifier_config=shapes.DeviceSecretVerifierConfigType(
                    password_verifier="verifier-value", salt="salt-value"
                ),
            ),
            ["verifier-value", "salt-value"],
        ),
        (
            lambda: shapes.IdentityProviderType(
                provider_details={"client_id": "id", "client_secret": "idp-secret-value"}
            ),
            ["idp-secret-value"],
        ),
        (  # the headers of the user's own request to the app, passed on for threat protection
            lambda: shapes.ContextDataType(
                ip_address="192.0.2.1",
                server_name="app.example.com",
                server_path="/login",
                http_headers=[
                    shapes.HttpHeader(header_name="Cookie", header_value="sid=cookie-value"),
                    shapes.HttpHeader(header_name="Authorization", header_value="Bearer tok-value"),
                ],
            ),
            ["cookie-value", "tok-value"],
        ),
    ],
)
def test_secrets_in_practice_stay_out_of_repr(make: Any, secrets: list[str]) -> None:
    text = repr(make())
    assert "<redacted>" in text
    assert not [s for s in secrets if s in text]


def test_a_challenge_repr_still_says_what_it_is() -> None:
    text = repr(
        shapes.InitiateAuthResponse(
            challenge_parameters={"USER_ID_FOR_SRP": "alice", "SRP_B": "b", "MFAS_CAN_SETUP": "[]"}
        )
    )
    assert "'USER_ID_FOR_SRP': 'alice'" in text and "'SRP_B': <redacted>" in text
    assert "'MFAS_CAN_SETUP': '[]'" in text


def test_a_context_data_repr_still_names_its_headers() -> None:
    text = repr(
        shapes.HttpHeader(header_name="Authorization", header_value="Bearer eyJhbGciOi.x.y")
    )
    assert text == "HttpHeader(header_name='Authorization', header_value=<redacted>)"


def test_sensitive_set_is_derived_from_the_model() -> None:
    names = {
        (cls.__name__, field.name)
        for cls in STRUCTURES
        for field in attrs.fields(cls)
        if field.repr is redact
    }
    assert ("InitiateAuthRequest", "auth_parameters") in names
    assert ("AttributeType", "value") in names
    assert ("RespondToAuthChallengeRequest", "challenge_responses") in names
    assert ("UserContextDataType", "ip_address") in names  # member of a sensitive structure
    assert ("AttributeType", "name") not in names


# ---------------------------------------------------------------------------------------------
# one sample of each behaviour the declarations give (attrs' own, checked once)


def _sample_user() -> Any:
    return shapes.UserType(
        username="alice",
        attributes=[shapes.AttributeType(name="email", value="alice@example.com")],
        user_create_date=datetime(2024, 5, 17, 12, 30, 15, 250000, tzinfo=UTC),
        enabled=True,
        user_status=shapes.UserStatusType.CONFIRMED,
        mfa_options=[shapes.MFAOptionType(delivery_medium="FUTURE_MEDIUM", attribute_name="x")],
    )


def test_keyword_only_and_slotted_sample() -> None:
    with pytest.raises(TypeError):
        shapes.AttributeType("email")
    with pytest.raises(TypeError):
        shapes.AttributeType()  # Name is required
    user = _sample_user()
    assert not hasattr(user, "__dict__")
    with pytest.raises(AttributeError):
        user.not_a_field = 1


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
    assert "session=None" in text  # an unset sensitive field says so
    assert "hunter2" not in str(request)
    assert "hunter2" not in repr([request])  # nested in a container, still redacted

    user = shapes.AdminCreateUserRequest(
        user_pool_id="eu-west-1_pool",
        username="bob",
        user_attributes=[shapes.AttributeType(name="email", value="bob@example.com")],
        temporary_password="Temp0rary!",
    )
    text = repr(user)
    assert "eu-west-1_pool" in text  # a plain field shows its value
    assert "email" in text
    assert "bob@example.com" not in text
    assert "Temp0rary!" not in text


def test_pickle_round_trip_sample() -> None:
    user = _sample_user()
    copy = pickle.loads(pickle.dumps(user))
    assert copy == user
    assert copy.user_status is shapes.UserStatusType.CONFIRMED
    assert copy.mfa_options[0].delivery_medium == "FUTURE_MEDIUM"  # an enum value we don't know
    assert pickle.loads(pickle.dumps(shapes.AttributeType(name="n"))) == shapes.AttributeType(
        name="n"
    )


def test_pickle_round_trip_nested_with_enums() -> None:
    response = shapes.InitiateAuthResponse(
        challenge_name=shapes.ChallengeNameType.SMS_MFA,
        available_challenges=[shapes.ChallengeNameType.PASSWORD, "FUTURE"],
        authentication_result=shapes.AuthenticationResultType(access_token="t", expires_in=3600),
    )
    copy = pickle.loads(pickle.dumps(response))
    assert copy == response
    assert copy.challenge_name is shapes.ChallengeNameType.SMS_MFA


def test_a_pickle_names_the_module_named_after_the_class() -> None:
    """Pickles refer to the class by its module path, which follows from its name."""
    data = pickle.dumps(shapes.AttributeType(name="n"))
    assert b"aiocognito._shapes.attribute_type" in data
    assert b"AttributeType" in data
