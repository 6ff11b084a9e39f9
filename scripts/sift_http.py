"""The few calls Sift's scripts make to a running server (the API fuzzer, the benchmarks):
a JSON POST with the session cookie and CSRF header, and the first admin's sign-in, which
replaces the one-time password `sift users add` printed."""
import json
import urllib.request


def call(base, path, body, cookie=None, csrf=None):
    """POSTs `body` as JSON; returns the response headers and the decoded body (or None)."""
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"content-type": "application/json"})
    if cookie:
        req.add_header("cookie", cookie)
    if csrf:
        req.add_header("x-csrf-token", csrf)
    with urllib.request.urlopen(req) as r:
        raw = r.read()
        return r.headers, (json.loads(raw) if raw else None)


def login(base, password):
    """Signs the admin in; returns the session cookie and the CSRF token."""
    headers, body = call(base, "/api/v1/auth/login", {"username": "admin", "password": password})
    return headers["set-cookie"].split(";")[0], body["csrf_token"]


def first_admin_session(base, one_time_password, new_password):
    """Signs the first admin in, sets `new_password` and signs in again with it."""
    cookie, csrf = login(base, one_time_password)
    call(base, "/api/v1/auth/password",
         {"current_password": one_time_password, "new_password": new_password}, cookie, csrf)
    return login(base, new_password)
