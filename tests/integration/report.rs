//! Results people can use: the written tables, charts, workbook and report, read back.

use base64::Engine as _;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::common::read_parquet;
use crate::common::two_providers;
use polars::prelude::*;

const SCENARIO: &str = r#"
base = "default"
name = "report-test"
replications = 60
years = 3
[population]
size = 40000
"#;

/// One run shared by the tests in this module (written once, read many times).
fn run_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("report-test-{}", std::process::id()));
        std::fs::create_dir_all(&base).unwrap();
        std::fs::write(base.join("s.toml"), SCENARIO).unwrap();
        crate::common::run_to(&base.join("s.toml"), 2, &base.join("out"))
    })
}

fn read_csv(path: &Path) -> DataFrame {
    CsvReadOptions::default()
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .unwrap()
        .finish()
        .unwrap()
}

/// Equal to the penny (summary.csv rounds money to pence), whatever the size.
fn penny_close(got: f64, want: f64) -> bool {
    (got - want).abs() <= 0.005 + 1e-12 * want.abs()
}

fn type7(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

fn col_f64(df: &DataFrame, name: &str) -> Vec<f64> {
    let c = df.column(name).unwrap().cast(&DataType::Float64).unwrap();
    c.f64()
        .unwrap()
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect()
}

fn col_str(df: &DataFrame, name: &str) -> Vec<String> {
    let c = df.column(name).unwrap().cast(&DataType::String).unwrap();
    c.str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect()
}

#[test]
fn summary_percentiles_equal_those_computed_from_the_ledger() {
    let dir = run_dir();
    let summary = read_csv(&dir.join("summary.csv"));
    let ledger = read_parquet(&dir.join("ledger.parquet"));
    let term = read_parquet(&dir.join("ledger_term.parquet"));
    let (s_arm, s_party, s_hor) = (
        col_str(&summary, "arm"),
        col_str(&summary, "party"),
        col_str(&summary, "horizon"),
    );
    let mut checked = 0;
    for (frame, horizon) in [(&term, "term"), (&ledger, "2026")] {
        let (arm, party, role) = (
            col_str(frame, "arm"),
            col_str(frame, "party"),
            col_str(frame, "role"),
        );
        let (surplus, cost, income) = (
            col_f64(frame, "surplus"),
            col_f64(frame, "cost"),
            col_f64(frame, "income"),
        );
        let years = if horizon == "term" {
            vec![String::new(); arm.len()]
        } else {
            col_str(frame, "calendar_year")
        };
        for a in [
            "block",
            "pbr",
            "capitation",
            "outcomes",
            "blended",
            "capitation-flat",
        ] {
            for p in ["commissioner", "provider"] {
                let rows: Vec<usize> = (0..arm.len())
                    .filter(|&i| {
                        arm[i] == a && party[i] == p && (horizon == "term" || years[i] == horizon)
                    })
                    .collect();
                assert_eq!(rows.len(), 60);
                let is_c = role[rows[0]] == "commissioner";
                let mut v: Vec<f64> = rows
                    .iter()
                    .map(|&i| if is_c { cost[i] } else { surplus[i] })
                    .collect();
                v.sort_by(f64::total_cmp);
                let row = (0..s_arm.len())
                    .find(|&i| s_arm[i] == a && s_party[i] == p && s_hor[i] == horizon)
                    .expect("summary row");
                for (q, name) in [
                    (0.05, "p5"),
                    (0.25, "p25"),
                    (0.5, "p50"),
                    (0.75, "p75"),
                    (0.95, "p95"),
                ] {
                    let got = col_f64(&summary, name)[row];
                    let want = type7(&v, q);
                    assert!(
                        penny_close(got, want),
                        "{a} {p} {horizon} {name}: {got} vs {want}"
                    );
                }
                let mean = v.iter().sum::<f64>() / 60.0;
                assert!(penny_close(col_f64(&summary, "mean")[row], mean));
                if !is_c {
                    let losses = rows.iter().filter(|&&i| surplus[i] < 0.0).count() as f64 / 60.0;
                    assert!((col_f64(&summary, "p_loss")[row] - losses).abs() <= 5e-5);
                    let big = rows
                        .iter()
                        .filter(|&&i| surplus[i] < -0.02 * income[i])
                        .count() as f64
                        / 60.0;
                    assert!((col_f64(&summary, "p_loss_over_2pct")[row] - big).abs() <= 5e-5);
                    // Expected shortfall at 5%: the mean of the outcomes at or below the 5th percentile.
                    let cut = type7(&v, 0.05);
                    let worst: Vec<f64> = v.iter().copied().filter(|x| *x <= cut).collect();
                    let es = worst.iter().sum::<f64>() / worst.len() as f64;
                    assert!(penny_close(
                        col_f64(&summary, "expected_shortfall_5pct")[row],
                        es
                    ));
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 24);
}

#[test]
fn summary_is_byte_identical_for_the_same_seed_and_any_thread_count() {
    let dir = run_dir();
    let again = dir.parent().unwrap().join("again");
    crate::common::run_to(&dir.parent().unwrap().join("s.toml"), 1, &again);
    for f in ["summary.csv", "equity.csv"] {
        assert!(
            std::fs::read(dir.join(f)).unwrap() == std::fs::read(again.join(f)).unwrap(),
            "{f} differs"
        );
    }
}

fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

#[test]
fn every_chart_is_a_valid_non_blank_png_and_svg() {
    let dir = run_dir();
    for stem in [
        "provider_surplus",
        "commissioner_spend",
        "risk_corridors",
        "margin_by_deprivation",
    ] {
        let png = std::fs::read(dir.join(format!("{stem}.png")))
            .unwrap_or_else(|_| panic!("{stem}.png missing"));
        assert_eq!(
            png_size(&png),
            capsim::report::charts::SIZE,
            "{stem}.png size"
        );
        let img = image::load_from_memory(&png).unwrap().to_luma8();
        let dark = img.pixels().filter(|p| p.0[0] < 100).count() as f64 / img.len() as f64;
        let light = img.pixels().filter(|p| p.0[0] > 240).count() as f64 / img.len() as f64;
        assert!(
            dark > 0.005 && light > 0.3,
            "{stem}.png looks blank: {dark:.3} dark, {light:.3} light"
        );
        let svg = std::fs::read_to_string(dir.join(format!("{stem}.svg"))).unwrap();
        assert!(
            svg.contains("<svg") && svg.trim_end().ends_with("</svg>"),
            "{stem}.svg is not an SVG document"
        );
        assert!(
            svg.contains("width=\"1200\"") && svg.contains("height=\"750\""),
            "{stem}.svg size"
        );
        assert!(svg.matches("<text").count() > 5, "{stem}.svg has no labels");
        assert!(
            svg.contains("@font-face") && svg.contains("font/ttf;base64"),
            "{stem}.svg does not carry its font"
        );
    }
}

#[test]
fn charts_render_identically_every_time() {
    let dir = run_dir();
    let copy = dir.parent().unwrap().join("plot-copy");
    let _ = std::fs::remove_dir_all(&copy);
    crate::common::copy_folder(dir, &copy);
    std::fs::remove_file(copy.join("provider_surplus.png")).unwrap();
    crate::common::capsim_ok(&[OsStr::new("plot"), copy.as_os_str()], dir);
    for f in [
        "provider_surplus.png",
        "provider_surplus.svg",
        "margin_by_deprivation.png",
    ] {
        assert!(
            std::fs::read(dir.join(f)).unwrap() == std::fs::read(copy.join(f)).unwrap(),
            "{f} changed"
        );
    }
    // report rebuilds tables and page identically too.
    std::fs::remove_file(copy.join("report.html")).unwrap();
    std::fs::remove_file(copy.join("summary.csv")).unwrap();
    let out = crate::common::capsim_ok(&[OsStr::new("report"), copy.as_os_str()], dir);
    assert!(
        std::fs::read(dir.join("summary.csv")).unwrap()
            == std::fs::read(copy.join("summary.csv")).unwrap(),
        "summary.csv changed"
    );
    assert!(copy.join("report.html").exists());
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("P(loss)"),
        "no headline table printed"
    );
}

#[test]
fn report_embeds_every_chart_and_needs_no_network() {
    let html = std::fs::read_to_string(run_dir().join("report.html")).unwrap();
    for stem in [
        "provider_surplus",
        "commissioner_spend",
        "risk_corridors",
        "margin_by_deprivation",
    ] {
        assert!(
            html.contains(&format!("id=\"{stem}\"")),
            "report lacks {stem}"
        );
        assert!(html.contains(&format!("data-file=\"{stem}.png\"")));
    }
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), 4);
    for bad in ["http://", "https://", "<script", "<link"] {
        assert!(!html.contains(bad), "report refers to {bad}");
    }
    for words in [
        "The scenario",
        "Headline results",
        "What each payment model does",
        "How to reproduce",
        "seed <b>20261123</b>",
    ] {
        assert!(html.contains(words), "report lacks {words}");
    }
}

#[test]
fn equity_and_workbook_are_written() {
    let dir = run_dir();
    let eq = read_csv(&dir.join("equity.csv"));
    // 6 arms × (5 IMD quintiles + 6 LTC counts)
    assert_eq!(eq.height(), 6 * 11);
    let (arm, dim, lvl, margin) = (
        col_str(&eq, "arm"),
        col_str(&eq, "dimension"),
        col_f64(&eq, "level"),
        col_f64(&eq, "margin_per_head_mean"),
    );
    let at = |a: &str, d: &str, l: f64| {
        (0..arm.len())
            .find(|&i| arm[i] == a && dim[i] == d && lvl[i] == l)
            .map(|i| margin[i])
            .unwrap()
    };
    // A flat capitation pays the same for everyone: people with 5+ conditions lose the provider
    // thousands of pounds a year each, people with none earn it money (the cherry-picking signal);
    // full risk adjustment removes it.
    let flat = at("capitation-flat", "ltc_count", 0.0) - at("capitation-flat", "ltc_count", 5.0);
    let adjusted = at("capitation", "ltc_count", 0.0) - at("capitation", "ltc_count", 5.0);
    assert!(flat > 3000.0, "flat capitation: {flat}");
    assert!(
        adjusted.abs() < 0.1 * flat,
        "risk-adjusted capitation: {adjusted} vs flat {flat}"
    );
    // Each margin has its Monte Carlo error beside it, and the flat capitation's gap is far
    // beyond it: the signal is not the replications' noise.
    let se = col_f64(&eq, "margin_per_head_mean_se");
    let se_at = |d: &str, l: f64| {
        (0..arm.len())
            .find(|&i| arm[i] == "capitation-flat" && dim[i] == d && lvl[i] == l)
            .map(|i| se[i])
            .unwrap()
    };
    let (se0, se5) = (se_at("ltc_count", 0.0), se_at("ltc_count", 5.0));
    assert!(se0 > 0.0 && se5 > 0.0, "{se0} {se5}");
    assert!(
        flat > 10.0 * se0.hypot(se5),
        "gap {flat}, errors {se0} {se5}"
    );
    // By deprivation: a risk-adjusted capitation follows each quintile's cost, so the spread
    // of its margins across quintiles is far narrower than a flat one's.
    let quintiles = |a: &str| -> Vec<usize> {
        (0..arm.len())
            .filter(|&i| arm[i] == a && dim[i] == "imd_quintile")
            .collect()
    };
    let spread = |xs: Vec<f64>| {
        xs.iter().copied().fold(f64::MIN, f64::max) - xs.iter().copied().fold(f64::MAX, f64::min)
    };
    let margins = |a: &str| quintiles(a).iter().map(|&i| margin[i]).collect::<Vec<_>>();
    let (flat_spread, adjusted_spread) = (
        spread(margins("capitation-flat")),
        spread(margins("capitation")),
    );
    assert!(
        adjusted_spread < 0.5 * flat_spread,
        "margins by quintile: adjusted spread {adjusted_spread}, flat {flat_spread}"
    );
    let xlsx = std::fs::read(dir.join("summary.xlsx")).unwrap();
    assert_eq!(&xlsx[..2], b"PK", "summary.xlsx is not a workbook");
    assert!(xlsx.len() > 5_000);
}

/// Each group's margin less everyone's is worked back from equity.parquet, replication by
/// replication: the arm's margin over everyone is its groups' margins weighted by their
/// person-years. Its error is below the margin's own, since a replication's shocks move every
/// group together (far below it in a large population, where they are most of the noise), and
/// the gaps of a risk-adjusted capitation stay near £0.
#[test]
fn each_groups_gap_from_the_average_is_worked_back_from_the_replications() {
    let dir = run_dir();
    let eq = read_csv(&dir.join("equity.csv"));
    let reps = read_parquet(&dir.join("equity.parquet"));
    let (r_rep, r_arm, r_dim, r_lvl, r_py, r_m) = (
        col_f64(&reps, "rep"),
        col_str(&reps, "arm"),
        col_str(&reps, "dimension"),
        col_f64(&reps, "level"),
        col_f64(&reps, "person_years"),
        col_f64(&reps, "margin_per_head"),
    );
    let (arm, dim, lvl, gap, gap_se, margin_se) = (
        col_str(&eq, "arm"),
        col_str(&eq, "dimension"),
        col_f64(&eq, "level"),
        col_f64(&eq, "margin_vs_average_mean"),
        col_f64(&eq, "margin_vs_average_mean_se"),
        col_f64(&eq, "margin_per_head_mean_se"),
    );
    let everyone = col_f64(&eq, "margin_everyone_mean");
    let n_reps = r_rep.iter().map(|&r| r as usize).max().unwrap() + 1;
    for i in 0..arm.len() {
        let (gaps, everyones): (Vec<f64>, Vec<f64>) = (0..n_reps)
            .map(|rep| {
                let group =
                    |j: usize| r_rep[j] as usize == rep && r_arm[j] == arm[i] && r_dim[j] == dim[i];
                let rows: Vec<usize> = (0..r_rep.len()).filter(|&j| group(j)).collect();
                let weight: f64 = rows.iter().map(|&j| r_py[j]).sum();
                let everyone = rows.iter().map(|&j| r_m[j] * r_py[j]).sum::<f64>() / weight;
                let own = rows.iter().find(|&&j| r_lvl[j] == lvl[i]).unwrap();
                (r_m[*own] - everyone, everyone)
            })
            .unzip();
        let everyone_mean = everyones.iter().sum::<f64>() / n_reps as f64;
        assert!(
            (everyone[i] - everyone_mean).abs() < 0.006,
            "{} vs {everyone_mean}",
            everyone[i]
        );
        let mean = gaps.iter().sum::<f64>() / n_reps as f64;
        let sd =
            (gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / (n_reps - 1) as f64).sqrt();
        let label = format!("{} {} {}", arm[i], dim[i], lvl[i]);
        assert!(
            (gap[i] - mean).abs() < 0.006,
            "{label}: {} vs {mean}",
            gap[i]
        );
        let se = sd / (n_reps as f64).sqrt();
        assert!(
            (gap_se[i] - se).abs() < 0.006 + 0.01 * se,
            "{label}: {} vs {se}",
            gap_se[i]
        );
    }
    let at = |a: &str, d: &str, l: f64| {
        (0..arm.len())
            .find(|&i| arm[i] == a && dim[i] == d && lvl[i] == l)
            .unwrap()
    };
    // The deprivation gaps' errors are below the margins' own.
    for q in 1..=5 {
        let i = at("capitation-flat", "imd_quintile", f64::from(q));
        assert!(
            gap_se[i] < 0.8 * margin_se[i],
            "quintile {q}: {} vs {}",
            gap_se[i],
            margin_se[i]
        );
    }
    // A risk-adjusted capitation leaves people with 5+ conditions near the average; a flat one
    // leaves them thousands of pounds below it.
    assert!(gap[at("capitation-flat", "ltc_count", 5.0)] < -2000.0);
    assert!(gap[at("capitation", "ltc_count", 5.0)].abs() < 200.0);
}

#[test]
fn report_renders_in_headless_chromium() {
    let browser = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect(
            "no headless Chromium found: install it with `apt-get install chromium` (.ci/run does)",
        );
    let dir = run_dir();
    let profile = tempfile::tempdir().unwrap();
    let page = format!("file://{}", dir.join("report.html").display());
    // Headless and offline: no background connections on a machine without a network.
    let chromium = |extra: &[String]| {
        Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(&page)
            .output()
            .unwrap()
    };
    let shot = dir.parent().unwrap().join("report.png");
    let out = chromium(&[
        "--window-size=1200,2400".into(),
        format!("--screenshot={}", shot.display()),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let img = image::open(&shot).unwrap().to_luma8();
    assert_eq!((img.width(), img.height()), (1200, 2400));
    let dark = img.pixels().filter(|p| p.0[0] < 128).count() as f64 / img.len() as f64;
    assert!(dark > 0.01, "the rendered report is blank ({dark:.4} dark)");
    let dom = chromium(&["--dump-dom".into()]);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("Headline results")
            && dom.contains("Trade-offs at a glance")
            && dom.matches("<img").count() == 4,
        "DOM incomplete"
    );
    // Printed (the print stylesheet: A4, no table split, headings kept with what follows), the
    // report is a handful of pages.
    let pdf = dir.parent().unwrap().join("report.pdf");
    let out = chromium(&[
        "--no-pdf-header-footer".into(),
        format!("--print-to-pdf={}", pdf.display()),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"), "not a PDF");
    let text = String::from_utf8_lossy(&bytes);
    let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    assert!((2..=8).contains(&pages), "{pages} printed pages");
}

/// arm_differences.csv agrees with summary.csv: each mean difference is the arms' term means'
/// difference and each difference of medians their p50s' (to the penny both are rounded to);
/// a provider's surplus and the commissioner's spend are the figures, every party and every
/// pair of arms has a row, and the share of futures with a higher figure is a probability.
#[test]
fn arm_differences_agree_with_the_summary() {
    let dir = run_dir();
    let summary = read_csv(&dir.join("summary.csv"));
    let (arm, party, horizon) = (
        col_str(&summary, "arm"),
        col_str(&summary, "party"),
        col_str(&summary, "horizon"),
    );
    let (mean, p50) = (col_f64(&summary, "mean"), col_f64(&summary, "p50"));
    let term = |a: &str, p: &str| {
        (0..arm.len())
            .find(|&i| arm[i] == a && party[i] == p && horizon[i] == "term")
            .unwrap_or_else(|| panic!("no term row for {a}, {p}"))
    };
    let d = read_csv(&dir.join("arm_differences.csv"));
    let (d_party, d_arm, against) = (
        col_str(&d, "party"),
        col_str(&d, "arm"),
        col_str(&d, "against"),
    );
    let arms: std::collections::BTreeSet<&String> = arm.iter().collect();
    let parties: std::collections::BTreeSet<&String> = party.iter().collect();
    let pairs = arms.len() * (arms.len() - 1) / 2;
    assert!(arms.len() >= 2);
    assert_eq!(d.height(), parties.len() * pairs);
    let (mean_difference, p50_difference, higher) = (
        col_f64(&d, "mean_difference"),
        col_f64(&d, "difference_of_p50s"),
        col_f64(&d, "p_higher"),
    );
    for k in 0..d.height() {
        let (a, b) = (term(&d_arm[k], &d_party[k]), term(&against[k], &d_party[k]));
        let what = format!("{} against {} for {}", d_arm[k], against[k], d_party[k]);
        assert!(
            (mean_difference[k] - (mean[a] - mean[b])).abs() <= 0.011,
            "{what}: mean {} against {}",
            mean_difference[k],
            mean[a] - mean[b]
        );
        assert!(
            (p50_difference[k] - (p50[a] - p50[b])).abs() <= 0.011,
            "{what}: median {} against {}",
            p50_difference[k],
            p50[a] - p50[b]
        );
        assert!((0.0..=1.0).contains(&higher[k]), "{what}: {}", higher[k]);
    }
}

/// The workbook has a headed sheet per table, with numbers stored as numbers.
#[test]
fn workbook_holds_both_tables_as_numbers() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let dir = run_dir();
    let mut book: Xlsx<_> = open_workbook(dir.join("summary.xlsx")).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "summary",
            "equity",
            "arm_differences",
            "outcomes",
            "columns",
            "assumptions",
            "run"
        ]
    );
    let summary = read_csv(&dir.join("summary.csv"));
    let sheet = book.worksheet_range("summary").unwrap();
    // Row 1 holds the headers (what pandas and readxl take by default), data from row 2.
    assert_eq!(sheet.start(), Some((0, 0)));
    let headers: Vec<String> = (0..summary.width())
        .map(|c| sheet.get_value((0, c as u32)).unwrap().to_string())
        .collect();
    let names: Vec<String> = summary
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(headers, names);
    assert_eq!(sheet.height(), 1 + summary.height());
    let p50 = names.iter().position(|n| n == "p50").unwrap() as u32;
    let csv_p50 = col_f64(&summary, "p50");
    for (r, want) in csv_p50.iter().enumerate() {
        match sheet.get_value((1 + r as u32, p50)) {
            // The workbook keeps every digit; the CSV is to the penny.
            Some(Data::Float(x)) => assert!(penny_close(*x, *want), "{x} vs {want}"),
            other => panic!("p50 row {r} is not a number: {other:?}"),
        }
    }
    // Years are numbers; the whole term is the word `term`.
    let horizon = names.iter().position(|n| n == "horizon").unwrap() as u32;
    for (r, want) in col_str(&summary, "horizon").iter().enumerate() {
        match (
            sheet.get_value((1 + r as u32, horizon)),
            want.parse::<f64>(),
        ) {
            (Some(Data::Float(x)), Ok(year)) => assert_eq!(*x, year),
            (Some(Data::String(t)), Err(_)) => assert_eq!(t, want),
            (other, _) => panic!("horizon row {r}: {other:?} for {want}"),
        }
    }
    let equity = book.worksheet_range("equity").unwrap();
    assert_eq!(
        equity.height(),
        1 + read_csv(&dir.join("equity.csv")).height()
    );
    // Every column of every data sheet is described, money with its unit.
    let columns = book.worksheet_range("columns").unwrap();
    let described: Vec<(String, String, String, String)> = columns
        .rows()
        .skip(1)
        .map(|r| {
            (
                r[0].to_string(),
                r[1].to_string(),
                r[2].to_string(),
                r[3].to_string(),
            )
        })
        .collect();
    assert_eq!(
        described.len(),
        summary.width()
            + read_csv(&dir.join("equity.csv")).width()
            + read_csv(&dir.join("arm_differences.csv")).width()
            + read_csv(&dir.join("outcomes.csv")).width()
    );
    for (sheet, column, unit, text) in &described {
        assert!(!text.is_empty(), "{sheet}.{column} has no description");
        if ["mean", "p50", "p50_se", "expected_shortfall_5pct"].contains(&column.as_str())
            && sheet == "summary"
        {
            assert!(unit.starts_with('£'), "{column}: unit {unit}");
        }
    }
    // The assumptions, each with its source; the run's provenance.
    let assumptions = book.worksheet_range("assumptions").unwrap();
    let leaver = assumptions
        .rows()
        .find(|r| r[0] == "transitions.leaver_rate")
        .expect("leaver rate listed");
    assert!(
        !leaver[2].to_string().is_empty(),
        "leaver rate has a source"
    );
    let run = book.worksheet_range("run").unwrap();
    let seed = run.rows().find(|r| r[0] == "seed").unwrap()[1].to_string();
    let info: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("run.json")).unwrap()).unwrap();
    assert_eq!(seed, info["seed"].to_string());
}

