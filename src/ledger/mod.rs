//! The ledger: each party's account per replication, year and arm, and over the whole term.
//!
//! Rows: the commissioner (income 0, cost = what it paid) and every provider (income = what it
//! received, cost = its care cost plus any subcontract payments), one column per payment
//! component. Every transfer appears once as commissioner spend and once as provider income.

use polars::prelude::*;

use crate::contracts::{Contracts, LedgerRow};
use crate::engine::ReplicationResult;

fn role(contracts: &Contracts, arm: usize, party: usize) -> &'static str {
    let a = &contracts.arms[arm];
    if party == 0 {
        "commissioner"
    } else if a.subcontractors.iter().any(|(p, _)| *p == party) {
        "subcontractor"
    } else if !a.subcontractors.is_empty() {
        "lead provider"
    } else {
        "provider"
    }
}

fn frame(
    contracts: &Contracts,
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
            .map(|(_, l)| contracts.arms[l.arm].name.as_str())
            .collect::<Vec<&str>>(),
    ));
    cols.push(Column::new(
        "party".into(),
        rows.iter()
            .map(|(_, l)| contracts.parties[l.party].as_str())
            .collect::<Vec<&str>>(),
    ));
    cols.push(Column::new(
        "role".into(),
        rows.iter()
            .map(|(_, l)| role(contracts, l.arm, l.party))
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
    for (i, name) in contracts.columns.iter().enumerate() {
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
    contracts: &Contracts,
    results: &[ReplicationResult],
    start_year: i32,
) -> PolarsResult<DataFrame> {
    let rows: Vec<(u64, &LedgerRow)> = results
        .iter()
        .flat_map(|r| r.ledger.iter().map(move |l| (r.replication, l)))
        .collect();
    frame(contracts, &rows, start_year, false)
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
pub fn term_frame(contracts: &Contracts, results: &[ReplicationResult]) -> PolarsResult<DataFrame> {
    let totals: Vec<(u64, Vec<LedgerRow>)> = results
        .iter()
        .map(|r| (r.replication, term_totals(&r.ledger)))
        .collect();
    let rows: Vec<(u64, &LedgerRow)> = totals
        .iter()
        .flat_map(|(r, t)| t.iter().map(move |l| (*r, l)))
        .collect();
    frame(contracts, &rows, 0, true)
}

/// Each arm's payments, care cost and person-years over the term, by IMD quintile and by LTC
/// count: one row per replication, arm, dimension and level. Sums are taken here, in a fixed
/// order, so the equity table built from them is the same to the last bit on every run.
pub fn equity_frame(
    contracts: &Contracts,
    results: &[ReplicationResult],
) -> PolarsResult<DataFrame> {
    use crate::population::{GROUPS, IMDS, LTCS, group_key};
    let mut rep = Vec::new();
    let mut arm = Vec::new();
    let (mut dimension, mut level) = (Vec::new(), Vec::new());
    let (mut income, mut cost, mut years) = (Vec::new(), Vec::new(), Vec::new());
    for r in results {
        for (a, name) in contracts.arms.iter().enumerate() {
            for (dim, levels) in [("imd_quintile", IMDS), ("ltc_count", LTCS)] {
                for l in 0..levels {
                    let mut t = [0.0; 3];
                    for g in 0..GROUPS {
                        let (q, _, k) = group_key(g);
                        if (dim == "imd_quintile" && q == l) || (dim == "ltc_count" && k == l) {
                            let i = (a * GROUPS + g) * 3;
                            for (x, v) in t.iter_mut().zip(&r.equity[i..i + 3]) {
                                *x += v;
                            }
                        }
                    }
                    rep.push(r.replication as u32);
                    arm.push(name.name.as_str());
                    dimension.push(dim);
                    level.push(if dim == "imd_quintile" {
                        l as u32 + 1
                    } else {
                        l as u32
                    });
                    income.push(t[0]);
                    cost.push(t[1]);
                    years.push(t[2]);
                }
            }
        }
    }
    let margin: Vec<f64> = income
        .iter()
        .zip(&cost)
        .zip(&years)
        .map(|((i, c), y)| if *y > 0.0 { (i - c) / y } else { f64::NAN })
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
