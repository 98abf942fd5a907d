# Reads a capsim run folder in R: the summary table from CSV, the ledger from Parquet (arrow),
# and the workbook's sheets (readxl).
#
#   Rscript docs/examples/read_outputs.R output/default
library(arrow)
library(readxl)

args <- commandArgs(trailingOnly = TRUE)
run <- if (length(args) > 0) args[1] else "output/default"

summary <- read.csv(file.path(run, "summary.csv"))
term <- subset(summary, horizon == "term")
# With several providers each arm also has an "all providers" row: the one read here (a
# provider's own role may be "provider", "lead provider" or "subcontractor").
several <- any(term$role == "all providers")
term <- if (several) subset(term, role == "all providers") else subset(term, role != "commissioner")
for (i in seq_len(nrow(term))) {
  with(term[i, ], cat(sprintf("%s: provider median %.1fm ± %.1fm, P(loss) %.0f%%\n",
                              arm, p50 / 1e6, p50_se / 1e6, 100 * p_loss)))
}

# One row per replication, year, arm and party; money in £ at each year's prices.
ledger <- read_parquet(file.path(run, "ledger.parquet"))
print(head(ledger))

# The workbook: the same tables, a sheet describing every column, the assumptions and the run.
columns <- read_excel(file.path(run, "summary.xlsx"), sheet = "columns")
print(head(columns))