/// Two providers; in one arm each holds its own contract, in the other a lead provider holds
/// everything and pays the other at tariff.
const TWO_PROVIDERS: &str = r#"
base = "default"
name = "two-providers"
replications = 40
years = 3
start_year = 2025
[population]
size = 20000

[[provider]]
name = "community-trust"
activity = ["mental_health", "community"]
[[provider]]
name = "acute-and-primary"
activity = ["gp", "outpatient", "ae", "elective", "non_elective", "nel_bed_days", "prescribing", "ambulance"]

[[arm]]
name = "blended"
preset = "blended"

[[arm]]
name = "lead-community"
lead = "community-trust"
[[arm.component]]
kind = "fixed"
share = 0.9
index = "expected_cost"
[[arm.component]]
kind = "outcome"
pool_share = 0.1
[[arm.component.indicators]]
indicator = "non_elective_per_1000"
weight = 1.0
target_vs_expected = 1.02
"#;

/// Two figures of summary.csv (each rounded to the penny) that should be equal.
fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= 0.01 + 1e-12 * want.abs()
}

/// With several providers the report adds "all providers": per replication the providers'
/// surpluses summed, and the commissioner's spend is exactly what the providers receive from it.
#[test]
fn several_providers_are_reported_together_as_all_providers() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("two.toml"), TWO_PROVIDERS).unwrap();
    let out = crate::common::capsim_ok(
        &["run", "two.toml", "--threads", "2", "--out", "run"],
        tmp.path(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Surplus of the providers together"),
        "terminal headline: {stdout}"
    );
    let dir = tmp.path().join("run");
    let summary = read_csv(&dir.join("summary.csv"));
    let (s_arm, s_party, s_role, s_hor) = (
        col_str(&summary, "arm"),
        col_str(&summary, "party"),
        col_str(&summary, "role"),
        col_str(&summary, "horizon"),
    );
    let (s_reps, s_mean, s_income) = (
        col_f64(&summary, "replications"),
        col_f64(&summary, "mean"),
        col_f64(&summary, "mean_income"),
    );
    let row = |arm: &str, party: &str, horizon: &str| {
        (0..s_arm.len())
            .find(|&i| s_arm[i] == arm && s_party[i] == party && s_hor[i] == horizon)
            .unwrap_or_else(|| panic!("summary has no row for {arm}, {party}, {horizon}"))
    };
    let ledger = read_parquet(&dir.join("ledger.parquet"));
    let term = read_parquet(&dir.join("ledger_term.parquet"));
    let mut subcontracted = 0.0;
    for (frame, horizons) in [
        (&ledger, vec!["2025", "2026", "2027"]),
        (&term, vec!["term"]),
    ] {
        let (arm, party, rep) = (
            col_str(frame, "arm"),
            col_str(frame, "party"),
            col_f64(frame, "rep"),
        );
        let (income, cost, surplus, sub) = (
            col_f64(frame, "income"),
            col_f64(frame, "cost"),
            col_f64(frame, "surplus"),
            col_f64(frame, "subcontract"),
        );
        let year = if horizons == ["term"] {
            vec!["term".to_string(); arm.len()]
        } else {
            col_str(frame, "calendar_year")
        };
        for a in ["blended", "lead-community"] {
            for h in &horizons {
                // Per replication: the commissioner's spend, the providers' summed surplus and
                // what they received from the commissioner (a subcontractor's income comes
                // from the lead provider instead).
                let mut spend = vec![0.0; 40];
                let mut together = vec![0.0; 40];
                let mut from_commissioner = vec![0.0; 40];
                for i in (0..arm.len()).filter(|&i| arm[i] == a && year[i] == *h) {
                    let r = rep[i] as usize;
                    if party[i] == "commissioner" {
                        spend[r] += cost[i];
                    } else {
                        assert!(
                            ["community-trust", "acute-and-primary"].contains(&party[i].as_str()),
                            "unexpected party {}",
                            party[i]
                        );
                        together[r] += surplus[i];
                        from_commissioner[r] += income[i] - sub[i].max(0.0);
                        subcontracted += sub[i].abs();
                    }
                }
                for (r, (got, paid)) in from_commissioner.iter().zip(&spend).enumerate() {
                    assert!(
                        close(*got, *paid),
                        "{a} {h} rep {r}: providers received {got} from a commissioner that paid {paid}"
                    );
                }
                let all = row(a, "all providers", h);
                assert_eq!(s_role[all], "all providers");
                assert_eq!(s_reps[all], 40.0);
                let mean = together.iter().sum::<f64>() / 40.0;
                assert!(
                    close(s_mean[all], mean),
                    "{a} {h}: all providers' mean surplus {} vs {mean} from the ledger",
                    s_mean[all]
                );
                let each: f64 = ["community-trust", "acute-and-primary"]
                    .iter()
                    .map(|p| s_mean[row(a, p, h)])
                    .sum();
                assert!(
                    close(s_mean[all], each),
                    "{a} {h}: all providers {} vs the providers' means summed {each}",
                    s_mean[all]
                );
                together.sort_by(f64::total_cmp);
                for (q, name) in [(0.05, "p5"), (0.5, "p50"), (0.95, "p95")] {
                    let got = col_f64(&summary, name)[all];
                    assert!(
                        close(got, type7(&together, q)),
                        "{a} {h} {name}: {got} vs {} from the ledger",
                        type7(&together, q)
                    );
                }
                let comm = row(a, "commissioner", h);
                assert!(
                    close(s_income[all], s_mean[comm]),
                    "{a} {h}: all providers received {} on average, the commissioner spent {}",
                    s_income[all],
                    s_mean[comm]
                );
            }
        }
    }
    assert!(
        subcontracted > 0.0,
        "the lead provider paid nothing: conservation untested"
    );
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    for words in [
        "<b>community-trust</b>",
        "<b>acute-and-primary</b>",
        "Surplus of the providers together over the whole term",
        "The providers' surplus over the",
        "The providers' median result is",
    ] {
        assert!(html.contains(words), "report lacks {words}");
    }
    // Each provider's own result too, arm by arm: summary.csv's median and chance of a loss
    // (the headline's "all providers" would hide one provider's loss behind another's gain).
    let each = html
        .split("<h3>Each provider</h3>")
        .nth(1)
        .and_then(|rest| rest.split("</table>").next())
        .expect("an Each provider table");
    let (p50, p_loss) = (col_f64(&summary, "p50"), col_f64(&summary, "p_loss"));
    // In £m to two places: the unit of the table's largest figure, between £1m and £10m.
    let in_millions = |x: f64| {
        let m = x / 1e6;
        assert!(m.abs() < 10.0, "{m}");
        format!("{}£{:.2}m", if m < 0.0 { "−" } else { "" }, m.abs())
    };
    for arm in ["blended", "lead-community"] {
        let cells = each
            .split(&format!("<td>{arm}</td>"))
            .nth(1)
            .and_then(|rest| rest.split("</tr>").next())
            .unwrap_or_else(|| panic!("no row for {arm}"));
        for provider in ["community-trust", "acute-and-primary"] {
            let i = row(arm, provider, "term");
            // P(loss) as someone reading summary.csv's p_loss (to three places) rounds it: a
            // half up (0.575 is 58%).
            let percent = ((p_loss[i] * 1000.0).round() / 10.0).round();
            for figure in [in_millions(p50[i]), format!("{percent:.0}%")] {
                assert!(
                    cells.contains(&figure),
                    "{arm}, {provider}: {figure} not in {cells}"
                );
            }
        }
    }
    // Regression: the party's name was put into sentences as it stands.
    for wrong in [
        "the all providers",
        "all providers's",
        "How much all providers",
    ] {
        assert!(!html.contains(wrong), "report says {wrong:?}");
    }
}

