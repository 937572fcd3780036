"""The exception tree and the generated error classes, checked against the model JSON."""

from __future__ import annotations

import builtins
import pickle

import pytest

import aiocognito
from aiocognito import errors
from aiocognito._core import errors as core_errors
from aiocognito._core.protocol import parse_error

from ._model import ERROR_SHAPES, SHAPES


def _error_class(code: str) -> type[aiocognito.ServiceError]:
    return errors.ERRORS[code]


# ---------------------------------------------------------------------------------------------
# one class per modeled error


def test_every_model_error_is_registered() -> None:
    assert ERROR_SHAPES, "the model has error shapes"
    missing = set(ERROR_SHAPES) - set(errors.ERRORS)
    assert not missing, sorted(missing)


def test_errors_registry_has_no_extra_codes() -> None:
    extra_codes = {
        SHAPES[n]["error"]["code"] for n in ERROR_SHAPES if SHAPES[n].get("error", {}).get("code")
    }
    assert set(errors.ERRORS) == set(ERROR_SHAPES) | extra_codes


def test_errors_all_lists_every_class() -> None:
    assert len(errors.__all__) == len(set(errors.__all__))
    names = {cls.__name__ for cls in errors.ERRORS.values()}
    assert names | {"ERRORS"} == set(errors.__all__)
    for name in errors.__all__:
        assert getattr(errors, name) is not None


@pytest.mark.parametrize("code", ERROR_SHAPES)
def test_error_class_matches_model(code: str) -> None:
    shape = SHAPES[code]
    cls = _error_class(code)
    assert getattr(errors, cls.__name__) is cls
    assert issubclass(cls, aiocognito.ServiceError)
    assert issubclass(cls, aiocognito.CognitoError)
    assert issubclass(cls, Exception)
    assert cls is not aiocognito.ServiceError
    assert cls.error_code == code
    assert cls.fault == ("server" if shape.get("fault") else "client")
    assert cls.http_status == shape.get("error", {}).get("httpStatusCode")
    if shape.get("documentation"):
        assert cls.__doc__
        assert cls.__doc__.strip()
        assert "<p>" not in cls.__doc__


@pytest.mark.parametrize("code", ERROR_SHAPES)
def test_error_instance_defaults(code: str) -> None:
    cls = _error_class(code)
    exc = cls("something failed", status_code=400, request_id="req-1", operation="SignUp")
    assert exc.code == code
    assert exc.message == "something failed"
    assert exc.status_code == 400
    assert exc.request_id == "req-1"
    assert exc.operation == "SignUp"
    assert str(exc.args[0]) == "something failed"
    with pytest.raises(aiocognito.ServiceError):
        raise exc


@pytest.mark.parametrize("code", ERROR_SHAPES)
def test_modeled_members_read_from_body(code: str) -> None:
    cls = _error_class(code)
    members = {wire for wire in SHAPES[code].get("members", {}) if wire.lower() != "message"}
    assert set(cls.wire_members.values()) == members
    body = {wire: f"value-of-{wire}" for wire in members}
    exc = cls("m", body=body)
    for name, wire in cls.wire_members.items():
        assert getattr(exc, name) == f"value-of-{wire}"
    empty = cls("m")
    for name in cls.wire_members:
        assert getattr(empty, name) is None


def test_server_faults() -> None:
    server = {code for code in ERROR_SHAPES if SHAPES[code].get("fault")}
    assert server == {code for code, cls in errors.ERRORS.items() if cls.fault == "server"}
    assert errors.ERRORS["InternalErrorException"].fault == "server"
    assert errors.ERRORS["NotAuthorizedException"].fault == "client"


# ---------------------------------------------------------------------------------------------
# InvalidParameterException.reason_code


def test_invalid_parameter_reason_code_from_body() -> None:
    exc = errors.InvalidParameterException(
        "bad", body={"__type": "InvalidParameterException", "reasonCode": "INVALID_EMAIL"}
    )
    assert exc.reason_code == "INVALID_EMAIL"


def test_invalid_parameter_reason_code_absent() -> None:
    assert errors.InvalidParameterException("bad").reason_code is None
    assert errors.InvalidParameterException("bad", body={}).reason_code is None


