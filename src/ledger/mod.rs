//! The ledger: each party's account per replication, year and arm, and over the whole term.
//!
//! Rows: the commissioner (income 0, cost = what it paid) and every provider (income = what it
//! received, cost = its care cost plus any subcontract payments), one column per payment
//! component. Every transfer appears once as commissioner spend and once as provider income.
//! An intervention's cost is booked to whoever pays it; [`gains`] compares an arm in its world
//! with the same contract in the status quo.

pub mod gains;

use polars::prelude::*;

use crate::population::{GROUPS, IMDS, LTCS, group_key};

/// Whether a provider's `surplus` is a loss beyond `share` of its `income` (summary.csv's
/// `p_loss_over_2pct` at 2%, `capsim corridor --loss-threshold`). Measured against the income's
/// size: a provider whose net income is below zero (a lead provider paying its subcontractors
/// more than it is paid) still needs a loss to count.
pub fn loses_beyond(surplus: f64, income: f64, share: f64) -> bool {
    surplus < -share * income.abs()
}

/// [`loses_beyond`] over columns of a frame: below −share·|income| is below both ±share·income.
pub fn loses_beyond_expr(surplus: Expr, income: Expr, share: f64) -> Expr {
    let below = |bound: Expr| surplus.clone().lt(bound);
    below(lit(-share) * income.clone()).and(below(lit(share) * income))
}

/// One ledger row: a party's account in one arm and year.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LedgerRow {
    pub year: u32,
    pub arm: usize,
    pub party: usize,
    /// Received from the commissioner and, for a subcontractor, from the lead provider.
    pub income: f64,
    /// Care delivered, plus payments to subcontractors; for the commissioner, its spend.
    pub cost: f64,
    /// Net subcontract flow: negative for the lead provider, positive for subcontractors.
    pub subcontract: f64,
    /// Cost of the interventions this party pays for (included in `cost`).
    pub programme: f64,
    /// Amount per component column (paid by the commissioner, received by the holder).
    pub components: Vec<f64>,
}

impl LedgerRow {
    /// An empty account for `party` in `arm` and `year` (1-based), with `columns` components.
    pub fn open(year: u32, arm: usize, party: usize, columns: usize) -> Self {
        LedgerRow {
            year,
            arm,
            party,
            income: 0.0,
            cost: 0.0,
            subcontract: 0.0,
            programme: 0.0,
            components: vec![0.0; columns],
        }
    }

    pub fn surplus(&self) -> f64 {
        self.income - self.cost
    }
}

/// One arm's payments, care cost and person-years in one reporting group, summed over the
/// term: where a provider would gain by selecting patients.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EquityCell {
    pub income: f64,
    pub cost: f64,
    pub person_years: f64,
}

impl EquityCell {
    fn add(&mut self, other: &EquityCell) {
        self.income += other.income;
        self.cost += other.cost;
        self.person_years += other.person_years;
    }
}

/// What a party is in an arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Commissioner,
    Provider,
    LeadProvider,
    Subcontractor,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Commissioner => "commissioner",
            Role::Provider => "provider",
            Role::LeadProvider => "lead provider",
            Role::Subcontractor => "subcontractor",
        }
    }
}

/// The names the ledger's indices stand for.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerLayout {
    pub arms: Vec<String>,
    /// The world each arm is settled in (`status quo`, or its interventions).
    pub worlds: Vec<String>,
    /// Party names; 0 is the commissioner.
    pub parties: Vec<String>,
    /// Payment component columns.
    pub columns: Vec<String>,
    /// Role of each party in each arm (arms × parties).
    pub roles: Vec<Vec<Role>>,
}

/// A replication's ledger rows, keyed by its number.
pub type RepRows<'a> = (u64, &'a [LedgerRow]);

/// The ledger's own columns, beside one per payment component: a component may not be named
/// like one of them.
pub const LEDGER_COLUMNS: [&str; 12] = [
    "rep",
    "year",
    "calendar_year",
    "arm",
    "world",
    "party",
    "role",
    "income",
    "cost",
    "surplus",
    "subcontract",
    "programme",
];

