#!/usr/bin/env python3
"""Writes a synthetic HubSpot-style CRM export for the import benchmark.

usage: gen_leads.py ROWS OUT.csv [fit]

Every value is made up; the same ROWS always gives the same file. With `fit` (bench/web.sh),
who became a customer and who was lost follows industry, size and source, so a model trained
on the file scores leads over a wide range rather than all alike; without it the file is as
it always was (the import and server benchmarks).
"""
import random
import sys

rows, out = int(sys.argv[1]), sys.argv[2]
fit_outcomes = len(sys.argv) > 3 and sys.argv[3] == "fit"
rng = random.Random(7)
industries = ["Software", "IT Services", "Logistics", "Retail", "Manufacturing", "Financial Services", "Healthcare"]
countries = ["Germany", "United States", "France", "GB", "NL", "China", "Brazil", "India", "Australia", "unknown"]
stages = ["subscriber", "lead", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer"]
sources = ["Organic Search", "Paid Search", "Referrals", "Direct Traffic", "Social Media", "Select"]
conversions = ["Demo request", "Free trial sign-up", "Ebook download", "", ""]
with open(out, "w", encoding="utf-8", newline="") as f:
    f.write("Record ID,First Name,Last Name,Email,Company Name,Industry,Number of Employees,Annual Revenue,"
            "Country/Region,Job Title,Original Source,Lifecycle Stage,Lead Status,First Conversion,"
            "Number of Pageviews,Create Date,Favourite Colour\n")
    for i in range(rows):
        # Drawn in the order the file has always been drawn in, so it stays the same.
        emp = rng.choice([5, 20, 80, 250, 1200, 6000])
        stage = rng.choice(stages)
        # Some leads closed as lost, so stored outcomes have both classes to train on.
        lost_draw = rng.random() if stage != "customer" else 1.0
        industry = rng.choice(industries)
        revenue = emp * rng.randint(50, 300) * 1000
        country, source, conversion = rng.choice(countries), rng.choice(sources), rng.choice(conversions)
        views, month, day = rng.randint(0, 30), rng.randint(1, 12), rng.randint(1, 28)
        colour = rng.choice(['red', 'blue', 'N/A'])
        status = "Closed - Not Converted" if lost_draw < 0.25 else "New"
        if fit_outcomes:
            fit = ((industry in ("Software", "IT Services")) + (80 <= emp <= 1200)
                   + (source in ("Referrals", "Organic Search"))) / 3
            if rng.random() < 0.03 + 0.5 * fit * fit:
                stage, status = "customer", "New"
            else:
                stage = "lead" if stage == "customer" else stage
                status = "Closed - Not Converted" if rng.random() < 0.6 - 0.5 * fit else "New"
        f.write(f"{i},First{i % 997},Last{i % 1009},lead{i}@company{i % 50021}.example,\"Company {i % 50021}, Inc.\","
                f"{industry},{emp},\"{revenue:,}\",{country},"
                f"Manager,{source},{stage},{status},{conversion},{views},"
                f"2026-{month:02d}-{day:02d} 10:00,{colour}\n")
