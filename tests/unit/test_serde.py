"""Targeted cases of the wire mapping (``aiocognito._core.serde``)."""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime, timedelta, timezone

import cattrs
import pytest

from aiocognito import shapes
from aiocognito._core.serde import converter, from_wire, to_wire

T0 = datetime(2020, 1, 1, tzinfo=UTC)
T0_EPOCH = 1577836800


def _created(value: object) -> datetime:
    """Parse ``value`` as the wire form of a timestamp member (UserType.UserCreateDate)."""
    user = from_wire(shapes.UserType, {"UserCreateDate": value})
    assert user.user_create_date is not None
    return user.user_create_date


def _assert_utc(value: datetime) -> None:
    assert value.tzinfo is not None
    assert value.utcoffset() == timedelta(0)
    assert value.tzinfo == UTC


# ---------------------------------------------------------------------------------------------
# timestamps


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        (T0_EPOCH, T0),
        (0, datetime(1970, 1, 1, tzinfo=UTC)),
        (T0_EPOCH + 0.5, T0 + timedelta(milliseconds=500)),
        (1577836800.123, T0 + timedelta(milliseconds=123)),
        (float(T0_EPOCH), T0),
        (str(T0_EPOCH), T0),
        ("1577836800.25", T0 + timedelta(milliseconds=250)),
        ("2020-01-01T00:00:00Z", T0),
        ("2020-01-01T00:00:00.123Z", T0 + timedelta(milliseconds=123)),
        ("2020-01-01T00:00:00+00:00", T0),
        ("2020-01-01T00:00:00", T0),  # no offset: UTC, never local time
        ("2020-01-01T02:00:00+02:00", T0),
    ],
)
def test_timestamp_parses_to_the_instant(wire: object, expected: datetime) -> None:
    parsed = _created(wire)
    assert parsed == expected
    assert parsed.tzinfo is not None


@pytest.mark.parametrize(
    "wire",
    [
        T0_EPOCH,
        T0_EPOCH + 0.5,
        str(T0_EPOCH),
        "1577836800.25",
        "2020-01-01T00:00:00Z",
        "2020-01-01T00:00:00",
        "2020-01-01T00:00:00+00:00",
    ],
)
def test_timestamp_parses_as_utc(wire: object) -> None:
    _assert_utc(_created(wire))


def test_timestamp_with_offset_is_converted_to_utc() -> None:
    _assert_utc(_created("2020-01-01T02:00:00+02:00"))


@pytest.mark.parametrize(
    "wire",
    [
        True,
        False,
        "not a date",
        "",
        None,
        [T0_EPOCH],
        {"t": 1},
        float("nan"),
        float("inf"),
        "Infinity",
        "NaN",
        10**20,
        "1e300",
    ],
)
def test_bad_timestamp_raises(wire: object) -> None:
    data = {"UserCreateDate": wire}
    if wire is None:
        # An explicit null is "not set", never an error.
        assert from_wire(shapes.UserType, data).user_create_date is None
        return
    with pytest.raises(cattrs.ClassValidationError):
        from_wire(shapes.UserType, data)


def test_timestamp_serializes_as_epoch_seconds() -> None:
    assert to_wire(shapes.UserType(user_create_date=T0)) == {"UserCreateDate": T0_EPOCH}
    wire = to_wire(shapes.UserType(user_create_date=T0 + timedelta(milliseconds=250)))
    assert wire == {"UserCreateDate": T0_EPOCH + 0.25}
    assert type(to_wire(shapes.UserType(user_create_date=T0))["UserCreateDate"]) is int


def test_naive_datetime_serializes_as_utc() -> None:
    naive = datetime(2020, 1, 1)
    assert to_wire(shapes.UserType(user_create_date=naive)) == {"UserCreateDate": T0_EPOCH}


def test_aware_datetime_in_other_zone_serializes_as_its_instant() -> None:
    plus2 = datetime(2020, 1, 1, 2, tzinfo=timezone(timedelta(hours=2)))
    assert to_wire(shapes.UserType(user_create_date=plus2)) == {"UserCreateDate": T0_EPOCH}


