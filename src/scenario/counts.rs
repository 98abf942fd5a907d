//! Reading a CSV of head counts per stratum (e.g. a GP-register extract), checked in the same
//! pass as the scenario that names it; the population stage turns the rows into cells.
//!
//! Columns (any order, all required): `age` (0-100; 100 = 100 or older; or a band where the
//! data come banded: `20-24`, or `85+` for 85 and older, its people spread over the band's
//! single years of age as England's people of their sex and LTC count are), `sex` (F or M),
//! `imd_quintile` (1-5, 1 = most deprived), `rurality` (urban or rural), `ltc_count` (0-5, or
//! `5+`), `count` (whole people), and optionally `condition` (1 or 0, yes or no: whether the
//! people have the scenario's `[condition]`, a register flag). Strata not listed hold nobody.
//! Every problem is reported with its line and column, and the file is rejected whole.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{InputError, Problems};

const COLUMNS: [&str; 6] = [
    "age",
    "sex",
    "imd_quintile",
    "rurality",
    "ltc_count",
    "count",
];
/// Columns a file may have.
const OPTIONAL: [&str; 1] = ["condition"];

/// Head count of one stratum. Coordinates are 0-based: `sex` 0 = F, 1 = M; `imd` 0 = quintile
/// 1 (most deprived); `rural` 0 = urban, 1 = rural; `ltc` 5 = five or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeadCount {
    pub age: usize,
    pub sex: usize,
    pub imd: usize,
    pub rural: usize,
    pub ltc: usize,
    /// 1 when the people have the scenario's condition.
    pub condition: usize,
    pub count: u32,
}

/// A head-count file's rows, and whether it has a `condition` column: a file that has one is a
/// register, and its people without a 1 do not have the condition, even when nobody has it.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadCounts {
    pub rows: Vec<HeadCount>,
    pub flags_condition: bool,
}

/// Reads head counts from a CSV file, or a Parquet file of the same columns (what
/// `capsim population` writes, either way). A file that cannot be read is the problem of the
/// field naming it: `field` in `scenario_file`.
pub fn load_counts(
    path: &Path,
    scenario_file: &str,
    field: &str,
) -> Result<HeadCounts, InputError> {
    let file = path.display().to_string();
    let unreadable = |why: String| {
        let relative = if path.is_relative() {
            " (a path in a scenario is read from the scenario's folder; one given with --set, \
             from the working folder)"
        } else {
            ""
        };
        InputError::new(
            scenario_file,
            field,
            format!(
                "expected a readable head-count file (.csv or .parquet), found \
                 {file}{relative}: {why}"
            ),
        )
    };
    let text = counts_as_csv(path).map_err(|e| unreadable(e.to_string()))?;
    let numbering = if is_parquet(path) {
        Numbering::Rows
    } else {
        Numbering::Lines
    };
    parse_counts_numbered(&file, &String::from_utf8_lossy(&text), numbering)
}

/// How a problem's place in the file is named: a CSV's line (the header is line 1), or a
/// Parquet file's row (its first is row 1), read from the CSV it is turned into.
#[derive(Clone, Copy)]
enum Numbering {
    Lines,
    Rows,
}

impl Numbering {
    fn place(self, line: u64) -> String {
        match self {
            Numbering::Lines => format!("line {line}"),
            Numbering::Rows => format!("row {}", line.saturating_sub(1)),
        }
    }
}