def test_invalid_parameter_reason_code_through_protocol() -> None:
    exc = parse_error(
        status=400,
        headers={"x-amzn-requestid": "rid-9"},
        body=b'{"__type":"InvalidParameterException","message":"nope","reasonCode":"R1"}',
        operation="SignUp",
        errors=errors.ERRORS,
    )
    assert type(exc) is errors.InvalidParameterException
    assert exc.reason_code == "R1"
    assert exc.request_id == "rid-9"
    assert exc.message == "nope"


# ---------------------------------------------------------------------------------------------
# str / repr


def test_str_and_repr_include_the_facts() -> None:
    exc = errors.UserNotFoundException(
        "User does not exist.",
        status_code=400,
        request_id="3f2a-rid",
        operation="InitiateAuth",
    )
    for text in (str(exc), repr(exc)):
        assert "UserNotFoundException" in text
        assert "400" in text
        assert "3f2a-rid" in text
        assert "User does not exist." in text
    assert "InitiateAuth" in str(exc)
    assert repr(exc).startswith("UserNotFoundException(")


def test_str_without_optional_parts() -> None:
    exc = aiocognito.ServiceError(code="Throttled")
    assert str(exc) == "Throttled"
    assert "None" not in str(exc)


def test_message_from_body_not_secrets() -> None:
    """Only message, code, status, request id: the request's secrets are never attached."""
    exc = errors.NotAuthorizedException(
        "Incorrect username or password.",
        status_code=400,
        body={"__type": "NotAuthorizedException", "message": "Incorrect username or password."},
    )
    assert "PASSWORD" not in str(exc)
    assert not hasattr(exc, "body")


# ---------------------------------------------------------------------------------------------
# unknown codes


def test_unknown_code_gives_plain_service_error() -> None:
    code = "BrandNewException"
    assert code not in errors.ERRORS
    exc = errors.ERRORS.get(code, aiocognito.ServiceError)("new", code=code, status_code=400)
    assert type(exc) is aiocognito.ServiceError
    assert exc.code == code
    assert code in str(exc)
    assert code in repr(exc)


def test_unknown_code_through_protocol() -> None:
    exc = parse_error(
        status=400,
        headers={"x-amzn-requestid": "rid-1"},
        body=b'{"__type":"com.amazon#BrandNewException:http://internal","message":"hi"}',
        operation="SignUp",
        errors=errors.ERRORS,
    )
    assert type(exc) is aiocognito.ServiceError
    assert exc.code == "BrandNewException"
    assert exc.message == "hi"


def test_known_code_with_namespace_through_protocol() -> None:
    exc = parse_error(
        status=400,
        headers={"x-amzn-errortype": "UserNotFoundException:http://internal/"},
        body=b"{}",
        operation="AdminGetUser",
        errors=errors.ERRORS,
    )
    assert type(exc) is errors.UserNotFoundException


def test_base_class_without_code() -> None:
    assert aiocognito.ServiceError("x").code == "Unknown"
    assert aiocognito.ServiceError.error_code == ""


def test_pickle_keeps_the_facts() -> None:
    exc = errors.InvalidParameterException(
        "bad", status_code=400, request_id="r", operation="SignUp", body={"reasonCode": "X"}
    )
    copy = pickle.loads(pickle.dumps(exc))
    assert type(copy) is errors.InvalidParameterException
    assert (copy.code, copy.message, copy.status_code, copy.request_id, copy.reason_code) == (
        "InvalidParameterException",
        "bad",
        400,
        "r",
        "X",
    )


# ---------------------------------------------------------------------------------------------
# the hierarchy