def test_timestamp_before_epoch() -> None:
    before = datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC)
    wire = to_wire(shapes.UserType(user_create_date=before))
    assert wire == {"UserCreateDate": -0.5}
    assert _created(-0.5) == before


# ---------------------------------------------------------------------------------------------
# blobs


def test_blob_serializes_as_base64() -> None:
    data = bytes(range(256))
    wire = to_wire(shapes.SetUICustomizationRequest(user_pool_id="p", image_file=data))
    assert wire == {"UserPoolId": "p", "ImageFile": base64.b64encode(data).decode("ascii")}
    json.dumps(wire)


def test_blob_parses_from_base64() -> None:
    data = b"\x00\xffPNG\r\n"
    encoded = base64.b64encode(data).decode("ascii")
    parsed = from_wire(shapes.SetUICustomizationRequest, {"UserPoolId": "p", "ImageFile": encoded})
    assert parsed.image_file == data
    assert isinstance(parsed.image_file, bytes)


def test_empty_blob_round_trips() -> None:
    request = shapes.SetUICustomizationRequest(user_pool_id="p", image_file=b"")
    wire = to_wire(request)
    assert wire == {"UserPoolId": "p", "ImageFile": ""}
    assert from_wire(shapes.SetUICustomizationRequest, wire) == request


@pytest.mark.parametrize("wire", ["not base64!", "abc", "QUJD\n===", "QUJD*", 12, ["QUJD"]])
def test_invalid_base64_raises(wire: object) -> None:
    with pytest.raises(cattrs.ClassValidationError):
        from_wire(shapes.SetUICustomizationRequest, {"UserPoolId": "p", "ImageFile": wire})


# ---------------------------------------------------------------------------------------------
# documents (JSONValue)


def test_document_member_passes_json_through() -> None:
    options = {
        "challenge": "abc",
        "rp": {"id": "example.com", "name": None},
        "pubKeyCredParams": [{"alg": -7, "type": "public-key"}, {"alg": -257}],
        "timeout": 60000.5,
        "excludeCredentials": [],
        "flag": True,
    }
    wire = {"CredentialCreationOptions": options}
    parsed = from_wire(shapes.StartWebAuthnRegistrationResponse, wire)
    assert parsed.credential_creation_options == options
    assert to_wire(parsed) == wire
    assert json.loads(json.dumps(to_wire(parsed))) == wire


@pytest.mark.parametrize("document", ["text", 3, 2.5, False, [1, "a", None], {}])
def test_document_member_accepts_any_json_value(document: object) -> None:
    parsed = from_wire(
        shapes.StartWebAuthnRegistrationResponse, {"CredentialCreationOptions": document}
    )
    assert parsed.credential_creation_options == document
    assert to_wire(parsed) == {"CredentialCreationOptions": document}


# ---------------------------------------------------------------------------------------------
# enums


def test_known_enum_value_becomes_the_member() -> None:
    parsed = from_wire(shapes.UserType, {"UserStatus": "CONFIRMED"})
    assert parsed.user_status is shapes.UserStatusType.CONFIRMED


def test_unknown_enum_value_is_kept_as_plain_str() -> None:
    parsed = from_wire(shapes.UserType, {"UserStatus": "SOMETHING_NEW"})
    assert parsed.user_status == "SOMETHING_NEW"
    assert type(parsed.user_status) is str


def test_enum_values_in_lists() -> None:
    parsed = from_wire(
        shapes.InitiateAuthResponse, {"AvailableChallenges": ["PASSWORD", "BRAND_NEW"]}
    )
    assert parsed.available_challenges == [shapes.ChallengeNameType.PASSWORD, "BRAND_NEW"]
    assert parsed.available_challenges is not None
    assert parsed.available_challenges[0] is shapes.ChallengeNameType.PASSWORD
    assert type(parsed.available_challenges[1]) is str


