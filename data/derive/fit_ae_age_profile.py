"""Derive the A&E rows of data/activity_age_profile.csv from the HES age split of A&E attendances.

Not run by capsim: it documents how the shipped rows were made. The source is the HES monthly
topic-of-interest tables for March 2011 (`hes_monthly_2011`, data/activity_types.csv), which split
A&E attendances by age: 0-16 25.9%, 17-39 32.1%, 40-59 19.4%, 60-79 14.3%, 80+ 8.2%. The profile's
age bands (0-4, 5-14, ..., 85+) do not line up with them, so the earlier rows (a shape recalled
from published profiles, 18.0% at 60-79) are kept as the starting point and each profile band is
multiplied by one factor, the same for both sexes, until England's population
(data/population_england_single_year.csv, mid-2020) attending at the profile's rates splits as HES
says. The factors are found by iterative proportional fitting: each band's factor moves by the
geometric mean, over the HES groups it overlaps (weighted by its attendances in each), of how far
each group's share is from its target. Five targets do not fix eight bands: this is the solution
nearest the earlier shape, which keeps its sex ratio and its shape within each HES group.

capsim rescales every type so England's population reproduces the all-age rate in
data/activity_types.csv, so only the profile's shape matters; the rows are scaled so England's
mean is the earlier rows' mean, and rounded to two places. Pure Python, no dependencies:
    python3 data/derive/fit_ae_age_profile.py
prints the two rows, the fitted split and the target.
"""
import csv, math, os

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)

# The rows before the fit: a shape recalled from published profiles.
EARLIER = {
    "F": [1.6, 0.7, 1.2, 0.9, 0.8, 0.9, 1.4, 2.5],
    "M": [1.8, 0.9, 1.2, 1.0, 0.8, 0.9, 1.5, 2.6],
}
PROFILE_BANDS = [(0, 4), (5, 14), (15, 24), (25, 44), (45, 64), (65, 74), (75, 84), (85, 200)]
HES_SPLIT = [(0, 16, 25.9), (17, 39, 32.1), (40, 59, 19.4), (60, 79, 14.3), (80, 200, 8.2)]

def band_of(age, bands):
    return next(i for i, b in enumerate(bands) if b[0] <= age <= b[1])

population = {}
lines = [l for l in open(os.path.join(DATA, "population_england_single_year.csv")) if not l.startswith("#")]
for row in csv.DictReader(lines):
    age = 90 if row["age"] == "90+" else int(row["age"])
    population[(age, row["sex"])] = float(row["population"])

def attendances(rows):
    """Attendances at `rows`' rates: [profile band][HES group]."""
    out = [[0.0] * len(HES_SPLIT) for _ in PROFILE_BANDS]
    for (age, sex), people in population.items():
        b = band_of(age, PROFILE_BANDS)
        out[b][band_of(age, HES_SPLIT)] += people * rows[sex][b]
    return out

def split(rows):
    a = attendances(rows)
    total = sum(map(sum, a))
    return [sum(a[b][h] for b in range(len(PROFILE_BANDS))) / total for h in range(len(HES_SPLIT))]

def scaled(factors):
    return {sex: [r * f for r, f in zip(rows, factors)] for sex, rows in EARLIER.items()}

target = [share / sum(s for _, _, s in HES_SPLIT) for _, _, share in HES_SPLIT]
factors = [1.0] * len(PROFILE_BANDS)
for _ in range(2000):
    rows = scaled(factors)
    shares, a = split(rows), attendances(rows)
    for b in range(len(PROFILE_BANDS)):
        in_band = sum(a[b])
        factors[b] *= math.exp(sum(a[b][h] / in_band * math.log(target[h] / shares[h]) for h in range(len(HES_SPLIT))))

def england_mean(rows):
    people = sum(population.values())
    return sum(n * rows[sex][band_of(age, PROFILE_BANDS)] for (age, sex), n in population.items()) / people

fitted = scaled(factors)
keep_mean = england_mean(EARLIER) / england_mean(fitted)
shipped = {sex: [round(r * keep_mean, 2) for r in rows] for sex, rows in fitted.items()}
for sex in ("F", "M"):
    print("ae,%s,%s" % (sex, ",".join("%g" % r for r in shipped[sex])))
print("split of the shipped rows (%):", [round(100 * s, 2) for s in split(shipped)])
print("HES split (%):               ", [s for _, _, s in HES_SPLIT])
