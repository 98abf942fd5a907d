//! The summary tables as an Excel workbook: one data sheet per table (headers in row 1, numbers
//! as numbers, filters on), a sheet describing every column with its unit, the run's
//! assumptions with their sources, and its provenance.

use std::path::Path;

use polars::prelude::*;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
};

use super::Tables;
use crate::run_folder::RunFolder;
use crate::run_folder::dictionary::describe;
use crate::run_folder::tables::rounded_for_reading;
use crate::scenario::param::Dist;
use crate::scenario::validate::{ParamSpec, parameters};

/// Widest a column is drawn, in characters: long arm names wrap instead of widening the sheet.
const MAX_WIDTH: f64 = 28.0;

/// Whether a table's figures are shown as they are (rounded as in its CSV file): rates,
/// shares, counts and weeks side by side in one column, where one format would misstate some
/// (a share of 0.147 as whole units reads 0).
fn shown_as_they_are(table: &str) -> bool {
    ["outcomes", "waiting_list"].contains(&table)
}

/// The format of a probability: a percentage.
const PERCENT: &str = "0.0%";

/// How a column of a table is shown in Excel: money with £ (from the column's unit in the
/// dictionary), probabilities as percentages, counts as whole numbers.
fn number_format(table: &str, column: &str) -> &'static str {
    let money = describe(table, column).is_some_and(|(unit, _)| unit.starts_with('£'));
    if shown_as_they_are(table) && column != "replications" {
        "General"
    // Probabilities: P(loss), P(gain), P(over budget), P(target met) and their errors.
    } else if ["p_loss", "p_gain", "p_over_budget", "p_target_met"]
        .iter()
        .any(|p| column.starts_with(p))
    {
        PERCENT
    } else if column == "year" || column == "calendar_year" {
        // A year, not a count: "2025", never "2,025".
        "0"
    } else if column == "replications" || column == "level" || column == "person_years" {
        "#,##0"
    } else if column.contains("per_head") {
        if money { "£#,##0.00" } else { "#,##0.00" }
    } else if money {
        "£#,##0"
    } else {
        "#,##0"
    }
}

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9D9D9))
        .set_border_bottom(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap()
}

/// Writes a header row and then rows of text, a column at a time, with filters on.
fn write_rows(sheet: &mut Worksheet, headers: &[&str], rows: &[Vec<String>]) -> anyhow::Result<()> {
    let header = header_format();
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &header)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            sheet.write_string(1 + r as u32, c as u16, text)?;
        }
    }
    finish(sheet, headers.len(), rows.len())
}

/// Freezes the header row, turns filters on and sizes the columns.
fn finish(sheet: &mut Worksheet, columns: usize, rows: usize) -> anyhow::Result<()> {
    sheet.set_freeze_panes(1, 0)?;
    if columns > 0 {
        sheet.autofilter(0, 0, rows as u32, columns as u16 - 1)?;
    }
    sheet.set_autofit_max_width((MAX_WIDTH * 7.0) as u32);
    sheet.autofit();
    Ok(())
}

/// One table as a sheet: column names in row 1, then one row per table row. Numbers are stored
/// as numbers (a calendar year in a text column too), empty cells for missing values.
fn write_table(sheet: &mut Worksheet, table: &str, df: &DataFrame) -> anyhow::Result<()> {
    let header = header_format();
    let year = Format::new().set_num_format("0");
    for (c, column) in df.columns().iter().enumerate() {
        let c = c as u16;
        let name = column.name().as_str();
        sheet.write_string_with_format(0, c, name, &header)?;
        let fmt = Format::new().set_num_format(number_format(table, name));
        let series = column.as_materialized_series();
        for r in 0..series.len() {
            let row = 1 + r as u32;
            match series.get(r)? {
                AnyValue::Null => {}
                AnyValue::String(s) => write_text(sheet, row, c, s, &year)?,
                AnyValue::StringOwned(s) => write_text(sheet, row, c, s.as_str(), &year)?,
                v => {
                    if let Some(x) = v.extract::<f64>().filter(|x| x.is_finite()) {
                        sheet.write_number_with_format(row, c, x, &fmt)?;
                    }
                }
            }
        }
    }
    finish(sheet, df.width(), df.height())
}

/// Text, or a whole number (a calendar year in `horizon`) stored as a number.
fn write_text(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    s: &str,
    year: &Format,
) -> anyhow::Result<()> {
    match s.parse::<i32>() {
        Ok(n) => sheet.write_number_with_format(row, col, f64::from(n), year)?,
        Err(_) => sheet.write_string(row, col, s)?,
    };
    Ok(())
}

/// The data sheets of the workbook: (sheet name, table name, frame).
fn data_sheets(t: &Tables) -> Vec<(&'static str, &DataFrame)> {
    let mut sheets = vec![("summary", &t.summary), ("equity", &t.equity)];
    if t.who_gains.height() > 0 {
        sheets.push(("who_gains", &t.who_gains));
    }
    if let Some(by_year) = t.who_gains_by_year.as_ref().filter(|t| t.height() > 0) {
        sheets.push(("who_gains_by_year", by_year));
    }
    if t.arm_differences.height() > 0 {
        sheets.push(("arm_differences", &t.arm_differences));
    }
    if let Some(outcomes) = &t.outcomes {
        sheets.push(("outcomes", outcomes));
    }
    if let Some(lists) = &t.waiting_lists {
        sheets.push(("waiting_list", lists));
    }
    sheets
}

