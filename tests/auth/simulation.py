"""The server side of Cognito's SRP, written from the spec, independent of aiocognito.auth.

Nothing here imports the code under test: the encoding is done the way Java's ``BigInteger``
does it (hex digits and a sign byte), the group prime is spelled out from RFC 3526, and the
checks are the ones a Cognito front end makes: a verifier ``v = g^x`` stored at sign-up,
``B = k*v + g^b``, the shared secret ``S = (A * v^u)^b``, the HKDF-derived key, and an
HMAC over pool name, user id, the secret block it issued and the client's timestamp, which
must be in Cognito's exact format and close to the server's clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

# RFC 3526, section 4: the 3072-bit MODP group (id 15), as printed there.
RFC3526_3072 = """
      FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1
      29024E08 8A67CC74 020BBEA6 3B139B22 514A0879 8E3404DD
      EF9519B3 CD3A431B 302B0A6D F25F1437 4FE1356D 6D51C245
      E485B576 625E7EC6 F44C42E9 A637ED6B 0BFF5CB6 F406B7ED
      EE386BFB 5A899FA5 AE9F2411 7C4B1FE6 49286651 ECE45B3D
      C2007CB8 A163BF05 98DA4836 1C55D39A 69163FA8 FD24CF5F
      83655D23 DCA3AD96 1C62F356 208552BB 9ED52907 7096966D
      670C354E 4ABC9804 F1746C08 CA18217C 32905E46 2E36CE3B
      E39E772C 180E8603 9B2783A2 EC07A28F B5C55DF0 6F4C52C9
      DE2BCBF6 95581718 3995497C EA956AE5 15D22618 98FA0510
      15728E5A 8AAAC42D AD33170D 04507A33 A85521AB DF1CBA64
      ECFB8504 58DBEF0A 8AEA7157 5D060C7D B3970F85 A6E1E4C7
      ABF5AE8C DB0933D7 1E8C94E0 4A25619D CEE3D226 1AD2EE6B
      F12FFA06 D98A0864 D8760273 3EC86A64 521F2B18 177B200C
      BBE11757 7A615D6C 770988C0 BAD946E2 08E24FA0 74E5AB31
      43DB5BFC E0FD108E 4B82D120 A93AD2CA FFFFFFFF FFFFFFFF
"""
N = int("".join(RFC3526_3072.split()), 16)
g = 2

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
TIMESTAMP_FORMAT = re.compile(
    r"(?P<dow>Mon|Tue|Wed|Thu|Fri|Sat|Sun) "
    r"(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"(?P<day>[1-9]|[12][0-9]|3[01]) "
    r"(?P<h>[01][0-9]|2[0-3]):(?P<m>[0-5][0-9]):(?P<s>[0-5][0-9]) UTC (?P<y>[0-9]{4})"
)
CLOCK_TOLERANCE = timedelta(minutes=5)


def java_bytes(n: int) -> bytes:
    """``BigInteger.toByteArray()``: hex digits, a 00 byte when the top bit would read as a
    sign; two's complement in the fewest bytes for negatives."""
    if n >= 0:
        digits = format(n, "x")
        if len(digits) % 2:
            digits = "0" + digits
        if digits[0] in "89abcdef":
            digits = "00" + digits
        return bytes.fromhex(digits)
    size = 1
    while n < -(1 << (8 * size - 1)):
        size += 1
    return bytes.fromhex(format(n + (1 << (8 * size)), f"0{2 * size}x"))


def java_int(data: bytes) -> int:
    """``new BigInteger(bytes)``: signed, big-endian."""
    return int.from_bytes(data, "big", signed=True)


def signed_hex(n: int) -> str:
    """``BigInteger.toString(16)``."""
    return format(n, "x")


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def sha256_int(data: bytes) -> int:
    return int(hashlib.sha256(data).hexdigest(), 16)


k = sha256_int(java_bytes(N) + java_bytes(g))


def compute_x(salt: int, realm: str, user: str, password: str) -> int:
    return sha256_int(java_bytes(salt) + sha256(f"{realm}{user}:{password}".encode()))


def verifier(salt: int, realm: str, user: str, password: str) -> int:
    return pow(g, compute_x(salt, realm, user, password), N)


def hkdf16(ikm: bytes, salt: bytes) -> bytes:
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    return hmac.new(prk, b"Caldera Derived Key" + bytes([1]), hashlib.sha256).digest()[:16]