/// A cohort with 3+ LTCs has nobody in the groups with 0-2 LTCs: their per-head figures are
/// empty cells, never NaN (regression: the shipped bnssg-cohort scenario wrote NaN).
#[test]
fn empty_groups_have_no_per_head_figures_and_no_nan() {
    let dir = tempfile::tempdir().unwrap();
    let bnssg = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bnssg-cohort.toml");
    let scenario = dir.path().join("short.toml");
    std::fs::write(
        &scenario,
        format!(
            "base = \"{}\"\nname = \"bnssg-short\"\nreplications = 30\nyears = 3\n",
            bnssg.display()
        ),
    )
    .unwrap();
    crate::common::run_to(&scenario, 2, &dir.path().join("r"));
    for file in ["equity.csv", "summary.csv"] {
        let text = std::fs::read_to_string(dir.path().join("r").join(file)).unwrap();
        assert!(!text.to_lowercase().contains("nan"), "{file} holds NaN");
    }
    let equity = read_csv(&dir.path().join("r/equity.csv"));
    let (dim, lvl, years, margin) = (
        col_str(&equity, "dimension"),
        col_f64(&equity, "level"),
        col_f64(&equity, "person_years"),
        col_f64(&equity, "margin_per_head_mean"),
    );
    let mut empty = 0;
    for i in 0..dim.len() {
        if dim[i] == "ltc_count" && lvl[i] < 3.0 {
            assert_eq!(years[i], 0.0);
            assert!(
                margin[i].is_nan(),
                "an empty group has a margin: {}",
                margin[i]
            );
            empty += 1;
        } else if dim[i] == "ltc_count" {
            assert!(years[i] > 0.0 && margin[i].is_finite());
        }
    }
    assert!(empty > 0);
}

