"""Errors: one tree from CognitoError, typed attributes, modeled members."""

from __future__ import annotations

import builtins
from typing import Literal, assert_type

from aiocognito import (
    CognitoError,
    CognitoIdentityProviderClient,
    ParamValidationError,
    ServiceError,
    TransportError,
    TransportTimeoutError,
)
from aiocognito.errors import (
    ERRORS,
    InvalidParameterException,
    NotAuthorizedException,
    UserNotFoundException,
)


def the_tree() -> None:
    # Generated classes are ServiceErrors, ServiceError is a CognitoError; some errors also
    # subclass the builtin they are.
    as_service_error: type[ServiceError] = NotAuthorizedException
    as_cognito_error: type[CognitoError] = UserNotFoundException
    as_value_error: type[ValueError] = ParamValidationError
    as_builtin_timeout: type[builtins.TimeoutError] = TransportTimeoutError
    as_transport_error: type[TransportError] = TransportTimeoutError
    assert_type(ERRORS, dict[str, type[ServiceError]])
    del as_service_error, as_cognito_error, as_value_error, as_builtin_timeout, as_transport_error


async def catching(client: CognitoIdentityProviderClient) -> None:
    try:
        await client.get_user(access_token="token")
    except NotAuthorizedException as exc:
        assert_type(exc, NotAuthorizedException)
        assert_type(exc.code, str)
        assert_type(exc.message, str)
        assert_type(exc.status_code, int | None)
        assert_type(exc.request_id, str | None)
        assert_type(exc.operation, str | None)
        assert_type(exc.attempts, int)
        assert_type(NotAuthorizedException.error_code, str)
        assert_type(exc.fault, Literal["client", "server"])
    except InvalidParameterException as exc:
        assert_type(exc.reason_code, str | None)  # a modeled member beyond the message
    except ServiceError as exc:
        assert_type(exc.code, str)  # an unknown code arrives as the base class
    except TransportError as exc:
        assert_type(exc.attempts, int)
    except CognitoError as exc:
        assert_type(exc, CognitoError)


def misuse_that_must_not_type_check(exc: NotAuthorizedException) -> None:
    reason = exc.reason_code  # type: ignore[attr-defined]
    status: str = exc.status_code  # type: ignore[assignment]
    del reason, status
    NotAuthorizedException("message", status=400)  # type: ignore[call-arg]
