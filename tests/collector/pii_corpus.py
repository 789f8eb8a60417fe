"""A labelled, deterministic corpus for the redaction patterns: PII and look-alikes.

`pii_samples` yields values that must be masked, `benign_samples` values that must survive,
and `embed` puts either into a log-line template. Everything derives from
`random.Random(seed)`, so a seed always yields the same corpus.
"""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Callable
from dataclasses import dataclass

from targets.collector.patterns import luhn_valid

# The custom pattern the corpus's `order_token` samples are for (a policy's `custom` entry).
ORDER_TOKEN_REGEX = r"ord_[A-Za-z0-9]{24}"

# Log-line templates; `{v}` is the value. Plain, at the start, at the end, mid-sentence and
# followed or wrapped by punctuation.
TEMPLATES: tuple[str, ...] = (
    "{v}",
    "{v} was rejected",
    "lookup failed for {v}",
    "user {v} checked out",
    "payment failed for card {v}: declined",
    "value={v}, retrying",
    "request from {v}.",
    "({v})",
    "'{v}';",
    '{"field": "{v}"}',
    "[{v}] done",
)


@dataclass(frozen=True, slots=True)
class Sample:
    """One labelled value: its kind (a pattern name, or a benign kind) and its text."""

    kind: str
    value: str


def render(template: str, value: str) -> str:
    """`template` with its `{v}` replaced by `value` (no str.format: values carry braces)."""
    return template.replace("{v}", value)


