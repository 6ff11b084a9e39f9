#!/usr/bin/env python3
"""Writes a synthetic HubSpot-style CRM export for the import benchmark.

usage: gen_leads.py ROWS OUT.csv

Every value is made up; the same ROWS always gives the same file.
"""
import random
import sys

rows, out = int(sys.argv[1]), sys.argv[2]
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
        emp = rng.choice([5, 20, 80, 250, 1200, 6000])
        stage = rng.choice(stages)
        # Some leads closed as lost, so stored outcomes have both classes to train on.
        status = "Closed - Not Converted" if stage != "customer" and rng.random() < 0.25 else "New"
        f.write(f"{i},First{i % 997},Last{i % 1009},lead{i}@company{i % 50021}.example,\"Company {i % 50021}, Inc.\","
                f"{rng.choice(industries)},{emp},\"{emp * rng.randint(50, 300) * 1000:,}\",{rng.choice(countries)},"
                f"Manager,{rng.choice(sources)},{stage},{status},{rng.choice(conversions)},{rng.randint(0, 30)},"
                f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} 10:00,{rng.choice(['red', 'blue', 'N/A'])}\n")
