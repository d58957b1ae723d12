#!/usr/bin/env python3
"""Sends hostile inputs to every operation of a running WedSync API and fails on a 5xx or an answer
its own /openapi/v1.json does not allow (status, media type, body shape).

    bench/fuzz/fuzz.py --base-url http://localhost:5080 --token "$TOKEN" [--token ...] [--seconds 60]

Per operation: one baseline request, then each path/query parameter and each JSON body member replaced
in turn by every hostile value (NUL, lone surrogates, overlong text, calendar ends, huge and fractional
numbers, wrong types, huge arrays), whole bodies that are not what the operation reads, and odd headers
(User-Agent, Referer, X-Forwarded-For, Cookie, Authorization with NUL or 64 KB). Operations that end
sessions or delete data are skipped unless --include-destructive. Exit code 0: no finding; 1: findings
(printed, one a line); 2: the document could not be read. Standard library only.
"""

import argparse
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor

# Operations that cancel or end other sessions, roll back transactions or delete data, and a stream that never ends.
DESTRUCTIVE = {
    "MonitoringTerminateSession", "MonitoringCancelSession", "MonitoringRollbackPreparedTransaction",
    "MonitoringCleanup", "MonitoringDeleteAlertSubscription",
}
NEVER = {"MonitoringEventStream"}

HOSTILE_TEXT = [
    "a\u0000b", "\ud800", "x\udfffy", "\U0001F600" * 3, "", " ", "x" * 70_000, "\u202e\u0301", "%00", "../../etc/passwd",
    "'; SELECT pg_sleep(5);--", "{{7*7}}",
]
HOSTILE_VALUES = HOSTILE_TEXT + [
    "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.9999999+14:00", "-infinity", "infinity", "2026-02-30T10:00:00Z",
    "2026-12-05T10:00:00+01:00", "2026-12-05T10:00:00", "-1", "0", "2147483648", "9223372036854775808",
    "-9223372036854775809", "1e309", "NaN", "1.5", "00000000-0000-0000-0000-000000000000", "true",
]
HOSTILE_JSON = [
    None, True, 0, -1, 1.5, 2 ** 63, -(2 ** 63) - 1, 10 ** 400, "9" * 400, {}, [], {"a": {"b": [1, "\u0000"]}},
    ["x"] * 20_000, [None] * 5,
]
ODD_HEADERS = [
    ("User-Agent", "Mozilla/5.0\u0000evil"), ("User-Agent", "u" * 65_536), ("Referer", "https://x.example/\u0000"),
    ("Referer", "https://x.example/" + "r" * 65_536), ("X-Forwarded-For", "\u0000"), ("X-Forwarded-For", "999.999.1.1, ::ffff:"),
    ("X-Forwarded-For", "1.2.3.4," * 8_000), ("Cookie", "wedsync_visitor=\u0000; a=" + "c" * 60_000),
    ("Authorization", "Bearer \u0000"), ("Authorization", "Bearer " + "t" * 65_536), ("Accept", "\u0000/\u0000"),
    ("Cache-Control", "max-age=-1, no-cache=\u0000"),
]