fn frame(
    layout: &LedgerLayout,
    rows: &[(u64, &LedgerRow)],
    start_year: i32,
    term: bool,
) -> PolarsResult<DataFrame> {
    let n = rows.len();
    let mut cols: Vec<Column> = vec![Column::new(
        "rep".into(),
        rows.iter().map(|(r, _)| *r as u32).collect::<Vec<u32>>(),
    )];
    if !term {
        cols.push(Column::new(
            "year".into(),
            rows.iter().map(|(_, l)| l.year).collect::<Vec<u32>>(),
        ));
        cols.push(Column::new(
            "calendar_year".into(),
            rows.iter()
                .map(|(_, l)| start_year + l.year as i32 - 1)
                .collect::<Vec<i32>>(),
        ));
    }
    cols.push(Column::new(
        "arm".into(),
        rows.iter()
            .map(|(_, l)| layout.arms[l.arm].as_str())
            .collect::<Vec<&str>>(),
    ));
    cols.push(Column::new(
        "world".into(),
        rows.iter()
            .map(|(_, l)| layout.worlds[l.arm].as_str())
            .collect::<Vec<&str>>(),
    ));
    cols.push(Column::new(
        "party".into(),
        rows.iter()
            .map(|(_, l)| layout.parties[l.party].as_str())
            .collect::<Vec<&str>>(),
    ));
    cols.push(Column::new(
        "role".into(),
        rows.iter()
            .map(|(_, l)| layout.roles[l.arm][l.party].name())
            .collect::<Vec<&str>>(),
    ));
    cols.push(Column::new(
        "income".into(),
        rows.iter().map(|(_, l)| l.income).collect::<Vec<f64>>(),
    ));
    cols.push(Column::new(
        "cost".into(),
        rows.iter().map(|(_, l)| l.cost).collect::<Vec<f64>>(),
    ));
    cols.push(Column::new(
        "surplus".into(),
        rows.iter().map(|(_, l)| l.surplus()).collect::<Vec<f64>>(),
    ));
    cols.push(Column::new(
        "subcontract".into(),
        rows.iter()
            .map(|(_, l)| l.subcontract)
            .collect::<Vec<f64>>(),
    ));
    cols.push(Column::new(
        "programme".into(),
        rows.iter().map(|(_, l)| l.programme).collect::<Vec<f64>>(),
    ));
    for (i, name) in layout.columns.iter().enumerate() {
        cols.push(Column::new(
            name.as_str().into(),
            rows.iter()
                .map(|(_, l)| l.components[i])
                .collect::<Vec<f64>>(),
        ));
    }
    DataFrame::new(n, cols)
}

/// One row per replication, year, arm and party.
pub fn ledger_frame(
    layout: &LedgerLayout,
    reps: &[RepRows],
    start_year: i32,
) -> PolarsResult<DataFrame> {
    let rows: Vec<(u64, &LedgerRow)> = reps
        .iter()
        .flat_map(|(r, rows)| rows.iter().map(move |l| (*r, l)))
        .collect();
    frame(layout, &rows, start_year, false)
}

/// Sums each party's rows over the contract term (every simulated year), in row order.
pub fn term_totals(rows: &[LedgerRow]) -> Vec<LedgerRow> {
    let mut out: Vec<LedgerRow> = Vec::new();
    for l in rows {
        match out
            .iter_mut()
            .find(|t| t.arm == l.arm && t.party == l.party)
        {
            Some(t) => {
                t.income += l.income;
                t.cost += l.cost;
                t.subcontract += l.subcontract;
                t.programme += l.programme;
                for (a, b) in t.components.iter_mut().zip(&l.components) {
                    *a += b;
                }
            }
            None => out.push(LedgerRow {
                year: 0,
                ..l.clone()
            }),
        }
    }
    out
}

