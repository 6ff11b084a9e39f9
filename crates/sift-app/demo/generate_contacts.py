#!/usr/bin/env python3
"""Writes contacts.csv, the demo's bundled CRM export (HubSpot-style headers).

Every person and company is made up from the word lists below, with the reserved .example
domain. Deterministic: the same seed always writes the same file. Run it again only when
you mean to change the sample; `sift demo` embeds the CSV it wrote.
"""
import csv
import random

random.seed(20261126)

FIRST = ["Jana", "Otto", "Mia", "Lukas", "Emma", "Noah", "Sofia", "Liam", "Chloe", "Arjun", "Priya", "Wei", "Li",
         "Hana", "Kenji", "Lucas", "Camille", "Hugo", "Olivia", "Ethan", "Ava", "Mateo", "Isla", "Finn", "Zoe",
         "Ravi", "Nora", "Jonas", "Elena", "Omar", "Sara", "Tom", "Anna", "Ben", "Lea", "Max", "Ida", "Eva"]
LAST = ["Novak", "Brandt", "Meyer", "Dubois", "Martin", "Smith", "Jones", "Taylor", "Brown", "Chen", "Wang",
        "Zhang", "Liu", "Tanaka", "Sato", "Rossi", "Garcia", "Silva", "Jansen", "de Vries", "Larsen", "Nielsen",
        "Kowalski", "Patel", "Singh", "O'Brien", "Murphy", "Walsh", "Fischer", "Weber", "Schulz", "Keller"]
CN_NAMES = ["王伟", "李娜", "张敏", "刘洋", "陈静", "杨帆", "赵磊", "黄蕾", "周杰", "吴婷"]
WORDS = ["North", "Blue", "Summit", "Harbor", "Cedar", "Granite", "Bright", "Silver", "Pioneer", "Atlas", "Nova",
         "Vertex", "Maple", "Orbit", "Falcon", "Lumen", "Delta", "Apex", "Quill", "Tidal"]
NOUNS = {"Software": ["Cloud", "Labs", "Systems", "Data"], "IT Services": ["IT", "Consulting", "Digital"],
         "Financial Services": ["Capital", "Payments", "Finance"], "Logistics": ["Freight", "Logistics", "Cargo"],
         "Manufacturing": ["Industries", "Works", "Robotics"], "Retail": ["Retail", "Stores", "Market"],
         "Healthcare": ["Health", "Care", "Clinics"], "Education": ["Academy", "Learning", "School"],
         "Agriculture": ["Farms", "Agro", "Harvest"], "Telecommunications": ["Telecom", "Networks", "Connect"]}
COUNTRIES = ["US", "US", "US", "GB", "GB", "DE", "DE", "FR", "NL", "SE", "AU", "SG", "CN", "CN", "BR", "IN", "ES", "CA"]
SUFFIX = {"US": "Inc.", "GB": "Ltd", "DE": "GmbH", "FR": "SAS", "NL": "B.V.", "SE": "AB", "AU": "Pty Ltd",
          "SG": "Pte Ltd", "CN": "有限公司", "BR": "Ltda", "IN": "Pvt Ltd", "ES": "S.L.", "CA": "Inc."}
TITLES = ["VP Sales", "Head of Revenue Operations", "Sales Manager", "Marketing Director", "CEO", "Founder",
          "Sales Operations Analyst", "Marketing Coordinator", "CRO", "Director of Sales", "Growth Lead",
          "Account Executive", "Operations Manager", "Intern"]
SOURCES = ["Organic Search", "Paid Search", "Referrals", "Social Media", "Email Marketing", "Direct Traffic",
           "Offline Sources", "Paid Social"]
CONVERSIONS = ["Demo request", "Pricing page contact form", "Free trial sign-up", "Webinar registration",
               "Ebook download", ""]

rows = []
for i in range(1, 321):
    industry = random.choice(list(NOUNS))
    country = random.choice(COUNTRIES)
    word = random.choice(WORDS)
    noun = random.choice(NOUNS[industry])
    if country == "CN":
        company = f"{word}{noun}科技{SUFFIX['CN']}"
        first, last = random.choice(CN_NAMES), ""
    else:
        company = f"{word} {noun} {SUFFIX[country]}"
        first, last = random.choice(FIRST), random.choice(LAST)
    slug = f"{word}-{noun}-{i}".lower()
    local = (first + "." + last).lower().replace(" ", "").replace("'", "") if last else f"contact{i}"
    employees = random.choice([8, 15, 40, 60, 120, 250, 400, 800, 1500, 3000, 7000, ""])
    revenue = "" if employees == "" else max(200_000, int(employees * random.uniform(60_000, 250_000)) // 1000 * 1000)
    conversion = random.choice(CONVERSIONS)
    pageviews = random.choice([0, 1, 2, 3, 5, 8, 12, 20, 35])
    month = random.randint(1, 11)
    created = f"2026-{month:02d}-{random.randint(1, 28):02d} {random.randint(8, 18):02d}:{random.randint(0, 59):02d}"
    # Lifecycle and history: most are new, some qualified, some won, some lost.
    roll = random.random()
    if roll < 0.08:
        stage, status, outcome = "customer", "Connected", "won"
    elif roll < 0.16:
        stage, status, outcome = "opportunity", "Open Deal", ""
    elif roll < 0.24:
        stage, status, outcome = "lead", "Unqualified", "lost"
    elif roll < 0.30:
        stage, status, outcome = "salesqualifiedlead", "In Progress", ""
    elif roll < 0.36:
        stage, status, outcome = "lead", "Bad Timing", "lost"
    else:
        stage, status, outcome = random.choice(["subscriber", "lead", "lead", "lead"]), random.choice(["New", "Attempted to Contact", "Open", ""]), ""
    rows.append({
        "Record ID": f"D{i:05d}",
        "First Name": first,
        "Last Name": last,
        "Email": f"{local}@{slug}.example",
        "Company Name": company,
        "Website URL": f"https://www.{slug}.example",
        "Industry": industry,
        "Number of Employees": employees,
        "Annual Revenue": f"{revenue:,}" if revenue != "" else "",
        "Country/Region": country,
        "Job Title": random.choice(TITLES),
        "Original Source": random.choice(SOURCES),
        "Lifecycle Stage": stage,
        "Lead Status": status,
        "First Conversion": conversion,
        "Number of Pageviews": pageviews,
        "Create Date": created,
        "Outcome": outcome,
    })

with open("contacts.csv", "w", newline="", encoding="utf-8") as f:
    writer = csv.DictWriter(f, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
print(f"wrote {len(rows)} contacts")
