"""Integration tests: aiocognito against moto's Cognito emulator, a server we did not write.

One moto server runs for the whole test session (``conftest.py``); its state is reset before
every test. The journeys (``test_journeys.py``, ``test_errors.py``) drive our client the way
apps do; ``test_differential.py`` calls every operation moto implements through our client and
through boto3 and compares the results field by field; ``test_examples.py`` runs the scripts
in ``examples/`` against the same server.

What moto does NOT check, so no test here presents it as tested
------------------------------------------------------------------
- **SRP.** ``USER_SRP_AUTH`` answers with random ``SRP_B``/``SALT`` values and the
  ``PASSWORD_VERIFIER`` step accepts any non-empty signature: the SRP maths and the password
  are not verified at all. SRP correctness is tested elsewhere (tests/auth), not here.
- **SigV4.** Signed operations are accepted with any signature and any credentials (the
  credential scope only picks moto's region). These tests prove we send signed requests that
  moto routes, never that the signature is right (tests/client re-checks it with botocore).
- **Confirmation codes.** ``ConfirmSignUp`` ignores the code; ``ConfirmForgotPassword`` checks
  only codes of the form ``moto-confirmation-code:NNNNNN`` (moto returns the one it "sent" in
  an ``x-moto-forgot-password-confirmation-code`` response header) and accepts anything else;
  TOTP and SMS MFA codes are accepted unless the server runs with
  ``MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true`` (it does not here).
- **SECRET_HASH.** For a client with a secret, moto verifies it only for ``REFRESH_TOKEN_AUTH``
  (and ``REFRESH_TOKEN``) and ``USER_SRP_AUTH`` in ``InitiateAuth`` and for ``SMS_MFA`` /
  ``SOFTWARE_TOKEN_MFA`` challenge answers. ``USER_PASSWORD_AUTH``, ``SignUp``,
  ``ConfirmSignUp``, ``ForgotPassword``, ``ConfirmForgotPassword``, ``AdminInitiateAuth`` and
  ``NEW_PASSWORD_REQUIRED`` answers accept a missing or wrong hash. The tests send a correct
  hash wherever a real pool needs one, but assert rejection only where moto checks.
- **Tokens.** JWTs are signed with a fixed key that ships with moto and never expire there:
  a token stops working only through sign-out. Tests read claims without checking signatures.
- **Filters.** ``ListUsers`` filters support only ``=`` and ``^=`` on a fixed set of attributes.
- **Regions.** Unsigned calls carry no region; moto finds the pool by client id or token.
"""
