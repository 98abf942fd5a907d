//! Contracts: turning a simulated year into transfers between the commissioner and providers.
//!
//! Contracts are set once, on the [`basis`] (the status quo's expectations at the parameters'
//! means), and [`resolve`]d from the scenario's validated arms: each provider holds the arm's
//! contract for the activity it delivers, or a lead provider holds it for everything and pays
//! the others. Each year the engine weighs the covered heads ([`heads`]), computes the
//! [`indicators`], and [`settle`]s every arm: each component is a pure function of the holder's
//! year ([`components`], one file per kind), risk shares and shared savings last, on the result
//! of the rest. Every transfer is booked in the ledger once as the commissioner's spend and once
//! as a provider's income, and spread over reporting groups for the equity table ([`equity`]).

pub mod basis;
pub mod components;
pub mod equity;
pub mod heads;
pub mod indicators;
pub mod resolve;
pub mod settle;

use basis::{Basis, Scope};
use heads::ScopeHeads;

use crate::scenario::Indicator;
use crate::scenario::contracts::{ComponentSpec, Subcontract};

/// A component ready to settle.
#[derive(Debug, Clone)]
pub struct Component {
    pub spec: ComponentSpec,
    /// Ledger column the amount goes to.
    pub column: usize,
    /// The scope of what it pays for: its holder's, or for a component paying for some
    /// people's care ([`ComponentSpec::people`]), the same activity of those people alone.
    pub scope: usize,
    /// Activity types paid (activity components with a type filter).
    pub types: Option<Vec<usize>>,
    /// Indicators paid on (outcome targets in order; per-unit and quality deductions one).
    pub indicators: Vec<Indicator>,
    /// Running sum of a component settled over the term ([`settle::TermSums`]).
    pub term_slot: Option<usize>,
    /// Whether each of `indicators` is this holder's own: an activity type's indicator belongs
    /// to the provider delivering it; population-wide indicators belong to every holder.
    pub owned: Vec<bool>,
    /// Share of an amount set in £ this holder receives (its share of the expected cost of what
    /// the component covers), so the amount is paid once, not once per holder.
    pub shared_amount: f64,
}

/// A party holding an arm's contract.
#[derive(Debug, Clone)]
pub struct Holder {
    /// Party index (0 is the commissioner).
    pub party: usize,
    /// Activity the contract covers (everything, for a lead provider).
    pub scope: usize,
    /// Activity the holder delivers itself.
    pub own_scope: usize,
    pub components: Vec<Component>,
    /// Where the holder's indicators of the year before are kept while a world is settled
    /// ([`settle::TermSums`]): one place per holder of every arm.
    pub slot: usize,
}

/// A provider paid by a lead provider for its own activity.
#[derive(Debug, Clone, Copy)]
pub struct Subcontractor {
    pub party: usize,
    pub scope: usize,
    /// How the lead pays it.
    pub terms: Subcontract,
}

#[derive(Debug, Clone)]
pub struct Arm {
    pub name: String,
    pub holders: Vec<Holder>,
    pub subcontractors: Vec<Subcontractor>,
    /// Per activity type, how the lead pays for it when a subcontractor delivers it.
    pub subcontract_by_type: Vec<Subcontract>,
    /// Share of the lead's outcome and shared-savings payments passed to its subcontractors.
    pub pass_through: f64,
    /// Ledger columns of the risk shares and shared savings, in the order they settle.
    pub result_columns: Vec<usize>,
}

impl Arm {
    /// What a lead passes on to its subcontractors of `amount` paid by component `c`.
    pub fn passed_on(&self, c: &Component, amount: f64) -> f64 {
        if self.pass_through > 0.0 && !self.subcontractors.is_empty() && c.spec.passes_through() {
            self.pass_through * amount
        } else {
            0.0
        }
    }
}

/// Everything the contracts need, resolved once per scenario.
#[derive(Debug, Clone)]
pub struct Contracts {
    /// Party names; 0 is the commissioner.
    pub parties: Vec<String>,
    pub scopes: Vec<Scope>,
    pub arms: Vec<Arm>,
    /// Ledger component columns.
    pub columns: Vec<String>,
    pub basis: Basis,
    /// How many components settle over the term.
    pub term_slots: usize,
    /// How many contract holders the arms have between them.
    pub holder_slots: usize,
}

/// One year of the world, as the contracts see it.
#[derive(Debug, Clone, Copy)]
pub struct WorldYear<'a> {
    /// 0-based year of the simulation.
    pub year: u32,
    pub last_year: bool,
    /// Per activity type: count, cost, and price per unit in the first year's prices.
    pub count: &'a [f64],
    pub cost: &'a [f64],
    pub price: &'a [f64],
    pub price_index: f64,
    /// The year's demand, winter and cost shocks, which every population shares.
    pub shock: &'a crate::activity::shocks::YearShock,
    /// Weighted heads per scope, at the start of the year.
    pub heads: &'a ScopeHeads,
    /// Per reporting group and type (groups × types): cost, and count.
    pub group_cost: &'a [f64],
    pub group_count: &'a [f64],
    /// Indicator values in [`Indicator::slot`] order.
    pub indicators: &'a [f64],
    /// Cost of the world's interventions per party (0 is the commissioner), this year.
    pub programme_cost: &'a [f64],
}
