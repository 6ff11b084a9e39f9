#!/usr/bin/env python3
"""Signs in to a fresh Sift server as its first admin, replaces the one-time password and
prints an admin API token, for scripts (the API fuzzer, the benchmarks).

usage: first-admin-token.py BASE_URL ONE_TIME_PASSWORD
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sift_http import call, first_admin_session  # noqa: E402

base, otp = sys.argv[1], sys.argv[2]
cookie, csrf = first_admin_session(base, otp, "script password 123")
_, token = call(base, "/api/v1/tokens", {"name": "script", "scope": "admin"}, cookie, csrf)
print(token["secret"])
