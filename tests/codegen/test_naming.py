"""Python names for model names: the edge cases, then every name of the real models.

The renamed identifiers are part of the public API: a change in this file's expectations is a
breaking change for users of the generated package.
"""

from __future__ import annotations

import builtins
import keyword
from pathlib import Path
from typing import Any

import attrs
import pytest

from codegen import ir, naming
from tests.codegen.support import generate, import_generated, write_model


@pytest.mark.parametrize(
    ("wire", "python"),
    [
        ("From", "from_"),  # keyword
        ("Bytes", "bytes_"),  # builtin used in annotations: `bytes: bytes | None` breaks
        ("Type", "type_"),
        ("Id", "id"),  # builtins that annotations never use stay as they are
        ("Filter", "filter"),
        ("AllowedOAuthFlows", "allowed_oauth_flows"),  # override: xform_name splits O/Auth
        ("AllowedOAuthFlowsUserPoolClient", "allowed_oauth_flows_user_pool_client"),
        ("AllowedOAuthScopes", "allowed_oauth_scopes"),
        ("CallbackURLs", "callback_urls"),  # not callback_ur_ls
        ("LogoutURLs", "logout_urls"),
        ("UserPoolId", "user_pool_id"),
        ("MFAOptions", "mfa_options"),
        ("SMSMfaSettings", "sms_mfa_settings"),
        ("WebAuthnRelyingPartyID", "web_authn_relying_party_id"),
        ("ProviderARN", "provider_arn"),
        ("SAMLProviderARNs", "saml_provider_arns"),
        ("IdToken", "id_token"),
        ("message", "message"),
        ("reasonCode", "reason_code"),
        ("Self", "self_"),  # reserved by the generated methods
        ("Class", "class_"),
    ],
)
def test_member_name(wire: str, python: str) -> None:
    assert naming.member_name(wire) == python


@pytest.mark.parametrize(
    ("wire", "python"),
    [
        ("InitiateAuth", "initiate_auth"),
        ("AdminInitiateAuth", "admin_initiate_auth"),
        ("GetCSVHeader", "get_csv_header"),
        ("GetUICustomization", "get_ui_customization"),
        ("SetUserMFAPreference", "set_user_mfa_preference"),
        ("ListWebAuthnCredentials", "list_web_authn_credentials"),
        ("GetTokensFromRefreshToken", "get_tokens_from_refresh_token"),
        ("Filter", "filter_"),  # a method named like a builtin gets an underscore
        ("Import", "import_"),
    ],
)
def test_operation_name(wire: str, python: str) -> None:
    assert naming.operation_name(wire) == python


@pytest.mark.parametrize(
    ("value", "python"),
    [
        ("USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"),
        ("Enabled", "ENABLED"),
        ("aws.cognito.signin", "AWS_COGNITO_SIGNIN"),
        ("aws.cognito.signin.user.admin", "AWS_COGNITO_SIGNIN_USER_ADMIN"),
        ("1x", "V1X"),  # digit-leading
        ("2FA", "V2FA"),
        ("LoginWithAmazon", "LOGIN_WITH_AMAZON"),
        ("SignInWithApple", "SIGN_IN_WITH_APPLE"),
        ("client_credentials", "CLIENT_CREDENTIALS"),
        ("phone_number", "PHONE_NUMBER"),
        ("SAML", "SAML"),
        ("Sha256", "SHA256"),
        ("a--b", "A_B"),
        ("", "EMPTY"),
    ],
)
def test_enum_member_name(value: str, python: str) -> None:
    assert naming.enum_member_name(value) == python


def test_class_name() -> None:
    assert naming.class_name("UserPoolType") == "UserPoolType"
    assert naming.class_name("userPool-type") == "UserPool_type"
    assert naming.class_name("1Type").isidentifier()


def test_unique_numbers_repeats() -> None:
    assert naming.unique([]) == []
    assert naming.unique(["a", "b"]) == ["a", "b"]
    assert naming.unique(["a", "a", "b", "a"]) == ["a", "a_2", "b", "a_3"]


def test_unique_never_returns_duplicates() -> None:
    names = naming.unique(["a", "a", "a_2"])
    assert len(set(names)) == len(names), names


# --- every name of the real models -------------------------------------------------------------

# Names the generated class bodies use on the right of `=`: a field with one of these names
# would shadow it for the fields after it.
CLASS_BODY_NAMES = frozenset({"field", "redact", "define"})


def _check_member_names(names: list[str], where: str) -> None:
    assert len(set(names)) == len(names), f"{where}: duplicate names {names}"
    for name in names:
        assert name.isidentifier(), f"{where}.{name}"
        assert not keyword.iskeyword(name), f"{where}.{name}"
        assert name not in naming.ANNOTATION_BUILTINS, f"{where}.{name}"
        assert name not in CLASS_BODY_NAMES, f"{where}.{name}"
        assert name not in ("self", "cls"), f"{where}.{name}"
        # attrs strips leading underscores from __init__ parameters: `_x` would be passed as `x`.
        assert not name.startswith("_"), f"{where}.{name}"
        assert name == name.lower(), f"{where}.{name}"


@pytest.fixture(scope="module", params=["current", "2022-12-12"])
def service(request: pytest.FixtureRequest) -> ir.Service:
    fixture = "current_model" if request.param == "current" else "old_model"
    model: dict[str, Any] = request.getfixturevalue(fixture)
    return ir.build(model)