fn columns_sheet(t: &Tables) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for (table, df) in data_sheets(t) {
        for column in df.get_column_names() {
            let (mut unit, description) =
                describe(table, column.as_str()).unwrap_or_else(|| (String::new(), String::new()));
            if number_format(table, column.as_str()) == PERCENT {
                unit += ", shown as %";
            }
            rows.push(vec![
                table.to_string(),
                column.to_string(),
                unit,
                description,
            ]);
        }
    }
    rows
}

fn assumptions_sheet(params: &[ParamSpec]) -> Vec<Vec<String>> {
    params
        .iter()
        .map(|p| {
            vec![
                p.path.clone(),
                p.param.dist.to_string(),
                p.param.source.clone().unwrap_or_default(),
            ]
        })
        .collect()
}

fn run_sheet(run: &RunFolder) -> Vec<Vec<String>> {
    let i = &run.info;
    let s = &run.scenario;
    [
        ("scenario", i.scenario.clone()),
        ("description", s.description.clone()),
        ("scenario file", i.scenario_file.clone()),
        ("capsim version", i.capsim_build()),
        ("seed", i.seed.to_string()),
        ("replications", i.replications.to_string()),
        ("years", format!("{} ({} to {})", i.years, s.start_year, s.start_year + i.years as i32 - 1)),
        ("money", "£ at each year's own prices (nominal)".to_string()),
        ("command", within_a_cell(&i.command)),
        ("reproduce", "capsim run scenario.toml (the run folder's copy) gives the same numbers on any number of threads".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| vec![k.to_string(), v])
    .collect()
}

/// `text` as a spreadsheet cell holds it: cut to its 32,767 characters with an ellipsis (a
/// command line can carry a whole field's value; run.json keeps it whole).
fn within_a_cell(text: &str) -> String {
    const CELL: usize = crate::scenario::load::MAX_TEXT_CHARS;
    if text.chars().count() <= CELL {
        return text.to_string();
    }
    text.chars().take(CELL - 1).chain(['…']).collect()
}

pub fn write_workbook(path: &Path, run: &RunFolder, t: &Tables) -> anyhow::Result<()> {
    let mut book = Workbook::new();
    // A fixed creation date: the same run gives the same bytes.
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    book.set_properties(
        &DocProperties::new()
            .set_title("capsim summary")
            .set_creation_datetime(&created),
    );
    for (name, df) in data_sheets(t) {
        let df = if shown_as_they_are(name) {
            &rounded_for_reading(df, name)?
        } else {
            df
        };
        write_table(book.add_worksheet().set_name(name)?, name, df)?;
    }
    write_rows(
        book.add_worksheet().set_name("columns")?,
        &["sheet", "column", "unit", "description"],
        &columns_sheet(t),
    )?;
    let params = parameters(&run.scenario);
    let sheet = book.add_worksheet().set_name("assumptions")?;
    write_rows(
        sheet,
        &["parameter", "value or distribution", "source"],
        &assumptions_sheet(&params),
    )?;
    // A fixed value as a number a formula can use; a distribution stays its description.
    for (r, p) in params.iter().enumerate() {
        if let Dist::Fixed(value) = p.param.dist {
            sheet.write_number(1 + r as u32, 1, value)?;
        }
    }
    let run_rows = run_sheet(run);
    let sheet = book.add_worksheet().set_name("run")?;
    write_rows(sheet, &["item", "value"], &run_rows)?;
    // The count of replications as a number; the seed stays text, as a spreadsheet keeps only
    // 15 digits of a number and a seed may have 20.
    if let Some(r) = run_rows.iter().position(|row| row[0] == "replications") {
        sheet.write_number(1 + r as u32, 1, f64::from(run.info.replications))?;
    }
    // Built in memory and written here: a failed write (a full disk) is then said once, with
    // the file's name, not also by the zip writer as it is dropped.
    let bytes = book.save_to_buffer()?;
    crate::run_folder::write_named(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::number_format;

    /// Every probability, and its standard error, shows as a percentage; money as whole pounds
    /// with £ (pence per head); counts without; an outcome or a waiting list's figure as it is.
    #[test]
    fn probabilities_show_as_percentages() {
        for column in [
            "p_loss",
            "p_loss_se",
            "p_loss_over_2pct",
            "p_gain",
            "p_over_budget",
            "p_over_budget_se",
        ] {
            assert_eq!(number_format("summary", column), "0.0%", "{column}");
        }
        for column in ["mean", "p5", "p95_se", "expected_shortfall_5pct"] {
            assert_eq!(number_format("summary", column), "£#,##0", "{column}");
        }
        assert_eq!(number_format("equity", "margin_per_head_mean"), "£#,##0.00");
        assert_eq!(number_format("equity", "person_years"), "#,##0");
        assert_eq!(number_format("summary", "replications"), "#,##0");
        // Years as years: "2025", not "2,025".
        assert_eq!(number_format("who_gains_by_year", "calendar_year"), "0");
        assert_eq!(number_format("who_gains_by_year", "year"), "0");
        // Outcomes and waiting lists mix rates, shares and weeks in one column: a share of
        // 0.147 must not read 0.
        for table in ["outcomes", "waiting_list"] {
            for column in ["mean", "p5", "change_mean_se"] {
                assert_eq!(number_format(table, column), "General", "{table} {column}");
            }
            assert_eq!(number_format(table, "replications"), "#,##0");
        }
    }
}
