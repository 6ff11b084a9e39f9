#!/usr/bin/env python3
"""Prepares a Sift server for the web benchmark (bench/web.sh), as a user would in a browser
and over the API: signs the admin in with the one-time password `sift users add` printed,
sets a password, then saves discovery-call decisions on some leads over the API (so the
board's verdicts and the lead pages' levels are real), and prints the session cookie.

usage: web_setup.py BASE_URL ONE_TIME_PASSWORD DECISIONS LEADS

Every answer is made up; the same arguments always give the same decisions.
"""
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
from sift_http import call, first_admin_session  # noqa: E402

base, otp, decisions, leads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
cookie, csrf = first_admin_session(base, otp, "bench password 123")

# Statuses drawn so that the four verdicts all occur (qualified, needs info, nurture,
# disqualified); the gate decides, not this script.
rng = random.Random(11)
statuses = ["confirmed", "confirmed", "confirmed", "unknown", "negative"]
for lead in rng.sample(range(1, leads + 1), min(decisions, leads)):
    criteria = {c: {"status": rng.choice(statuses), "note": f"bench note {lead}"}
                for c in ["need", "budget", "authority", "timeline"]}
    if criteria["timeline"]["status"] == "confirmed":
        criteria["timeline"]["date"] = "2027-03-01"
    body = {"answers": {"framework": "bant", "criteria": criteria}, "as_of": "2026-11-26"}
    call(base, f"/api/v1/leads/{lead}/qualify", body, cookie, csrf)
print(cookie)