/// A commissioner that receives more than it pays (an activity plan that refunds volume below a
/// baseline far below the place's) has a negative spend per head: the report's headline table
/// shows it with its sign, as summary.csv has it, not as £0.
#[test]
fn a_negative_spend_per_head_keeps_its_sign() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("refund.toml");
    std::fs::write(
        &scenario,
        "base = \"default\"\nname = \"refund\"\nreplications = 20\nyears = 2\n\
         [population]\nsize = 20000\n[[arm]]\nname = \"refund\"\n[[arm.component]]\n\
         kind = \"activity\"\nprice_share = 0.0\nbaseline_volume = 10\nmarginal_rate = 1\n\
         below_baseline_rate = 1\n",
    )
    .unwrap();
    let out = crate::common::run_to(&scenario, 2, &dir.path().join("r"));
    let summary = read_csv(&out.join("summary.csv"));
    let (party, horizon) = (col_str(&summary, "party"), col_str(&summary, "horizon"));
    let row = (0..summary.height())
        .find(|&i| party[i] == "commissioner" && horizon[i] == "term")
        .expect("the commissioner's term row");
    let per_head = col_f64(&summary, "spend_per_head")[row];
    assert!(
        per_head < -1000.0,
        "the test needs a negative spend: {per_head}"
    );
    let shown = format!(
        "−£{}",
        capsim::report::thousands(per_head.abs().round() as u64)
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let headline = between(&html, "<table class=\"headline\">", "</table>");
    assert!(
        headline.contains(&shown),
        "{shown} not in the headline table: {headline}"
    );
}

/// One person, who dies or moves away in some futures: years with nobody covered happen (the
/// run is checked to have some), and no table, CSV or Parquet, holds NaN or infinity.
#[test]
fn a_population_of_one_writes_no_nan_or_infinity() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("one.toml");
    std::fs::write(
        &scenario,
        "base = \"default\"\nname = \"one\"\nreplications = 60\n[population]\nsize = 1\n",
    )
    .unwrap();
    let out = crate::common::run_to(&scenario, 2, &dir.path().join("r"));
    let world = read_parquet(&out.join("world.parquet"));
    let covered = world.column("covered_head_count").unwrap();
    let nobody = covered.cast(&DataType::Float64).unwrap();
    assert!(
        nobody.f64().unwrap().iter().any(|n| n == Some(0.0)),
        "no year with nobody covered: the test needs one"
    );
    let mut csvs = 0;
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => {
                let text = std::fs::read_to_string(&path).unwrap().to_lowercase();
                let bad = text
                    .split([',', '\n'])
                    .any(|cell| ["nan", "inf"].contains(&cell.trim_start_matches('-')));
                assert!(!bad, "{} holds NaN or infinity", path.display());
                csvs += 1;
            }
            Some("parquet") => {
                crate::common::assert_parquet_finite(&path);
            }
            _ => {}
        }
    }
    assert!(csvs >= 3, "summary, equity and outcomes tables expected");
    // A place of one is said to be one person, and what its figures can tell is cautioned,
    // in the report and on the terminal.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("This run follows <b>1</b> person ("),
        "one person"
    );
    let caution = "nly 1 person is followed: below 100 people a person or two's care is the \
                   whole result";
    assert!(
        html.contains(&format!("<p class=\"warning\">O{caution}")),
        "no caution"
    );
    let (code, _, err) = crate::common::capsim(&["validate", "one.toml"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!(
            "capsim: warning: one.toml: population: o{caution}"
        )),
        "{err}"
    );
}

/// Two providers and a prevention programme paid for by one of them, run under two contracts;
/// a third arm runs no programme.
const INTERVENTION: &str = concat!(
    r#"
base = "default"
name = "who-gains"
replications = 30
years = 3
[population]
size = 20000

"#,
    two_providers!(),
    r#"

[[intervention]]
name = "prevention"
target = { age_min = 20, age_max = 64, ltc_min = 2 }
uptake = 0.6
cost_per_person_year = 150
paid_by = "community"
[intervention.effect]
onset = 0.7
[intervention.effect.activity]
non_elective = 0.6
nel_bed_days = 0.6

[[arm]]
name = "pbr"
preset = "pbr"
[[arm]]
name = "pbr-prevention"
preset = "pbr"
interventions = ["prevention"]
[[arm]]
name = "block-prevention"
preset = "block"
interventions = ["prevention"]
"#
);

/// A gain as the report states it (the figures here stay below £100m).
fn money_gain(x: f64) -> String {
    let a = x.abs();
    if a >= 0.9995e6 {
        format!("£{:.1}m", a / 1e6)
    } else if a >= 999.5 {
        format!("£{:.0}k", a / 1e3)
    } else {
        format!("£{a:.0}")
    }
}

/// The text between `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let i = text
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in the text"));
    let rest = &text[i + start.len()..];
    &rest[..rest
        .find(end)
        .unwrap_or_else(|| panic!("no {end:?} after {start:?}"))]
}

