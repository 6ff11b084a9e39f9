#!/usr/bin/env python3
"""Writes a synthetic HubSpot-style CRM export for the import benchmark.

usage: gen_leads.py ROWS OUT.csv [fit]

Every value is made up; the same ROWS always gives the same file. With `fit` (bench/web.sh),
who became a customer and who was lost follows industry, size and source, so a model trained
on the file scores leads over a wide range rather than all alike; without it the file is as
it always was (the import and server benchmarks). With `fit`, one lead in ten also has a
Chinese name (surname and given name in the last-name column, as many Chinese exports keep a
full name) and a Chinese company, chosen by row number, not drawn, so the other columns stay
as they were: the free-text search of bench/web.sh looks for 2-character names such as 王伟
(about 50 leads in 100,000).
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
surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"]
given = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平"]
cities = ["北京", "上海", "深圳", "杭州", "成都", "苏州", "武汉"]
brands = ["云帆", "星河", "华信", "恒通", "博远", "中科", "瑞达", "天成", "佳美", "新锐", "鼎盛"]
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
        first, last, company = f"First{i % 997}", f"Last{i % 1009}", f"Company {i % 50021}, Inc."
        if fit_outcomes and i % 10 == 3:
            n = i // 10
            first, last = "", surnames[n % 10] + given[n // 10 % 20]
            company = f"{cities[n % 7]}{brands[n % 11]}{['科技', '信息技术', '贸易', '物流'][n % 4]}有限公司"
        f.write(f"{i},{first},{last},lead{i}@company{i % 50021}.example,\"{company}\","
                f"{industry},{emp},\"{revenue:,}\",{country},"
                f"Manager,{source},{stage},{status},{conversion},{views},"
                f"2026-{month:02d}-{day:02d} 10:00,{colour}\n")
