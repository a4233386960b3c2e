"""Signing and verifying ``<timestamp>.<body>`` with HMAC-SHA256."""

from __future__ import annotations

import subprocess

from alarmhugger_webhook import sign_body
from alarmhugger_webhook import verify_signature

SECRET = "whsec-0123456789"
BODY = '{"ticker": "BTCUSDT", "message": "🚀"}'.encode()


def test_sign_body_same_digest_as_openssl():
    assert sign_body(SECRET, 1714564800, BODY) == "sha256=" + _openssl_digest()


def test_verify_signature_fresh_signature_is_accepted():
    signature = sign_body(SECRET, 1714564800, BODY)

    assert verify_signature(SECRET, "1714564800", BODY, signature, now=1714564830)


def test_verify_signature_old_timestamp_is_refused():
    signature = sign_body(SECRET, 1714564800, BODY)

    assert not verify_signature(SECRET, "1714564800", BODY, signature, now=1714565200)


def test_verify_signature_changed_timestamp_is_refused():
    signature = sign_body(SECRET, 1714564800, BODY)

    assert not verify_signature(SECRET, "1714564801", BODY, signature, now=1714564800)


def test_verify_signature_malformed_timestamp_is_refused():
    assert not verify_signature(SECRET, "-1", BODY, "sha256=00", now=0)


def _openssl_digest() -> str:
    # What a receiver without Python would compute for the same request.
    completed = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", SECRET, "-r"],
        input=b"1714564800." + BODY,
        capture_output=True,
        check=True,
    )
    return completed.stdout.split()[0].decode()