class Document:
    def __init__(self, raw):
        self.raw = raw
        self.schemas = raw.get("components", {}).get("schemas", {})

    def resolve(self, schema):
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema and seen < 50:
            schema = self.schemas.get(schema["$ref"].split("/")[-1], {})
            seen += 1
        return schema or {}

    def operations(self):
        for path, item in self.raw.get("paths", {}).items():
            for method, operation in item.items():
                if method.lower() in ("get", "post", "put", "patch", "delete", "head"):
                    yield path, method.upper(), operation

    def sample(self, schema, depth=0):
        """A plausible value: the baseline every hostile value is swapped into."""
        schema = self.resolve(schema)
        for key in ("allOf", "oneOf", "anyOf"):
            if schema.get(key):
                return self.sample(next((s for s in schema[key] if self.resolve(s).get("type") != "null"), schema[key][0]), depth)
        if "enum" in schema and schema["enum"]:
            return next((v for v in schema["enum"] if v is not None), schema["enum"][0])
        if "default" in schema:
            return schema["default"]
        kind = schema.get("type")
        kind = next((k for k in kind if k != "null"), None) if isinstance(kind, list) else kind
        fmt = schema.get("format", "")
        if kind == "object" or "properties" in schema:
            if depth > 4:
                return {}
            return {name: self.sample(prop, depth + 1) for name, prop in schema.get("properties", {}).items()}
        if kind == "array":
            return [self.sample(schema.get("items", {}), depth + 1)]
        if kind == "integer":
            return max(1, int(schema.get("minimum", 1)))
        if kind == "number":
            return 1.0
        if kind == "boolean":
            return True
        if fmt == "uuid":
            return str(uuid.uuid4())
        if fmt == "date-time":
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 3600))
        if fmt == "email":
            return f"fuzz-{uuid.uuid4().hex[:8]}@fuzz.test"
        if fmt == "uri":
            return "https://fuzz.example/"
        if schema.get("pattern") == "^[A-Za-z0-9]{4,20}$":
            return "FUZZ1234"
        return "fuzz"

    def check(self, operation, status, content_type, body):
        """What in the answer the document does not allow; empty when it conforms."""
        responses = operation.get("responses", {})
        response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
        if response is None:
            return [f"status {status} not declared ({', '.join(responses)})"]
        content = response.get("content") or {}
        media = (content_type or "").split(";")[0].strip().lower()
        if not content:
            return [f"{status} has a {media} body, none declared"] if body else []
        if not body:
            return []
        if media not in content:
            return [f"{status} answered as '{media}', declared {', '.join(content)}"]
        try:
            instance = json.loads(body)
        except ValueError:
            return [f"{status} {media} body is not JSON: {body[:120]!r}"]
        errors = []
        self.validate(content[media].get("schema", {}), instance, "$", errors)
        return [f"{status} {media} body: {e}" for e in errors[:5]]

    def validate(self, schema, value, where, errors, depth=0):
        """The subset of JSON Schema the document uses: $ref, composition, type, nullable, enum, required, properties, items."""
        schema = self.resolve(schema)
        if depth > 20 or not schema:
            return
        if value is None and (schema.get("nullable") or "null" in (schema.get("type") or [])):
            return
        for part in schema.get("allOf", []):
            self.validate(part, value, where, errors, depth + 1)
        for key in ("oneOf", "anyOf"):
            if schema.get(key):
                attempts = []
                for part in schema[key]:
                    found = []
                    self.validate(part, value, where, found, depth + 1)
                    attempts.append(found)
                if all(attempts):
                    errors.append(f"{where}: matches none of {key}")
        kinds = schema.get("type")
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if kinds and not any(matches(kind, value) for kind in kinds):
            errors.append(f"{where}: {type(value).__name__} where {kinds} is declared")
            return
        if "enum" in schema and value not in schema["enum"]:
            errors.append(f"{where}: {value!r} not in {schema['enum']}")
        if isinstance(value, dict):
            for name in schema.get("required", []):
                if name not in value:
                    errors.append(f"{where}: required member '{name}' missing")
            for name, member in value.items():
                if name in schema.get("properties", {}):
                    self.validate(schema["properties"][name], member, f"{where}.{name}", errors, depth + 1)
        if isinstance(value, list) and "items" in schema:
            for index, item in enumerate(value[:50]):
                self.validate(schema["items"], item, f"{where}[{index}]", errors, depth + 1)


def matches(kind, value):
    return {
        "object": isinstance(value, dict), "array": isinstance(value, list), "string": isinstance(value, str),
        "boolean": isinstance(value, bool), "null": value is None,
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
    }.get(kind, True)


