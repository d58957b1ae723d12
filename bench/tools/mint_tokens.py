#!/usr/bin/env python3
"""Mint HS256 bearer tokens the WedSync API accepts, one per user id read from stdin.

    mint_tokens.py --key K --issuer I --audience A [--roles platform_admin,service] [--hours 4] < ids > tokens

Claims follow Api/Platform/Auth (branch api-platform): iss, aud, sub (user_profiles.user_id),
roles (array of platform roles, possibly empty), iat/nbf/exp. The standard library is enough:
HMAC-SHA256 over base64url(header).base64url(payload).
"""

import argparse
import base64
import hashlib
import hmac
import json
import sys
import time


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def mint(key: bytes, issuer: str, audience: str, subject: str, roles: list[str], now: int, lifetime: int) -> str:
    header = {"alg": "HS256", "typ": "JWT"}
    payload = {
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "roles": roles,
        "iat": now,
        "nbf": now - 60,
        "exp": now + lifetime,
    }
    signing_input = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + b64url(
        json.dumps(payload, separators=(",", ":")).encode()
    )
    signature = hmac.new(key, signing_input.encode("ascii"), hashlib.sha256).digest()
    return signing_input + "." + b64url(signature)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--key", required=True, help="Auth:SigningKey, at least 32 bytes of UTF-8")
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--audience", required=True)
    parser.add_argument("--roles", default="", help="comma-separated platform roles")
    parser.add_argument("--hours", type=float, default=4.0)
    args = parser.parse_args()

    key = args.key.encode("utf-8")
    if len(key) < 32:
        parser.error("the signing key must be at least 32 bytes (HMAC-SHA256)")
    roles = [r.strip() for r in args.roles.split(",") if r.strip()]
    now = int(time.time())
    lifetime = int(args.hours * 3600)

    count = 0
    for line in sys.stdin:
        subject = line.strip()
        if subject:
            print(mint(key, args.issuer, args.audience, subject, roles, now, lifetime))
            count += 1
    if count == 0:
        print("mint_tokens.py: no user ids on stdin", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
