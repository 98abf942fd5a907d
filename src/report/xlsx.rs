//! The summary and equity tables as an Excel workbook: one sheet each, headed and formatted,
//! numbers stored as numbers.

use std::path::Path;

use polars::prelude::*;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
};

/// How a column is shown in Excel.
fn number_format(column: &str) -> &'static str {
    if column.starts_with("p_loss") {
        "0.0%"
    } else if column == "replications" || column == "level" || column == "person_years" {
        "#,##0"
    } else if column.ends_with("per_head") || column.contains("per_head_") {
        "#,##0.00"
    } else {
        "#,##0"
    }
}

fn write_sheet(sheet: &mut Worksheet, df: &DataFrame, title: &str) -> anyhow::Result<()> {
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9D9D9))
        .set_border_bottom(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let bold = Format::new().set_bold().set_font_size(13);
    sheet.write_string_with_format(0, 0, title, &bold)?;
    for (c, column) in df.columns().iter().enumerate() {
        let c = c as u16;
        sheet.write_string_with_format(2, c, column.name().as_str(), &header)?;
        let fmt = Format::new().set_num_format(number_format(column.name().as_str()));
        let series = column.as_materialized_series();
        for r in 0..series.len() {
            let row = 3 + r as u32;
            match series.get(r)? {
                AnyValue::Null => {}
                AnyValue::String(s) => {
                    sheet.write_string(row, c, s)?;
                }
                AnyValue::StringOwned(s) => {
                    sheet.write_string(row, c, s.as_str())?;
                }
                v => {
                    if let Some(x) = v.extract::<f64>() {
                        if x.is_finite() {
                            sheet.write_number_with_format(row, c, x, &fmt)?;
                        }
                    }
                }
            }
        }
    }
    sheet.set_freeze_panes(3, 0)?;
    sheet.autofit();
    Ok(())
}

pub fn write_workbook(path: &Path, summary: &DataFrame, equity: &DataFrame) -> anyhow::Result<()> {
    let mut book = Workbook::new();
    // A fixed creation date: the same run gives the same bytes.
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    book.set_properties(
        &DocProperties::new()
            .set_title("capsim summary")
            .set_creation_datetime(&created),
    );
    write_sheet(
        book.add_worksheet().set_name("summary")?,
        summary,
        "Provider surplus and commissioner spend per arm, party and horizon (£; probabilities as %)",
    )?;
    write_sheet(
        book.add_worksheet().set_name("equity")?,
        equity,
        "Provider margin per head by IMD quintile and LTC count (£ per person-year)",
    )?;
    book.save(path)?;
    Ok(())
}