/// One row per replication, arm and party: totals over the whole term.
pub fn term_frame(layout: &LedgerLayout, reps: &[RepRows]) -> PolarsResult<DataFrame> {
    let totals: Vec<(u64, Vec<LedgerRow>)> = reps
        .iter()
        .map(|(r, rows)| (*r, term_totals(rows)))
        .collect();
    let rows: Vec<(u64, &LedgerRow)> = totals
        .iter()
        .flat_map(|(r, t)| t.iter().map(move |l| (*r, l)))
        .collect();
    frame(layout, &rows, 0, true)
}

/// Each arm's payments, care cost and person-years over the term, by IMD quintile and by LTC
/// count: one row per replication, arm, dimension and level. `reps` holds each replication's
/// cells (arms × reporting groups). Sums are taken here, in a fixed order, so the equity table
/// built from them is the same to the last bit on every run.
pub fn equity_frame(
    layout: &LedgerLayout,
    reps: &[(u64, &[EquityCell])],
) -> PolarsResult<DataFrame> {
    let mut rep = Vec::new();
    let mut arm = Vec::new();
    let (mut dimension, mut level) = (Vec::new(), Vec::new());
    let (mut income, mut cost, mut years) = (Vec::new(), Vec::new(), Vec::new());
    for (r, cells) in reps {
        for (a, name) in layout.arms.iter().enumerate() {
            for (dim, levels) in [("imd_quintile", IMDS), ("ltc_count", LTCS)] {
                for l in 0..levels {
                    let mut t = EquityCell::default();
                    for g in 0..GROUPS {
                        let (q, _, k) = group_key(g);
                        if (dim == "imd_quintile" && q == l) || (dim == "ltc_count" && k == l) {
                            t.add(&cells[a * GROUPS + g]);
                        }
                    }
                    rep.push(*r as u32);
                    arm.push(name.as_str());
                    dimension.push(dim);
                    level.push(if dim == "imd_quintile" {
                        l as u32 + 1
                    } else {
                        l as u32
                    });
                    income.push(t.income);
                    cost.push(t.cost);
                    years.push(t.person_years);
                }
            }
        }
    }
    // A group nobody belonged to has no margin per head: null, not NaN.
    let margin: Vec<Option<f64>> = income
        .iter()
        .zip(&cost)
        .zip(&years)
        .map(|((i, c), y)| (*y > 0.0).then(|| (i - c) / y))
        .collect();
    let n = rep.len();
    DataFrame::new(
        n,
        vec![
            Column::new("rep".into(), rep),
            Column::new("arm".into(), arm),
            Column::new("dimension".into(), dimension),
            Column::new("level".into(), level),
            Column::new("income".into(), income),
            Column::new("cost".into(), cost),
            Column::new("person_years".into(), years),
            Column::new("margin_per_head".into(), margin),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// summary.csv's rule and the corridor's are one rule: the frame's column agrees with the
    /// function row by row, a net payer (income below zero) losing only when its surplus is
    /// below zero by more than the share of its income's size.
    #[test]
    fn a_loss_beyond_a_share_of_income_is_one_rule_for_frames_and_numbers() {
        let cases = [
            (-30.0, 1_000.0, true),
            (-10.0, 1_000.0, false),
            (-20.0, 1_000.0, false),
            (10.0, -1_000.0, false),
            (-10.0, -1_000.0, false),
            (-30.0, -1_000.0, true),
            (-1.0, 0.0, true),
            (0.0, 0.0, false),
        ];
        let frame = df!(
            "surplus" => cases.map(|c| c.0),
            "income" => cases.map(|c| c.1),
        )
        .unwrap();
        let flagged = frame
            .lazy()
            .select([loses_beyond_expr(col("surplus"), col("income"), 0.02).alias("x")])
            .collect()
            .unwrap();
        let flagged: Vec<bool> = flagged
            .column("x")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .map(|x| x.expect("no nulls"))
            .collect();
        for ((surplus, income, expected), frame) in cases.into_iter().zip(flagged) {
            assert_eq!(
                loses_beyond(surplus, income, 0.02),
                expected,
                "{surplus} {income}"
            );
            assert_eq!(frame, expected, "{surplus} {income}");
        }
    }
}
