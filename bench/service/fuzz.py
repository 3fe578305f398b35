#!/usr/bin/python3
"""Sends N malformed requests to a CrossMedia service on loopback and counts the answers.

Fuzzed JSON, wrong vector dimensions, huge/invalid k, oversized bodies, bad base64, unknown
media, wrong API keys, odd methods and paths. Standard library only; loopback only; bounded.
Exits 1 if any answer is a 5xx, a request gets no answer (other than an oversized body the
server refused and closed), or /health fails afterwards.

Usage: /usr/bin/python3 bench/service/fuzz.py [PORT=5077] [N=1000] [MAX_BODY=1048576]
"""
import http.client
import json
import random
import sys
from collections import Counter

port = int(sys.argv[1]) if len(sys.argv) > 1 else 5077
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
max_body = int(sys.argv[3]) if len(sys.argv) > 3 else 1 << 20
rng = random.Random(12345)
DIM = 128


def vec(d):
    return [round(rng.uniform(-1, 1), 4) for _ in range(d)]


def valid():
    return json.dumps({"vector": vec(DIM), "from": "embedding", "k": 10})


def mutate(text):
    b = bytearray(text.encode())
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(4)
        i = rng.randrange(len(b) + 1)
        if op == 0 and b:
            del b[i % len(b)]
        elif op == 1:
            b[i:i] = bytes([rng.randrange(256)])
        elif op == 2:
            b[i:i] = rng.choice([b"{", b"}", b"[", b"]", b",", b":", b'"', b"null", b"1e999", b"-", b"\\u0000", b"NaN"])
        else:
            b = b[: i or 1]
    return bytes(b)


def case(i):
    """(method, path, body bytes, headers, kind)."""
    kind = i % 12
    h = {"Content-Type": "application/json"}
    if kind == 0:
        return "POST", "/search", mutate(valid()), h, "fuzzed json"
    if kind == 1:
        d = rng.choice([0, 1, 2, 127, 129, 256, 1000])
        return "POST", "/search", json.dumps({"vector": vec(d), "from": "embedding"}).encode(), h, "wrong dimension"
    if kind == 2:
        k = rng.choice([0, -1, 101, 10**6, 2**31, 2**63, 1e30, "10", None, [], {}])
        return "POST", "/search", json.dumps({"vector": vec(DIM), "from": "embedding", "k": k}).encode(), h, "bad k"
    if kind == 3:
        size = rng.choice([max_body + 1, max_body * 2, max_body * 4])
        return "POST", "/search", b'{"text": "' + b"a" * size + b'"}', h, "oversized body"
    if kind == 4:
        return "POST", "/search", json.dumps({"file": rng.choice(["%%%", "QUJD", "", "a" * 7]), "filename": rng.choice(["x.png", "x.exe", "", "../../etc/passwd"])}).encode(), h, "bad file"
    if kind == 5:
        body = rng.choice([b"", b"null", b"[]", b"{}", b"0", b'"x"', b"{" * 5000 + b"}" * 5000, b"\xff\xfe\x00", b'{"vector": "abc"}',
                           b'{"vector": [1, "a"]}', b'{"medium": 5, "text": "x"}', b'{"text": ""}', b'{"vector": [NaN]}'])
        return "POST", "/search", body, h, "odd json"
    if kind == 6:
        key = rng.choice([None, "", "wrong", "bench-kez", "x" * 5000])
        hh = dict(h)
        if key is not None:
            hh["X-Api-Key"] = key
        return "POST", "/items", json.dumps({"vector": vec(DIM), "from": "embedding"}).encode(), hh, "wrong key"
    if kind == 7:
        hh = {"X-Api-Key": rng.choice(["", "nope", "bench"])}
        return "DELETE", f"/items/{rng.randrange(100)}", b"", hh, "wrong key"
    if kind == 8:
        return "POST", "/search", valid().encode(), {"Content-Type": rng.choice(["text/plain", "application/xml", "multipart/form-data", ""])}, "wrong content type"
    if kind == 9:
        path = rng.choice(["/items/-1", "/items/abc", "/items/99999999999999999999", "/items/1/media/x", "/search/", "/%00", "/items/" + "9" * 300, "/openapi/v2.json"])
        return rng.choice(["GET", "PUT", "PATCH", "POST"]), path, b"", {}, "odd path"
    if kind == 10:
        return "POST", "/search", json.dumps({"vector": vec(DIM), "from": rng.choice(["image", "nope", "", None, 3]), "medium": rng.choice([["smell"], "image", [1], None])}).encode(), h, "bad from/medium"
    return "POST", "/search", json.dumps({"text": rng.choice(["bird", "x" * 20000, "\u0000", ""])}).encode(), h, "text without encoder"


statuses = Counter()
by_kind = Counter()
failures = []
for i in range(n):
    method, path, body, headers, kind = case(i)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        r.read()
        status = r.status
    except (BrokenPipeError, ConnectionResetError) as e:
        status = "reset"
        if kind != "oversized body":
            failures.append((kind, path, repr(e)))
    except Exception as e:  # timeouts, protocol errors
        status = "error"
        failures.append((kind, path, repr(e)))
    finally:
        conn.close()
    statuses[status] += 1
    by_kind[(kind, status)] += 1
    if isinstance(status, int) and status >= 500:
        failures.append((kind, path, status))

conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
conn.request("GET", "/health")
health = conn.getresponse().status
print(f"RESULT requests={n} statuses={dict(sorted(statuses.items(), key=str))} five_xx={sum(v for k, v in statuses.items() if isinstance(k, int) and k >= 500)} health_after={health}")
for (kind, status), count in sorted(by_kind.items(), key=str):
    print(f"  {kind:22} {status}: {count}")
for f in failures[:10]:
    print("FAIL", f)
sys.exit(1 if failures or health != 200 else 0)