def embed(sample: Sample, rng: random.Random) -> str:
    """`sample` in a log-line template chosen by `rng`."""
    return render(rng.choice(TEMPLATES), sample.value)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _chars(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


# --- PII -------------------------------------------------------------------------------

_CARD_BRANDS: tuple[tuple[str, Callable[[random.Random], str], tuple[int, ...]], ...] = (
    ("visa", lambda r: "4", (13, 16, 19)),
    ("mastercard", lambda r: str(r.randint(51, 55)), (16,)),
    ("mastercard-2", lambda r: str(r.randint(2221, 2720)), (16,)),
    ("amex", lambda r: r.choice(("34", "37")), (15,)),
    ("discover", lambda r: r.choice(("6011", "65")), (16, 19)),
    ("jcb", lambda r: str(r.randint(3528, 3589)), (16,)),
    ("diners", lambda r: "36", (14,)),
)


def luhn_complete(payload: str) -> str:
    """`payload` with the check digit appended that makes it pass Luhn."""
    return next(payload + d for d in string.digits if luhn_valid(payload + d))


def _grouped(number: str, sizes: tuple[int, ...], sep: str) -> str:
    parts, at = [], 0
    for size in sizes:
        parts.append(number[at : at + size])
        at += size
    if at < len(number):
        parts.append(number[at:])
    return sep.join(p for p in parts if p)


def _card(rng: random.Random, i: int) -> str:
    _, prefix, lengths = _CARD_BRANDS[i % len(_CARD_BRANDS)]
    start = prefix(rng)
    length = lengths[(i // len(_CARD_BRANDS)) % len(lengths)]
    number = luhn_complete(start + _digits(rng, length - len(start) - 1))
    fours = (4,) * 5
    style = (i // 3) % 4
    if style == 0:
        return number
    if style == 1:
        return _grouped(number, fours, " ")
    if style == 2:
        return _grouped(number, fours, "-")
    # Amex and Diners print 4-6-5 / 4-6-4; the rest in fours.
    sizes = (4, 6, 5) if length in (14, 15) else fours
    return _grouped(number, sizes, rng.choice((" ", "-")))


def _ssn(rng: random.Random, i: int) -> str:
    fixed = ("138-73-1034", "001-01-0001", "899-99-9999", "665 12 3456", "667.45.0001")
    if i < len(fixed):
        return fixed[i]
    area = rng.choice([a for a in range(1, 900) if a != 666])
    sep = ("-", " ", ".")[i % 3]
    return f"{area:03d}{sep}{rng.randint(1, 99):02d}{sep}{rng.randint(1, 9999):04d}"


_FIRST = ("john", "jane", "li", "maria", "o.connor", "x", "dev-ops", "a_b")
_DOMAINS = (
    "example.com",
    "mail.example.co.uk",
    "sub.dept.example.org",
    "example.io",
    "1and1.de",
    "corp-mail.example.net",
)


def _email(rng: random.Random, i: int) -> str:
    local = rng.choice(_FIRST)
    shape = i % 4
    if shape == 1:
        local += "." + rng.choice(_FIRST)
    elif shape == 2:
        local += "+" + rng.choice(("tag", "news", "2024", "a.b"))
    elif shape == 3:
        local += _digits(rng, rng.randint(1, 4))
    return f"{local}@{rng.choice(_DOMAINS)}"


def _nanp(rng: random.Random) -> tuple[str, str, str]:
    npa = str(rng.randint(2, 9)) + _digits(rng, 2)
    nxx = str(rng.randint(2, 9)) + _digits(rng, 2)
    return npa, nxx, _digits(rng, 4)


def _phone(rng: random.Random, i: int) -> str:
    fixed = ("+14155552671", "+44 20 7946 0958", "+1 (415) 555-2671", "06 12 34 56 78")
    if i < len(fixed):
        return fixed[i]
    npa, nxx, line = _nanp(rng)
    uk = f"{_digits(rng, 4)} {_digits(rng, 4)}"
    fr = " ".join(_digits(rng, 2) for _ in range(4))
    shapes = (
        f"+1{npa}{nxx}{line}",
        f"+44 20 {uk}",
        f"+1 ({npa}) {nxx}-{line}",
        f"{npa}-{nxx}-{line}",
        f"{npa}.{nxx}.{line}",
        f"({npa}) {nxx}-{line}",
        f"{npa} {nxx} {line}",
        f"020 {uk}",
        f"0{rng.randint(1, 9)} {fr}",
        f"+33 {rng.randint(1, 9)} {fr}",
        f"+49 30 {_digits(rng, 7)}",
        f"+4915{_digits(rng, 9)}",
        f"0161 {_digits(rng, 3)} {_digits(rng, 4)}",
        f"+44 7{_digits(rng, 3)} {_digits(rng, 6)}",
    )
    return shapes[i % len(shapes)]


def _ipv4(rng: random.Random, i: int) -> str:
    fixed = ("0.0.0.0", "255.255.255.255", "127.0.0.1")
    if i < len(fixed):
        return fixed[i]
    first = (
        "10",
        "192.168",
        f"172.{rng.randint(16, 31)}",
        str(rng.randint(1, 223)),
    )[i % 4]
    octets = first.split(".")
    while len(octets) < 4:
        octets.append(str(rng.randint(0, 255)))
    return ".".join(octets)


def _ipv6(rng: random.Random, i: int) -> str:
    fixed = (
        "2001:db8::1",
        "::1",
        "fe80::1%eth0",
        "::ffff:192.0.2.1",
        "2001:db8:0:0:1:0:0:1",
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
        "fe80::1ff:fe23:4567:890a%en0",
        "64:ff9b::192.0.2.33",
        "2001:DB8::8:800:200C:417A",
        "fd00::",
    )
    if i < len(fixed):
        return fixed[i]

    def group() -> str:
        text = f"{rng.randint(0, 0xFFFF):x}"
        return text.upper() if i % 5 == 0 else text

    groups = [group() for _ in range(8)]
    if i % 2 == 0:
        return ":".join(groups)
    left = rng.randint(0, 6)
    right = rng.randint(0 if left else 1, 7 - left)  # at least one group is compressed
    return ":".join(groups[:left]) + "::" + ":".join(groups[8 - right :] if right else [])


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwt(rng: random.Random, i: int) -> str:
    alg = rng.choice(("HS256", "RS256", "ES256", "none"))
    header: dict[str, str] = {"alg": alg, "typ": "JWT"}
    if i % 3 == 1:
        header["kid"] = _chars(rng, string.ascii_letters + string.digits, 8)
    payload: dict[str, object] = {
        "sub": _digits(rng, 10),
        "name": rng.choice(_FIRST),
        "iat": rng.randint(1_500_000_000, 1_800_000_000),
    }
    if i % 2 == 0:
        payload["email"] = _email(rng, i)
    signature = b"" if alg == "none" else rng.randbytes(rng.choice((32, 64, 256)))
    parts = (json.dumps(header).encode(), json.dumps(payload).encode(), signature)
    return ".".join(_b64url(p) for p in parts)


_TOKEN68 = string.ascii_letters + string.digits + "-._~+/"


def _bearer(rng: random.Random, i: int) -> str:
    word = ("Bearer", "bearer", "BEARER")[(i // 4) % 3]
    shape = i % 4
    if shape == 0:
        token = _chars(rng, string.ascii_letters + string.digits, rng.randint(20, 40))
    elif shape == 1:
        token = base64.b64encode(rng.randbytes(rng.randint(16, 40))).decode()  # may pad `=`
    elif shape == 2:
        token = _jwt(rng, i)
    else:
        token = "ya29." + _chars(rng, _TOKEN68, rng.randint(30, 60))
    return f"{word} {token}"


def _aws(rng: random.Random, i: int) -> str:
    return ("AKIA", "ASIA")[i % 2] + _chars(rng, string.ascii_uppercase + string.digits, 16)


# BBAN layouts per country: (count, alphabet) runs; n digits, a letters, c alphanumerics.
_IBAN_LAYOUTS: dict[str, tuple[tuple[int, str], ...]] = {
    "DE": ((18, "n"),),
    "GB": ((4, "a"), (14, "n")),
    "FR": ((10, "n"), (11, "c"), (2, "n")),
    "NL": ((4, "a"), (10, "n")),
    "ES": ((20, "n"),),
    "IT": ((1, "a"), (10, "n"), (12, "c")),
    "CH": ((5, "n"), (12, "c")),
    "BE": ((12, "n"),),
    "AT": ((16, "n"),),
    "PL": ((24, "n"),),
    "NO": ((11, "n"),),
    "MT": ((4, "a"), (5, "n"), (18, "c")),
}
_ALPHABETS = {
    "n": string.digits,
    "a": string.ascii_uppercase,
    "c": string.ascii_uppercase + string.digits,
}


def iban_check_digits(country: str, bban: str) -> str:
    """The two ISO 13616 check digits (mod 97) for `country` and `bban`."""
    rearranged = bban + country + "00"
    number = int("".join(str(int(c, 36)) for c in rearranged))
    return f"{98 - number % 97:02d}"


def _iban(rng: random.Random, i: int) -> str:
    if i == 0:
        return "DE89 3704 0044 0532 0130 00"
    country = sorted(_IBAN_LAYOUTS)[i % len(_IBAN_LAYOUTS)]
    bban = "".join(_chars(rng, _ALPHABETS[a], n) for n, a in _IBAN_LAYOUTS[country])
    compact = country + iban_check_digits(country, bban) + bban
    if i % 2:
        return compact
    return " ".join(compact[k : k + 4] for k in range(0, len(compact), 4))


def _order_token(rng: random.Random, i: int) -> str:
    return "ord_" + _chars(rng, string.ascii_letters + string.digits, 24)


_PII: dict[str, Callable[[random.Random, int], str]] = {
    "credit_card": _card,
    "ssn": _ssn,
    "email": _email,
    "phone": _phone,
    "ipv4": _ipv4,
    "ipv6": _ipv6,
    "jwt": _jwt,
    "bearer_token": _bearer,
    "aws_access_key": _aws,
    "iban": _iban,
    "order_token": _order_token,
}
PII_KINDS: tuple[str, ...] = tuple(_PII)


def pii_samples(seed: int = 0, per_kind: int = 40) -> list[Sample]:
    """`per_kind` values of every PII kind, all of which a full policy must mask."""
    rng = random.Random(seed)
    return [Sample(kind, make(rng, i)) for kind, make in _PII.items() for i in range(per_kind)]


# --- Look-alikes -----------------------------------------------------------------------


def _order_number(rng: random.Random, i: int) -> str:
    shapes = (
        f"ORD-{rng.randint(2019, 2026)}-{_digits(rng, 6)}",
        f"order #{rng.randint(1, 999999)}",
        f"INV-{_digits(rng, 6)}",
        f"PO{_digits(rng, 8)}",
        f"cart-{_digits(rng, 5)}",
    )
    return shapes[i % len(shapes)]


def _uuid(rng: random.Random, i: int) -> str:
    h = f"{rng.getrandbits(128):032x}"
    text = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[rng.randint(0, 3)]}{h[17:20]}-{h[20:]}"
    return text.upper() if i % 4 == 3 else text  # some producers print GUIDs in capitals


def _timestamp(rng: random.Random, i: int) -> str:
    y, mo, d = rng.randint(2000, 2030), rng.randint(1, 12), rng.randint(1, 28)
    h, mi, s = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
    date, time = f"{y}-{mo:02d}-{d:02d}", f"{h:02d}:{mi:02d}:{s:02d}"
    shapes = (
        f"{date}T{time}Z",
        f"{date}T{time}.{_digits(rng, 3)}+0{rng.randint(0, 9)}:00",
        f"{date}T{time}.{_digits(rng, 9)}-05:30",
        f"{date} {time},{_digits(rng, 3)}",
        f"{y}{mo:02d}{d:02d}T{h:02d}{mi:02d}{s:02d}Z",
    )
    return shapes[i % len(shapes)]


def _epoch(rng: random.Random, i: int) -> str:
    seconds = rng.randint(1_000_000_000, 1_999_999_999)
    shapes = (
        str(seconds),
        f"{seconds}{_digits(rng, 3)}",
        f"{seconds}{_digits(rng, 6)}",
        f"{seconds}{_digits(rng, 9)}",
    )
    return shapes[i % len(shapes)]


def _version(rng: random.Random, i: int) -> str:
    a, b, c = rng.randint(0, 20), rng.randint(0, 40), rng.randint(0, 99)
    shapes = (
        f"{a}.{b}.{c}",
        f"v{a}.{b}.{c}-rc.{rng.randint(1, 9)}",
        f"{a}.{b}",
        f"v{a}.{b}",
        f"{a}.{b}.{c}+build.{rng.randint(1, 999)}",
    )
    return shapes[i % len(shapes)]


def _duration(rng: random.Random, i: int) -> str:
    shapes = (
        f"{rng.randint(1, 999)}ms",
        f"{rng.randint(0, 59)}.{rng.randint(0, 9)}s",
        f"{rng.randint(1, 23)}h{rng.randint(0, 59)}m",
        f"{rng.randint(1, 999)}us",
        f"{rng.randint(1, 59)}m{rng.randint(0, 59)}s",
    )
    return shapes[i % len(shapes)]


def _digit_run(rng: random.Random, i: int) -> str:
    """13-19 contiguous digits, every first digit, that fail the Luhn check."""
    first = str(i % 10)
    number = first + _digits(rng, rng.randint(12, 18))
    if luhn_valid(number):
        number = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not luhn_valid(number)
    return number


def _short_number(rng: random.Random, i: int) -> str:
    return str(rng.randint(0, 10 ** rng.choice((1, 2, 3, 4, 6, 8, 9, 11, 12)) - 1))


_REASONS = ((200, "OK"), (404, "Not Found"), (503, "Service Unavailable"), (201, "Created"))


def _http_status(rng: random.Random, i: int) -> str:
    code, reason = rng.choice(_REASONS)
    shapes = (
        f"HTTP/1.1 {code} {reason}",
        f"HTTP/2 {code}",
        f"GET /api/v1/orders/{rng.randint(1, 99999)} HTTP/1.1",
        f"status={code} bytes={rng.randint(0, 99999)}",
    )
    return shapes[i % len(shapes)]


def _hex_id(rng: random.Random, i: int) -> str:
    bits = 128 if i % 2 == 0 else 64
    return f"{rng.getrandbits(bits):0{bits // 4}x}"


def _git_sha(rng: random.Random, i: int) -> str:
    sha = f"{rng.getrandbits(160):040x}"
    return sha if i % 2 == 0 else sha[:7]


def _mac(rng: random.Random, i: int) -> str:
    octets = [f"{rng.randint(0, 255):02x}" for _ in range(6)]
    shapes = (
        ":".join(octets),
        "-".join(octets).upper(),
        ".".join("".join(octets[k : k + 2]) for k in (0, 2, 4)),
    )
    return shapes[i % len(shapes)]


def _date(rng: random.Random, i: int) -> str:
    y, mo, d = rng.randint(2000, 2030), rng.randint(1, 12), rng.randint(1, 28)
    shapes = (
        f"{y}-{mo:02d}-{d:02d}",
        f"{d:02d}/{mo:02d}/{y}",
        f"{mo:02d}/{d:02d}/{y}",
        f"{d:02d}.{mo:02d}.{y}",
        f"{y}/{mo:02d}/{d:02d}",
    )
    return shapes[i % len(shapes)]


def _price(rng: random.Random, i: int) -> str:
    units, cents = rng.randint(0, 99999), rng.randint(0, 99)
    shapes = (
        f"${units:,}.{cents:02d}",
        f"EUR {units}.{cents:02d}",
        f"\u20ac{units:,}.{cents:02d}",
        f"{units},{cents:02d} kr",
    )
    return shapes[i % len(shapes)]


def _percentage(rng: random.Random, i: int) -> str:
    shapes = (f"{rng.randint(0, 100)}%", f"{rng.randint(0, 99)}.{rng.randint(0, 99):02d}%")
    return shapes[i % len(shapes)]


_CLASSES = ("User", "Order", "Payment", "Session", "Invoice", "Cart", "Queue", "Cache")
_METHODS = ("show", "store", "handle", "find", "create", "add", "fetch", "decode", "run", "new")
_MODULES = ("tokio", "hyper", "serde", "std", "boost", "asio", "Illuminate", "ActiveRecord")


def _code_reference(rng: random.Random, i: int) -> str:
    """Scope-resolution names as stack traces print them (PHP, Ruby, Rust, C++)."""
    cls, method, module = rng.choice(_CLASSES), rng.choice(_METHODS), rng.choice(_MODULES)
    shapes = (
        f"App\\Http\\Controllers\\{cls}Controller::{method}",
        f"{module}::{cls}Error",
        f"{module}::runtime::{method}",
        f"std::vector<{cls}>",
        f"ActiveRecord::RecordNotFound in {cls}sController#{method}",
        f"{cls}::{method}()",
    )
    return shapes[i % len(shapes)]


_BENIGN: dict[str, Callable[[random.Random, int], str]] = {
    "order_number": _order_number,
    "uuid": _uuid,
    "timestamp": _timestamp,
    "epoch": _epoch,
    "version": _version,
    "duration": _duration,
    "digit_run": _digit_run,
    "short_number": _short_number,
    "http_status": _http_status,
    "hex_id": _hex_id,
    "git_sha": _git_sha,
    "mac_address": _mac,
    "date": _date,
    "price": _price,
    "percentage": _percentage,
    "code_reference": _code_reference,
}
BENIGN_KINDS: tuple[str, ...] = tuple(_BENIGN)


def benign_samples(seed: int = 0, per_kind: int = 40) -> list[Sample]:
    """`per_kind` look-alikes of every benign kind, none of which is PII."""
    rng = random.Random(seed)
    return [Sample(kind, make(rng, i)) for kind, make in _BENIGN.items() for i in range(per_kind)]