def header_promises(status, response):
    """Headers that promise what the next request meets (issue 24, kind 6)."""
    problems = []
    cache_control = (response.getheader("Cache-Control") or "").lower()
    if status >= 400 and "no-store" not in cache_control:
        problems.append(f"{status} may be stored by a cache (Cache-Control: '{cache_control}')")
    retry_after = response.getheader("Retry-After")
    if status in (429, 503) and not (retry_after or "").isdigit():
        problems.append(f"{status} without Retry-After in seconds ('{retry_after}')")
    location = response.getheader("Location")
    if 300 <= status < 400 and (not location or "fuzz.invalid" in location):
        problems.append(f"{status} Location '{location}' is missing or built from the request's Host")
    return problems


def encode_text(value):
    """Text as a client would put it in a URL; a lone surrogate becomes the bytes a sloppy encoder writes."""
    raw = value.encode("utf-8", "surrogatepass")
    return urllib.parse.quote(raw, safe="")


def header_bytes(value):
    return value.encode("utf-8", "surrogatepass")


class Fuzzer:
    def __init__(self, base_url, tokens, deadline, verbose):
        parsed = urllib.parse.urlsplit(base_url)
        self.host, self.port, self.https = parsed.hostname, parsed.port, parsed.scheme == "https"
        self.tokens = tokens or [None]
        self.deadline = deadline
        self.verbose = verbose
        self.sent = 0
        self.findings = []
        self.statuses = {}
        self.lock = threading.Lock()

    def connection(self):
        cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        return cls(self.host, self.port, timeout=30)

    def send(self, name, operation, method, path, query, headers, body, what):
        if time.monotonic() > self.deadline:
            return
        url = path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
        with self.lock:
            token = self.tokens[self.sent % len(self.tokens)]
            self.sent += 1
        wire = {"X-Forwarded-For": f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}",
                "X-Forwarded-Host": "fuzz.invalid"}
        if token:
            wire["Authorization"] = f"Bearer {token}"
        if body is not None:
            wire["Content-Type"] = "application/json"
        wire.update(headers)
        payload = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
        connection = self.connection()
        try:
            # A Host no configuration names: a Location built from the request's Host shows (Host header poisoning).
            connection.putrequest(method, url, skip_host=True, skip_accept_encoding=True)
            connection.putheader("Host", "fuzz.invalid")
            for key, value in wire.items():
                connection.putheader(key, header_bytes(value))
            connection.putheader("Content-Length", str(len(payload or b"")))
            connection.endheaders(payload)
            response = connection.getresponse()
            data = response.read() if method != "HEAD" else b""
            status, content_type = response.status, response.getheader("Content-Type")
            promises = header_promises(status, response)
        except (OSError, http.client.HTTPException) as error:
            # A server may close on a request past its limits (request line, headers, body) instead of reading it all.
            oversized = len(url) > 8_000 or len(payload or b"") > 64_000 or any(len(v) > 16_000 for v in wire.values())
            if not oversized:
                self.finding(f"{method} {name} [{what}]: no answer ({error})")
            return
        finally:
            connection.close()
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
        text = data.decode("utf-8", "replace")
        if status >= 500:
            self.finding(f"{method} {name} [{what}]: {status} {text[:300]}")
            return
        if status in (400, 413, 414, 431) and not content_type and not data:
            return  # Refused by the HTTP server itself (request line or headers too large) before the API saw it.
        for problem in promises + self.document.check(operation, status, content_type, text):
            self.finding(f"{method} {name} [{what}]: {problem}")

    def finding(self, text):
        with self.lock:
            self.findings.append(text)
        print("FINDING " + text[:1000], flush=True)

    def cases(self, document, include_destructive):
        self.document = document
        self.known = getattr(self, "known", {})
        for path, method, operation in document.operations():
            name = operation.get("operationId", path)
            if name in NEVER or (name in DESTRUCTIVE and not include_destructive):
                continue
            params = operation.get("parameters", [])
            values = {p["name"]: self.known.get(p["name"], document.sample(p.get("schema", {}))) for p in params}
            body_schema = (operation.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema")
            body = document.sample(body_schema) if body_schema is not None else None

            def request(override_param=None, value=None, body_value=body, headers=None, raw_body=None, what="baseline",
                        path=path, method=method, operation=operation, params=params, values=values, body_schema=body_schema, name=name):
                current = dict(values)
                if override_param is not None:
                    current[override_param] = value
                url = path
                query = {}
                for p in params:
                    text = current[p["name"]]
                    text = text if isinstance(text, str) else json.dumps(text).strip('"')
                    if p.get("in") == "path":
                        url = url.replace("{" + p["name"] + "}", encode_text(text) or "%20")
                    elif p.get("in") == "query":
                        query[p["name"]] = encode_text(text)
                payload = raw_body if raw_body is not None else (
                    json.dumps(body_value) if body_schema is not None else None)
                return (name, operation, method, url, query, headers or {}, payload, what)

            yield request()
            for p in params:
                for value in HOSTILE_VALUES:
                    yield request(p["name"], value, what=f"{p['in']} {p['name']}={value[:24]!r}")
            if isinstance(body, dict):
                for member in body:
                    for value in HOSTILE_VALUES + HOSTILE_JSON:
                        changed = dict(body)
                        changed[member] = value
                        yield request(body_value=changed, what=f"body.{member}={str(value)[:24]!r}")
            if body_schema is not None:
                for raw in ("", "null", "[]", "\"x\"", "{", "[" * 5_000 + "]" * 5_000, "{\"a\":" * 100 + "1" + "}" * 100,
                            json.dumps(["x"] * 100_000)):
                    yield request(raw_body=raw, what=f"body {raw[:16]!r}")
            for header, value in ODD_HEADERS:
                yield request(headers={header: value}, what=f"header {header}={value[:24]!r}")

    def run(self, document, include_destructive, workers):
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for case in self.cases(document, include_destructive):
                if time.monotonic() > self.deadline:
                    break
                pool.submit(self.send, *case)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", action="append", default=[], help="bearer token; several spread the per-user rate limit")
    parser.add_argument("--seconds", type=float, default=300, help="time budget; cases left when it ends are not sent")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--include-destructive", action="store_true", help=f"also {', '.join(sorted(DESTRUCTIVE))}")
    parser.add_argument("--value", action="append", default=[], metavar="NAME=VALUE",
                        help="baseline of a parameter, e.g. code=ABCD2345 (a live referral code reaches the redirect)")
    parser.add_argument("--seed", type=int, default=24)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    random.seed(args.seed)

    fuzzer = Fuzzer(args.base_url.rstrip("/"), args.token, time.monotonic() + args.seconds, args.verbose)
    fuzzer.known = dict(value.split("=", 1) for value in args.value)
    try:
        connection = fuzzer.connection()
        headers = {"Authorization": f"Bearer {args.token[0]}"} if args.token else {}
        connection.request("GET", "/openapi/v1.json", headers=headers)
        response = connection.getresponse()
        document = Document(json.loads(response.read()))
        if response.status != 200:
            raise ValueError(f"status {response.status}")
    except (OSError, ValueError, http.client.HTTPException) as error:
        print(f"Could not read {args.base_url}/openapi/v1.json: {error}", file=sys.stderr)
        return 2

    started = time.monotonic()
    fuzzer.run(document, args.include_destructive, args.workers)
    elapsed = time.monotonic() - started
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(fuzzer.statuses.items()))
    print(f"{fuzzer.sent} requests in {elapsed:.1f} s; statuses {statuses}; {len(fuzzer.findings)} findings"
          + ("" if fuzzer.statuses.get(429, 0) * 10 < fuzzer.sent else "; many 429s: give more --token (one per user) for coverage"))
    return 1 if fuzzer.findings else 0


if __name__ == "__main__":
    sys.exit(main())
