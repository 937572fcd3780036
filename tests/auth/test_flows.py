"""The sign-in flows end to end: the real client over HTTP against the simulated Cognito."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest

from aiocognito import ParamValidationError, errors
from aiocognito.auth import (
    AuthFlowError,
    CustomChallenge,
    EmailOtp,
    MfaSetup,
    NewPasswordRequired,
    OtherChallenge,
    RememberedDevice,
    SelectMfaType,
    SignedIn,
    SmsMfa,
    SmsOtp,
    SoftwareTokenMfa,
    SRPError,
    srp,
)
from tests.auth.fake_cognito import FakeCognito, auth_for
from tests.auth.simulation import N
from tests.auth.support import PASSWORD, SECRET, assert_nothing_leaked, secret_hashes_ok

_auth = auth_for


async def test_srp_sign_in(fake: FakeCognito, client: Any, with_secret: bool) -> None:
    fake.add_user("alice-0001", PASSWORD, aliases=("alice@example.com",))
    step = await _auth(client, with_secret).sign_in_srp("alice@example.com", PASSWORD)
    assert isinstance(step, SignedIn)
    assert step.access_token and step.id_token and step.refresh_token
    assert step.username == "alice-0001"
    assert fake.ops() == ["InitiateAuth", "RespondToAuthChallenge"]
    initiate, verifier = (body for _, body in fake.requests)
    assert initiate["AuthParameters"]["USERNAME"] == "alice@example.com"
    assert verifier["ChallengeResponses"]["USERNAME"] == "alice-0001"
    assert verifier["Session"]
    assert ("SECRET_HASH" in verifier["ChallengeResponses"]) is with_secret
    secret_hashes_ok(fake)


async def test_wrong_password(fake: FakeCognito, client: Any, with_secret: bool) -> None:
    fake.add_user("alice-0001", PASSWORD)
    auth = _auth(client, with_secret)
    with pytest.raises(errors.NotAuthorizedException):
        await auth.sign_in_srp("alice-0001", PASSWORD + "x")
    with pytest.raises(errors.NotAuthorizedException):
        await auth.sign_in_password("alice-0001", PASSWORD + "x")


async def test_server_clock_far_off_rejects_the_timestamp(fake: FakeCognito, client: Any) -> None:
    from datetime import timedelta

    fake.add_user("alice-0001", PASSWORD)
    fake.clock_skew = timedelta(minutes=30)
    with pytest.raises(errors.NotAuthorizedException):
        await _auth(client, False).sign_in_srp("alice-0001", PASSWORD)


async def test_negative_and_zero_prefixed_salts(fake: FakeCognito, client: Any) -> None:
    fake.add_user("neg", PASSWORD, salt=-0x5A17C0DE5A17C0DE)
    fake.add_user("low", PASSWORD, salt=0x7A)
    auth = _auth(client, False)
    assert isinstance(await auth.sign_in_srp("neg", PASSWORD), SignedIn)
    fake.tamper.salt = "00007a"
    assert isinstance(await auth.sign_in_srp("low", PASSWORD), SignedIn)


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("srp_b", "0", "SRP_B = 0 mod N"),
        ("srp_b", format(N, "x"), "SRP_B = 0 mod N"),
        ("srp_b", "not-hex", "SRP_B that is not a hexadecimal"),
        ("salt", "12g4", "SALT that is not a hexadecimal"),
        ("secret_block", "%%%%", "SECRET_BLOCK that is not base64"),
    ],
)
async def test_unsafe_server_values_stop_before_anything_is_sent(
    fake: FakeCognito, client: Any, field: str, value: str, match: str
) -> None:
    fake.add_user("alice-0001", PASSWORD)
    setattr(fake.tamper, field, value)
    with pytest.raises(SRPError, match=match) as caught:
        await _auth(client, True).sign_in_srp("alice-0001", PASSWORD)
    assert fake.ops() == ["InitiateAuth"]  # no RespondToAuthChallenge went out
    assert PASSWORD not in str(caught.value)
    assert len(value) < 4 or value not in str(caught.value)


async def test_new_password_required(fake: FakeCognito, client: Any, with_secret: bool) -> None:
    fake.add_user(
        "bob-0002",
        "Temp-Pass-1",
        aliases=("bob@example.com",),
        temporary=True,
        required_attributes=("name",),
        attributes={"email": "bob@example.com"},
    )
    auth = _auth(client, with_secret)
    step = await auth.sign_in_srp("bob@example.com", "Temp-Pass-1")
    assert isinstance(step, NewPasswordRequired)
    assert step.required_attributes == ("name",)
    assert step.user_attributes == {"email": "bob@example.com"}
    done = await step.answer("New-Pass-2", attributes={"name": "Bob"})
    assert isinstance(done, SignedIn)
    assert fake.users["bob-0002"].attributes["name"] == "Bob"
    assert isinstance(await auth.sign_in_srp("bob@example.com", "New-Pass-2"), SignedIn)
    secret_hashes_ok(fake)


@pytest.mark.parametrize(
    "case",
    [
        ("SMS_MFA", SmsMfa, "SMS"),
        ("SOFTWARE_TOKEN_MFA", SoftwareTokenMfa, None),
        ("EMAIL_OTP", EmailOtp, "EMAIL"),
        ("SMS_OTP", SmsOtp, "SMS"),
    ],
    ids=lambda case: case[0],
)
async def test_code_challenges(
    fake: FakeCognito, client: Any, with_secret: bool, case: tuple[str, type, str | None]
) -> None:
    challenge, cls, medium = case
    fake.add_user("carol", PASSWORD, after_password=[challenge], codes={challenge: "123456"})
    step = await _auth(client, with_secret).sign_in_srp("carol", PASSWORD)
    assert isinstance(step, cls) and step.name == challenge
    assert step.delivery_medium == medium
    with pytest.raises(errors.CodeMismatchException):
        await step.answer("000000")
    done = await step.answer("123456")  # the same step again, after a mistyped code
    assert isinstance(done, SignedIn)
    secret_hashes_ok(fake)


async def test_select_mfa_type(fake: FakeCognito, client: Any, with_secret: bool) -> None:
    fake.add_user(
        "dave", PASSWORD, after_password=["SELECT_MFA_TYPE"], codes={"SOFTWARE_TOKEN_MFA": "654321"}
    )
    step = await _auth(client, with_secret).sign_in_password("dave", PASSWORD)
    assert isinstance(step, SelectMfaType)
    assert step.options == ("SMS_MFA", "SOFTWARE_TOKEN_MFA")
    step2 = await step.answer("SOFTWARE_TOKEN_MFA")
    assert isinstance(step2, SoftwareTokenMfa)
    assert isinstance(await step2.answer("654321"), SignedIn)
    secret_hashes_ok(fake)


async def test_mfa_setup(fake: FakeCognito, client: Any, with_secret: bool) -> None:
    fake.add_user(
        "erin", PASSWORD, after_password=["MFA_SETUP"], codes={"SOFTWARE_TOKEN_MFA": "111222"}
    )
    step = await _auth(client, with_secret).sign_in_srp("erin", PASSWORD)
    assert isinstance(step, MfaSetup) and step.options == ("SOFTWARE_TOKEN_MFA",)
    setup = await step.associate_software_token()
    assert setup.secret_code == "JBSWY3DPEHPK3PXP"
    assert "JBSWY3DPEHPK3PXP" not in repr(setup)
    assert setup.otpauth_uri("My App", "erin").startswith("otpauth://totp/My%20App%3Aerin?")
    assert isinstance(await setup.verify("111222"), SignedIn)
    assert fake.ops()[-3:] == [
        "AssociateSoftwareToken",
        "VerifySoftwareToken",
        "RespondToAuthChallenge",
    ]
    secret_hashes_ok(fake)


@pytest.mark.parametrize("challenge", ["MFA_SETUP", "SELECT_MFA_TYPE"])
async def test_mfa_options_sent_as_json_arrays(
    fake: FakeCognito, client: Any, challenge: str
) -> None:
    """The fake Cognito sends the MFA lists as JSON arrays (as moto's backend builds them)
    instead of their JSON text: the client turns an array into that text, so the flow sees
    the options."""
    fake.tamper.mfa_lists_as_arrays = True
    fake.add_user("erin", PASSWORD, after_password=[challenge])
    step = await _auth(client, False).sign_in_srp("erin", PASSWORD)
    if challenge == "MFA_SETUP":
        assert isinstance(step, MfaSetup)
        assert step.parameters["MFAS_CAN_SETUP"] == '["SOFTWARE_TOKEN_MFA"]'
        assert step.options == ("SOFTWARE_TOKEN_MFA",)
    else:
        assert isinstance(step, SelectMfaType)
        assert step.options == ("SMS_MFA", "SOFTWARE_TOKEN_MFA")


DEEP = 100_000


@pytest.mark.parametrize(
    ("challenge", "parameter", "depth"),
    [
        ("MFA_SETUP", "MFAS_CAN_SETUP", DEEP),
        ("SELECT_MFA_TYPE", "MFAS_CAN_CHOOSE", DEEP),
        ("NEW_PASSWORD_REQUIRED", "userAttributes", DEEP),
        ("NEW_PASSWORD_REQUIRED", "requiredAttributes", DEEP),
    ],
)
async def test_deeply_nested_challenge_parameters_are_a_flow_error(
    fake: FakeCognito, client: Any, challenge: str, parameter: str, depth: int
) -> None:
    wrap = ("[", "]") if parameter != "userAttributes" else ('{"a":', "}")
    fake.tamper.challenge_parameters = {
        parameter: "[" + wrap[0] * depth + "1" + wrap[1] * depth + "]"
    }
    fake.add_user("erin", PASSWORD, after_password=[challenge])
    with pytest.raises(AuthFlowError, match=f"{parameter} is JSON nested too deeply"):
        await _auth(client, False).sign_in_srp("erin", PASSWORD)


async def test_deeply_nested_token_payload_is_a_flow_error(fake: FakeCognito, client: Any) -> None:
    """The flow reads the username claim of the access token it gets (without verifying it)."""
    fake.tamper.access_token_payload = b'{"a":' * DEEP + b"1" + b"}" * DEEP
    fake.add_user("erin", PASSWORD)
    with pytest.raises(AuthFlowError, match="token's payload is JSON nested too deeply"):
        await _auth(client, False).sign_in_srp("erin", PASSWORD)


async def test_a_lone_surrogate_in_the_password_is_named_never_quoted(
    fake: FakeCognito, client: Any
) -> None:
    """SRP hashes the password as UTF-8, which a lone surrogate (half an emoji) has none of:
    the error names the field, and no exception in the chain quotes the password."""
    password = "Secret-\ud83d-Pass-42"
    fake.add_user("erin", PASSWORD)
    with pytest.raises(ParamValidationError) as info:
        await _auth(client, True).sign_in_srp("erin", password)
    assert info.value.path == "password"
    assert info.value.__context__ is None
    assert password not in str(info.value) + repr(info.value)
    assert fake.ops() == ["InitiateAuth"]  # the proof was never sent


async def test_custom_challenge_then_unknown(fake: FakeCognito, client: Any) -> None:
    fake.add_user("frank", PASSWORD, after_password=["CUSTOM_CHALLENGE"])
    step = await _auth(client, True).sign_in_srp("frank", PASSWORD)
    assert isinstance(step, CustomChallenge)
    assert step.parameters["question"] == "2 + 2"
    with pytest.raises(errors.NotAuthorizedException):
        await step.answer("5")
    fake.add_user("gina", PASSWORD, after_password=["CUSTOM_CHALLENGE"])
    step = await _auth(client, True).sign_in_srp("gina", PASSWORD)
    assert isinstance(step, CustomChallenge)
    assert isinstance(await step.answer("4"), SignedIn)
    secret_hashes_ok(fake)


async def test_other_challenges_come_back_generic(fake: FakeCognito, client: Any) -> None:
    fake.add_user("hank", PASSWORD, after_password=["NEWER_THAN_THIS_LIBRARY"])
    step = await _auth(client, False).sign_in_srp("hank", PASSWORD)
    assert isinstance(step, OtherChallenge) and step.name == "NEWER_THAN_THIS_LIBRARY"


async def test_remembered_device(fake: FakeCognito, client: Any, with_secret: bool) -> None:
    fake.track_devices = True
    fake.add_user(
        "ivy-0009",
        PASSWORD,
        aliases=("ivy@example.com",),
        after_password=["SMS_MFA"],
        codes={"SMS_MFA": "999000"},
    )
    auth = _auth(client, with_secret)
    step = await auth.sign_in_srp("ivy@example.com", PASSWORD)
    assert isinstance(step, SmsMfa)
    signed_in = await step.answer("999000")
    assert isinstance(signed_in, SignedIn) and signed_in.new_device is not None
    device = await auth.remember_device(signed_in, device_name="laptop")
    stored = fake.devices[device.device_key]
    assert stored.remembered and stored.name == "laptop"
    assert device.device_group_key == stored.group_key

    # With the device, no MFA: the service asks for device SRP, the flow answers it.
    fake.requests.clear()
    again = await auth.sign_in_srp("ivy@example.com", PASSWORD, device=device)
    assert isinstance(again, SignedIn) and again.device == device
    assert fake.ops() == ["InitiateAuth"] + ["RespondToAuthChallenge"] * 3
    names = [body.get("ChallengeName") for _, body in fake.requests[1:]]
    assert names == ["PASSWORD_VERIFIER", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER"]
    user_a = fake.requests[0][1]["AuthParameters"]["SRP_A"]
    device_a = fake.requests[2][1]["ChallengeResponses"]["SRP_A"]
    assert user_a != device_a  # a fresh a for the device
    for _, body in fake.requests:
        params = body.get("AuthParameters") or body.get("ChallengeResponses")
        assert params["DEVICE_KEY"] == device.device_key
    secret_hashes_ok(fake)

    # The same with the password flow.
    again = await auth.sign_in_password("ivy@example.com", PASSWORD, device=device)
    assert isinstance(again, SignedIn)

    # A wrong device password is refused by the service.
    forged = RememberedDevice(
        device_key=device.device_key,
        device_group_key=device.device_group_key,
        device_password=device.device_password[:-4] + "AAA=",
    )
    with pytest.raises(errors.NotAuthorizedException):
        await auth.sign_in_srp("ivy@example.com", PASSWORD, device=forged)


async def test_device_needing_user_confirmation_is_marked_remembered(
    fake: FakeCognito, client: Any
) -> None:
    fake.track_devices = True
    fake.device_confirmation_necessary = True
    fake.add_user("jo", PASSWORD)
    auth = _auth(client, False)
    signed_in = await auth.sign_in_srp("jo", PASSWORD)
    assert isinstance(signed_in, SignedIn)
    device = await auth.remember_device(signed_in)
    assert fake.ops()[-2:] == ["ConfirmDevice", "UpdateDeviceStatus"]
    assert fake.devices[device.device_key].remembered
    assert isinstance(await auth.sign_in_srp("jo", PASSWORD, device=device), SignedIn)


async def test_device_challenge_without_a_device(fake: FakeCognito, client: Any) -> None:
    fake.track_devices = True
    fake.add_user("kim", PASSWORD)
    auth = _auth(client, False)
    signed_in = await auth.sign_in_srp("kim", PASSWORD)
    assert isinstance(signed_in, SignedIn)
    device = await auth.remember_device(signed_in)
    # A caller that sends a DEVICE_KEY by hand but gives the flow no device password:
    with pytest.raises(AuthFlowError, match="no remembered device"):
        await auth._advance(
            await client.initiate_auth(
                auth_flow="USER_PASSWORD_AUTH",
                client_id="public-client",
                auth_parameters={
                    "USERNAME": "kim",
                    "PASSWORD": PASSWORD,
                    "DEVICE_KEY": device.device_key,
                },
            ),
            auth._new_state("kim", None, None),
            None,
        )


async def test_remember_device_needs_new_device_metadata(fake: FakeCognito, client: Any) -> None:
    fake.add_user("lee", PASSWORD)
    auth = _auth(client, False)
    signed_in = await auth.sign_in_srp("lee", PASSWORD)
    assert isinstance(signed_in, SignedIn) and signed_in.new_device is None
    with pytest.raises(AuthFlowError, match="no new device"):
        await auth.remember_device(signed_in)


async def test_refresh(fake: FakeCognito, client: Any, with_secret: bool) -> None:
    fake.add_user("max-0003", PASSWORD, aliases=("max@example.com",))
    auth = _auth(client, with_secret)
    signed_in = await auth.sign_in_password("max@example.com", PASSWORD)
    assert isinstance(signed_in, SignedIn) and signed_in.refresh_token
    refreshed = await auth.refresh(signed_in.refresh_token, username=signed_in.username)
    assert refreshed.access_token and refreshed.access_token != signed_in.access_token
    assert refreshed.refresh_token is None
    assert refreshed.username == "max-0003"
    secret_hashes_ok(fake)
    if with_secret:
        with pytest.raises(ParamValidationError, match="username"):
            await auth.refresh(signed_in.refresh_token)
    else:
        # Without a username the name comes from the new access token, as at sign-in.
        anonymous = await auth.refresh(signed_in.refresh_token)
        assert anonymous.username == "max-0003"
        assert "USERNAME" not in fake.requests[-1][1]["AuthParameters"]
    with pytest.raises(errors.NotAuthorizedException):
        await auth.refresh("ref-forged", username=signed_in.username)


async def test_the_math_runs_off_the_event_loop(
    fake: FakeCognito, client: Any, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop_thread = threading.get_ident()
    threads: list[int] = []
    math = srp._current()
    real = math.powmod

    def recording(base: int, exponent: int, modulus: int) -> int:
        threads.append(threading.get_ident())
        return real(base, exponent, modulus)

    monkeypatch.setattr(math, "powmod", recording)
    fake.track_devices = True
    fake.add_user("nina", PASSWORD)
    auth = _auth(client, True)
    signed_in = await auth.sign_in_srp("nina", PASSWORD)
    assert isinstance(signed_in, SignedIn)
    device = await auth.remember_device(signed_in)
    assert isinstance(await auth.sign_in_srp("nina", PASSWORD, device=device), SignedIn)
    assert len(threads) >= 3 + 1 + 5  # user A, g^x, S; the verifier; user and device again
    assert loop_thread not in threads


async def test_nothing_secret_in_reprs_errors_or_logs(
    fake: FakeCognito, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.track_devices = True
    fake.add_user(
        "olga-0004",
        "Temp-Pass-7",
        aliases=("olga@example.com",),
        temporary=True,
        after_password=["MFA_SETUP"],
        codes={"SOFTWARE_TOKEN_MFA": "424242"},
    )
    auth = _auth(client, True)
    seen: list[object] = [auth]
    step = await auth.sign_in_srp("olga@example.com", "Temp-Pass-7")
    seen.append(step)
    assert isinstance(step, NewPasswordRequired)
    step2 = await step.answer("New-Pass-8")
    seen.append(step2)
    assert isinstance(step2, MfaSetup)
    setup = await step2.associate_software_token()
    seen.append(setup)
    signed_in = await setup.verify("424242")
    seen.append(signed_in)
    assert isinstance(signed_in, SignedIn)
    device = await auth.remember_device(signed_in)
    seen.append(device)
    seen.append(await auth.sign_in_srp("olga-0004", "New-Pass-8", device=device))
    with pytest.raises(errors.NotAuthorizedException) as wrong:
        await auth.sign_in_srp("olga-0004", "Wrong-Pass-9")
    fake.tamper.srp_b = "0"
    with pytest.raises(SRPError) as unsafe:
        await auth.sign_in_srp("olga-0004", "New-Pass-8")
    seen += [wrong.value, unsafe.value]

    secrets = {"Temp-Pass-7", "New-Pass-8", "Wrong-Pass-9", SECRET, "424242", "JBSWY3DPEHPK3PXP"}
    secrets.add(device.device_password)
    for _, body in fake.requests:  # every token and session the service handed out
        for key in ("Session", "AccessToken"):
            if body.get(key):
                secrets.add(body[key])
    assert signed_in.access_token and signed_in.refresh_token and signed_in.id_token
    secrets |= {signed_in.access_token, signed_in.refresh_token, signed_in.id_token}
    assert_nothing_leaked(seen, secrets, caplog, never=("sess-", "olga"))
