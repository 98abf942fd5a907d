"""Derive the age curve of 2+ LTC prevalence (data/multimorbidity_curve.csv).

Not run by capsim: it documents how the shipped table was made, from the published anchors
(Valabhji et al. 2024, 35-condition definition, England 2020; the figures are written out in
ANCHORS and IMD_OR_Q1_Q5 below, as data/multimorbidity_anchors.csv lists them with their sources)
and the ONS mid-2020 single-year population (data/population_england_single_year.csv).

Model: logit P(2+ | age, sex, imd) = g(age) + imd_effect(imd) + sex_effect(sex), with g
piecewise linear in age through knots (0, 19, 55, 85, 100). Pure Python, no dependencies:
    python3 data/derive/fit_multimorbidity.py > data/multimorbidity_curve.csv
"""
import csv, math, os

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)

def expit(x): return 1.0 / (1.0 + math.exp(-x))
def logit(p): return math.log(p / (1 - p))

# Age weights: ONS mid-2020 single-year population, 90+ spread over 90..100 geometrically.
pop = {}
lines = [l for l in open(os.path.join(DATA, "population_england_single_year.csv")) if not l.startswith("#")]
for row in csv.DictReader(lines):
    pop[(row["age"], row["sex"])] = float(row["population"])
weights = [0.0] * 101
for sex, q in (("F", 0.187091), ("M", 0.2129)):
    for a in range(90): weights[a] += pop[(str(a), sex)]
    shares = [(1 - q) ** j for j in range(10)] + [(1 - q) ** 10 / q]
    tot = sum(shares)
    for j, s in enumerate(shares): weights[90 + j] += pop[("90+", sex)] * s / tot

IMD_OR_Q1_Q5 = 2.06   # Valabhji: most vs least deprived decile OR 2.26, re-expressed per quintile
SEX_OR_F_M = 1.25     # assumption (Cassell 2018 crude 1.33, attenuated for women's older ages)
imd_offsets = [math.log(IMD_OR_Q1_Q5) * (3 - q) / 4 for q in range(1, 6)]
sex_offsets = [0.5 * math.log(SEX_OR_F_M), -0.5 * math.log(SEX_OR_F_M)]

def curve(params):
    l19, l55, l85, l100 = params
    l0 = l19  # flat through childhood: no anchor says otherwise
    knots = [(0, l0), (19, l19), (55, l55), (85, l85), (100, l100)]
    g = []
    for a in range(101):
        for (a0, v0), (a1, v1) in zip(knots, knots[1:]):
            if a0 <= a <= a1:
                g.append(v0 + (v1 - v0) * (a - a0) / (a1 - a0)); break
    return g

def prevalence(g, a):
    return sum(expit(g[a] + i + s) for i in imd_offsets for s in sex_offsets) / 10

def band(g, lo, hi):
    w = sum(weights[lo:hi + 1])
    return sum(weights[a] * prevalence(g, a) for a in range(lo, hi + 1)) / w

def odds(p): return p / (1 - p)

ANCHORS = dict(p019=0.009, p80=0.682, pall=0.148, or_019_5059=0.04, or_80_5059=10.21)

def loss(params):
    g = curve(params)
    p019, p5059, p80, pall = band(g, 0, 19), band(g, 50, 59), band(g, 80, 100), band(g, 0, 100)
    terms = [
        logit(p019) - logit(ANCHORS["p019"]),
        logit(p80) - logit(ANCHORS["p80"]),
        4 * (logit(pall) - logit(ANCHORS["pall"])),
        math.log(odds(p019) / odds(p5059)) - math.log(ANCHORS["or_019_5059"]),
        math.log(odds(p80) / odds(p5059)) - math.log(ANCHORS["or_80_5059"]),
    ]
    # smoothness: keep the 85-100 slope close to the 55-85 slope
    l19, l55, l85, l100 = params
    terms.append(0.5 * ((l100 - l85) / 15 - (l85 - l55) / 30) * 15)
    return sum(t * t for t in terms)

# Nelder-Mead, plain.
def nelder_mead(f, x0, step=0.5, iters=4000):
    n = len(x0)
    pts = [list(x0)] + [[x0[j] + (step if j == i else 0) for j in range(n)] for i in range(n)]
    vals = [f(p) for p in pts]
    for _ in range(iters):
        order = sorted(range(n + 1), key=lambda i: vals[i])
        pts = [pts[i] for i in order]; vals = [vals[i] for i in order]
        c = [sum(p[j] for p in pts[:-1]) / n for j in range(n)]
        xr = [c[j] + (c[j] - pts[-1][j]) for j in range(n)]; fr = f(xr)
        if fr < vals[0]:
            xe = [c[j] + 2 * (c[j] - pts[-1][j]) for j in range(n)]; fe = f(xe)
            pts[-1], vals[-1] = (xe, fe) if fe < fr else (xr, fr)
        elif fr < vals[-2]:
            pts[-1], vals[-1] = xr, fr
        else:
            xc = [c[j] + 0.5 * (pts[-1][j] - c[j]) for j in range(n)]; fc = f(xc)
            if fc < vals[-1]:
                pts[-1], vals[-1] = xc, fc
            else:
                pts = [pts[0]] + [[pts[0][j] + 0.5 * (p[j] - pts[0][j]) for j in range(n)] for p in pts[1:]]
                vals = [vals[0]] + [f(p) for p in pts[1:]]
    i = min(range(n + 1), key=lambda i: vals[i])
    return pts[i], vals[i]

best, val = nelder_mead(loss, [-4.5, -1.5, 0.8, 1.5])
g = curve(best)
print("# Age curve g(age) of logit P(2+ LTCs), 35-condition definition (Valabhji et al. 2024, JRSM,")
print("# doi:10.1177/01410768231206033, England GP-registered population 31 Mar 2020).")
print("# Fitted by data/derive/fit_multimorbidity.py to the anchors in data/multimorbidity_anchors.csv;")
print(f"# fit: 0-19 {band(g,0,19):.4f}, 50-59 {band(g,50,59):.4f}, 80+ {band(g,80,100):.4f}, all ages {band(g,0,100):.4f}")
print(f"# imd_or_q1_vs_q5 = {IMD_OR_Q1_Q5} (derived), sex_or_f_vs_m = {SEX_OR_F_M} (assumption); linear between knots")
print("age,logit_p2plus")
for a, v in zip((0, 19, 55, 85, 100), [best[0]] + best):
    print(f"{a},{v:.4f}")