/// `capsim run` of [`INTERVENTION`] in a new temporary folder: the folder, the run's, and what
/// the run printed.
fn intervention_run() -> (tempfile::TempDir, PathBuf, String) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("gains.toml"), INTERVENTION).unwrap();
    let out = crate::common::capsim_ok(
        &["run", "gains.toml", "--threads", "2", "--out", "run"],
        tmp.path(),
    );
    let dir = tmp.path().join("run");
    (tmp, dir, String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The terminal says who gains: a row per intervention arm with each party's mean gain as
/// who_gains.csv has it (in the table's unit, to the digits shown), and that the headline rows
/// are the arms' own worlds, with their interventions.
#[test]
fn the_terminal_says_who_gains() {
    let (_tmp, dir, stdout) = intervention_run();
    assert!(
        stdout.contains("An arm that runs interventions is shown with them"),
        "{stdout}"
    );
    let section = between(
        &stdout,
        "Who gains from the interventions over the",
        "replications",
    );
    let unit = if section.contains("term, £m:") {
        1e6
    } else if section.contains("term, £k:") {
        1e3
    } else {
        1.0
    };
    let lines: Vec<&str> = section.lines().skip(1).collect();
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(header[0], "arm", "{section}");
    let table = read_csv(&dir.join("who_gains.csv"));
    let (arm, party, mean) = (
        col_str(&table, "arm"),
        col_str(&table, "party"),
        col_f64(&table, "mean"),
    );
    for i in 0..arm.len() {
        let row = lines
            .iter()
            .find(|l| l.split_whitespace().next() == Some(arm[i].as_str()))
            .unwrap_or_else(|| panic!("no row for {} in\n{section}", arm[i]));
        let column = header.iter().position(|h| *h == party[i]).unwrap();
        // Each cell is "value ± error": the value is the column's (3 tokens a cell).
        let shown: f64 = row
            .split_whitespace()
            .nth(1 + 3 * (column - 1))
            .unwrap()
            .parse()
            .unwrap();
        let decimals = row
            .split_whitespace()
            .nth(1 + 3 * (column - 1))
            .unwrap()
            .split('.')
            .nth(1)
            .map_or(0, str::len);
        assert!(
            (shown - mean[i] / unit).abs() <= 0.5 * 10f64.powi(-(decimals as i32)) + 1e-9,
            "{} {}: shown {shown}, who_gains.csv {}",
            arm[i],
            party[i],
            mean[i]
        );
    }
}

/// Who gains: the table, chart and report section agree with the run's own per-replication gains.
#[test]
fn an_intervention_arm_gets_who_gains_table_chart_and_sentences() {
    let (tmp, dir, _) = intervention_run();

    // The table: one row per intervention arm and party, the system last; its medians are those
    // of the per-replication gains.
    let table = read_csv(&dir.join("who_gains.csv"));
    let (arm, party, role) = (
        col_str(&table, "arm"),
        col_str(&table, "party"),
        col_str(&table, "role"),
    );
    let (p5, p50, p95, p_gain) = (
        col_f64(&table, "p5"),
        col_f64(&table, "p50"),
        col_f64(&table, "p95"),
        col_f64(&table, "p_gain"),
    );
    let mean = col_f64(&table, "mean");
    let (mean_se, p50_se, p_gain_se) = (
        col_f64(&table, "mean_se"),
        col_f64(&table, "p50_se"),
        col_f64(&table, "p_gain_se"),
    );
    let parties = ["commissioner", "acute", "community", "system"];
    let want: Vec<(String, String)> = ["pbr-prevention", "block-prevention"]
        .iter()
        .flat_map(|a| parties.iter().map(|p| (a.to_string(), p.to_string())))
        .collect();
    let got: Vec<(String, String)> = arm.iter().cloned().zip(party.iter().cloned()).collect();
    assert_eq!(got, want, "who_gains.csv rows");
    let per_rep = read_parquet(&dir.join("who_gains.parquet"));
    let (r_arm, r_party, r_gain) = (
        col_str(&per_rep, "arm"),
        col_str(&per_rep, "party"),
        col_f64(&per_rep, "gain"),
    );
    for i in 0..arm.len() {
        let mut v: Vec<f64> = (0..r_arm.len())
            .filter(|&j| r_arm[j] == arm[i] && r_party[j] == party[i])
            .map(|j| r_gain[j])
            .collect();
        assert_eq!(v.len(), 30);
        v.sort_by(f64::total_cmp);
        assert!(close(p50[i], type7(&v, 0.5)), "{} {} p50", arm[i], party[i]);
        // Beside each figure its Monte Carlo error, worked out as summary.csv's: sd / √n for
        // the mean, Agresti–Coull for the chance of gaining (never 0), and a median's error
        // that vanishes only when the gains do not vary.
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        assert!(
            close(mean_se[i], sd / n.sqrt()),
            "{} {} mean_se",
            arm[i],
            party[i]
        );
        let gained = (v.iter().filter(|&&x| x > 0.0).count() as f64 + 2.0) / (n + 4.0);
        let want = (gained * (1.0 - gained) / (n + 4.0)).sqrt();
        assert!(
            (p_gain_se[i] - want).abs() < 1e-4,
            "{} {} p_gain_se",
            arm[i],
            party[i]
        );
        assert_eq!(
            p50_se[i] > 0.0,
            v[0] != v[v.len() - 1],
            "{} {} p50_se",
            arm[i],
            party[i]
        );
    }
    let row = |a: &str, p: &str| {
        (0..arm.len())
            .find(|&i| arm[i] == a && party[i] == p)
            .unwrap()
    };
    // The programme makes a difference: community pays for it and loses under both contracts;
    // a block contract leaves the commissioner's spend exactly as it was.
    for a in ["pbr-prevention", "block-prevention"] {
        assert!(
            p95[row(a, "community")] < 0.0,
            "{a}: community does not lose"
        );
    }
    let block = row("block-prevention", "commissioner");
    assert_eq!((p5[block], p50[block], p95[block]), (0.0, 0.0, 0.0));
    assert!(p50[row("pbr-prevention", "commissioner")] > 0.0);

    // The chart, as PNG and SVG.
    let png = std::fs::read(dir.join("who_gains.png")).expect("who_gains.png");
    let (w, h) = png_size(&png);
    assert_eq!(w, capsim::report::charts::SIZE.0);
    // Every row the same height: a heading per arm and a bar per row of the table.
    let arms = arm.iter().collect::<std::collections::BTreeSet<_>>().len();
    assert_eq!(h, 240 + 44 * (arm.len() + arms) as u32, "{arms} arms");
    let img = image::load_from_memory(&png).unwrap().to_luma8();
    let dark = img.pixels().filter(|p| p.0[0] < 100).count() as f64 / img.len() as f64;
    assert!(dark > 0.005, "who_gains.png looks blank");
    let svg = std::fs::read_to_string(dir.join("who_gains.svg")).unwrap();
    assert!(svg.trim_end().ends_with("</svg>") && svg.contains("@font-face"));
    for words in [
        "pbr-prevention",
        "block-prevention",
        "whole system (net)",
        "gain (+) / loss (−)",
    ] {
        assert!(svg.contains(words), "who_gains.svg lacks {words}");
    }

    // Year by year, a whisker per arm, party and year, from that year's 5th percentile to its
    // 95th (who_gains_by_year.csv): each as long as its spread on the one scale of all panels.
    let by_year = read_csv(&dir.join("who_gains_by_year.csv"));
    let spread: Vec<f64> = col_f64(&by_year, "p95")
        .iter()
        .zip(col_f64(&by_year, "p5"))
        .map(|(hi, lo)| hi - lo)
        .collect();
    assert_eq!(spread.len(), 2 * 4 * 3, "arms × parties × years");
    // Every chart of the run is one SVG document, however many panels it has (a panel that
    // closed the document wrote the rest after its end).
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "svg") {
            let svg = std::fs::read_to_string(&path).unwrap();
            assert!(
                svg.matches("</svg>").count() == 1 && svg.trim_end().ends_with("</svg>"),
                "{} is not one SVG document",
                path.display()
            );
        }
    }
    let svg = std::fs::read_to_string(dir.join("who_gains_by_year.svg")).unwrap();
    let whiskers: Vec<f64> = svg
        .lines()
        .filter(|l| l.starts_with("<polyline") && l.contains("opacity=\"0.8\""))
        .map(|l| {
            let points = l
                .split("points=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let ys: Vec<f64> = points
                .split_whitespace()
                .map(|p| p.split_once(',').unwrap().1.parse().unwrap())
                .collect();
            (ys[0] - ys[ys.len() - 1]).abs()
        })
        .collect();
    assert_eq!(whiskers.len(), spread.len(), "one whisker per row");
    let widest = (0..spread.len())
        .max_by(|&a, &b| spread[a].total_cmp(&spread[b]))
        .unwrap();
    let px_per_pound = whiskers[widest] / spread[widest];
    for (i, (&px, &pounds)) in whiskers.iter().zip(&spread).enumerate() {
        assert!(
            (px - pounds * px_per_pound).abs() <= 1.5,
            "row {i}: whisker {px} px for £{pounds}"
        );
    }

    // The report section: heading, chart, table and one sentence per intervention arm.
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let section = between(&html, "<section id=\"who-gains\">", "</section>");
    assert!(section.contains("Who gains from the intervention?"));
    assert!(section.contains("data-file=\"who_gains.png\""));
    for p in [
        "commissioner",
        "acute",
        "community (pays for programme)",
        "whole system (net)",
    ] {
        assert!(
            section.contains(&format!("<td>{p}</td>")),
            "table lacks party {p}"
        );
    }
    assert!(
        html.contains("<code>who_gains.csv</code>"),
        "files list lacks who_gains.csv"
    );
    let sentences: Vec<&str> = between(section, "<ul class=\"sentences\">", "</ul>")
        .split("<li>")
        .skip(1)
        .map(|s| s.trim_end_matches("</li>"))
        .collect();
    assert_eq!(sentences.len(), 2, "one sentence per intervention arm");
    for (s, a) in sentences.iter().zip(["pbr-prevention", "block-prevention"]) {
        assert!(s.starts_with(&format!("Under {a}, ")), "{s}");
        // The sentences state the averages, which add up across the parties.
        let scale = parties
            .iter()
            .map(|p| mean[row(a, p)].abs())
            .fold(0.0, f64::max);
        for p in parties {
            let i = row(a, p);
            let money = money_gain(mean[i]);
            let phrase = match (role[i].as_str(), mean[i] > 0.0) {
                ("commissioner", true) => format!("the commissioner saves {money}"),
                ("commissioner", false) => format!("spends {money} more"),
                ("system", true) => format!("the system saves {money} net"),
                ("system", false) => format!("the system loses {money} net"),
                (_, true) => format!("{p} gains {money}"),
                (_, false) => format!("loses {money}"),
            };
            if p5[i] == 0.0 && p95[i] == 0.0 {
                assert!(s.contains("the commissioner's spend is unchanged"), "{s}");
            } else if mean[i].abs() > 0.1 * scale {
                // A clear gain or loss is stated with its average.
                assert!(s.contains(&phrase), "{a} {p}: {phrase:?} not in {s:?}");
                if p5[i] < 0.0 && p95[i] > 0.0 {
                    let chance = format!("{:.0}%", 100.0 * p_gain[i]);
                    assert!(
                        s.contains("could go either way") && s.contains(&chance),
                        "{a} {p}: uncertainty not stated in {s:?}"
                    );
                }
            } else {
                assert!(
                    s.contains(&phrase) || s.contains("roughly break"),
                    "{a} {p}: neither {phrase:?} nor breaking even in {s:?}"
                );
            }
        }
        // The party that pays for the programme is named as its payer, with what it paid.
        assert!(
            s.contains("community, which pays for the programme ("),
            "payer not named in {s:?}"
        );
    }
    // `capsim report` rebuilds the same table and chart from the run folder.
    let copy = tmp.path().join("copy");
    crate::common::copy_folder(&dir, &copy);
    for f in [
        "who_gains.csv",
        "who_gains.png",
        "outcomes.csv",
        "report.html",
    ] {
        std::fs::remove_file(copy.join(f)).unwrap();
    }
    crate::common::capsim_ok(&[OsStr::new("report"), copy.as_os_str()], tmp.path());
    for f in ["who_gains.csv", "who_gains.png", "outcomes.csv"] {
        assert!(
            std::fs::read(dir.join(f)).unwrap() == std::fs::read(copy.join(f)).unwrap(),
            "{f} changed on rebuilding"
        );
    }
    assert!(
        std::fs::read_to_string(copy.join("report.html"))
            .unwrap()
            .contains(section)
    );
    // Under a block contract the provider whose care the programme avoids keeps the saving,
    // stated as its average (averages add up across the parties; medians need not).
    let acute = mean[row("block-prevention", "acute")];
    assert!(
        sentences[1].contains(&format!("acute gains {} on average", money_gain(acute))),
        "{}",
        sentences[1]
    );
}

