#!/usr/bin/env python3
"""API contract fuzzing: schemathesis against the real server's published OpenAPI document.

For each backend (SQLite always; PostgreSQL too when TEST_DATABASE_URL is set, in a database
made for the run and dropped after it) this starts `$TEXTBACK_BIN serve`, signs up a store,
reserves a number and makes something of every kind (campaigns, a canned reply, an API key,
cart and order events, an inbound text, an opt-out), checks that every example in the document
is valid against its schema, then runs schemathesis over every operation with the store's
session token: examples, coverage, fuzzing and stateful phases, with the checks
not_a_server_error, status_code_conformance, content_type_conformance and
response_schema_conformance (configured in schemathesis.toml beside this file).

    tests/fuzz/run.py [--max-examples N] [--max-time SECONDS] [--backend sqlite|postgres]

Exits non-zero when any check fails on any backend. Reports go to tests/output/fuzz/.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import jsonschema_rs
import requests

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
OUTPUT = ROOT / "tests" / "output" / "fuzz"
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
READY = re.compile(r"Textback is serving on (http://\S+)")
START_TIMEOUT = 60
PLATFORM_SECRET = "fuzz-platform-webhook-secret"


def log(message: str) -> None:
    print(f"fuzz: {message}", flush=True)


# --- the database -------------------------------------------------------------------------

class Database:
    """The DATABASE_URL for one run: a SQLite file in the data directory, or a fresh
    PostgreSQL database on the TEST_DATABASE_URL server."""

    def __init__(self, backend: str, data_dir: Path) -> None:
        self.backend = backend
        self.admin_url = None
        self.name = None
        if backend == "sqlite":
            self.url = f"sqlite://{data_dir / 'textback.db'}"
            return
        admin = os.environ["TEST_DATABASE_URL"]
        self.name = f"textback_fuzz_{os.getpid()}_{random.randrange(1 << 30)}"
        self.admin_url = admin
        self._psql(f"CREATE DATABASE {self.name}")
        parts = urllib.parse.urlsplit(admin)
        query = parts.query if "sslmode=" in parts.query else "&".join(
            q for q in (parts.query, "sslmode=disable") if q
        )
        self.url = urllib.parse.urlunsplit(parts._replace(path=f"/{self.name}", query=query))

    def _psql(self, sql: str) -> None:
        subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", self.admin_url, "-c", sql],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def drop(self) -> None:
        if self.name:
            self._psql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


# --- the server ---------------------------------------------------------------------------

class Server:
    def __init__(self, binary: str, database: Database, data_dir: Path) -> None:
        self.binary = binary
        self.env = {
            **os.environ,
            "DATA_DIR": str(data_dir),
            "DATABASE_URL": database.url,
            "BIND_ADDR": "127.0.0.1:0",
            "STATIC_DIR": str(data_dir / "no-web-app"),
            "LOG_FORMAT": "text",
            "RUST_LOG": os.environ.get("RUST_LOG", "warn,textback_api=info"),
        }
        self.log_path = data_dir / "server.log"
        self.log_file = open(self.log_path, "w", encoding="utf-8")
        self.process = subprocess.Popen(
            [binary, "serve"],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.data_dir = data_dir
        self.url = self._wait_ready()

    def _wait_ready(self) -> str:
        found: list[str] = []
        ready = threading.Event()

        def pump() -> None:
            for line in self.process.stdout:
                self.log_file.write(line)
                self.log_file.flush()
                if not found and (match := READY.search(line)):
                    found.append(match.group(1).rstrip("/"))
                    ready.set()
            ready.set()

        threading.Thread(target=pump, daemon=True).start()
        if not ready.wait(START_TIMEOUT) or not found:
            self.stop()
            raise SystemExit(f"the server did not start:\n{self.log_path.read_text()}")
        return found[0]

    def twilio_key(self) -> str:
        """The simulator's webhook signing key, as the server derives it from its secret."""
        secret = (self.data_dir / "jwt_secret").read_bytes()
        return hashlib.sha256(b"simulator webhooks:" + secret).hexdigest()

    def text_the_store(self, sender: str, to: str, body: str) -> None:
        """A customer's text as the built-in simulator delivers it (`textback simulate-inbound`):
        Twilio's form fields, signed with the key the server derives from its secret, over the
        URL the server believes it is reached at (port 0: BIND_ADDR, no PUBLIC_BASE_URL)."""
        key = self.twilio_key().encode()
        sid = "SM" + hashlib.sha256(f"{sender}{body}{time.time()}".encode()).hexdigest()[:32]
        params = {
            "MessageSid": sid,
            "SmsMessageSid": sid,
            "AccountSid": "ACsimulator0000000000000000000000",
            "From": sender,
            "To": to,
            "Body": body,
            "NumMedia": "0",
            "NumSegments": "1",
            "SmsStatus": "received",
            "ApiVersion": "2010-04-01",
        }
        signed = "http://127.0.0.1:0/webhooks/twilio/sms" + "".join(
            name + params[name] for name in sorted(params)
        )
        signature = base64.b64encode(hmac.new(key, signed.encode(), hashlib.sha1).digest())
        response = requests.post(
            f"{self.url}/webhooks/twilio/sms",
            data=params,
            headers={"X-Twilio-Signature": signature.decode()},
            timeout=30,
        )
        if not response.ok:
            raise SystemExit(f"setup: the inbound webhook answered {response.status_code}: {response.text}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# The fuzzed store's owner; the hooks log in as them to have sessions to log out.
OWNER_EMAIL = "owner@fuzz.example"
OWNER_PASSWORD = "fuzzing-password"

# --- data for the operations to find -------------------------------------------------------

class Client:
    def __init__(self, base: str, token: str | None = None) -> None:
        self.base = base
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, body=None, expect: int | tuple = (200, 201)):
        response = self.session.request(method, self.base + path, json=body, timeout=30)
        expected = expect if isinstance(expect, tuple) else (expect,)
        if response.status_code not in expected:
            raise SystemExit(
                f"setup: {method} {path} answered {response.status_code}: {response.text}"
            )
        return response.json() if "json" in response.headers.get("content-type", "") else None


