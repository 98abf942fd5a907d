"""Reads a capsim run folder with pandas: the summary table from CSV and from the workbook.

    python3 docs/examples/read_outputs.py output/default

Prints each arm's median provider surplus over the term with its Monte Carlo error, and the
commissioner's spend range. Needs pandas and openpyxl (Debian: python3-pandas python3-openpyxl).
For the Parquet files use pandas with pyarrow, or polars: pl.read_parquet("ledger.parquet").
"""
import sys
from pathlib import Path

import pandas as pd

run = Path(sys.argv[1] if len(sys.argv) > 1 else "output/default")

summary = pd.read_csv(run / "summary.csv")
workbook = pd.read_excel(run / "summary.xlsx", sheet_name="summary")
# The workbook holds the same table, headers in row 1, numbers as numbers.
assert list(workbook.columns) == list(summary.columns), "workbook and CSV differ"
columns = pd.read_excel(run / "summary.xlsx", sheet_name="columns")
unit = columns.set_index(["sheet", "column"])["unit"]

term = summary[summary["horizon"] == "term"]
# With several providers each arm also has an "all providers" row: the one read here.
several = (term["role"] == "all providers").any()
providers = term[term["role"] == ("all providers" if several else "provider")].set_index("arm")
commissioner = term[term["role"] == "commissioner"].set_index("arm")
print(f"money in {unit[('summary', 'p50')]}")
for arm in providers.index:
    p = providers.loc[arm]
    c = commissioner.loc[arm]
    print(
        f"{arm}: provider median {p.p50 / 1e6:.1f}m ± {p.p50_se / 1e6:.1f}m, "
        f"P(loss) {p.p_loss:.0%} ± {p.p_loss_se:.0%}; "
        f"commissioner spend {c.p5 / 1e6:.1f}m to {c.p95 / 1e6:.1f}m"
    )