/// outcomes.parquet holds the world's indicators per replication (for everyone covered: the
/// world table's own figures), and outcomes.csv their spread and an intervention world's change
/// against the status quo, replication by replication, as the report's table states it.
#[test]
fn outcomes_are_the_worlds_indicators_and_their_change_under_a_programme() {
    let (_tmp, dir, _) = intervention_run();
    let world = read_parquet(&dir.join("world.parquet"));
    let per_rep = read_parquet(&dir.join("outcomes.parquet"));
    assert_eq!(per_rep.height(), world.height());
    for key in ["rep", "world", "year"] {
        assert_eq!(col_str(&per_rep, key), col_str(&world, key), "{key}");
    }
    // Everyone is covered: the indicators are the world's counts, and rates follow from them.
    for (indicator, world_column) in [
        ("head_count", "covered_head_count"),
        ("deaths", "deaths"),
        ("onsets", "onsets"),
        ("non_elective_count", "non_elective_count"),
    ] {
        assert_eq!(
            col_f64(&per_rep, indicator),
            col_f64(&world, world_column),
            "{indicator}"
        );
    }
    let (heads, deaths) = (
        col_f64(&world, "covered_head_count"),
        col_f64(&world, "deaths"),
    );
    for ((rate, d), h) in col_f64(&per_rep, "deaths_per_1000")
        .iter()
        .zip(&deaths)
        .zip(&heads)
    {
        assert!((rate - d / h * 1000.0).abs() < 1e-9, "{rate} vs {d}/{h}");
    }

    // The term's deaths per replication and world, from the world table.
    let (reps, worlds) = (col_str(&world, "rep"), col_str(&world, "world"));
    let term = |w: &str, column: &str| -> Vec<f64> {
        let values = col_f64(&world, column);
        let mut sums = std::collections::BTreeMap::<String, f64>::new();
        for i in 0..values.len() {
            if worlds[i] == w {
                *sums.entry(reps[i].clone()).or_default() += values[i];
            }
        }
        sums.into_values().collect()
    };
    let table = read_csv(&dir.join("outcomes.csv"));
    let (t_world, t_indicator, t_horizon) = (
        col_str(&table, "world"),
        col_str(&table, "indicator"),
        col_str(&table, "horizon"),
    );
    let row = |w: &str, indicator: &str, horizon: &str| {
        (0..table.height())
            .find(|&i| t_world[i] == w && t_indicator[i] == indicator && t_horizon[i] == horizon)
            .unwrap_or_else(|| panic!("no row {w} {indicator} {horizon}"))
    };
    let figure = |name: &str, i: usize| col_f64(&table, name)[i];
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    for column in ["deaths", "onsets", "non_elective_count"] {
        let (status_quo, with) = (term("status quo", column), term("prevention", column));
        let change: Vec<f64> = with.iter().zip(&status_quo).map(|(w, s)| w - s).collect();
        let sq = row("status quo", column, "term");
        let pr = row("prevention", column, "term");
        assert!(
            (figure("mean", sq) - mean(&status_quo)).abs() < 1e-3,
            "{column}"
        );
        assert!(
            (figure("change_mean", pr) - mean(&change)).abs() < 1e-3,
            "{column}"
        );
        let mut sorted = change.clone();
        sorted.sort_by(f64::total_cmp);
        assert!(
            (figure("change_p5", pr) - type7(&sorted, 0.05)).abs() < 1e-3,
            "{column}"
        );
        assert!(
            (figure("change_p95", pr) - type7(&sorted, 0.95)).abs() < 1e-3,
            "{column}"
        );
        // The status quo changes nothing against itself: no change figures.
        assert!(figure("change_mean", sq).is_nan(), "{column}");
    }
    // The programme prevents conditions and admissions in every replication (30% fewer onsets
    // and 40% fewer admissions among 60% of the eligible).
    assert!(figure("change_p95", row("prevention", "onsets", "term")) < 0.0);
    assert!(
        figure(
            "change_p95",
            row("prevention", "non_elective_count", "term")
        ) < 0.0
    );
    // Rates have no term; every horizon of a year is there.
    assert!(
        !t_indicator
            .iter()
            .zip(&t_horizon)
            .any(|(i, h)| i == "deaths_per_1000" && h == "term")
    );
    row("status quo", "deaths_per_1000", "2025");

    // The report states the term's change beside the status quo's.
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let section = between(&html, "What the programme changes", "</section>");
    let pr = row("prevention", "non_elective_count", "term");
    let shown = format!(
        "−{}",
        capsim::report::thousands(-figure("change_mean", pr).round() as u64)
    );
    assert!(section.contains("Emergency admissions"), "{section}");
    // A level is shown in the last year: the share with two or more conditions.
    assert!(
        section.contains("Share with two or more long-term conditions, 2027"),
        "{section}"
    );
    assert!(section.contains(&shown), "{shown} not in {section}");
}

#[test]
fn a_run_without_interventions_has_no_who_gains_outputs() {
    let dir = run_dir();
    for f in ["who_gains.csv", "who_gains.png", "who_gains.svg"] {
        assert!(!dir.join(f).exists(), "{f} written without an intervention");
    }
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    for words in ["who-gains", "Who gains from the intervention", "who_gains"] {
        assert!(!html.contains(words), "report mentions {words}");
    }
}

/// One figure's estimates and their reported standard errors, one per seed.
type EstimatesAndErrors = (Vec<f64>, Vec<f64>);

