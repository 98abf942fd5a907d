//! What every column of the summary tables means and its unit: one home for the workbook's
//! "columns" sheet and the data dictionary in docs/outputs.md (a test keeps the two in step).

use crate::waiting_list::ListYear;

/// One column of an output table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColumnDoc {
    pub table: &'static str,
    pub column: &'static str,
    pub unit: &'static str,
    pub description: &'static str,
}

const fn doc(
    table: &'static str,
    column: &'static str,
    unit: &'static str,
    description: &'static str,
) -> ColumnDoc {
    ColumnDoc {
        table,
        column,
        unit,
        description,
    }
}

/// Money is in pounds at each year's own prices (nominal), never rounded.
pub const MONEY: &str = "£ (nominal)";

/// A monitored indicator's own unit: a rate per 1,000 people, a share, or money per head.
pub const INDICATOR: &str = "indicator's unit";

/// Every column of summary.csv, equity.csv, who_gains.csv, monitoring.csv, waiting_list.csv,
/// outcomes.csv and compare.csv, and of the Parquet files, in table order. A Monte Carlo standard error column (`<figure>_se`) is described by
/// [`describe`] from its figure.
pub const COLUMNS: &[ColumnDoc] = &[
    doc(
        "summary",
        "arm",
        "",
        "Contract arm, as named in the scenario",
    ),
    doc(
        "summary",
        "party",
        "",
        "Commissioner, a provider, or all providers together",
    ),
    doc(
        "summary",
        "role",
        "",
        "commissioner, provider (lead provider or subcontractor in an arm with a lead), or all providers",
    ),
    doc(
        "summary",
        "horizon",
        "year or term",
        "Calendar year, or `term` for the whole term summed (text in the CSV, so pandas reads \
         `\"2025\"`; a number in the workbook)",
    ),
    doc(
        "summary",
        "measure",
        "",
        "What the row's figures are: `spend` (commissioner rows: what it paid, programme costs included) or `surplus` (provider rows: income minus cost)",
    ),
    doc(
        "summary",
        "replications",
        "count",
        "Replications the figures are computed from",
    ),
    doc(
        "summary",
        "mean",
        MONEY,
        "Mean of the measure across replications",
    ),
    doc(
        "summary",
        "sd",
        MONEY,
        "Standard deviation of the measure across replications",
    ),
    doc("summary", "p5", MONEY, "5th percentile of the measure"),
    doc("summary", "p25", MONEY, "25th percentile of the measure"),
    doc("summary", "p50", MONEY, "Median of the measure"),
    doc("summary", "p75", MONEY, "75th percentile of the measure"),
    doc("summary", "p95", MONEY, "95th percentile of the measure"),
    doc(
        "summary",
        "p_loss",
        "probability (0-1)",
        "Provider rows: share of replications with a surplus below 0; empty for the commissioner",
    ),
    doc(
        "summary",
        "p_loss_over_2pct",
        "probability (0-1)",
        "Provider rows: share of replications losing more than 2% of income; empty for the commissioner",
    ),
    doc(
        "summary",
        "expected_shortfall_5pct",
        MONEY,
        "Mean of the worst 5% of replications: the lowest surpluses for a provider, the highest spends for the commissioner",
    ),
    doc(
        "summary",
        "spend_per_head",
        "£ per person-year (nominal)",
        "Commissioner rows: mean over replications of each one's spend ÷ its covered person-years; empty for providers",
    ),
    doc(
        "summary",
        "mean_income",
        MONEY,
        "Mean income across replications (0 for the commissioner)",
    ),
    doc(
        "summary",
        "person_years",
        "person-years",
        "Mean person-years covered in the horizon (people covered at the start of each year, summed); a figure ÷ person_years is per person per year",
    ),
    doc(
        "summary",
        "p_over_budget",
        "probability (0-1)",
        "Commissioner rows, when the scenario sets a budget: share of replications whose spend exceeds the budget of the horizon; empty otherwise",
    ),
    doc("equity", "arm", "", "Contract arm"),
    doc("equity", "dimension", "", "`imd_quintile` or `ltc_count`"),
    doc(
        "equity",
        "level",
        "",
        "IMD quintile (1 = most deprived) or number of long-term conditions (0-5, 5 = five or more)",
    ),
    doc(
        "equity",
        "person_years",
        "person-years",
        "Mean person-years covered in the group over the term",
    ),
    doc(
        "equity",
        "income_per_head",
        "£ per person-year (nominal)",
        "Providers' income attributed to the group, per person-year: the mean across \
         replications of each one's income over its person-years",
    ),
    doc(
        "equity",
        "cost_per_head",
        "£ per person-year (nominal)",
        "Providers' cost of care for the group, per person-year: the mean across replications \
         of each one's cost over its person-years",
    ),
    doc(
        "equity",
        "margin_per_head_mean",
        "£ per person-year (nominal)",
        "Income minus cost of care per person-year, mean across replications, before any programme's cost (a provider paying for a programme has that too in summary.csv's surplus); empty for a group nobody belonged to",
    ),
    doc(
        "equity",
        "margin_per_head_p5",
        "£ per person-year (nominal)",
        "5th percentile of the margin per person-year",
    ),
    doc(
        "equity",
        "margin_per_head_p95",
        "£ per person-year (nominal)",
        "95th percentile of the margin per person-year",
    ),
    doc(
        "equity",
        "margin_vs_average_mean",
        "£ per person-year (nominal)",
        "The group's margin per person-year less the arm's over everyone (same dimension and replication), mean across replications: what a provider gains per head by serving this group rather than the average person",
    ),
    doc(
        "equity",
        "margin_everyone_mean",
        "£ per person-year (nominal)",
        "The arm's margin per person-year over everyone, mean across replications (the same on every row of an arm); before any programme's cost, so above summary.csv's providers' surplus per person-year by what they pay for programmes",
    ),
    doc(
        "arm_differences",
        "party",
        "",
        "Commissioner, a provider, or `all providers` (with several)",
    ),
    doc(
        "arm_differences",
        "arm",
        "",
        "The arm compared (every arm after the first, in the scenario's order)",
    ),
    doc(
        "arm_differences",
        "against",
        "",
        "The arm it is compared with (every arm before it)",
    ),
    doc(
        "arm_differences",
        "replications",
        "count",
        "Replications both arms have (normally all of the run's): the figures are computed from them, paired",
    ),
    doc(
        "arm_differences",
        "mean_difference",
        MONEY,
        "The party's term result under the arm minus under `against`, replication by replication, mean across replications: a provider's surplus, the commissioner's spend (summary.csv's term rows); positive is better for a provider, more spent for the commissioner. Its error is the difference's own (the arms share their futures), usually well below what the two arms' errors in summary.csv together suggest",
    ),
    doc(
        "arm_differences",
        "difference_of_p50s",
        MONEY,
        "The arm's median term result minus `against`'s (summary.csv's p50s), with the paired error of that difference (a bootstrap of 200 resamples of the replications, taken together). Not the median of the difference (`difference_p50`): the two can differ, even in sign",
    ),
    doc(
        "arm_differences",
        "difference_p5",
        MONEY,
        "5th percentile of the replication-by-replication difference: in 95% of the simulated futures the difference is above it",
    ),
    doc(
        "arm_differences",
        "difference_p50",
        MONEY,
        "Median of the replication-by-replication difference: in half the simulated futures the difference is above it",
    ),
    doc(
        "arm_differences",
        "difference_p95",
        MONEY,
        "95th percentile of the replication-by-replication difference",
    ),
    doc(
        "arm_differences",
        "p_higher",
        "probability (0-1)",
        "Share of replications in which the party's result under the arm is higher than under `against` (strictly: a tie counts as not higher, so 1 − p_higher also counts ties): for a provider a better result, for the commissioner more spent",
    ),
    doc("who_gains", "arm", "", "An arm that runs interventions"),
    doc(
        "who_gains",
        "party",
        "",
        "Commissioner, a provider, or `system` (everyone together)",
    ),
    doc(
        "who_gains",
        "role",
        "",
        "commissioner, provider (lead provider or subcontractor in an arm with a lead), or system",
    ),
    doc(
        "who_gains",
        "replications",
        "count",
        "Replications the figures are computed from",
    ),
    doc(
        "who_gains",
        "mean",
        MONEY,
        "Mean gain over the term: the party's surplus (for the commissioner, spend saved) with the interventions minus without, same contract",
    ),
    doc("who_gains", "sd", MONEY, "Standard deviation of the gain"),
    doc("who_gains", "p5", MONEY, "5th percentile of the gain"),
    doc("who_gains", "p25", MONEY, "25th percentile of the gain"),
    doc("who_gains", "p50", MONEY, "Median gain"),
    doc("who_gains", "p75", MONEY, "75th percentile of the gain"),
    doc("who_gains", "p95", MONEY, "95th percentile of the gain"),
    doc(
        "who_gains",
        "p_gain",
        "probability (0-1)",
        "Share of replications in which the party gains (strictly)",
    ),
    doc(
        "who_gains",
        "mean_income_change",
        MONEY,
        "Mean change in income",
    ),
    doc(
        "who_gains",
        "mean_cost_change",
        MONEY,
        "Mean change in cost (care, subcontracts and programme cost; for the system, care and programme cost)",
    ),
    doc(
        "who_gains",
        "mean_programme_cost",
        MONEY,
        "Mean cost of the interventions this party pays for",
    ),
    doc(
        "who_gains_by_year",
        "year",
        "",
        "Contract year, from 1 (every other column as in who_gains.csv, for that year alone)",
    ),
    doc(
        "who_gains_by_year",
        "calendar_year",
        "",
        "Calendar year the contract year starts in",
    ),
    doc(
        "who_gains_by_year",
        "mean",
        MONEY,
        "Mean gain that year: the party's surplus (for the commissioner, spend saved) with the interventions minus without, same contract",
    ),
    doc(
        "basis",
        "indicator",
        "",
        "Every indicator a contract can name (docs/contracts.md, \"Indicators\")",
    ),
    doc("basis", "unit", "", "The indicator's unit"),
    doc("basis", "year", "year", "Contract year, from 1"),
    doc("basis", "calendar_year", "year", "Calendar year"),
    doc(
        "basis",
        "expected",
        INDICATOR,
        "The status quo's expected value that year, at every parameter's mean: what contracts, \
         and targets set against expected values, are set on (docs/contracts.md, \"Baseline\"); \
         the same in every replication and world (waiting-list figures stay at the first \
         year's); empty where it has none",
    ),
    doc("monitoring", "arm", "", "Contract arm"),
    doc(
        "monitoring",
        "indicator",
        "",
        "The monitored indicator (`[[arm.monitor]]`, docs/contracts.md)",
    ),
    doc(
        "monitoring",
        "better",
        "",
        "`lower` or `higher`: which way meets the target",
    ),
    doc(
        "monitoring",
        "target",
        INDICATOR,
        "The year's target (empty when none, or when set against an expected value that has none)",
    ),
    doc("monitoring", "year", "year", "Contract year, from 1"),
    doc("monitoring", "calendar_year", "year", "Calendar year"),
    doc(
        "monitoring",
        "mean",
        INDICATOR,
        "Mean of the indicator across the replications where it has a value (empty when it has none in any)",
    ),
    doc(
        "monitoring",
        "p5",
        INDICATOR,
        "5th percentile of the indicator, where it has a value",
    ),
    doc(
        "monitoring",
        "p95",
        INDICATOR,
        "95th percentile of the indicator, where it has a value",
    ),
    doc(
        "monitoring",
        "p_target_met",
        "probability",
        "Share of the replications where the indicator has a value that meet the target (empty when no target, or no value in any)",
    ),
    doc(
        "monitoring",
        "p_no_value",
        "probability",
        "Share of replications in which the indicator has no value that year: a rate per head with nobody covered, or the mean age at a second condition with nobody gaining one",
    ),
    doc(
        "waiting_list",
        "world",
        "",
        "`status quo`, or the interventions a world runs",
    ),
    doc(
        "waiting_list",
        "list",
        "",
        "The activity type whose elective waiting list it is",
    ),
    doc(
        "waiting_list",
        "measure",
        "",
        "`referrals`, `treated`, `removed` (pathways in the year), `waiting_list` (pathways \
         waiting at the year's end), `median_wait_weeks`, `52_week_waiters` (at the year's end)",
    ),
    doc("waiting_list", "year", "year", "Year of the term, from 1"),
    doc("waiting_list", "calendar_year", "year", "Calendar year"),
    doc(
        "waiting_list",
        "mean",
        "pathways, or weeks",
        "Mean across replications (pathways to the whole one, weeks to a hundredth)",
    ),
    doc("waiting_list", "p5", "pathways, or weeks", "5th percentile"),
    doc(
        "waiting_list",
        "p95",
        "pathways, or weeks",
        "95th percentile",
    ),
    doc(
        "outcomes",
        "world",
        "",
        "`status quo`, or the interventions a world runs",
    ),
    doc(
        "outcomes",
        "indicator",
        "",
        "An indicator of the people covered, as a contract names it (docs/contracts.md, \
         \"Indicators\")",
    ),
    doc(
        "outcomes",
        "unit",
        "",
        "What the indicator's figures count or measure: people, people or events per 1,000 \
         covered, events of the type, £ per head covered, pathways, weeks, years of age, a share \
         (0 to 1), or the measure's own; its change is in the same unit",
    ),
    doc(
        "outcomes",
        "horizon",
        "year or term",
        "Calendar year, or `term`: the whole term, for indicators that count what happens in a \
         year (deaths, onsets, events), summed over its years (text in the CSV; a number in the \
         workbook)",
    ),
    doc(
        "outcomes",
        "replications",
        "count",
        "Replications in which the indicator has a value",
    ),
    doc(
        "outcomes",
        "mean",
        INDICATOR,
        "Mean across the replications where it has a value (empty when it has none in any)",
    ),
    doc("outcomes", "p5", INDICATOR, "5th percentile"),
    doc("outcomes", "p95", INDICATOR, "95th percentile"),
    doc(
        "outcomes",
        "p_no_value",
        "probability",
        "Share of replications in which the indicator has no value: a rate per head with nobody \
         covered, or the mean age at a second condition with nobody gaining one",
    ),
    doc(
        "outcomes",
        "change_mean",
        INDICATOR,
        "An intervention world's mean change against the status quo, in the same replications \
         (common random numbers): below zero, the programme lowered it (empty for the status \
         quo)",
    ),
    doc(
        "outcomes",
        "change_p5",
        INDICATOR,
        "5th percentile of that change across replications",
    ),
    doc(
        "outcomes",
        "change_p95",
        INDICATOR,
        "95th percentile of that change",
    ),
    doc(
        "compare",
        "run",
        "",
        "The run folder's name (its path when two share a name)",
    ),
    doc("compare", "scenario", "", "The run's scenario name"),
    doc(
        "compare",
        "start_year",
        "year",
        "The run's first contract year (a label: every run's first year is at the data's 2024/25 prices, whatever it is)",
    ),
    doc(
        "compare",
        "years",
        "years",
        "The run's term: every figure is over it, so runs of different terms are not like for like",
    ),
    doc("compare", "arm", "", "Contract arm"),
    doc(
        "compare",
        "party",
        "",
        "The headline party (the provider, or all providers) or the commissioner",
    ),
    doc(
        "compare",
        "role",
        "",
        "provider (lead provider or subcontractor in an arm with a lead), all providers, or commissioner",
    ),
    doc(
        "compare",
        "replications",
        "count",
        "Replications of that run",
    ),
    doc(
        "compare",
        "person_years",
        "person-years",
        "Mean person-years covered over the term",
    ),
    doc(
        "compare",
        "mean",
        MONEY,
        "Mean over the term: surplus (provider rows) or spend (commissioner rows)",
    ),
    doc("compare", "p5", MONEY, "5th percentile"),
    doc(
        "compare",
        "p25",
        MONEY,
        "25th percentile (the left end of the compare chart's box)",
    ),
    doc("compare", "p50", MONEY, "Median"),
    doc(
        "compare",
        "p50_se",
        MONEY,
        "Monte Carlo standard error of the median",
    ),
    doc(
        "compare",
        "p75",
        MONEY,
        "75th percentile (the right end of the compare chart's box)",
    ),
    doc("compare", "p95", MONEY, "95th percentile"),
    doc(
        "compare",
        "p_loss",
        "probability (0-1)",
        "Provider rows: chance of a loss over the term",
    ),
    doc(
        "compare",
        "p_loss_se",
        "probability (0-1)",
        "Monte Carlo standard error of p_loss",
    ),
    doc(
        "compare",
        "mean_per_head",
        "£ per person-year (nominal)",
        "mean ÷ person_years (a ratio of means: for spend it can differ slightly from summary.csv's spend_per_head, a mean of ratios)",
    ),
    doc(
        "compare",
        "p5_per_head",
        "£ per person-year (nominal)",
        "p5 ÷ person_years",
    ),
    doc(
        "compare",
        "p50_per_head",
        "£ per person-year (nominal)",
        "p50 ÷ person_years",
    ),
    doc(
        "compare",
        "p50_se_per_head",
        "£ per person-year (nominal)",
        "p50_se ÷ person_years",
    ),
    doc(
        "compare",
        "p95_per_head",
        "£ per person-year (nominal)",
        "p95 ÷ person_years",
    ),
    doc(
        "compare",
        "p_loss_over_2pct",
        "probability (0-1)",
        "Provider rows: chance of a loss over the term beyond 2% of income",
    ),
    doc(
        "compare",
        "p_loss_over_2pct_se",
        "probability (0-1)",
        "Monte Carlo standard error of p_loss_over_2pct",
    ),
    doc(
        "compare",
        "p50_per_head_change",
        "£ per person-year (nominal)",
        "p50_per_head less the first run's for the same arm and side (the headline providers, whether one provider or all, or the commissioner); empty in the first run's rows and for an arm it lacks",
    ),
    doc(
        "compare",
        "mean_per_head_change",
        "£ per person-year (nominal)",
        "mean_per_head less the first run's, likewise",
    ),
    doc(
        "compare",
        "p95_per_head_change",
        "£ per person-year (nominal)",
        "p95_per_head less the first run's, likewise",
    ),
    doc(
        "compare",
        "p_loss_change",
        "probability (0-1)",
        "p_loss less the first run's, likewise",
    ),
    doc("equity_reps", "rep", "", "Replication, from 0"),
    doc("equity_reps", "arm", "", "Contract arm"),
    doc(
        "equity_reps",
        "dimension",
        "",
        "`imd_quintile` or `ltc_count`",
    ),
    doc(
        "equity_reps",
        "level",
        "",
        "IMD quintile (1 = most deprived) or number of long-term conditions",
    ),
    doc(
        "equity_reps",
        "income",
        MONEY,
        "Providers' income from the commissioner attributed to the group over the term (what a \
         lead provider pays its subcontractors stays within it)",
    ),
    doc(
        "equity_reps",
        "cost",
        MONEY,
        "Providers' cost of care for the group over the term",
    ),
    doc(
        "equity_reps",
        "person_years",
        "person-years",
        "Person-years covered in the group over the term",
    ),
    doc(
        "equity_reps",
        "margin_per_head",
        "£ per person-year (nominal)",
        "(income − cost) ÷ person_years; empty when nobody belonged to the group",
    ),
    doc("who_gains_reps", "rep", "", "Replication, from 0"),
    doc(
        "who_gains_reps",
        "arm",
        "",
        "An arm that runs interventions",
    ),
    doc(
        "who_gains_reps",
        "party",
        "",
        "Commissioner, a provider, or `system`",
    ),
    doc(
        "who_gains_reps",
        "role",
        "",
        "commissioner, provider (lead provider or subcontractor in an arm with a lead), or system",
    ),
    doc(
        "who_gains_reps",
        "income_change",
        MONEY,
        "Change in income over the term, with the interventions against without, same contract",
    ),
    doc(
        "who_gains_reps",
        "cost_change",
        MONEY,
        "Change in cost (care, subcontracts, programme cost; for the system, care and programme cost)",
    ),
    doc(
        "who_gains_reps",
        "gain",
        MONEY,
        "Change in surplus (for the commissioner, spend saved)",
    ),
    doc(
        "who_gains_reps",
        "programme_cost",
        MONEY,
        "Cost of the interventions this party pays for",
    ),
    doc("who_gains_by_year_reps", "rep", "", "Replication, from 0"),
    doc(
        "who_gains_by_year_reps",
        "year",
        "",
        "Contract year, from 1",
    ),
    doc(
        "who_gains_by_year_reps",
        "calendar_year",
        "",
        "Calendar year the contract year starts in",
    ),
    doc(
        "who_gains_by_year_reps",
        "arm",
        "",
        "An arm that runs interventions",
    ),
    doc(
        "who_gains_by_year_reps",
        "party",
        "",
        "Commissioner, a provider, or `system`",
    ),
    doc(
        "who_gains_by_year_reps",
        "role",
        "",
        "commissioner, provider (lead provider or subcontractor in an arm with a lead), or system",
    ),
    doc(
        "who_gains_by_year_reps",
        "income_change",
        MONEY,
        "Change in income that year, with the interventions against without, same contract",
    ),
    doc(
        "who_gains_by_year_reps",
        "cost_change",
        MONEY,
        "Change in cost that year (care, subcontracts, programme cost; for the system, care and programme cost)",
    ),
    doc(
        "who_gains_by_year_reps",
        "gain",
        MONEY,
        "Change in surplus that year (for the commissioner, spend saved); the years add up to who_gains.parquet's gain",
    ),
    doc(
        "who_gains_by_year_reps",
        "programme_cost",
        MONEY,
        "Cost of the interventions this party pays for that year",
    ),
    doc("parameters", "rep", "", "Replication, from 0"),
    doc(
        "parameters",
        "<parameter path>",
        "the parameter's own",
        "One column per uncertain parameter, named by its path in the scenario (shocks.cost_inflation): the value drawn for that replication, before the model clips a negative draw of a non-negative parameter to 0",
    ),
    doc("ledger", "rep", "", "Replication, from 0"),
    doc(
        "ledger",
        "year",
        "",
        "Year of the term, from 1 (not in ledger_term.parquet)",
    ),
    doc(
        "ledger",
        "calendar_year",
        "",
        "Calendar year (not in ledger_term.parquet)",
    ),
    doc("ledger", "arm", "", "Contract arm"),
    doc(
        "ledger",
        "world",
        "",
        "The arm's world: `status quo`, or the interventions it runs joined by +",
    ),
    doc("ledger", "party", "", "Commissioner or a provider"),
    doc(
        "ledger",
        "role",
        "",
        "commissioner or provider (lead provider or subcontractor in an arm with a lead)",
    ),
    doc(
        "ledger",
        "income",
        MONEY,
        "Paid to the party: by the commissioner and, for a subcontractor, by the lead provider (0 for the commissioner)",
    ),
    doc(
        "ledger",
        "cost",
        MONEY,
        "The party's cost: care delivered, payments to subcontractors and programme cost; for the commissioner, what it paid",
    ),
    doc("ledger", "surplus", MONEY, "income − cost"),
    doc(
        "ledger",
        "subcontract",
        MONEY,
        "Net subcontract flow: negative for a lead provider paying others, positive for its subcontractors",
    ),
    doc(
        "ledger",
        "programme",
        MONEY,
        "Cost of the interventions the party pays for (included in cost)",
    ),
    doc(
        "ledger",
        "<component>",
        MONEY,
        "One column per payment component (docs/contracts.md): paid by the commissioner, received by the holder",
    ),
    doc("outcomes_reps", "rep", "", "Replication, from 0"),
    doc(
        "outcomes_reps",
        "world",
        "",
        "`status quo`, or the interventions running, joined by +",
    ),
    doc("outcomes_reps", "year", "", "Year of the term, from 1"),
    doc("outcomes_reps", "calendar_year", "", "Calendar year"),
    doc(
        "outcomes_reps",
        "<indicator>",
        INDICATOR,
        "One column per indicator of the people covered that year, named as a contract names it \
         (`deaths_per_1000`, `non_elective_count`, …; docs/contracts.md, \"Indicators\"); empty \
         where it has no value. The file's metadata gives each its own unit, as outcomes.csv's \
         `unit` does",
    ),
    doc("world", "rep", "", "Replication, from 0"),
    doc(
        "world",
        "world",
        "",
        "`status quo`, or the interventions running, joined by +",
    ),
    doc("world", "year", "", "Year of the term, from 1"),
    doc("world", "calendar_year", "", "Calendar year"),
    doc(
        "world",
        "head_count",
        "people",
        "Population at the start of the year (the whole place, an open cohort's too; a closed cohort's population is its people)",
    ),
    doc(
        "world",
        "covered_head_count",
        "people",
        "People covered (in the cohort) at the start of the year",
    ),
    doc(
        "world",
        "deaths",
        "people",
        "Deaths during the year, in the whole population as `head_count` counts it (the `deaths` indicator counts the people covered)",
    ),
    doc("world", "leavers", "people", "People who moved away"),
    doc("world", "births", "people", "Births"),
    doc("world", "migrants_in", "people", "People who moved in"),
    doc(
        "world",
        "onsets",
        "people",
        "New long-term conditions (people gaining one more), in the whole population as `head_count` counts it (the `onsets` indicator counts the people covered)",
    ),
    doc(
        "world",
        "end_head_count",
        "people",
        "Population at the end of the year",
    ),
    doc(
        "world",
        "bad_winter",
        "true/false",
        "Whether the year had a bad winter",
    ),
    doc(
        "world",
        "demand_index",
        "index (year 1 = 1 before noise)",
        "Demand trend × the year's noise (so year 1 averages 1 across replications)",
    ),
    doc(
        "world",
        "cost_index",
        "index (year 1 = 1)",
        "Cost inflation since year 1",
    ),
    doc(
        "world",
        "price_index",
        "index (year 1 = 1)",
        "Tariff uplift since year 1",
    ),
    doc(
        "world",
        "<type>_count",
        "events",
        "Activity of one type (gp, outpatient, …) among covered people",
    ),
    doc("world", "<type>_cost", MONEY, "Cost of that activity"),
    doc(
        "world",
        "<type>_value",
        MONEY,
        "That activity at tariff: what activity-based payment pays",
    ),
    doc(
        "world",
        "condition_head_count",
        "people",
        "People covered with the scenario's condition at the start of the year",
    ),
    doc(
        "world",
        "condition_onsets",
        "people",
        "People gaining the condition during the year who were covered before or after (a cohort with the condition counts those joining it)",
    ),
    doc(
        "world",
        "condition_exits",
        "people",
        "People whose condition ended during the year (remission, leaving the register) who were covered before or after",
    ),
    doc(
        "world",
        "<type>_referrals",
        "pathways",
        "Referrals onto the type's waiting list in the year (RTT clock starts)",
    ),
    doc(
        "world",
        "<type>_treated",
        "pathways",
        "Treated from the waiting list in the year (clock stops); the type's activity is the events treated (treated / treated_per_event) rather than those demanded (referrals / referrals_per_event), but never more than the demand plus the backlog the year cleared (each waiting pathway 1 / treated_per_event events), so more treatments from a short list add less activity than they add treatments (when none were referred, at the year's cost and price per event, spread as the expected events, or the status quo's where the world expects none)",
    ),
    doc(
        "world",
        "<type>_removed",
        "pathways",
        "Left the waiting list without treatment in the year",
    ),
    doc(
        "world",
        "<type>_waiting_list",
        "pathways",
        "People on the waiting list at the year's end",
    ),
    doc(
        "world",
        "<type>_median_wait_weeks",
        "weeks",
        "Median wait of those on the list at the year's end (0 when nobody is waiting)",
    ),
    doc(
        "world",
        "<type>_52_week_waiters",
        "pathways",
        "People on the list at the year's end who have waited 52 weeks or more",
    ),
    doc(
        "world",
        "enrolled",
        "people",
        "People enrolled in the world's interventions, summed over them (someone in two programmes counts twice)",
    ),
    doc(
        "world",
        "programme_cost",
        MONEY,
        "Cost of the interventions",
    ),
    doc("world", "total_cost", MONEY, "Cost of all activity"),
    doc("world", "total_value", MONEY, "All activity at tariff"),
];