fn is_parquet(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// An `age` field's single years of age, first and last: a whole age 0-100, a band `a-b`, or
/// an open band `a+` (to 100, the model's top age, which holds 100 and older). A leading `+`
/// is refused: "+85" is more likely a slip for "85+" than the age 85.
fn age_band(s: &str) -> Option<(usize, usize)> {
    let age = |a: &str| {
        let a = a.trim();
        if a.starts_with('+') {
            return None;
        }
        whole_number(a).filter(|&a| a <= 100).map(|a| a as usize)
    };
    if let Some(open) = s.strip_suffix('+') {
        return age(open).map(|a| (a, 100));
    }
    match s.split_once('-') {
        Some((lo, hi)) => match (age(lo), age(hi)) {
            (Some(lo), Some(hi)) if lo <= hi => Some((lo, hi)),
            _ => None,
        },
        None => age(s).map(|a| (a, a)),
    }
}

/// `count` people of a stratum (`sex`, `imd`, `ltc`) aged `first` to `last`, spread over
/// those ages in proportion to England's people of that age and sex with that many long-term
/// conditions (so 5+ older than none), and rounded to whole people keeping the total.
/// `offset` (in [0, 1)) shifts where the rounding falls: rows of one or two people given
/// offsets spread evenly over [0, 1) land at ages in proportion to the weights, where one
/// offset for all would put every such row at the same age.
fn spread_over_band(
    (first, last): (usize, usize),
    (sex, imd, ltc): (usize, usize, usize),
    count: u32,
    offset: f64,
) -> Vec<(usize, u32)> {
    if first == last {
        return vec![(first, count)];
    }
    let england = crate::population::synthesis::england_age_sex();
    let weight =
        |a: usize| england[a][sex] * crate::population::multimorbidity::target(a, sex, imd)[ltc];
    let mut weights: Vec<f64> = (first..=last).map(weight).collect();
    if weights.iter().sum::<f64>() <= 0.0 {
        weights = (first..=last).map(|a| england[a][sex]).collect();
    }
    let total: f64 = weights.iter().sum();
    // Whole people where the running sum crosses offset + 0, 1, 2, …: the total is kept
    // (⌊offset + count⌋ − ⌊offset⌋ = count) and every age is within one of its expectation.
    let mut running = 0.0;
    let mut placed = 0u32;
    let mut out = Vec::with_capacity(weights.len());
    for (k, w) in weights.iter().enumerate() {
        running += f64::from(count) * w / total;
        let upto = if k + 1 == weights.len() {
            count
        } else {
            ((offset + running).floor() as u32).min(count)
        };
        out.push((first + k, upto - placed));
        placed = upto;
    }
    out
}

/// A whole number written as one ("12") or as a decimal with nothing after the point ("12.0":
/// how pandas writes a column that once held a gap, and how a Parquet float column reads).
fn whole_number(s: &str) -> Option<u64> {
    s.parse::<u64>().ok().or_else(|| {
        s.parse::<f64>()
            .ok()
            .filter(|x| x.fract() == 0.0 && (0.0..=9.0e15).contains(x))
            .map(|x| x as u64)
    })
}

/// A head-count file as CSV: a CSV's own bytes, or a Parquet file's table written as CSV (so
/// it is checked, and copied into a run folder, as a CSV would be).
pub fn counts_as_csv(path: &Path) -> anyhow::Result<Vec<u8>> {
    use polars::prelude::*;
    if !is_parquet(path) {
        // A head-count file is a few megabytes at most.
        let text = super::load::read_at_most(path, 256 << 20, "head-count")?;
        // Checked here, not by the CSV reader, so the message says what was wrong.
        std::str::from_utf8(&text).map_err(|_| {
            anyhow::anyhow!("not text (a CSV of UTF-8 text, or a file ending in .parquet)")
        })?;
        return Ok(text);
    }
    let mut df = ParquetReader::new(std::fs::File::open(path)?).finish()?;
    let mut text = Vec::new();
    CsvWriter::new(&mut text).finish(&mut df)?;
    Ok(text)
}

fn field<'a>(rec: &'a csv::StringRecord, idx: &HashMap<&str, usize>, name: &str) -> &'a str {
    rec.get(idx[name]).unwrap_or("").trim()
}

/// Parses head counts from CSV text; `file` names it in errors.
pub fn parse_counts(file: &str, text: &str) -> Result<HeadCounts, InputError> {
    parse_counts_numbered(file, text, Numbering::Lines)
}