/// Each figure's Monte Carlo standard error in summary.csv says how far it moves when the run is
/// repeated with another seed: across 60 seeds of 100 replications, the sd of each provider's
/// term mean, 5th percentile, median, 95th percentile, P(loss) and expected shortfall is close
/// to the mean of its reported standard error (the tails' errors had been about twice it). So
/// is each difference between arms' in arm_differences.csv (the mean's and the medians'),
/// whose paired error is well below the arms' own errors together.
#[test]
fn standard_errors_match_the_spread_between_seeds() {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("mc-error-test-{}", std::process::id()));
    std::fs::create_dir_all(&base).unwrap();
    let scenario = base.join("s.toml");
    std::fs::write(
        &scenario,
        "base = \"default\"\nname = \"mc\"\nyears = 3\n[population]\nsize = 20000\n",
    )
    .unwrap();
    let figures = [
        "mean",
        "p5",
        "p50",
        "p95",
        "p_loss",
        "expected_shortfall_5pct",
    ];
    // Per (arm, figure): the estimates and their reported errors, one per seed.
    let mut seen: std::collections::BTreeMap<(String, &str), EstimatesAndErrors> =
        Default::default();
    let mut seen_differences: std::collections::BTreeMap<(String, &str), EstimatesAndErrors> =
        Default::default();
    for seed in 101..=160 {
        let args = capsim::cli::RunArgs {
            scenario: Some(scenario.clone()),
            reps: Some(100),
            seed: Some(seed),
            threads: Some(2),
            out: Some(base.join(format!("out-{seed}"))),
            ..Default::default()
        };
        let plan = capsim::cli::RunPlan::resolve(&args).unwrap();
        let dir = capsim::cli::run(plan, &capsim::engine::Silent).unwrap().dir;
        let summary = read_csv(&dir.join("summary.csv"));
        let (arm, role, horizon) = (
            col_str(&summary, "arm"),
            col_str(&summary, "role"),
            col_str(&summary, "horizon"),
        );
        for figure in figures {
            let (value, se) = (
                col_f64(&summary, figure),
                col_f64(&summary, &format!("{figure}_se")),
            );
            for i in 0..arm.len() {
                if role[i] == "provider" && horizon[i] == "term" {
                    let e = seen.entry((arm[i].clone(), figure)).or_default();
                    e.0.push(value[i]);
                    e.1.push(se[i]);
                }
            }
        }
        // The differences between arms, with their paired errors.
        let differences = read_csv(&dir.join("arm_differences.csv"));
        let (party, arm, against) = (
            col_str(&differences, "party"),
            col_str(&differences, "arm"),
            col_str(&differences, "against"),
        );
        for figure in ["mean_difference", "difference_of_p50s"] {
            let (value, se) = (
                col_f64(&differences, figure),
                col_f64(&differences, &format!("{figure}_se")),
            );
            for i in 0..arm.len() {
                if party[i] == "provider" {
                    let e = seen_differences
                        .entry((format!("{} against {}", arm[i], against[i]), figure))
                        .or_default();
                    e.0.push(value[i]);
                    e.1.push(se[i]);
                }
            }
        }
    }
    assert_eq!(seen.len(), 6 * figures.len(), "six arms");
    assert_eq!(seen_differences.len(), 15 * 2, "fifteen pairs of arms");
    // A paired error is the difference's own: far below what the arms' own errors together
    // would make it where the arms move together (each capitation against the other).
    let root_of_squares = |a: &str, b: &str| {
        let mean_se = |arm: &str| {
            let errors = &seen[&(arm.to_string(), "mean")].1;
            errors.iter().sum::<f64>() / errors.len() as f64
        };
        mean_se(a).hypot(mean_se(b))
    };
    let paired = &seen_differences[&(
        "capitation-flat against capitation".to_string(),
        "mean_difference",
    )]
        .1;
    let paired = paired.iter().sum::<f64>() / paired.len() as f64;
    assert!(
        paired < 0.5 * root_of_squares("capitation", "capitation-flat"),
        "paired {paired:.4e} against {:.4e}",
        root_of_squares("capitation", "capitation-flat")
    );
    let mut ratios = Vec::new();
    for ((arm, figure), (values, errors)) in seen.iter().chain(&seen_differences) {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let spread = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let reported = errors.iter().sum::<f64>() / n;
        let ratio = spread / reported;
        // The sd of 60 draws is itself uncertain by about 9% (more with heavy tails), and the
        // arms share runs; the band is wide enough for that and for the quantile interval's
        // granularity, narrow enough to catch a wrong formula (√n, 1.96, a variance for an sd).
        // Observed on main: 0.70 to 1.04.
        assert!(
            (0.55..=1.6).contains(&ratio),
            "{arm} {figure}: spread between seeds {spread:.4e}, reported error {reported:.4e}"
        );
        ratios.push(ratio);
    }
    // Over every arm and figure together the noise averages down: an error a third too small
    // or too large everywhere (a wrong z in the quantile interval, say) moves the mean ratio
    // outside this band, which one arm's noise could not.
    let mean = ratios.iter().sum::<f64>() / ratios.len() as f64;
    assert!(
        (0.75..=1.25).contains(&mean),
        "mean ratio of the spread between seeds to the reported error: {mean:.3} ({ratios:.2?})"
    );
    std::fs::remove_dir_all(&base).unwrap();
}

/// The Python example in docs/outputs.md reads a run folder as a pandas user would: the CSV and
/// the workbook agree, units come from the columns sheet. It reads a place with one provider
/// and one with two (whose arms also have an "all providers" row).
#[test]
fn the_python_example_reads_the_outputs() {
    python_example_reads(run_dir());
    let two = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/prevention.toml");
    let (code, _, err) = crate::common::capsim(
        &[
            "run",
            scenario.to_str().unwrap(),
            "--reps",
            "8",
            "--set",
            "population.size=20000",
            "--out",
            "o",
        ],
        two.path(),
    );
    assert_eq!(code, 0, "{err}");
    python_example_reads(&two.path().join("o"));
}

fn python_example_reads(dir: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/examples/read_outputs.py");
    // .ci/run names a Python with pandas (Debian's, when the first python3 lacks it).
    let python = std::env::var("CAPSIM_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(&python)
        .arg(&script)
        .arg(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("{python}: {e}; install python3-pandas and python3-openpyxl (.ci/run does)")
        });
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}{}",
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("money in £ (nominal)"), "{stdout}");
    let summary = read_csv(&dir.join("summary.csv"));
    let arms: std::collections::BTreeSet<String> = col_str(&summary, "arm").into_iter().collect();
    for arm in arms {
        assert!(
            stdout.contains(&format!("{arm}: provider median")),
            "{arm} missing: {stdout}"
        );
    }
}

/// Every column of every Parquet file says what it is and its unit, in the file itself, and
/// no whole number is stored unsigned.
#[test]
fn parquet_files_describe_every_column() {
    let dir = run_dir();
    for file in [
        "world.parquet",
        "ledger.parquet",
        "ledger_term.parquet",
        "equity.parquet",
        "who_gains.parquet",
        "who_gains_by_year.parquet",
        "parameters.parquet",
        "outcomes.parquet",
    ] {
        let mut reader = ParquetReader::new(std::fs::File::open(dir.join(file)).unwrap());
        let names: Vec<String> = reader
            .schema()
            .unwrap()
            .iter_names()
            .map(|n| n.to_string())
            .collect();
        for (name, field) in reader.schema().unwrap().iter() {
            let dtype = format!("{:?}", field.dtype);
            assert!(
                !dtype.starts_with("UInt"),
                "{file}: {name} is stored as {dtype}"
            );
        }
        let metadata = reader.get_metadata().unwrap();
        let pairs = metadata.key_value_metadata().as_ref().expect("metadata");
        let value = |key: &str| {
            pairs
                .iter()
                .find(|kv| kv.key == key)
                .and_then(|kv| kv.value.clone())
                .unwrap_or_else(|| panic!("{file}: no {key}"))
        };
        assert_eq!(value("capsim:money"), "£ (nominal)");
        // The Arrow types recorded for readers that rebuild them (pyarrow, R arrow) are ones
        // Arrow has long had: string views make pyarrow 14 refuse the whole file.
        let recorded = base64::engine::general_purpose::STANDARD
            .decode(value("ARROW:schema"))
            .unwrap();
        // After the IPC continuation marker and the length.
        let arrow = polars_arrow::io::ipc::read::deserialize_schema(&recorded[8..])
            .unwrap()
            .0;
        for (name, field) in arrow.iter() {
            let dtype = format!("{:?}", field.dtype);
            assert!(
                !dtype.contains("View"),
                "{file}: {name} is recorded as {dtype}"
            );
            // Unsigned whole numbers wrap round below 0 in pandas and R (deaths − births).
            assert!(
                !dtype.starts_with("UInt"),
                "{file}: {name} is recorded as {dtype}"
            );
        }

        let columns: serde_json::Value = serde_json::from_str(&value("capsim:columns")).unwrap();
        for name in &names {
            let description = columns[name]["description"].as_str().unwrap_or("");
            assert!(!description.is_empty(), "{file}: {name} is not described");
        }
        if file == "ledger.parquet" {
            assert_eq!(columns["surplus"]["unit"], "£ (nominal)");
        }
        // Each indicator with its own unit, not the family's.
        if file == "outcomes.parquet" {
            for (indicator, unit) in [
                ("deaths", "people"),
                ("deaths_per_1000", "people per 1,000 covered"),
                ("spend_per_head", "£ per head covered (nominal)"),
                ("multimorbidity_share", "share (0 to 1)"),
                ("non_elective_count", "events of the type"),
            ] {
                assert_eq!(columns[indicator]["unit"], unit, "{indicator}");
            }
        }
    }
    // outcomes.csv says each indicator's unit beside it.
    let table = read_csv(&dir.join("outcomes.csv"));
    let (indicator, unit) = (col_str(&table, "indicator"), col_str(&table, "unit"));
    let mut kinds = std::collections::BTreeSet::new();
    for (i, u) in indicator.iter().zip(&unit) {
        let expected = match i.as_str() {
            "deaths" | "head_count" => "people",
            "spend_per_head" => "£ per head covered (nominal)",
            "gp_per_1000" => "events per 1,000 people covered",
            _ => continue,
        };
        assert_eq!(u, expected, "{i}");
        kinds.insert(i.as_str());
    }
    assert_eq!(kinds.len(), 4, "indicators checked: {kinds:?}");
}