/// The file each table is written to.
fn file_of(table: &str) -> &'static str {
    match table {
        "summary" => "summary.csv",
        "equity" => "equity.csv",
        "who_gains" => "who_gains.csv",
        "ledger" => "ledger.parquet, ledger_term.parquet",
        "equity_reps" => "equity.parquet",
        "parameters" => "parameters.parquet",
        "who_gains_reps" => "who_gains.parquet",
        "who_gains_by_year" => "who_gains_by_year.csv",
        "arm_differences" => "arm_differences.csv",
        "who_gains_by_year_reps" => "who_gains_by_year.parquet",
        "compare" => "compare.csv (capsim compare)",
        "basis" => "basis.csv",
        "monitoring" => "monitoring.csv",
        "waiting_list" => "waiting_list.csv",
        "outcomes" => "outcomes.csv",
        "outcomes_reps" => "outcomes.parquet",
        _ => "world.parquet",
    }
}

/// The data dictionary as a Markdown table (docs/outputs.md holds a copy).
pub fn markdown() -> String {
    let mut out = String::from("| file | column | unit | what it is |\n|---|---|---|---|\n");
    for c in COLUMNS {
        out += &format!(
            "| {} | `{}` | {} | {} |\n",
            file_of(c.table),
            c.column,
            c.unit,
            c.description
        );
    }
    out
}