def test_member_names_of_every_structure(service: ir.Service) -> None:
    for struct in service.structures.values():
        _check_member_names([m.name for m in struct.members], struct.name)
    for error in service.errors:
        _check_member_names([m.name for m in error.members], error.name)


def test_operation_names(service: ir.Service) -> None:
    names = [op.name for op in service.operations]
    assert len(set(names)) == len(names)
    for name in names:
        assert name.isidentifier() and not keyword.iskeyword(name), name
        assert not hasattr(builtins, name), name
        assert name == name.lower() and not name.startswith("_"), name


def test_operation_names_do_not_shadow_the_client_base(service: ir.Service) -> None:
    try:
        from aiocognito._core.client import BaseClient
    except ImportError:
        pytest.skip("no client base class yet")
    taken = set(dir(BaseClient))
    for op in service.operations:
        assert op.name not in taken, op.wire_name


def test_method_parameters_are_the_member_names(service: ir.Service) -> None:
    for op in service.operations:
        if op.input:
            struct = next(s for s in service.structures.values() if s.name == op.input)
            assert [p.name for p in op.params] == [m.name for m in struct.members], op.wire_name


def test_enum_member_names(service: ir.Service) -> None:
    for e in service.enums.values():
        names = [v.name for v in e.values]
        assert len(set(names)) == len(names), e.name
        for name in names:
            assert name.isidentifier() and not keyword.iskeyword(name), f"{e.name}.{name}"
            assert name == name.upper(), f"{e.name}.{name}"
            assert not name.startswith("_"), f"{e.name}.{name}"  # _sunder_ names are Enum's


def test_class_names_are_unique(service: ir.Service) -> None:
    names = [s.name for s in service.structures.values()]
    names += [e.name for e in service.enums.values()]
    names += [e.name for e in service.errors]
    names += [a.name for a in service.aliases]
    assert len(set(names)) == len(names)
    assert all(n.isidentifier() and n[0].isupper() for n in names)


def test_renamed_members_of_the_current_model(current_model: dict[str, Any]) -> None:
    """Where our names differ from botocore's: an API snapshot, reviewed when it changes."""
    from botocore import xform_name

    renamed = {
        wire: naming.member_name(wire)
        for shape in current_model["shapes"].values()
        for wire in shape.get("members", {})
        if naming.member_name(wire) != xform_name(wire)
    }
    assert renamed == {
        "AllowedOAuthFlows": "allowed_oauth_flows",
        "AllowedOAuthFlowsUserPoolClient": "allowed_oauth_flows_user_pool_client",
        "AllowedOAuthScopes": "allowed_oauth_scopes",
        "Bytes": "bytes_",
        "From": "from_",
        "Type": "type_",
    }
    assert all(naming.operation_name(op) == xform_name(op) for op in current_model["operations"])


# --- names that clash inside the generated code (synthetic models) -----------------------------


def _one_structure(tmp_path: Path, members: dict[str, Any], package: str) -> Any:
    shapes = {
        "StringType": {"type": "string"},
        "SecretType": {"type": "string", "sensitive": True},
        "ThingRequest": {"type": "structure", "members": members},
        "ThingResponse": {"type": "structure", "members": {"Id": {"shape": "StringType"}}},
    }
    operations = {
        "MakeThing": {
            "name": "MakeThing",
            "input": {"shape": "ThingRequest"},
            "output": {"shape": "ThingResponse"},
        }
    }
    path = write_model(tmp_path / "model" / "service-2.json", shapes, operations)
    generate(path, tmp_path / package)
    return import_generated(tmp_path, package)["shapes"].ThingRequest


def test_member_named_field(tmp_path: Path) -> None:
    members = {
        "Field": {"shape": "StringType"},
        "After": {"shape": "StringType"},
    }
    cls = _one_structure(tmp_path, members, "clash_field")
    assert {f.name for f in attrs.fields(cls)} == {"field_", "after"}


def test_member_named_redact(tmp_path: Path) -> None:
    members = {"Redact": {"shape": "StringType"}, "Secret": {"shape": "SecretType"}}
    cls = _one_structure(tmp_path, members, "clash_redact")
    values = {
        f.alias: "s3kr1t" if f.metadata["wire"] == "Secret" else "visible"
        for f in attrs.fields(cls)
    }
    text = repr(cls(**values))
    assert "s3kr1t" not in text
    assert "visible" in text


def test_member_name_never_starts_with_underscore(tmp_path: Path) -> None:
    assert not naming.member_name("ARNs").startswith("_")


def test_colliding_members_keep_every_field(tmp_path: Path) -> None:
    members = {w: {"shape": "StringType"} for w in ("Foo", "foo", "foo_2")}
    cls = _one_structure(tmp_path, members, "clash_unique")
    assert {f.metadata["wire"] for f in attrs.fields(cls)} == set(members)


def test_reserved_names_cover_what_the_runtime_defines() -> None:
    """A generated method or error attribute must not replace one of its base class's: the
    generator's lists (it imports nothing from src/) hold every public name the runtime's
    classes have, so a name added there (``retry``, ``retry_after``) is added here too."""
    from aiocognito._core.client import BaseClient
    from aiocognito._core.errors import ServiceError

    methods = {n for n in dir(BaseClient) if not n.startswith("_")}
    assert methods - naming.RESERVED_METHOD_NAMES == set()
    error = ServiceError("m", code="C", status_code=400, request_id="r", operation="Op")
    attributes = {n for n in dir(error) if not n.startswith("_")}
    assert attributes - naming.ERROR_RESERVED_NAMES == set()
    assert naming.operation_name("Retry") == "retry_"
