"""Keyed HMAC-SHA256 pseudonyms for personal data, computed inside DuckDB or in Python."""

import hashlib
import hmac

_BLOCK = 64


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """The inner and outer HMAC-SHA256 pads for a key (RFC 2104), so SQL can compute the HMAC."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def hmac_sql(value_sql: str) -> str:
    """SQL for the hex HMAC-SHA256 of a VARCHAR expression; needs parameters $ipad and $opad."""
    return f"sha256($opad || unhex(sha256($ipad || encode({value_sql}))))"


def pseudonym(value: str, key: bytes) -> str:
    """The pseudonym of one value, identical to what the SQL version computes."""
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