/// What a column of `table` is: from [`COLUMNS`], or, for a Monte Carlo standard error
/// (`<figure>_se`), from its figure. `None` for a column with no entry.
pub fn describe(table: &str, column: &str) -> Option<(String, String)> {
    let find = |name: &str| {
        COLUMNS
            .iter()
            .find(|c| c.table == table && c.column == name)
    };
    if let Some(c) = find(column) {
        return Some((c.unit.to_string(), c.description.to_string()));
    }
    // Year by year, who gains has the term's columns for one year.
    if table == "who_gains_by_year" {
        return describe("who_gains", column);
    }
    let figure = find(column.strip_suffix("_se")?)?;
    Some((
        figure.unit.to_string(),
        format!(
            "Monte Carlo standard error of {}: how far it may be from what unlimited replications would give (docs/outputs.md says how it is computed)",
            figure.column
        ),
    ))
}

/// As [`describe`], and a column of a per-type or per-component family (`gp_count`, a payment
/// component's column in the ledger) described by its family's entry.
pub fn describe_any(table: &str, column: &str) -> Option<(String, String)> {
    describe(table, column).or_else(|| match table {
        "world" => ["count", "cost", "value"]
            .into_iter()
            .chain(ListYear::MEASURES.iter().map(|(name, _)| *name))
            .find_map(|suffix| {
                column
                    .strip_suffix(suffix)
                    .filter(|rest| rest.ends_with('_'))
                    .and_then(|_| describe(table, &format!("<type>_{suffix}")))
            }),
        "ledger" => describe(table, "<component>"),
        "outcomes_reps" => describe(table, "<indicator>"),
        "parameters" => describe(table, "<parameter path>"),
        _ => None,
    })
}