@pytest.mark.parametrize(
    ("cls", "bases"),
    [
        (core_errors.ServiceError, (core_errors.CognitoError,)),
        (core_errors.ParamValidationError, (core_errors.CognitoError, ValueError)),
        (core_errors.ResponseParseError, (core_errors.CognitoError, ValueError)),
        (core_errors.TransportError, (core_errors.CognitoError,)),
        (
            core_errors.TransportTimeoutError,
            (core_errors.TransportError, core_errors.CognitoError, builtins.TimeoutError, OSError),
        ),
        (
            core_errors.ResponseTooLargeError,
            (core_errors.TransportError, core_errors.CognitoError),
        ),
        (
            core_errors.EndpointResolutionError,
            (core_errors.ConfigurationError, core_errors.CognitoError),
        ),
        (core_errors.ClientClosedError, (core_errors.CognitoError, RuntimeError)),
        (core_errors.ConfigurationError, (core_errors.CognitoError,)),
        (core_errors.NoRegionError, (core_errors.ConfigurationError, core_errors.CognitoError)),
        (core_errors.InvalidRegionError, (core_errors.ConfigurationError, ValueError)),
        (
            core_errors.NoCredentialsError,
            (core_errors.ConfigurationError, core_errors.CognitoError),
        ),
        (core_errors.CognitoError, (Exception,)),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else "",
)
def test_hierarchy(cls: type, bases: tuple[type, ...]) -> None:
    for base in bases:
        assert issubclass(cls, base), f"{cls.__name__} is not a {base.__name__}"


def test_branches_are_disjoint() -> None:
    branches = [
        core_errors.ServiceError,
        core_errors.ParamValidationError,
        core_errors.ResponseParseError,
        core_errors.TransportError,
        core_errors.ConfigurationError,
    ]
    for a in branches:
        for b in branches:
            if a is not b:
                assert not issubclass(a, b), (a, b)


def test_timeout_is_caught_as_builtin_timeout() -> None:
    with pytest.raises(builtins.TimeoutError):
        raise core_errors.TransportTimeoutError("read timed out")
    with pytest.raises(aiocognito.TransportError):
        raise aiocognito.TransportTimeoutError("read timed out")


def test_the_old_timeout_name_still_works_and_says_it_is_deprecated() -> None:
    """``aiocognito.TimeoutError`` shadowed the builtin when imported by name; it stays as a
    deprecated alias, out of ``__all__`` so that ``import *`` cannot shadow anything."""
    with pytest.warns(DeprecationWarning, match="use aiocognito.TransportTimeoutError"):
        old = aiocognito.TimeoutError
    assert old is aiocognito.TransportTimeoutError
    assert "TimeoutError" not in aiocognito.__all__
    namespace: dict[str, object] = {}
    exec("from aiocognito import *", namespace)
    assert "TimeoutError" not in namespace
    # One home for the old name: no module of the package shadows the builtin with it.
    assert "TimeoutError" not in vars(core_errors)


def test_param_validation_error_is_value_error_with_path() -> None:
    exc = aiocognito.ParamValidationError("missing ClientId", path="ClientId")
    assert isinstance(exc, ValueError)
    assert exc.path == "ClientId"
    assert "ClientId" in str(exc)


def test_response_parse_error_keeps_operation() -> None:
    exc = aiocognito.ResponseParseError("bad body", operation="GetUser")
    assert isinstance(exc, ValueError)
    assert exc.operation == "GetUser"


# ---------------------------------------------------------------------------------------------
# the package's public names


def test_package_all_names_exist() -> None:
    assert len(aiocognito.__all__) == len(set(aiocognito.__all__))
    for name in aiocognito.__all__:
        assert getattr(aiocognito, name) is not None, name


def test_package_exports_the_tree() -> None:
    exported = set(aiocognito.__all__)
    for name in (
        "CognitoError",
        "ServiceError",
        "ParamValidationError",
        "ResponseParseError",
        "TransportError",
        "TransportTimeoutError",
        "ResponseTooLargeError",
        "ConfigurationError",
        "EndpointResolutionError",
        "ClientClosedError",
        "NoRegionError",
        "InvalidRegionError",
        "NoCredentialsError",
        "errors",
        "shapes",
        "__version__",
    ):
        assert name in exported, name
    for name in exported:
        value = getattr(aiocognito, name)
        if isinstance(value, type) and issubclass(value, BaseException):
            assert issubclass(value, aiocognito.CognitoError), name
            if hasattr(core_errors, name):
                assert value is getattr(core_errors, name)


def test_every_core_exception_is_exported() -> None:
    core = {
        value.__name__
        for value in vars(core_errors).values()
        if isinstance(value, type)
        and issubclass(value, core_errors.CognitoError)
        and value.__module__ == core_errors.__name__
    }
    assert core <= set(aiocognito.__all__)


def test_package_all_is_sorted_within_kinds() -> None:
    classes = [n for n in aiocognito.__all__ if n[:1].isupper()]
    assert classes == sorted(classes)


def test_version_is_a_string() -> None:
    assert isinstance(aiocognito.__version__, str)
    assert aiocognito.__version__