def seed(server: Server) -> dict:
    """A store with a number, campaigns of each kind, a canned reply, an API key, customers
    with carts and orders, an inbound text (a thread) and an opt-out. Returns the token."""
    anonymous = Client(server.url)
    signup = anonymous.call(
        "POST",
        "/api/v1/auth/signup",
        {"store_name": "Fuzz & Co", "email": OWNER_EMAIL, "password": OWNER_PASSWORD},
    )
    token = signup["token"]
    api = Client(server.url, token)

    number = None
    for area_code in ("415", "212", "503", "312"):
        page = api.call("GET", f"/api/v1/numbers/available?country=US&area_code={area_code}")
        if page["items"]:
            number = page["items"][0]["phone_number"]
            break
    if number is None:
        raise SystemExit("setup: no number available to reserve")
    api.call("POST", "/api/v1/numbers", {"phone_number": number}, expect=201)

    cart_flow = api.call(
        "POST",
        "/api/v1/campaigns",
        {
            "kind": "abandoned_cart",
            "name": "Cart reminders",
            "steps": [
                {"delay_minutes": 60, "body": "Hi {{ first_name }}, your cart is waiting: {{ cart_url }}"},
                {
                    "delay_minutes": 1440,
                    "body": "Take 10% off with {{ discount_code }}: {{ cart_url }}",
                    "discount_code": "BACK10",
                },
            ],
        },
        expect=201,
    )
    api.call("POST", f"/api/v1/campaigns/{cart_flow['id']}/activate")
    api.call(
        "POST",
        "/api/v1/campaigns",
        {
            "kind": "order_update",
            "name": "Order updates",
            "order_statuses": ["placed", "on_hold"],
            "steps": [{"body": "Order {{ order_number }} is now {{ order_status }}."}],
        },
        expect=201,
    )
    api.call(
        "POST",
        "/api/v1/canned-replies",
        {"name": "Shipping", "body": "Hi {{ first_name }}, shipping is free over $50."},
        expect=201,
    )
    api.call("POST", "/api/v1/api-keys", {"name": "Fuzz sync", "scopes": ["read", "events"]}, expect=201)
    for platform in ("shopify", "woocommerce"):
        api.call("PUT", f"/api/v1/integrations/{platform}", {"secret": PLATFORM_SECRET})
    store_id = api.call("GET", "/api/v1/me")["store"]["id"]

    now = time.time()
    stamp = lambda minutes_ago: time.strftime(  # noqa: E731
        "%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - minutes_ago * 60)
    )
    events = []
    for i, phone in enumerate(("+14155550123", "+12125550188", "+15035550142")):
        events.append({
            "id": f"evt-cart-{i}",
            "type": "checkout.updated",
            "occurred_at": stamp(90 - i),
            "customer": {
                "phone": phone,
                "email": f"customer{i}@fuzz.example",
                "first_name": f"Customer{i}",
                "sms_consent": {"status": "granted", "source": "checkout"},
            },
            "cart": {
                "id": f"cart-{i}",
                "total": "89.00",
                "currency": "USD",
                "recovery_url": f"https://shop.example.com/cart/{i}",
                "line_items": [{"title": "Merino crew", "variant": "M", "quantity": 1, "price": "89.00"}],
            },
        })
    events.append({
        "id": "evt-order-0",
        "type": "order.created",
        "occurred_at": stamp(10),
        "customer": {"phone": "+14155550123"},
        "order": {"id": "order-0", "number": "#1001", "total": "89.00", "currency": "USD", "cart_id": "cart-0"},
    })
    api.call("POST", "/api/v1/events/batch", {"events": events})

    server.text_the_store("+12125550188", number, "Is shipping free?")
    server.text_the_store("+15035550142", number, "STOP")
    api.call("POST", "/api/v1/opt-outs", {"phones": ["+13125550100"], "note": "Asked in store"}, expect=(200, 201))
    threads = api.call("GET", "/api/v1/threads")
    if not threads["items"]:
        raise SystemExit("setup: the inbound texts made no thread")
    # Another person, whose session the password operation uses: its wrong passwords throttle
    # their email, not the owner's, whose logins give the logout operation its sessions.
    spare = anonymous.call(
        "POST",
        "/api/v1/auth/signup",
        {"store_name": "Spare & Co", "email": "spare@fuzz.example", "password": OWNER_PASSWORD},
    )
    return {"token": token, "store_id": store_id, "spare_token": spare["token"]}