/// With a budget, P(spend > budget) in summary.csv is the share of replications whose spend
/// exceeds it, for the term and for each of the three years (the budget growing as set);
/// providers have none.
#[test]
fn the_chance_of_exceeding_the_budget_is_counted_from_the_ledger() {
    let base =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("budget-test-{}", std::process::id()));
    std::fs::create_dir_all(&base).unwrap();
    // A first-year budget at about the mean spend under PbR and the blended contract in a
    // 20,000-person place (£29.8m and £30.0m), growing as that spend does (4% a year), so their
    // spend is over it in some futures and under it in others.
    let scenario = "base = \"default\"\nname = \"budget\"\nreplications = 60\nyears = 3\n\
                    [population]\nsize = 20000\n[budget]\nfirst_year = 29_900_000\ngrowth = 0.04\n";
    std::fs::write(base.join("s.toml"), scenario).unwrap();
    let dir = crate::common::run_to(&base.join("s.toml"), 2, &base.join("out"));
    let summary = read_csv(&dir.join("summary.csv"));
    let (arm, role, horizon) = (
        col_str(&summary, "arm"),
        col_str(&summary, "role"),
        col_str(&summary, "horizon"),
    );
    let p_over = col_f64(&summary, "p_over_budget");
    let (mut checked, mut between) = (0, 0);
    for (file, year) in [
        ("ledger_term.parquet", None),
        ("ledger.parquet", Some(2025)),
        ("ledger.parquet", Some(2026)),
        ("ledger.parquet", Some(2027)),
    ] {
        let ledger = read_parquet(&dir.join(file));
        let (l_arm, l_role, cost) = (
            col_str(&ledger, "arm"),
            col_str(&ledger, "role"),
            col_f64(&ledger, "cost"),
        );
        let calendar = year.map(|_| col_f64(&ledger, "calendar_year"));
        let budget = match year {
            None => (0..3).map(|y| 29_900_000.0 * 1.04_f64.powi(y)).sum::<f64>(),
            Some(y) => 29_900_000.0 * 1.04_f64.powi(y - 2025),
        };
        for a in ["pbr", "capitation", "blended"] {
            let spends: Vec<f64> = (0..l_arm.len())
                .filter(|&i| l_arm[i] == a && l_role[i] == "commissioner")
                .filter(|&i| {
                    calendar
                        .as_ref()
                        .is_none_or(|c| c[i] == f64::from(year.unwrap()))
                })
                .map(|i| cost[i])
                .collect();
            assert_eq!(spends.len(), 60);
            let expected = spends.iter().filter(|s| **s > budget).count() as f64 / 60.0;
            let want_horizon = year.map_or("term".to_string(), |y| y.to_string());
            let i = (0..arm.len())
                .find(|&i| arm[i] == a && role[i] == "commissioner" && horizon[i] == want_horizon)
                .unwrap();
            assert!((p_over[i] - expected).abs() <= 5e-5, "{a} {want_horizon}");
            checked += 1;
            between += usize::from(expected > 0.0 && expected < 1.0);
        }
    }
    assert_eq!(checked, 12);
    // A chance stuck at 0 or 1 would match a budget every spend misses or exceeds: the budget
    // is set where some futures are over it and some under, in most horizons and arms.
    assert!(
        between >= 6,
        "only {between} of 12 chances are strictly between 0 and 1"
    );
    // Providers have no budget: the column is empty on all their rows.
    let providers: Vec<usize> = (0..arm.len()).filter(|&i| role[i] == "provider").collect();
    assert!(!providers.is_empty());
    assert!(providers.iter().all(|&i| p_over[i].is_nan()));
    std::fs::remove_dir_all(&base).unwrap();
}

/// parameters.parquet records what each replication drew for each uncertain parameter, and
/// those are the values the model used: year 2's cost index is 1 + that replication's cost
/// inflation.
#[test]
fn parameters_parquet_holds_the_draws_the_model_used() {
    let dir = run_dir();
    let draws = read_parquet(&dir.join("parameters.parquet"));
    let names: Vec<String> = draws
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    for path in [
        "rep",
        "shocks.demand_trend",
        "shocks.cost_inflation",
        "shocks.bad_winter_effect",
    ] {
        assert!(
            names.contains(&path.to_string()),
            "{path} missing from {names:?}"
        );
    }
    let world = read_parquet(&dir.join("world.parquet"));
    let (rep, year, index) = (
        col_f64(&world, "rep"),
        col_f64(&world, "year"),
        col_f64(&world, "cost_index"),
    );
    let (draw_rep, inflation) = (
        col_f64(&draws, "rep"),
        col_f64(&draws, "shocks.cost_inflation"),
    );
    assert_eq!(draw_rep.len(), 60);
    let distinct: std::collections::BTreeSet<u64> = inflation.iter().map(|x| x.to_bits()).collect();
    assert!(distinct.len() > 50, "the draws vary by replication");
    for (r, ci) in draw_rep.iter().zip(&inflation) {
        let i = (0..rep.len())
            .find(|&i| rep[i] == *r && year[i] == 2.0)
            .expect("year 2 of that replication");
        assert!(
            (index[i] - (1.0 + ci)).abs() < 1e-12,
            "rep {r}: {} vs {ci}",
            index[i]
        );
    }
}

/// Every column of every CSV table a run writes is in the data dictionary (docs/outputs.md),
/// waiting lists and monitoring included (regression: waiting_list.csv had no entries).
#[test]
fn every_csv_column_is_described() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/west-yorkshire.toml");
    let (code, _, err) = crate::common::capsim(
        &[
            "run",
            scenario.to_str().unwrap(),
            "--reps",
            "4",
            "--set",
            "years=2",
            "--out",
            "o",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let mut tables = Vec::new();
    for entry in std::fs::read_dir(dir.path().join("o")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "csv") {
            let table = path.file_stem().unwrap().to_string_lossy().into_owned();
            let header = std::fs::read_to_string(&path).unwrap();
            let header = header.lines().next().unwrap().to_string();
            for column in header.split(',') {
                assert!(
                    capsim::run_folder::dictionary::describe(&table, column).is_some(),
                    "{table}.csv: {column} is not in the dictionary"
                );
            }
            tables.push(table);
        }
    }
    assert!(tables.contains(&"waiting_list".to_string()), "{tables:?}");
    // The report names each list's provider, and a world that leaves a list as it was (Leeds'
    // capacity, the other trusts' list) gets a line in place of a second table of it.
    let html = std::fs::read_to_string(dir.path().join("o/report.html")).unwrap();
    assert!(
        html.contains(
            "With leeds-extra-capacity, the waiting list for planned admissions at \
                       other-acute-trusts has the same figures as in the status quo"
        ),
        "no line for the unchanged list"
    );
    assert_eq!(
        html.matches("<table class=\"years\">").count(),
        3,
        "two lists, one changed"
    );
    assert!(html.contains("Waiting list for planned admissions (leeds) at leeds-teaching, with"));
}

/// A scenario with a waiting list reports it: waiting_list.csv holds each year end's mean and
/// percentiles across the replications of world.parquet's per-replication list columns, the
/// report's table shows those figures, the chart is drawn, the workbook has the sheet with
/// figures as they are, and `capsim report` rebuilds the table and chart from the run folder.
#[test]
fn a_waiting_list_is_reported_year_by_year() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/now-next-future.toml");
    let (code, _, err) = crate::common::capsim(
        &[
            "run",
            scenario.to_str().unwrap(),
            "--reps",
            "40",
            "--set",
            "population.size=60000",
            "--out",
            "o",
        ],
        tmp.path(),
    );
    assert_eq!(code, 0, "{err}");
    let dir = tmp.path().join("o");
    let world = ParquetReader::new(std::fs::File::open(dir.join("world.parquet")).unwrap())
        .finish()
        .unwrap();
    let years = world
        .column("year")
        .unwrap()
        .cast(&DataType::Float64)
        .unwrap();
    let years: Vec<f64> = years.f64().unwrap().into_no_null_iter().collect();
    let rows = crate::common::read_csv_rows(&dir.join("waiting_list.csv"));
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let section = &html[html
        .find("id=\"waiting-lists\"")
        .expect("no waiting-list section")..];
    for (measure, column) in [
        ("52_week_waiters", "elective_52_week_waiters"),
        ("waiting_list", "elective_waiting_list"),
    ] {
        let values = world.column(column).unwrap().f64().unwrap().clone();
        for year in 1..=5 {
            let mut of_year: Vec<f64> = values
                .into_no_null_iter()
                .zip(&years)
                .filter(|(_, y)| **y == f64::from(year))
                .map(|(v, _)| v)
                .collect();
            assert_eq!(of_year.len(), 40);
            of_year.sort_by(f64::total_cmp);
            let mean = of_year.iter().sum::<f64>() / 40.0;
            let row = rows
                .iter()
                .find(|r| {
                    r["world"] == "status quo"
                        && r["measure"] == measure
                        && r["year"] == year.to_string()
                })
                .unwrap_or_else(|| panic!("no {measure} row for year {year}"));
            let table_mean: f64 = row["mean"].parse().unwrap();
            assert_eq!(table_mean, mean.round(), "{measure} year {year}");
            let (p5, p95): (f64, f64) = (row["p5"].parse().unwrap(), row["p95"].parse().unwrap());
            assert!(of_year[0] <= p5 && p5 <= p95 && p95 <= of_year[39]);
            // The report's table shows the mean and the 5th to 95th percentile.
            let shown = format!(
                "{}<span class=\"se\">{}–{}</span>",
                capsim::report::thousands(table_mean as u64),
                capsim::report::thousands(p5 as u64),
                capsim::report::thousands(p95 as u64)
            );
            assert!(
                section.contains(&shown),
                "{shown} not in the report's table"
            );
        }
    }
    assert!(section.contains("waiting_lists.png"));
    assert!(dir.join("waiting_lists.png").exists() && dir.join("waiting_lists.svg").exists());
    // The workbook's sheet holds the CSV's figures (the median wait to its tenth of a week).
    {
        use calamine::{Data, Reader, Xlsx, open_workbook};
        let mut book: Xlsx<_> = open_workbook(dir.join("summary.xlsx")).unwrap();
        let sheet = book.worksheet_range("waiting_list").unwrap();
        assert_eq!(sheet.height(), 1 + rows.len());
        let mean = (0..sheet.width() as u32)
            .find(|&c| *sheet.get_value((0, c)).unwrap() == "mean")
            .unwrap();
        for (r, row) in rows.iter().enumerate() {
            let want: f64 = row["mean"].parse().unwrap();
            match sheet.get_value((1 + r as u32, mean)) {
                Some(Data::Float(x)) => assert_eq!(*x, want, "row {r}"),
                other => panic!("mean row {r} is not a number: {other:?}"),
            }
        }
    }
    // `capsim report` rebuilds the table and the chart from the folder's own files.
    let copy = tmp.path().join("copy");
    crate::common::copy_folder(&dir, &copy);
    for f in ["waiting_list.csv", "waiting_lists.svg", "report.html"] {
        std::fs::remove_file(copy.join(f)).unwrap();
    }
    crate::common::capsim_ok(&[OsStr::new("report"), copy.as_os_str()], tmp.path());
    for f in ["waiting_list.csv", "waiting_lists.svg", "report.html"] {
        assert!(
            std::fs::read(dir.join(f)).unwrap() == std::fs::read(copy.join(f)).unwrap(),
            "{f} changed on rebuilding"
        );
    }
}
