#!/usr/bin/env python3
"""Signs in to a fresh Sift server as its first admin, replaces the one-time password and
prints an admin API token, for scripts (the API fuzzer, the benchmarks).

usage: first-admin-token.py BASE_URL ONE_TIME_PASSWORD
"""
import json
import sys
import urllib.request

base, otp = sys.argv[1], sys.argv[2]


def call(path, body, cookie=None, csrf=None):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"content-type": "application/json"})
    if cookie:
        req.add_header("cookie", cookie)
    if csrf:
        req.add_header("x-csrf-token", csrf)
    with urllib.request.urlopen(req) as r:
        raw = r.read()
        return r.headers, (json.loads(raw) if raw else None)


def login(password):
    headers, body = call("/api/v1/auth/login", {"username": "admin", "password": password})
    return headers["set-cookie"].split(";")[0], body["csrf_token"]


cookie, csrf = login(otp)
call("/api/v1/auth/password", {"current_password": otp, "new_password": "script password 123"}, cookie, csrf)
cookie, csrf = login("script password 123")
_, token = call("/api/v1/tokens", {"name": "script", "scope": "admin"}, cookie, csrf)
print(token["secret"])