def test_enum_member_or_plain_str_serialize_the_same() -> None:
    member = shapes.InitiateAuthRequest(auth_flow=shapes.AuthFlowType.USER_SRP_AUTH, client_id="c")
    plain = shapes.InitiateAuthRequest(auth_flow="USER_SRP_AUTH", client_id="c")
    assert json.dumps(to_wire(member)) == json.dumps(to_wire(plain))
    assert to_wire(member)["AuthFlow"] == "USER_SRP_AUTH"


def test_unknown_enum_value_serializes_as_is() -> None:
    request = shapes.InitiateAuthRequest(auth_flow="FUTURE_FLOW", client_id="c")
    assert to_wire(request) == {"AuthFlow": "FUTURE_FLOW", "ClientId": "c"}


@pytest.mark.parametrize("wire", [1, True, ["CONFIRMED"], {"v": "CONFIRMED"}])
def test_non_string_enum_value_raises(wire: object) -> None:
    with pytest.raises(cattrs.ClassValidationError):
        from_wire(shapes.UserType, {"UserStatus": wire})


# ---------------------------------------------------------------------------------------------
# members: unknown, missing, None


def test_unknown_response_keys_are_ignored() -> None:
    parsed = from_wire(
        shapes.AttributeType,
        {"Name": "email", "Value": "a@example.com", "NewField": {"x": [1]}, "__type": "x"},
    )
    assert parsed == shapes.AttributeType(name="email", value="a@example.com")


def test_unknown_nested_keys_are_ignored() -> None:
    parsed = from_wire(
        shapes.InitiateAuthResponse,
        {"AuthenticationResult": {"AccessToken": "t", "Shiny": 1}, "Other": None},
    )
    assert parsed.authentication_result == shapes.AuthenticationResultType(access_token="t")


