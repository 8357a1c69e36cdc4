"""schemathesis hooks for tests/fuzz/run.py: sign the webhook requests as the provider and the
store platforms do, so the fuzzed payloads get past the signature check and into the code that
reads them.

run.py passes, in the environment:
  FUZZ_TWILIO_KEY       the simulator's webhook signing key (derived from the server's secret)
  FUZZ_STORE_ID         the fuzzed store's id
  FUZZ_PLATFORM_SECRET  the webhook secret saved for Shopify and WooCommerce on that store
  FUZZ_OWNER_EMAIL, FUZZ_OWNER_PASSWORD  its owner's login
  FUZZ_SPARE_TOKEN      a session of another store's owner, for changing passwords
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import random
import urllib.parse

import requests
import schemathesis

TWILIO_KEY = os.environ.get("FUZZ_TWILIO_KEY", "")
STORE_ID = os.environ.get("FUZZ_STORE_ID", "")
PLATFORM_SECRET = os.environ.get("FUZZ_PLATFORM_SECRET", "")
SPARE_TOKEN = os.environ.get("FUZZ_SPARE_TOKEN", "")
OWNER_LOGIN = {
    "email": os.environ.get("FUZZ_OWNER_EMAIL", ""),
    "password": os.environ.get("FUZZ_OWNER_PASSWORD", ""),
}
# The server has no PUBLIC_BASE_URL: it believes it is reached at BIND_ADDR, port 0.
SIGNED_ORIGIN = "http://127.0.0.1:0"

SHOPIFY_TOPICS = [
    "checkouts/create", "checkouts/update", "orders/create", "orders/updated", "orders/paid",
    "orders/fulfilled", "orders/cancelled", "fulfillments/create", "fulfillments/update",
    "customers/create", "customers/update", "products/update",
]
WOOCOMMERCE_TOPICS = ["order.created", "order.updated", "order.deleted", "product.updated"]


class TwilioSignature(requests.auth.AuthBase):
    """X-Twilio-Signature over the URL and the form fields actually sent."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        fields = sorted(urllib.parse.parse_qsl(body, keep_blank_values=True))
        parts = urllib.parse.urlsplit(request.url)
        url = SIGNED_ORIGIN + parts.path + (f"?{parts.query}" if parts.query else "")
        signed = url + "".join(name + value for name, value in fields)
        digest = hmac.new(TWILIO_KEY.encode(), signed.encode(), hashlib.sha1).digest()
        request.headers["X-Twilio-Signature"] = base64.b64encode(digest).decode()
        return request


class PlatformSignature(requests.auth.AuthBase):
    """base64(HMAC-SHA256(secret, raw body)) in the platform's header, with a topic and a
    delivery id, as Shopify and WooCommerce send them."""

    def __init__(self, header: str, topic_header: str, id_header: str, topics: list[str]) -> None:
        self.header, self.topic_header, self.id_header, self.topics = header, topic_header, id_header, topics

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        digest = hmac.new(PLATFORM_SECRET.encode(), body, hashlib.sha256).digest()
        request.headers[self.header] = base64.b64encode(digest).decode()
        request.headers[self.topic_header] = random.choice(self.topics)
        request.headers[self.id_header] = f"fuzz-{random.randrange(1 << 40)}"
        return request


class FreshSession(requests.auth.AuthBase):
    """A session of its own for each logout, so that logging out does not end the session the
    rest of the run uses."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        parts = urllib.parse.urlsplit(request.url)
        login = requests.post(
            f"{parts.scheme}://{parts.netloc}/api/v1/auth/login", json=OWNER_LOGIN, timeout=30
        )
        login.raise_for_status()
        request.headers["Authorization"] = f"Bearer {login.json()['token']}"
        return request


class Bearer(requests.auth.AuthBase):
    """Another session than the run's (see `before_call`)."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


SIGNERS = {
    "/webhooks/twilio/sms": TwilioSignature(),
    "/webhooks/twilio/status": TwilioSignature(),
    "/webhooks/shopify/{store}": PlatformSignature(
        "X-Shopify-Hmac-Sha256", "X-Shopify-Topic", "X-Shopify-Webhook-Id", SHOPIFY_TOPICS
    ),
    "/webhooks/woocommerce/{store}": PlatformSignature(
        "X-WC-Webhook-Signature", "X-WC-Webhook-Topic", "X-WC-Webhook-Delivery-ID", WOOCOMMERCE_TOPICS
    ),
}


@schemathesis.hook
def before_call(context, case, kwargs):
    # `kwargs` (not `**kwargs`): the transport's own arguments, so `auth` reaches the request.
    if case.operation.path == "/api/v1/auth/logout":
        kwargs["auth"] = FreshSession()
        return
    # Wrong passwords throttle their person's logins, and a right one ends their other
    # sessions: another person's, so the owner's logins above keep working.
    if case.operation.path == "/api/v1/auth/password":
        kwargs["auth"] = Bearer(SPARE_TOKEN)
        return
    signer = SIGNERS.get(case.operation.path)
    if signer is None:
        return
    # Mostly the fuzzed store (which has a secret), sometimes whatever id was generated.
    if "{store}" in case.operation.path and STORE_ID and random.random() < 0.9:
        case.path_parameters = {**(case.path_parameters or {}), "store": int(STORE_ID)}
    # Mostly signed, sometimes not: a missing or wrong signature must stay a clean 401/403.
    if random.random() < 0.9:
        kwargs["auth"] = signer
