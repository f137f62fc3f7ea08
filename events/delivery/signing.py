"""Standard Webhooks signatures (https://www.standardwebhooks.com), through the reference library.

Secrets are `whsec_` + base64 of 32 random bytes. A message is signed as
`v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`; while
a rotated-out secret is still valid the header carries both signatures,
space-separated, so a receiver holding either verifies.
"""

import base64
import datetime as dt
import secrets

from standardwebhooks.webhooks import Webhook

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature_header(secrets_: list[str], msg_id: str, timestamp: dt.datetime, body: str) -> str:
    return " ".join(Webhook(secret).sign(msg_id, timestamp.astimezone(dt.UTC), body) for secret in secrets_)


def headers(secrets_: list[str], msg_id: str, timestamp: dt.datetime, body: str) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signature_header(secrets_, msg_id, timestamp, body),
        "content-type": "application/json",
        "user-agent": "Datapunk-Lake-Webhooks/1",
    }