def test_missing_required_output_member_is_error_corrected(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Smithy's client error correction: a required member the answer lacks (or sends as null)
    gets its zero value, with one DEBUG line naming it and never a value."""
    # GetUserResponse requires Username and UserAttributes.
    with caplog.at_level(logging.DEBUG, logger="aiocognito"):
        parsed = from_wire(shapes.GetUserResponse, {"Username": None, "MFAOptions": []})
    assert parsed == shapes.GetUserResponse(username="", user_attributes=[], mfa_options=[])
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert "GetUserResponse.Username" in lines[0] and "GetUserResponse.UserAttributes" in lines[1]
    assert all("client error correction" in line for line in lines)


@pytest.mark.parametrize(
    ("cls", "field_name", "zero"),
    [
        (shapes.AuthEventType, None, None),  # nothing required
        (shapes.AttributeType, "name", ""),  # string
        (shapes.ListGroupsResponse, None, None),
        (shapes.AdminGetUserResponse, "username", ""),
        (shapes.SignUpResponse, "user_confirmed", False),  # boolean
        (shapes.SignUpResponse, "user_sub", ""),
        (shapes.StringAttributeConstraintsType, None, None),
        (shapes.NumberAttributeConstraintsType, None, None),
        (shapes.RecoveryOptionType, "priority", 0),  # integer
        (shapes.RecoveryOptionType, "name", ""),  # enum: an unknown value, as a plain str
        (shapes.GetUserResponse, "user_attributes", []),  # list
        (shapes.GetDeviceResponse, "device", shapes.DeviceType()),  # structure, corrected
        (shapes.AccountTakeoverActionsType, None, None),
        (shapes.EventFeedbackType, "feedback_value", ""),
        (shapes.CompromisedCredentialsActionsType, "event_action", ""),
        (shapes.GetLogDeliveryConfigurationResponse, None, None),
    ],
)
def test_each_kind_of_required_member_gets_its_zero_value(
    cls: type, field_name: str | None, zero: object
) -> None:
    parsed = from_wire(cls, {})
    assert parsed == converter.structure({}, cls)  # the detailed path corrects the same way
    if field_name is not None:
        value = getattr(parsed, field_name)
        assert value == zero and type(value) is type(zero)


def test_a_missing_required_timestamp_blob_and_map_get_their_zero_values() -> None:
    # No answer of this model requires a timestamp, a blob or a map member: check the rule on
    # wire zeros the generated code uses, through the same helpers.
    from aiocognito._core.serde import blob_from_wire, timestamp_from_wire

    assert timestamp_from_wire(0) == datetime(1970, 1, 1, tzinfo=UTC)
    assert blob_from_wire("") == b""


def test_a_missing_required_nested_member_is_error_corrected() -> None:
    parsed = from_wire(
        shapes.GetUserResponse, {"Username": "alice", "UserAttributes": [{"Value": "v"}]}
    )
    assert parsed.user_attributes == [shapes.AttributeType(name="", value="v")]


def test_a_required_structure_left_out_is_an_error_corrected_empty_one() -> None:
    # GetDeviceResponse.Device is required, and DeviceType requires nothing.
    assert from_wire(shapes.GetDeviceResponse, {}).device == shapes.DeviceType()


def test_explicit_null_optional_member_is_none() -> None:
    parsed = from_wire(shapes.InitiateAuthResponse, {"Session": None, "AuthenticationResult": None})
    assert parsed == shapes.InitiateAuthResponse()


def test_none_members_are_omitted() -> None:
    assert to_wire(shapes.InitiateAuthResponse()) == {}
    assert to_wire(shapes.AttributeType(name="email")) == {"Name": "email"}
    request = shapes.AdminCreateUserRequest(
        user_pool_id="p",
        username="u",
        user_attributes=[shapes.AttributeType(name="email")],
    )
    assert to_wire(request) == {
        "UserPoolId": "p",
        "Username": "u",
        "UserAttributes": [{"Name": "email"}],
    }


def test_empty_containers_and_falsy_values_are_kept() -> None:
    """Only ``None`` means "not set": empty strings, lists, maps, 0 and False are sent."""
    response = shapes.InitiateAuthResponse(session="", challenge_parameters={})
    assert to_wire(response) == {"Session": "", "ChallengeParameters": {}}
    user = shapes.UserType(enabled=False, attributes=[], mfa_options=[])
    assert to_wire(user) == {"Enabled": False, "Attributes": [], "MFAOptions": []}
    result = shapes.AuthenticationResultType(expires_in=0)
    assert to_wire(result) == {"ExpiresIn": 0}


def test_sensitive_values_are_sent_on_the_wire() -> None:
    """Redaction is for repr only: the wire carries the real values."""
    request = shapes.InitiateAuthRequest(
        auth_flow="USER_PASSWORD_AUTH",
        client_id="client",
        auth_parameters={"USERNAME": "alice", "PASSWORD": "hunter2"},
    )
    assert to_wire(request)["AuthParameters"] == {"USERNAME": "alice", "PASSWORD": "hunter2"}


# ---------------------------------------------------------------------------------------------
# nesting


def test_nested_lists_and_maps_of_structures() -> None:
    wire = {
        "UserPool": {
            "Id": "eu-west-1_abc",
            "SchemaAttributes": [
                {
                    "Name": "email",
                    "AttributeDataType": "String",
                    "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "256"},
                },
                {"Name": "age", "AttributeDataType": "Number", "Mutable": True},
            ],
            "UserPoolTags": {"team": "id", "env": "prod"},
            "CreationDate": T0_EPOCH,
        }
    }
    parsed = from_wire(shapes.DescribeUserPoolResponse, wire)
    pool = parsed.user_pool
    assert pool is not None
    assert pool.schema_attributes is not None
    first, second = pool.schema_attributes
    assert isinstance(first, shapes.SchemaAttributeType)
    assert first.attribute_data_type is shapes.AttributeDataType.STRING
    assert first.string_attribute_constraints == shapes.StringAttributeConstraintsType(
        min_length="1", max_length="256"
    )
    assert second.mutable is True
    assert pool.user_pool_tags == {"team": "id", "env": "prod"}
    assert pool.creation_date == T0
    assert to_wire(parsed) == wire


def test_map_of_structures() -> None:
    # UserPoolType.AcrConfiguration: a map of level name -> AcrLevelConfigType
    wire = {"AcrConfiguration": {"Level1": {"AcrValue": "low"}, "Level4": {"AcrValue": "high"}}}
    parsed = from_wire(shapes.UserPoolType, wire)
    assert parsed.acr_configuration == {
        "Level1": shapes.AcrLevelConfigType(acr_value="low"),
        "Level4": shapes.AcrLevelConfigType(acr_value="high"),
    }
    assert to_wire(parsed) == wire


def test_map_of_structures_missing_required_member_is_error_corrected() -> None:
    parsed = from_wire(shapes.UserPoolType, {"AcrConfiguration": {"Level1": {}}})
    assert parsed.acr_configuration == {"Level1": shapes.AcrLevelConfigType(acr_value="")}


# ---------------------------------------------------------------------------------------------
# wrong types


@pytest.mark.parametrize(
    ("cls", "wire"),
    [
        (shapes.UserType, {"Enabled": "true"}),  # str where a bool is expected
        (shapes.UserType, {"Enabled": 1}),  # int where a bool is expected
        (shapes.UserType, {"Username": 5}),  # int where a str is expected
        (shapes.UserType, {"Username": True}),  # bool where a str is expected
        (shapes.UserType, {"Username": b"alice"}),  # bytes where a str is expected
        (shapes.AuthenticationResultType, {"ExpiresIn": True}),  # bool where an int is expected
        (shapes.AuthenticationResultType, {"ExpiresIn": "3600"}),  # str where an int is expected
        (shapes.AuthenticationResultType, {"ExpiresIn": 3600.5}),  # float where an int is expected
        (shapes.InitiateAuthResponse, {"ChallengeParameters": {"a": b"x"}}),  # not JSON
        (shapes.InitiateAuthResponse, {"ChallengeParameters": ["a"]}),  # list where a map is
        (shapes.UserType, {"Attributes": [{"Name": "n", "Value": 1}]}),  # nested wrong type
    ],
)
def test_wrong_scalar_types_raise(cls: type, wire: dict[str, object]) -> None:
    with pytest.raises(cattrs.ClassValidationError):
        from_wire(cls, wire)


@pytest.mark.parametrize(
    "wire",
    [
        {"MFAOptions": "abc"},  # str where a list of structures is expected
        {"MFAOptions": {"DeliveryMedium": "SMS"}},  # object where a list is expected
        {"MFAOptions": ("x",)},  # only a JSON array is a list
        {"AutoVerifiedAttributes": "email"},  # str where a list of enums is expected
    ],
)
def test_non_list_where_list_expected_raises(wire: dict[str, object]) -> None:
    """A string or object is never iterated into a list."""
    with pytest.raises(cattrs.ClassValidationError):
        from_wire(shapes.UserType if "MFAOptions" in wire else shapes.UserPoolType, wire)


@pytest.mark.parametrize("value", ["AccessToken", [], ["AccessToken"]])
def test_non_object_where_structure_expected_raises(value: object) -> None:
    """A string or array never passes as a structure whose members are all absent."""
    with pytest.raises(cattrs.ClassValidationError):
        from_wire(shapes.InitiateAuthResponse, {"AuthenticationResult": value})


@pytest.mark.parametrize("value", [7, True])
def test_number_where_structure_expected_raises(value: object) -> None:
    with pytest.raises(cattrs.ClassValidationError):
        from_wire(shapes.InitiateAuthResponse, {"AuthenticationResult": value})


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (["SOFTWARE_TOKEN_MFA"], '["SOFTWARE_TOKEN_MFA"]'),
        (["SOFTWARE_TOKEN_MFA", "SMS_MFA"], '["SOFTWARE_TOKEN_MFA","SMS_MFA"]'),
        ([], "[]"),
        ({"email": "a@example.com", "n": 1}, '{"email":"a@example.com","n":1}'),
        (1, "1"),
        (2.5, "2.5"),
        (True, "true"),
        (["é"], '["é"]'),
    ],
)
def test_other_json_values_in_a_string_map_become_json_text(value: object, text: str) -> None:
    """moto sends ``MFAS_CAN_SETUP`` as a JSON array where the service sends its JSON text:
    either way the value is text that ``json.loads`` reads back (never ``str(list)``)."""
    wire = {"ChallengeParameters": {"MFAS_CAN_SETUP": value, "USER_ID_FOR_SRP": "alice"}}
    for parsed in (
        from_wire(shapes.InitiateAuthResponse, wire),
        converter.structure(wire, shapes.InitiateAuthResponse),  # detailed validation too
    ):
        assert parsed.challenge_parameters == {"MFAS_CAN_SETUP": text, "USER_ID_FOR_SRP": "alice"}
        assert json.loads(parsed.challenge_parameters["MFAS_CAN_SETUP"]) == value


def test_nesting_too_deep_to_write_as_json_text_is_a_clear_error() -> None:
    from aiocognito._core.serde import describe_structure_error

    value: list[object] = []
    for _ in range(100_000):  # built by hand: no parser returns this much nesting
        value = [value]
    with pytest.raises(cattrs.ClassValidationError) as info:
        from_wire(shapes.InitiateAuthResponse, {"ChallengeParameters": {"X": value}})
    assert describe_structure_error(info.value) == (
        "JSON nested too deeply @ response.challenge_parameters"
    )


def test_string_map_json_text_keeps_unknown_members_and_enums_working() -> None:
    parsed = from_wire(
        shapes.InitiateAuthResponse,
        {
            "ChallengeName": "A_CHALLENGE_FROM_THE_FUTURE",
            "ChallengeParameters": {"MFAS_CAN_SETUP": ["SMS_MFA"]},
            "SomethingNew": {"nested": [1, 2]},
        },
    )
    assert parsed.challenge_name == "A_CHALLENGE_FROM_THE_FUTURE"
    assert parsed.challenge_parameters == {"MFAS_CAN_SETUP": '["SMS_MFA"]'}


def test_list_of_strings_rejects_non_strings() -> None:
    with pytest.raises(cattrs.ClassValidationError):
        from_wire(shapes.UserPoolType, {"AutoVerifiedAttributes": ["email", 3]})


def test_a_failure_is_described_by_member_path() -> None:
    # The generated from_wire fails; cattrs' detailed validation names the member.
    from aiocognito._core.serde import describe_structure_error

    with pytest.raises(cattrs.ClassValidationError) as info:
        from_wire(
            shapes.ListUsersResponse,
            {"Users": [{"Username": "a"}, {"Username": "b", "Attributes": [{"Name": 7}]}]},
        )
    text = describe_structure_error(info.value)
    assert text == "invalid value for type, expected str @ response.users.attributes.name"


def test_generated_and_detailed_parsing_agree() -> None:
    wire = {
        "Users": [
            {
                "Username": "alice",
                "Attributes": [{"Name": "email", "Value": "a@example.com"}, {"Name": "x"}],
                "UserCreateDate": 1700000000.5,
                "UserLastModifiedDate": "1700000001",
                "Enabled": True,
                "UserStatus": "A_STATUS_FROM_THE_FUTURE",
                "MFAOptions": [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}],
            },
            {"Username": "bob", "UserStatus": "CONFIRMED", "Attributes": [{"Value": "v"}]},
        ],
        "PaginationToken": "next",
    }
    fast = from_wire(shapes.ListUsersResponse, wire)
    assert fast == converter.structure(wire, shapes.ListUsersResponse)
    assert fast.users is not None and fast.users[1].user_status is shapes.UserStatusType.CONFIRMED
    assert to_wire(fast)["Users"][1]["Attributes"] == [{"Name": "", "Value": "v"}]
    assert converter.unstructure(fast) == to_wire(fast)