fn parse_counts_numbered(
    file: &str,
    text: &str,
    numbering: Numbering,
) -> Result<HeadCounts, InputError> {
    let mut problems = Problems::new(file);
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| InputError::new(file, "header", format!("expected a CSV header row: {e}")))?
        .clone();
    let mut idx: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim();
        match COLUMNS.iter().chain(&OPTIONAL).find(|&&c| c == h) {
            Some(&c) => {
                if idx.insert(c, i).is_some() {
                    problems.push(
                        format!("column \"{c}\""),
                        "appears twice; expected each column once",
                    );
                }
            }
            None => problems.push(
                format!("column \"{h}\""),
                format!(
                    "unknown column; expected exactly: {}, and optionally {}",
                    COLUMNS.join(", "),
                    OPTIONAL.join(", ")
                ),
            ),
        }
    }
    for c in COLUMNS {
        if !idx.contains_key(c) {
            problems.push(
                format!("column \"{c}\""),
                "missing; expected columns: ".to_string() + &COLUMNS.join(", "),
            );
        }
    }
    if !problems.is_empty() {
        return problems
            .into_result()
            .map(|()| unreachable!("problems were found"));
    }
    let mut rows = Vec::new();
    let mut seen: HashMap<(usize, usize, usize, usize, usize, usize), u64> = HashMap::new();
    // How many rows of each age band and sex came before, for where their rounding falls.
    let mut bands: HashMap<(usize, usize, usize), u32> = HashMap::new();
    for result in reader.records() {
        let rec = match result {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                problems.push(numbering.place(line), format!("malformed CSV record: {e}"));
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let at = |col: &str| format!("{}, column {col}", numbering.place(line));
        let age = match age_band(field(&rec, &idx, "age")) {
            Some(band) => Some(band),
            None => {
                problems.push(
                    at("age"),
                    format!(
                        "expected a whole age 0-100, a band such as 20-24, or an open band such \
                         as 85+, found \"{}\"",
                        field(&rec, &idx, "age")
                    ),
                );
                None
            }
        };
        let sex = match field(&rec, &idx, "sex") {
            "F" | "f" => Some(0),
            "M" | "m" => Some(1),
            other => {
                problems.push(at("sex"), format!("expected F or M, found \"{other}\""));
                None
            }
        };
        let imd = match whole_number(field(&rec, &idx, "imd_quintile")) {
            Some(q) if (1..=5).contains(&q) => Some(q as usize - 1),
            _ => {
                problems.push(
                    at("imd_quintile"),
                    format!(
                        "expected 1-5, found \"{}\"",
                        field(&rec, &idx, "imd_quintile")
                    ),
                );
                None
            }
        };
        let rural = match field(&rec, &idx, "rurality").to_ascii_lowercase().as_str() {
            "urban" => Some(0),
            "rural" => Some(1),
            other => {
                problems.push(
                    at("rurality"),
                    format!("expected urban or rural, found \"{other}\""),
                );
                None
            }
        };
        let ltc = match field(&rec, &idx, "ltc_count") {
            "5+" => Some(5),
            s => match whole_number(s) {
                Some(k) if k <= 5 => Some(k as usize),
                _ => {
                    problems.push(
                        at("ltc_count"),
                        format!("expected 0-5 or 5+, found \"{s}\""),
                    );
                    None
                }
            },
        };
        let condition = match idx
            .get("condition")
            .and_then(|&i| rec.get(i))
            .map(str::trim)
        {
            None => Some(0),
            Some(v) => match v.to_ascii_lowercase().as_str() {
                "0" | "0.0" | "no" | "false" | "" => Some(0),
                "1" | "1.0" | "yes" | "true" => Some(1),
                other => {
                    problems.push(
                        at("condition"),
                        format!("expected 1 or 0 (yes or no), found \"{other}\""),
                    );
                    None
                }
            },
        };
        let count =
            match whole_number(field(&rec, &idx, "count")).and_then(|c| u32::try_from(c).ok()) {
                Some(c) => Some(c),
                None => {
                    problems.push(
                        at("count"),
                        format!(
                            "expected a whole number of people >= 0, found \"{}\"",
                            field(&rec, &idx, "count")
                        ),
                    );
                    None
                }
            };
        if let (
            Some((first_age, last_age)),
            Some(sex),
            Some(imd),
            Some(rural),
            Some(ltc),
            Some(condition),
            Some(count),
        ) = (age, sex, imd, rural, ltc, condition, count)
        {
            // A band overlapping another row of the stratum is reported once, at its first
            // shared age.
            let shared = (first_age..=last_age).find_map(|age| {
                seen.get(&(age, sex, imd, rural, ltc, condition))
                    .map(|&first| (age, first))
            });
            if let Some((age, first)) = shared {
                let what = if first_age == last_age {
                    "this stratum".to_string()
                } else {
                    format!("age {age} of this stratum (bands must not overlap)")
                };
                problems.push(
                    numbering.place(line),
                    format!(
                        "expected one row per stratum; {what} is also on {}",
                        numbering.place(first)
                    ),
                );
            }
            for age in first_age..=last_age {
                seen.insert((age, sex, imd, rural, ltc, condition), line);
            }
            // Successive rows of one band and sex take offsets k·φ mod 1 (φ the golden
            // ratio's fraction), spread evenly over [0, 1) whatever their number.
            let banded = bands.entry((first_age, last_age, sex)).or_insert(0u32);
            let offset = (f64::from(*banded) * 0.618_033_988_749_894_9).fract();
            *banded += 1;
            let stratum = (sex, imd, ltc);
            for (age, count) in spread_over_band((first_age, last_age), stratum, count, offset) {
                rows.push(HeadCount {
                    age,
                    sex,
                    imd,
                    rural,
                    ltc,
                    condition,
                    count,
                });
            }
        }
    }
    let total: u64 = rows.iter().map(|r| u64::from(r.count)).sum();
    if problems.is_empty() && total == 0 {
        problems.push("count", "expected at least one person in the file");
    }
    if total > crate::scenario::validate::MAX_POPULATION {
        problems.push(
            "count",
            format!(
                "expected at most {} people in all (England is about 57 million), found {}",
                crate::report::thousands(crate::scenario::validate::MAX_POPULATION),
                crate::report::thousands(total)
            ),
        );
    }
    let flags_condition = idx.contains_key("condition");
    problems.into_result().map(|_| HeadCounts {
        rows,
        flags_condition,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error a CSV text gives, as the user sees it.
    fn error_of(text: &str) -> String {
        parse_counts("x.csv", text).unwrap_err().to_string()
    }

    #[test]
    fn reads_counts_with_0_based_coordinates() {
        let rows = parse_counts(
            "x.csv",
            "age,sex,imd_quintile,rurality,ltc_count,count\n45,F,1,urban,3,120\n100,M,5,rural,5+,3\n",
        )
        .unwrap();
        let row = |age, sex, imd, rural, ltc, count| HeadCount {
            age,
            sex,
            imd,
            rural,
            ltc,
            condition: 0,
            count,
        };
        assert_eq!(
            rows,
            HeadCounts {
                rows: vec![row(45, 0, 0, 0, 3, 120), row(100, 1, 4, 1, 5, 3)],
                flags_condition: false
            }
        );
    }

    /// Data that come banded by age: a band's people are spread over its single years of age
    /// by England's people of that age, sex and LTC count, keeping the total; `85+` runs to
    /// the top age. A band overlapping another row of the same stratum is an error, as a
    /// repeated row is.
    #[test]
    fn age_bands_are_spread_over_their_single_years() {
        const HEADER: &str = "age,sex,imd_quintile,rurality,ltc_count,count\n";
        let rows = parse_counts(
            "x.csv",
            &format!("{HEADER}20-24,F,1,urban,0,1000\n85+,M,2,rural,3,77\n40,F,1,urban,0,5\n"),
        )
        .unwrap()
        .rows;
        let band = |first: usize, last: usize, sex: usize| -> Vec<u32> {
            rows.iter()
                .filter(|r| (first..=last).contains(&r.age) && r.sex == sex)
                .map(|r| r.count)
                .collect()
        };
        let young = band(20, 24, 0);
        assert_eq!((young.len(), young.iter().sum::<u32>()), (5, 1000));
        let england = crate::population::synthesis::england_age_sex();
        let weight =
            |a: usize| england[a][0] * crate::population::multimorbidity::target(a, 0, 0)[0];
        let share: f64 = (20..=24).map(weight).sum();
        for (k, &n) in young.iter().enumerate() {
            let want = 1000.0 * weight(20 + k) / share;
            assert!(
                (f64::from(n) - want).abs() < 1.0,
                "age {}: {n} vs {want}",
                20 + k
            );
        }
        let old = band(85, 100, 1);
        assert_eq!((old.len(), old.iter().sum::<u32>()), (16, 77));
        assert!(old[0] > old[15], "more people at 85 than at 100: {old:?}");
        assert!(rows.iter().any(|r| r.age == 40 && r.count == 5));

        // Many rows of one person each in one band: their ages follow the band's structure
        // rather than all falling at the same age. 60 strata of one woman aged 85+.
        let mut text = HEADER.to_string();
        for imd in 1..=5 {
            for rurality in ["urban", "rural"] {
                for ltc in 0..=5 {
                    text += &format!("85+,F,{imd},{rurality},{ltc},1\n");
                }
            }
        }
        let ones = parse_counts("x.csv", &text).unwrap().rows;
        let ages: Vec<usize> = ones
            .iter()
            .filter(|r| r.count == 1)
            .map(|r| r.age)
            .collect();
        assert_eq!(ages.len(), 60);
        let distinct = ages.iter().collect::<std::collections::BTreeSet<_>>().len();
        assert!(distinct >= 8, "60 people at {distinct} ages: {ages:?}");
        assert!(
            ages.iter().any(|&a| a >= 90),
            "nobody 90 or older: {ages:?}"
        );
        // More conditions, older: a 65+ band of people with 5+ is spread older than one with
        // none.
        let mean_age = |ltc: &str| {
            let rows = parse_counts("x.csv", &format!("{HEADER}65+,F,3,urban,{ltc},10000\n"))
                .unwrap()
                .rows;
            rows.iter()
                .map(|r| (r.age * r.count as usize) as f64)
                .sum::<f64>()
                / 10000.0
        };
        let (many, none) = (mean_age("5+"), mean_age("0"));
        assert!(
            many > none + 2.0,
            "mean age {many} with 5+ conditions, {none} with none"
        );

        let overlap = error_of(&format!("{HEADER}20,F,1,urban,0,3\n18-24,F,1,urban,0,10\n"));
        assert!(
            overlap.contains(
                "line 3: expected one row per stratum; age 20 of this stratum (bands must not \
                 overlap) is also on line 2"
            ),
            "{overlap}"
        );
        for bad in ["24-20", "90-101", "x+", "20-", "+85"] {
            let msg = error_of(&format!("{HEADER}{bad},F,1,urban,0,10\n"));
            assert!(
                msg.contains("expected a whole age 0-100, a band such as 20-24"),
                "{bad}: {msg}"
            );
        }
    }

    #[test]
    fn every_bad_field_is_reported_with_line_and_column() {
        let msg = error_of("age,sex,imd_quintile,rurality,ltc_count,count\n130,X,0,town,7,-1\n");
        for col in [
            "column age",
            "column sex",
            "column imd_quintile",
            "column rurality",
            "column ltc_count",
            "column count",
        ] {
            assert!(msg.contains(&format!("x.csv: line 2, {col}")), "{msg}");
        }
    }

    /// The head counts a file gives are held to the population's limit, as population.size is.
    #[test]
    fn a_file_of_more_people_than_the_limit_is_refused() {
        let text = "age,sex,imd_quintile,rurality,ltc_count,count\n\
                    30,F,1,urban,0,150000000\n31,F,1,urban,0,60000000\n";
        assert!(
            error_of(text).contains("expected at most 200,000,000 people in all"),
            "{}",
            error_of(text)
        );
    }

    #[test]
    fn a_column_named_twice_is_an_error() {
        let e =
            error_of("age,sex,imd_quintile,rurality,ltc_count,count,count\n45,F,1,urban,3,120,7\n");
        assert!(e.contains("x.csv: column \"count\": appears twice"), "{e}");
    }

    #[test]
    fn missing_and_unknown_columns_and_duplicates_are_errors() {
        let e = error_of("age,sex,imd,rurality,ltc_count,count\n");
        assert!(
            e.contains("column \"imd\"") && e.contains("column \"imd_quintile\""),
            "{e}"
        );
        let e = error_of(
            "age,sex,imd_quintile,rurality,ltc_count,count\n1,F,1,urban,0,1\n1,F,1,urban,0,2\n",
        );
        assert!(e.contains("also on line 2"), "{e}");
        let e = error_of("age,sex,imd_quintile,rurality,ltc_count,count\n1,F,1,urban\n");
        assert!(e.contains("malformed CSV record"), "{e}");
    }
}