/// Decimals a column is written with in a CSV meant for people: money to the penny,
/// probabilities to four places, indicators to six, person-years to one; `None` keeps
/// full precision. The Parquet files and the workbook keep every digit.
pub fn csv_decimals(table: &str, column: &str) -> Option<i32> {
    let (unit, _) = describe(table, column)?;
    if unit.starts_with('£') {
        Some(2)
    } else if unit.starts_with("probability") {
        Some(4)
    } else if unit == INDICATOR {
        // A share's change and its error are often below 0.0001.
        Some(6)
    } else if unit == "person-years" {
        Some(1)
    } else {
        None
    }
}

/// The key of the Parquet file-level metadata that describes the columns.
pub const PARQUET_KEY: &str = "capsim:columns";

/// File-level Parquet metadata for a table with these columns: under [`PARQUET_KEY`], a JSON
/// object of column name → {"unit", "description"}, so the meaning travels with the file
/// (pyarrow: `pq.read_metadata(f).metadata`; not the schema's metadata, which pyarrow rebuilds
/// from the stored Arrow schema).
/// `units` gives the unit of a column the dictionary describes only as one of a family (an
/// indicator of outcomes.parquet).
pub fn parquet_metadata(
    table: &str,
    columns: &[&str],
    units: &[(String, &str)],
) -> Vec<(String, String)> {
    let described: serde_json::Map<String, serde_json::Value> = columns
        .iter()
        .filter_map(|c| {
            let (mut unit, description) = describe_any(table, c)?;
            if let Some((_, own)) = units.iter().find(|(name, _)| name == c) {
                unit = own.to_string();
            }
            Some((
                c.to_string(),
                serde_json::json!({ "unit": unit, "description": description }),
            ))
        })
        .collect();
    vec![
        (
            PARQUET_KEY.to_string(),
            serde_json::Value::Object(described).to_string(),
        ),
        ("capsim:money".to_string(), MONEY.to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/outputs.md carries the dictionary; regenerate it from here when a column changes.
    #[test]
    fn the_docs_hold_the_dictionary() {
        let docs = include_str!("../../docs/outputs.md");
        let table = markdown();
        assert!(
            docs.contains(&table),
            "docs/outputs.md is out of date; its generated table should read:\n{table}"
        );
    }

    #[test]
    fn a_standard_error_is_described_from_its_figure() {
        let (unit, text) = describe("summary", "p50_se").unwrap();
        assert_eq!(unit, MONEY);
        assert!(text.contains("standard error of p50"), "{text}");
        assert!(describe("summary", "nonsense").is_none());
        assert!(describe("summary", "nonsense_se").is_none());
    }
}