def cognito_secret_hash(username: str, client_id: str, client_secret: str) -> str:
    mac = hmac.new(client_secret.encode(), username.encode() + client_id.encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def format_timestamp(when: datetime) -> str:
    when = when.astimezone(UTC)
    return "%s %s %d %02d:%02d:%02d UTC %d" % (  # noqa: UP031 - the format, spelled out
        DAYS[when.weekday()],
        MONTHS[when.month - 1],
        when.day,
        when.hour,
        when.minute,
        when.second,
        when.year,
    )


def parse_timestamp(text: str) -> datetime | None:
    """The time a Cognito TIMESTAMP names, or None when it is not in the exact format."""
    m = TIMESTAMP_FORMAT.fullmatch(text)
    if m is None:
        return None
    try:
        when = datetime(
            int(m["y"]),
            MONTHS.index(m["mon"]) + 1,
            int(m["day"]),
            int(m["h"]),
            int(m["m"]),
            int(m["s"]),
            tzinfo=UTC,
        )
    except ValueError:
        return None
    if DAYS[when.weekday()] != m["dow"]:
        return None
    return when


class Rejected(Exception):
    """What the service would answer with NotAuthorizedException."""


@dataclass
class ServerExchange:
    """One SRP exchange on the server: B from the stored verifier, then the proof check."""

    v: int
    realm: str
    user: str
    salt: int
    b: int = field(default_factory=lambda: secrets.randbits(256) or 1)
    secret_block: bytes = field(default_factory=lambda: secrets.token_bytes(96))

    @property
    def big_b(self) -> int:
        return (k * self.v + pow(g, self.b, N)) % N

    def key(self, big_a: int) -> bytes:
        if big_a % N == 0:
            raise Rejected("A mod N == 0")
        u = sha256_int(java_bytes(big_a) + java_bytes(self.big_b))
        if u == 0:
            raise Rejected("u == 0")
        s = pow(big_a * pow(self.v, u, N) % N, self.b, N)
        return hkdf16(java_bytes(s), java_bytes(u))

    def check(
        self,
        big_a: int,
        *,
        user: str,
        secret_block_b64: str,
        timestamp_text: str,
        signature_b64: str,
        now: datetime | None = None,
    ) -> None:
        """Raise Rejected unless the claim is exactly what Cognito accepts."""
        if user != self.user:
            raise Rejected("USERNAME is not the user id this exchange was for")
        try:
            block = base64.b64decode(secret_block_b64, validate=True)
        except ValueError:
            raise Rejected("secret block is not base64") from None
        if block != self.secret_block:
            raise Rejected("secret block was not issued by this server")
        when = parse_timestamp(timestamp_text)
        if when is None:
            raise Rejected(f"TIMESTAMP not in Cognito's format: {timestamp_text!r}")
        if abs((now or datetime.now(UTC)) - when) > CLOCK_TOLERANCE:
            raise Rejected("TIMESTAMP too far from the server's clock")
        message = (
            self.realm.encode() + self.user.encode() + self.secret_block + timestamp_text.encode()
        )
        expected = base64.b64encode(
            hmac.new(self.key(big_a), message, hashlib.sha256).digest()
        ).decode()
        if not hmac.compare_digest(expected, signature_b64):
            raise Rejected("password claim signature mismatch")

    def challenge_parameters(self, *, salt_text: str | None = None) -> dict[str, str]:
        return {
            "SALT": salt_text if salt_text is not None else signed_hex(self.salt),
            "SRP_B": signed_hex(self.big_b),
            "SECRET_BLOCK": base64.b64encode(self.secret_block).decode(),
            "USERNAME": self.user,
            "USER_ID_FOR_SRP": self.user,
        }


def parse_srp_a(text: str) -> int:
    """SRP_A as the client must send it: lowercase hex, no sign, no padding."""
    if not re.fullmatch(r"[1-9a-f][0-9a-f]*", text):
        raise Rejected(f"malformed SRP_A {text[:8]!r}...")
    return int(text, 16)


@dataclass
class ReferenceClaim:
    """The client's side of one exchange, computed straight from the spec."""

    big_a: int
    u: int
    s: int
    key: bytes
    signature: str


def reference_claim(
    *,
    a: int,
    big_b: int,
    salt: int,
    realm: str,
    user: str,
    password: str,
    secret_block: bytes,
    timestamp_text: str,
) -> ReferenceClaim:
    big_a = pow(g, a, N)
    u = sha256_int(java_bytes(big_a) + java_bytes(big_b))
    x = compute_x(salt, realm, user, password)
    s = pow((big_b - k * pow(g, x, N)) % N, a + u * x, N)
    key = hkdf16(java_bytes(s), java_bytes(u))
    message = realm.encode() + user.encode() + secret_block + timestamp_text.encode()
    signature = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
    return ReferenceClaim(big_a=big_a, u=u, s=s, key=key, signature=signature)
