"""Shapes: field types, keyword-only construction, open enums, renamed members."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import assert_type

from aiocognito import shapes
from aiocognito._core.types import JSONValue
from aiocognito.shapes import (
    AssetCategoryType,
    AssetType,
    AttributeType,
    AuthFlowType,
    ColorSchemeModeType,
    CompleteWebAuthnRegistrationRequest,
    GetUserResponse,
    MFAOptionType,
    UserStatusType,
    UserType,
)


def required_and_optional_fields(user: UserType, me: GetUserResponse) -> None:
    # Required members are plain types; optional ones `X | None`.
    assert_type(me.username, str)
    assert_type(me.user_attributes, list[AttributeType])
    assert_type(me.mfa_options, list[MFAOptionType] | None)
    assert_type(user.username, str | None)
    assert_type(user.enabled, bool | None)
    assert_type(user.user_create_date, datetime | None)
    # Enum-valued members stay open to values the service adds later.
    assert_type(user.user_status, UserStatusType | str | None)
    attribute = AttributeType(name="email", value="a@example.com")
    assert_type(attribute.name, str)
    assert_type(attribute.value, str | None)


def renamed_members_and_special_types(asset: AssetType) -> None:
    # The model's `Bytes` member clashes with the builtin: it is `bytes_`, typed `bytes`.
    assert_type(asset.bytes_, bytes | None)
    assert_type(asset.category, AssetCategoryType | str)
    request = CompleteWebAuthnRegistrationRequest(access_token="t", credential={"id": [1, 2.5]})
    assert_type(request.credential, JSONValue)


def enums_are_str_enums(member: AuthFlowType) -> None:
    as_enum: StrEnum = AuthFlowType.USER_SRP_AUTH
    as_text: str = member  # a StrEnum member is a str
    assert_type(AuthFlowType("USER_SRP_AUTH"), AuthFlowType)
    del as_enum, as_text


def construction() -> None:
    AssetType(
        category=AssetCategoryType.FAVICON_ICO,
        color_mode="LIGHT",
        extension="ICO",
        bytes_=b"\x00",
    )
    AssetType(category="FAVICON_ICO", color_mode=ColorSchemeModeType.DARK, extension="ICO")
    assert_type(shapes.UserType(username="bob"), UserType)


def constructions_that_must_not_type_check() -> None:
    AttributeType()  # type: ignore[call-arg]
    AttributeType(nmae="email")  # type: ignore[call-arg]
    AttributeType(name=1)  # type: ignore[arg-type]
    AttributeType("email")  # type: ignore[call-arg]
    UserType(enabled="yes")  # type: ignore[arg-type]
    AssetType(category=1, color_mode="LIGHT", extension="ICO")  # type: ignore[arg-type]
    CompleteWebAuthnRegistrationRequest(access_token="t", credential={1, 2})  # type: ignore[arg-type]


def fields_that_must_not_type_check(user: UserType) -> None:
    user.enabled = "yes"  # type: ignore[assignment]
    name: str = user.username  # type: ignore[assignment]
    del name