# --- examples ------------------------------------------------------------------------------

def invalid_examples(document: dict) -> list[str]:
    """Every `example`/`examples` in the document checked against the schema it illustrates:
    parameters, request and response bodies, and every (sub)schema of the components."""
    components = document.get("components", {})
    problems: list[str] = []

    def check(schema: dict, value, where: str) -> None:
        # The components ride along so that `#/components/schemas/...` references resolve.
        wrapped = {**schema, "components": components}
        try:
            validator = jsonschema_rs.Draft202012Validator(wrapped, validate_formats=True)
        except Exception as error:  # noqa: BLE001 - a schema the validator cannot read
            problems.append(f"{where}: schema not usable: {error}")
            return
        for error in validator.iter_errors(value):
            problems.append(f"{where}: {json.dumps(value)[:120]}: {error.message}")

    def walk_schema(schema, where: str) -> None:
        if isinstance(schema, dict):
            if "example" in schema:
                check(schema, schema["example"], f"{where} (example)")
            for i, example in enumerate(schema.get("examples") or []) if isinstance(
                schema.get("examples"), list
            ) else []:
                check(schema, example, f"{where} (examples[{i}])")
            for key, value in schema.items():
                if key in ("example", "examples", "components"):
                    continue
                walk_schema(value, f"{where}/{key}")
        elif isinstance(schema, list):
            for i, item in enumerate(schema):
                walk_schema(item, f"{where}/{i}")

    def media_examples(media: dict, where: str) -> None:
        schema = media.get("schema") or {}
        if "example" in media:
            check(schema, media["example"], f"{where} (example)")
        for name, example in (media.get("examples") or {}).items():
            if "value" in example:
                check(schema, example["value"], f"{where} (examples.{name})")

    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema") or {}
                label = f"{where} parameter {parameter.get('name')}"
                if "example" in parameter:
                    check(schema, parameter["example"], f"{label} (example)")
                for name, example in (parameter.get("examples") or {}).items():
                    if "value" in example:
                        check(schema, example["value"], f"{label} (examples.{name})")
                walk_schema(schema, label)
            body = operation.get("requestBody", {})
            for media_type, media in body.get("content", {}).items():
                media_examples(media, f"{where} request {media_type}")
                walk_schema(media.get("schema"), f"{where} request {media_type}")
            for status, response in operation.get("responses", {}).items():
                for media_type, media in response.get("content", {}).items():
                    media_examples(media, f"{where} {status} {media_type}")
                    walk_schema(media.get("schema"), f"{where} {status} {media_type}")
    for name, schema in components.get("schemas", {}).items():
        walk_schema(schema, f"#/components/schemas/{name}")
    return problems


def unresolvable_references(document: dict) -> list[str]:
    """Every `$ref` that does not point at something in the document."""
    problems: list[str] = []

    def resolve(pointer: str) -> bool:
        node = document
        for part in pointer.lstrip("#/").split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return True

    def walk(node, where: str) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not (ref.startswith("#/") and resolve(ref)):
                problems.append(f"{where}: unresolvable reference {ref}")
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{where}/{i}")

    walk(document, "#")
    return problems


# --- one backend ---------------------------------------------------------------------------

def run_backend(backend: str, args) -> bool:
    data_dir = Path(tempfile.mkdtemp(prefix=f"textback-fuzz-{backend}-"))
    out_dir = OUTPUT / backend
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    database = Database(backend, data_dir)
    server = None
    started = time.monotonic()
    try:
        server = Server(args.binary, database, data_dir)
        log(f"{backend}: serving on {server.url}")
        state = seed(server)
        document = requests.get(f"{server.url}/api-docs/openapi.json", timeout=30).json()
        (out_dir / "openapi.json").write_text(json.dumps(document, indent=2))
        problems = unresolvable_references(document) + invalid_examples(document)
        for problem in problems:
            log(f"{backend}: spec: {problem}")
        command = [
            str(SCHEMATHESIS),
            "--config-file", str(HERE / "schemathesis.toml"),
            "run", f"{server.url}/api-docs/openapi.json",
            "--header", f"Authorization: Bearer {state['token']}",
            "--max-examples", str(args.max_examples),
            "--seed", str(args.seed),
            "--report", "junit,ndjson",
            "--report-dir", str(out_dir),
            "--no-color",
        ]
        if args.max_time:
            command += ["--max-time", str(args.max_time)]
        command += args.extra
        log(f"{backend}: schemathesis, at most {args.max_examples} examples per operation")
        env = {
            **os.environ,
            "PYTHONPATH": str(HERE),
            "SCHEMATHESIS_HOOKS": "signing_hooks",
            "FUZZ_TWILIO_KEY": server.twilio_key(),
            "FUZZ_STORE_ID": str(state["store_id"]),
            "FUZZ_PLATFORM_SECRET": PLATFORM_SECRET,
            "FUZZ_OWNER_EMAIL": OWNER_EMAIL,
            "FUZZ_OWNER_PASSWORD": OWNER_PASSWORD,
            "FUZZ_SPARE_TOKEN": state["spare_token"],
        }
        result = subprocess.run(command, cwd=out_dir, env=env)
        ok = result.returncode == 0 and not problems
        log(
            f"{backend}: {'passed' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s"
            + ("" if result.returncode == 0 else f" (schemathesis exit {result.returncode})")
            + (f", {len(problems)} problems in the document" if problems else "")
        )
        return ok
    finally:
        if server:
            server.stop()
            if server.log_path.exists():
                shutil.copy(server.log_path, out_dir / "server.log")
        database.drop()
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("FUZZ_MAX_EXAMPLES", 20)))
    parser.add_argument("--max-time", type=int, default=None, help="a time budget per backend (seconds)")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", random.randrange(1 << 31))))
    parser.add_argument("--backend", choices=("sqlite", "postgres"), action="append")
    parser.add_argument("extra", nargs="*", help="more schemathesis options, after --")
    args = parser.parse_args()
    args.binary = os.environ.get("TEXTBACK_BIN")
    if not args.binary:
        parser.error("set TEXTBACK_BIN to the textback server binary (e.g. target/debug/textback)")
    backends = args.backend or (["sqlite", "postgres"] if os.environ.get("TEST_DATABASE_URL") else ["sqlite"])
    log(f"seed {args.seed} (FUZZ_SEED={args.seed} repeats this run)")
    results = {backend: run_backend(backend, args) for backend in backends}
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
