//! Charts for board papers: PNG and SVG, titled, with units, legible in greyscale, drawn with
//! a bundled font so they look the same on every machine.

use std::path::Path;
use std::sync::Once;

use anyhow::Context;
use base64::Engine as _;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::{ComposedElement, Drawable, PointCollection};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{BackendCoord, DrawingErrorKind};

const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const SVG_FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-LatinSubset.ttf");
/// The family name charts ask for; registered to the bundled font.
const FAMILY: &str = "capsim-sans";
/// Pixel size of every chart.
pub const SIZE: (u32, u32) = (1200, 750);

type R = Result<(), String>;

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            plotters::style::register_font(FAMILY, style, FONT)
                .unwrap_or_else(|_| panic!("bundled font loads"));
        }
    });
}

fn font(size: u32) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&BLACK)
}

/// Series colours: Okabe and Ito's palette, told apart by readers with any common colour vision
/// deficiency (yellow left out: too light on white). Printed in grey they still differ in
/// lightness, and each series also has its own marker and dashing ([`MARKER_SHAPES`]).
const SERIES_COLOURS: [RGBColor; 6] = [
    RGBColor(0, 0, 0),
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(230, 159, 0),
    RGBColor(204, 121, 167),
];

/// The greys of a chart of one series (a tornado's bars, its centre line).
const LIGHT_GREY: RGBColor = RGBColor(170, 170, 170);
const DARK_GREY: RGBColor = RGBColor(90, 90, 90);

/// How many marker shapes there are. With six colours and lines solid or dashed (a colour and a
/// line repeat after 12 series, [`is_dashed`]), a series' style (shape, colour, line) repeats only
/// after 24 series.
const MARKER_SHAPES: usize = 8;

/// Series `i`'s marker at `at` (a data point, or a place in a legend): one of
/// [`MARKER_SHAPES`] shapes in pixels, so lines drawn over each other stay told apart in grey.
struct Marker<C> {
    at: C,
    series: usize,
    colour: RGBColor,
}

impl<C> Marker<C> {
    fn new(series: usize, at: C, colour: RGBColor) -> Self {
        Marker { at, series, colour }
    }
}

impl<'b, C> PointCollection<'b, C> for &'b Marker<C> {
    type Point = &'b C;
    type IntoIter = std::iter::Once<&'b C>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&self.at)
    }
}

impl<C, DB: DrawingBackend> Drawable<DB> for Marker<C> {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut points: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        let Some((x, y)) = points.next() else {
            return Ok(());
        };
        let (filled, outline) = (self.colour.filled(), self.colour.stroke_width(3));
        let r = 6;
        match self.series % MARKER_SHAPES {
            0 => backend.draw_circle((x, y), r as u32, &filled, true),
            1 => backend.fill_polygon(
                [(x, y - r - 2), (x - r - 1, y + r), (x + r + 1, y + r)],
                &filled,
            ),
            2 => {
                backend.draw_line((x - r, y - r), (x + r, y + r), &outline)?;
                backend.draw_line((x - r, y + r), (x + r, y - r), &outline)
            }
            3 => backend.draw_rect((x - r, y - r), (x + r, y + r), &filled, true),
            4 => backend.draw_circle((x, y), r as u32, &outline, false),
            5 => backend.draw_rect((x - r, y - r), (x + r, y + r), &outline, false),
            6 => backend.fill_polygon(
                [
                    (x, y - r - 2),
                    (x + r + 2, y),
                    (x, y + r + 2),
                    (x - r - 2, y),
                ],
                &filled,
            ),
            _ => {
                let (top, left, right) = ((x, y - r - 2), (x - r - 1, y + r), (x + r + 1, y + r));
                backend.draw_line(top, left, &outline)?;
                backend.draw_line(left, right, &outline)?;
                backend.draw_line(right, top, &outline)
            }
        }
    }
}

/// Writes `stem.png` and `stem.svg` (with the font embedded) into `dir`, [`SIZE`] pixels.
pub fn render(
    dir: &Path,
    stem: &str,
    png: impl Fn(DrawingArea<BitMapBackend, Shift>) -> R,
    svg: impl Fn(DrawingArea<SVGBackend, Shift>) -> R,
) -> anyhow::Result<()> {
    render_sized(dir, stem, SIZE, png, svg)
}

/// [`render`] at another size (for a chart whose height grows with its rows).
pub fn render_sized(
    dir: &Path,
    stem: &str,
    size: (u32, u32),
    png: impl Fn(DrawingArea<BitMapBackend, Shift>) -> R,
    svg: impl Fn(DrawingArea<SVGBackend, Shift>) -> R,
) -> anyhow::Result<()> {
    register_font();
    let png_path = dir.join(format!("{stem}.png"));
    // Drawn into memory and encoded here: plotters' own file writing reports a failure (a
    // full disk) as a dump of its error types.
    let mut pixels = vec![0u8; (size.0 * size.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
        png(root).map_err(|e| anyhow::anyhow!("drawing {}: {e}", png_path.display()))?;
    }
    image::RgbImage::from_raw(size.0, size.1, pixels)
        .expect("a buffer of the chart's size")
        .save(&png_path)
        .with_context(|| format!("writing {}", png_path.display()))?;
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
        svg(root).map_err(|e| anyhow::anyhow!("drawing {stem}.svg: {e}"))?;
    }
    crate::run_folder::write_named(&dir.join(format!("{stem}.svg")), embed_font(&text))?;
    Ok(())
}

/// Puts the bundled font into the SVG so it renders with it anywhere.
fn embed_font(svg: &str) -> String {
    let data = base64::engine::general_purpose::STANDARD.encode(SVG_FONT);
    let style = format!(
        "<defs><style>@font-face{{font-family:\"{FAMILY}\";src:url(data:font/ttf;base64,{data}) format(\"truetype\");}}</style></defs>"
    );
    match svg
        .find("<svg")
        .and_then(|i| svg[i..].find('>').map(|j| i + j + 1))
    {
        Some(pos) => format!("{}{}{}", &svg[..pos], style, &svg[pos..]),
        None => svg.to_string(),
    }
}

/// Five-number summary of a distribution, plus its mean.
#[derive(Debug, Clone, Copy)]
pub struct Spread {
    pub p5: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
    pub mean: f64,
}

/// A number with `decimals` decimals and a true minus sign (−), as every chart writes negative
/// numbers; a value that rounds to zero is written 0, not −0.
pub(crate) fn with_minus(x: f64, decimals: usize) -> String {
    let text = format!("{x:.decimals$}");
    let unsigned = text.trim_start_matches('-');
    if unsigned.bytes().all(|b| b == b'0' || b == b'.') {
        unsigned.to_string()
    } else {
        text.replace('-', "−")
    }
}

/// A tick label ([`with_minus`]) with `decimals` decimals (of the whole axis: [`axis_decimals`]);
/// whole numbers from 1,000 up have thousands separators.
fn tick(x: f64, decimals: usize, suffix: &str) -> String {
    if decimals == 0 && x.abs() >= 1_000.0 && x.is_finite() {
        let sign = if x < 0.0 { "−" } else { "" };
        return format!("{sign}{}{suffix}", super::thousands(x.abs().round() as u64));
    }
    with_minus(x, decimals) + suffix
}

/// Labels plotters draws on an axis unless told otherwise.
const AXIS_LABELS: usize = 11;

/// The decimals every tick of an axis over `lo..hi` needs (the ticks plotters draws there with
/// its default number of labels): one count for the whole axis, so a step of 0.5 labels −2.5,
/// −2.0, −1.5 (not "−2" thrice, nor −2.5, −2, −1.5) and a step of 0.2 labels 17.0, 17.2.
fn axis_decimals(lo: f64, hi: f64) -> usize {
    if !(lo.is_finite() && hi.is_finite()) || lo >= hi {
        return 0;
    }
    RangedCoordf64::from(lo..hi)
        .key_points(AXIS_LABELS)
        .into_iter()
        .map(decimals_needed)
        .max()
        .unwrap_or(0)
}

/// The fewest decimals (up to eight) that write `x` without rounding it (to the float noise of
/// a tick computed as a multiple of its step).
fn decimals_needed(x: f64) -> usize {
    (0..8)
        .find(|&d| {
            let scaled = x * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-6
        })
        .unwrap_or(8)
}

fn pad(lo: f64, hi: f64) -> (f64, f64) {
    // A bound that is not finite (a value the tables could not work out) would leave the axis
    // without ticks to find: such points fall off a finite axis instead.
    let (lo, hi) = match (lo.is_finite(), hi.is_finite()) {
        (true, true) => (lo, hi),
        (true, false) => (lo, lo),
        (false, true) => (hi, hi),
        (false, false) => (0.0, 0.0),
    };
    let span = (hi - lo).abs().max(1e-9);
    (lo - 0.08 * span, hi + 0.08 * span)
}

/// Box plots of a provider's surplus over the term (or the providers' together, as `whose`
/// says: "All providers' combined surplus"), one row per arm (£m).
pub fn surplus_distribution<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    arms: &[(String, Spread)],
    years: u32,
    whose: &str,
) -> R {
    spread_rows(
        root,
        arms,
        &format!("{whose} over the contract term, by payment model"),
        &format!(
            "Surplus over {} (£m); left of 0 = loss",
            super::count(years, "year")
        ),
    )
}

/// Size of a [`spread_rows`] chart with `rows` rows: [`SIZE`], taller when there are many.
pub fn rows_size(rows: usize) -> (u32, u32) {
    (SIZE.0, SIZE.1.max(220 + 55 * rows as u32))
}

/// Box plots, one row per named spread: whiskers 5th-95th, box 25th-75th, median, mean.
pub fn spread_rows<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    arms: &[(String, Spread)],
    title: &str,
    x_label: &str,
) -> R {
    root.fill(&WHITE).map_err(err)?;
    let lo = arms.iter().map(|a| a.1.p5).fold(0.0, f64::min);
    let hi = arms.iter().map(|a| a.1.p95).fold(0.0, f64::max);
    let (lo, hi) = pad(lo, hi);
    let n = arms.len();
    let names: Vec<String> = arms.iter().map(|a| a.0.clone()).collect();
    let height = root.dim_in_pixel().1;
    let (main, foot) = root.split_vertically(height - 40);
    // Room for the longest arm name, so none is clipped.
    let widest = names
        .iter()
        .map(|n| main.estimate_text_size(n, &font(20)).map(|s| s.0))
        .collect::<Result<Vec<u32>, _>>()
        .map_err(err)?
        .into_iter()
        .max()
        .unwrap_or(0);
    let mut chart = ChartBuilder::on(&main)
        .caption(title, font(30))
        .margin(25)
        .x_label_area_size(75)
        .y_label_area_size((widest + 30).max(120))
        .build_cartesian_2d(lo..hi, -0.6..(n as f64 - 0.4))
        .map_err(err)?;
    let x_decimals = axis_decimals(lo, hi);
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n.max(1))
        .y_label_formatter(&|y| {
            let i = y.round();
            // Arm 0 is drawn at the top.
            if (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < names.len() {
                names[names.len() - 1 - i as usize].clone()
            } else {
                String::new()
            }
        })
        .x_label_formatter(&|x: &f64| tick(*x, x_decimals, ""))
        .x_desc(x_label)
        .axis_desc_style(font(22))
        .label_style(font(20))
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(err)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.6), (0.0, n as f64 - 0.4)],
            RGBColor(120, 120, 120).stroke_width(2),
        )))
        .map_err(err)?;
    for (i, (_, s)) in arms.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        let black = BLACK.stroke_width(2);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(s.p5, y), (s.p95, y)],
                black,
            )))
            .map_err(err)?;
        for x in [s.p5, s.p95] {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x, y - 0.12), (x, y + 0.12)],
                    black,
                )))
                .map_err(err)?;
        }
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(s.p25, y - 0.25), (s.p75, y + 0.25)],
                RGBColor(200, 200, 200).filled(),
            )))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(s.p25, y - 0.25), (s.p75, y + 0.25)],
                black,
            )))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(s.p50, y - 0.25), (s.p50, y + 0.25)],
                BLACK.stroke_width(4),
            )))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Circle::new((s.mean, y), 6, WHITE.filled())))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Circle::new((s.mean, y), 6, black)))
            .map_err(err)?;
    }
    foot.draw(&Text::new(
        "Box: 25th-75th percentile; thick line: median; whiskers: 5th-95th percentile; circle: mean",
        (30, 5),
        font(18),
    ))
    .map_err(err)?;
    root.present().map_err(err)
}

/// Clears the chart, writes its title across the top, and returns the area below for panels.
fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, String> {
    root.fill(&WHITE).map_err(err)?;
    let (top, body) = root.split_vertically(60);
    let (title, size) = fitted_title(root, title, 30)?;
    top.draw(&Text::new(title, (25, 15), font(size)))
        .map_err(err)?;
    Ok(body)
}

/// A chart's title at up to `max` points, smaller (to 14) if it would not fit across the chart,
/// and shortened with an ellipsis only beyond that: titles quote field paths of any length.
fn fitted_title<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    max: u32,
) -> Result<(String, u32), String> {
    // Clear of the y axis's rotated label at the left and of the plot's right edge.
    let (width, _) = root.dim_in_pixel();
    fit_text(root, title, width.saturating_sub(120), max, 14)
}

/// A fan chart per arm of the commissioner's spend by year (£m): p5-p95, p25-p75, median.
pub fn spend_fan<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    arms: &[(String, Vec<(i32, Spread)>)],
) -> R {
    let body = titled(&root, "Commissioner spend per year, by payment model (£m)")?;
    let (body, foot) = body.split_vertically(body.dim_in_pixel().1 - 40);
    let key = [
        ("5th–95th percentile", RGBColor(215, 215, 215)),
        ("25th–75th percentile", RGBColor(160, 160, 160)),
    ];
    let mut x = 30;
    for (label, colour) in key {
        foot.draw(&Rectangle::new([(x, 8), (x + 30, 26)], colour.filled()))
            .map_err(err)?;
        foot.draw(&Text::new(label, (x + 38, 6), font(18)))
            .map_err(err)?;
        x += 48 + foot.estimate_text_size(label, &font(18)).map_err(err)?.0 as i32;
    }
    foot.draw(&PathElement::new(
        vec![(x, 17), (x + 30, 17)],
        BLACK.stroke_width(3),
    ))
    .map_err(err)?;
    foot.draw(&Text::new("median", (x + 38, 6), font(18)))
        .map_err(err)?;
    let lo = arms
        .iter()
        .flat_map(|a| a.1.iter().map(|p| p.1.p5))
        .fold(f64::INFINITY, f64::min);
    let hi = arms
        .iter()
        .flat_map(|a| a.1.iter().map(|p| p.1.p95))
        .fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = pad(lo, hi);
    let x0 = arms
        .iter()
        .flat_map(|a| a.1.iter().map(|p| p.0))
        .min()
        .unwrap_or(0);
    let x1 = arms
        .iter()
        .flat_map(|a| a.1.iter().map(|p| p.0))
        .max()
        .unwrap_or(1)
        .max(x0 + 1);
    let cols = arms.len().clamp(1, 3);
    let rows = arms.len().div_ceil(cols).max(1);
    let panels = body.split_evenly((rows, cols));
    let y_decimals = axis_decimals(lo, hi);
    for (panel, (name, series)) in panels.iter().zip(arms) {
        let mut chart = ChartBuilder::on(panel)
            .caption(name, font(22))
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(75)
            .build_cartesian_2d(
                TickedAxis::new(
                    x0 as f64 - 0.2..x1 as f64 + 0.2,
                    year_ticks(i64::from(x0), i64::from(x1), if cols == 3 { 6 } else { 10 }),
                ),
                lo..hi,
            )
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_label_formatter(&|x| {
                if (x - x.round()).abs() < 1e-6 {
                    format!("{}", x.round() as i32)
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y| tick(*y, y_decimals, ""))
            .label_style(font(18))
            .light_line_style(TRANSPARENT)
            .draw()
            .map_err(err)?;
        let band = |lo: fn(&Spread) -> f64, hi: fn(&Spread) -> f64| -> Vec<(f64, f64)> {
            let mut v: Vec<(f64, f64)> = series.iter().map(|(x, s)| (*x as f64, hi(s))).collect();
            v.extend(series.iter().rev().map(|(x, s)| (*x as f64, lo(s))));
            v
        };
        chart
            .draw_series(std::iter::once(Polygon::new(
                band(|s| s.p5, |s| s.p95),
                RGBColor(215, 215, 215).filled(),
            )))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Polygon::new(
                band(|s| s.p25, |s| s.p75),
                RGBColor(160, 160, 160).filled(),
            )))
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(
                series.iter().map(|(x, s)| (*x as f64, s.p50)),
                BLACK.stroke_width(3),
            ))
            .map_err(err)?;
    }
    root.present().map_err(err)
}

/// One risk-sharing arm's corridor: the providers' result against cost overrun, both as % of the
/// contract's other payments, one point per replication-year. `whose` names the providers in
/// the possessive, capitalised ("The provider's", "The providers'").
pub fn corridor_shape<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    arms: &[(String, Vec<(f64, f64)>)],
    whose: &str,
) -> R {
    let body = titled(
        &root,
        &format!("{whose} result against cost overrun, arms with a risk corridor"),
    )?;
    let xs = arms.iter().flat_map(|a| a.1.iter().map(|p| p.0));
    let (xlo, xhi) = xs.fold((0.0_f64, 0.0_f64), |(a, b), x| (a.min(x), b.max(x)));
    let ys = arms.iter().flat_map(|a| a.1.iter().map(|p| p.1));
    let (ylo, yhi) = ys.fold((0.0_f64, 0.0_f64), |(a, b), y| (a.min(y), b.max(y)));
    let (xlo, xhi) = pad(xlo, xhi);
    let (ylo, yhi) = pad(ylo.min(-xhi), yhi.max(-xlo));
    let panels = body.split_evenly((1, arms.len().max(1)));
    let x_decimals = axis_decimals(xlo, xhi);
    let y_decimals = axis_decimals(ylo, yhi);
    for (panel, (name, points)) in panels.iter().zip(arms) {
        // The axes' names as large as the panel leaves room for: side by side, three or more
        // panels are narrower than the long name, which then gives way to a short one.
        let (width, height) = panel.dim_in_pixel();
        let (x_desc, x_size) = axis_name(
            panel,
            "Care cost above the payments before risk sharing (%)",
            "Cost overrun (%)",
            width.saturating_sub(110),
        )?;
        let (y_desc, y_size) = axis_name(
            panel,
            &format!("{whose} result (% of the payments before risk sharing)"),
            &format!("{whose} result (%)"),
            height.saturating_sub(120),
        )?;
        let mut chart = ChartBuilder::on(panel)
            .caption(name, font(22))
            .margin(15)
            .x_label_area_size(60)
            .y_label_area_size(80)
            .build_cartesian_2d(xlo..xhi, ylo..yhi)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            // A tick label every 60 px or so: side by side, narrow panels had theirs overlap.
            .x_labels((width.saturating_sub(110) / 60).max(3) as usize)
            .x_label_formatter(&|x| tick(*x, x_decimals, "%"))
            .y_label_formatter(&|y| tick(*y, y_decimals, "%"))
            .axis_desc_style(font(x_size.min(y_size)))
            .label_style(font(17))
            .light_line_style(TRANSPARENT)
            .draw()
            .map_err(err)?;
        // Without sharing the provider's result is minus the overrun.
        chart
            .draw_series(DashedLineSeries::new(
                vec![(xlo, -xlo), (xhi, -xhi)],
                10,
                8,
                RGBColor(130, 130, 130).stroke_width(2),
            ))
            .map_err(err)?
            .label("no risk sharing")
            .legend(|(x, y)| {
                // Drawn dashed, as the line it stands for.
                let grey = RGBColor(130, 130, 130).stroke_width(2);
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (9, 0)], grey)
                    + PathElement::new(vec![(15, 0), (25, 0)], grey)
            });
        chart
            .draw_series(
                points
                    .iter()
                    .map(|&(x, y)| Circle::new((x, y), 2, BLACK.mix(0.35).filled())),
            )
            .map_err(err)?
            .label("one replication-year")
            .legend(|(x, y)| Circle::new((x + 12, y), 4, BLACK.filled()));
        chart
            .configure_series_labels()
            .label_font(font(15))
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(err)?;
    }
    root.present().map_err(err)
}

/// The axes of a [`lines`] chart.
#[derive(Debug, Clone, Copy)]
pub struct LineAxes<'a> {
    pub x_label: &'a str,
    pub x_ticks: XTicks,
    pub y_label: &'a str,
    /// Fixed y range (e.g. 0-100 for a percentage); otherwise from the data.
    pub y_range: Option<(f64, f64)>,
}

/// What an x axis's ticks show.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum XTicks {
    /// The value, with thousands separated.
    Plain,
    /// x is log10 of the quantity; ticks show the quantity.
    Log10,
    /// Calendar years: whole numbers, no separator.
    Years,
}

/// The corner of a chart over `x` × `y` with the fewest of `points` under where a legend would
/// sit (the outer 40% across and 30% up or down), the upper right first among equals.
fn emptiest_corner(
    points: impl Iterator<Item = (f64, f64)> + Clone,
    x: (f64, f64),
    y: (f64, f64),
) -> SeriesLabelPosition {
    let (right, left) = (x.0 + 0.6 * (x.1 - x.0), x.0 + 0.4 * (x.1 - x.0));
    let (top, bottom) = (y.0 + 0.7 * (y.1 - y.0), y.0 + 0.3 * (y.1 - y.0));
    let corners = [
        (SeriesLabelPosition::UpperRight, true, true),
        (SeriesLabelPosition::UpperLeft, false, true),
        (SeriesLabelPosition::LowerRight, true, false),
        (SeriesLabelPosition::LowerLeft, false, false),
    ];
    let under = |&(_, is_right, is_top): &(SeriesLabelPosition, bool, bool)| {
        points
            .clone()
            .filter(|&(px, py)| {
                (if is_right { px >= right } else { px <= left })
                    && (if is_top { py >= top } else { py <= bottom })
            })
            .count()
    };
    let fewest = corners.iter().map(under).min().unwrap_or(0);
    corners
        .into_iter()
        .find(|c| under(c) == fewest)
        .map_or(SeriesLabelPosition::UpperRight, |c| c.0)
}

/// One line per named series of (x, y) points, with markers and a legend.
pub fn lines<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    series: &[(String, Vec<(f64, f64)>)],
    title: &str,
    axes: LineAxes,
) -> R {
    lines_with_spread(root, series, &[], title, axes)
}

/// [`lines`] with a whisker through each point from `spread`'s (low, high) for it (one list
/// per series, in the series' order; none drawn when `spread` is empty). So that the whiskers
/// of points at the same x stay apart, each series is then drawn a little to the side of its
/// x, in the order of the legend.
pub fn lines_with_spread<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    series: &[(String, Vec<(f64, f64)>)],
    spread: &[Vec<(f64, f64)>],
    title: &str,
    axes: LineAxes,
) -> R {
    draw_lines(&root, series, spread, title, axes, Key::Inside)?;
    root.present().map_err(err)
}

/// How a panel of lines is keyed: by a legend of its own, or by a key drawn once for several
/// panels ([`draw_key`]), each series in the style of its place there.
#[derive(Clone, Copy)]
enum Key<'a> {
    Inside,
    Shared(&'a [usize]),
}

/// [`lines_with_spread`] drawn on `root` without presenting it: `root` may be one panel of a
/// chart (presenting a panel of an SVG would close the document there).
fn draw_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    series: &[(String, Vec<(f64, f64)>)],
    spread: &[Vec<(f64, f64)>],
    title: &str,
    axes: LineAxes,
    key: Key,
) -> R {
    let (x_label, y_label, y_range) = (axes.x_label, axes.y_label, axes.y_range);
    root.fill(&WHITE).map_err(err)?;
    let style_of = |i: usize| match key {
        Key::Inside => i,
        Key::Shared(styles) => styles[i],
    };
    let offsets = side_by_side_offsets(series, !spread.is_empty());
    let series: Vec<(String, Vec<(f64, f64)>)> = series
        .iter()
        .zip(&offsets)
        .map(|((name, points), dx)| {
            (
                name.clone(),
                points.iter().map(|&(x, y)| (x + dx, y)).collect(),
            )
        })
        .collect();
    let series = &series[..];
    let xs = series.iter().flat_map(|s| s.1.iter().map(|p| p.0));
    let (xlo, xhi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    let ys = series
        .iter()
        .flat_map(|s| s.1.iter().map(|p| p.1))
        .chain(spread.iter().flatten().flat_map(|&(lo, hi)| [lo, hi]));
    let (ylo, yhi) = ys.fold((0.0_f64, 0.0_f64), |(a, b), y| (a.min(y), b.max(y)));
    let (xlo, xhi) = pad(xlo, xhi);
    let (ylo, yhi) = y_range.unwrap_or_else(|| {
        let (lo, hi) = pad(ylo, yhi);
        // Figures that cannot be negative (a spread, a count) start at 0.
        let lo = if ylo >= 0.0 { 0.0 } else { lo };
        (lo, hi + 0.3 * (hi - lo))
    });
    let x_ticks = match axes.x_ticks {
        // Years while their labels fit (55 px each, so that two never touch), the first and
        // last among them.
        XTicks::Years => {
            let years = series
                .iter()
                .flat_map(|s| s.1.iter().map(|p| p.0.round() as i64));
            let (first, last) = years.fold((i64::MAX, i64::MIN), |(a, b), y| (a.min(y), b.max(y)));
            let fit = (root.dim_in_pixel().0 as usize).saturating_sub(140) / 55;
            year_ticks(first, last, fit)
        }
        XTicks::Plain | XTicks::Log10 => RangedCoordf64::from(xlo..xhi).key_points(10),
    };
    let (caption, caption_size) = fitted_title(root, title, 28)?;
    let mut chart = ChartBuilder::on(root)
        .caption(&caption, font(caption_size))
        .margin(25)
        .x_label_area_size(70)
        .y_label_area_size(90)
        .build_cartesian_2d(TickedAxis::new(xlo..xhi, x_ticks), ylo..yhi)
        .map_err(err)?;
    let x_decimals = axis_decimals(xlo, xhi);
    let y_decimals = axis_decimals(ylo, yhi);
    chart
        .configure_mesh()
        .x_label_formatter(&|x| match axes.x_ticks {
            XTicks::Log10 => {
                // Two significant figures: 1,600, 25,000, 160,000.
                let v = 10f64.powf(*x);
                let unit = 10f64.powf(v.log10().floor() - 1.0).max(1.0);
                super::thousands(((v / unit).round() * unit) as u64)
            }
            // A year between whole years has no tick.
            XTicks::Years if (x - x.round()).abs() > 1e-9 => String::new(),
            XTicks::Years => format!("{x:.0}"),
            XTicks::Plain => tick(*x, x_decimals, ""),
        })
        .y_label_formatter(&|y| tick(*y, y_decimals, ""))
        .x_desc(x_label)
        .y_desc(y_label)
        .axis_desc_style(font(22))
        .label_style(font(18))
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(err)?;
    for (i, (points, spread)) in series.iter().map(|s| &s.1).zip(spread).enumerate() {
        let colour = SERIES_COLOURS[style_of(i) % SERIES_COLOURS.len()];
        chart
            .draw_series(
                points
                    .iter()
                    .zip(spread)
                    .map(|(&(x, _), &(lo, hi))| whisker(x, lo, hi, colour)),
            )
            .map_err(err)?;
    }
    for (i, (name, points)) in series.iter().enumerate() {
        let style = style_of(i);
        let colour = SERIES_COLOURS[style % SERIES_COLOURS.len()];
        let line = colour.stroke_width(3);
        if is_dashed(style) {
            chart
                .draw_series(DashedLineSeries::new(points.clone(), 12, 6, line))
                .map_err(err)?;
        } else {
            chart
                .draw_series(LineSeries::new(points.clone(), line))
                .map_err(err)?;
        }
        let markers = chart
            .draw_series(points.iter().map(move |&at| Marker::new(style, at, colour)))
            .map_err(err)?;
        if let Key::Inside = key {
            markers
                .label(name.as_str())
                .legend(move |at| key_sample(style, at));
        }
    }
    if let Key::Shared(_) = key {
        return Ok(());
    }
    // The legend goes where it hides fewest points and whisker ends.
    let whisker_ends = series
        .iter()
        .zip(spread)
        .flat_map(|(s, spread)| s.1.iter().zip(spread))
        .flat_map(|(&(x, _), &(lo, hi))| [(x, lo), (x, hi)]);
    let all_points = series
        .iter()
        .flat_map(|s| s.1.iter().copied())
        .chain(whisker_ends);
    chart
        .configure_series_labels()
        .label_font(font(18))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .position(emptiest_corner(all_points, (xlo, xhi), (ylo, yhi)))
        .draw()
        .map_err(err)
}

/// An axis of numbers whose ticks are chosen here (plotters' own `with_key_points` cannot take
/// a label formatter of ours), formatted as plotters formats its own.
struct TickedAxis {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl TickedAxis {
    fn new(range: std::ops::Range<f64>, ticks: Vec<f64>) -> Self {
        TickedAxis {
            inner: range.into(),
            ticks,
        }
    }
}

impl Ranged for TickedAxis {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, _: Hint) -> Vec<f64> {
        self.ticks.clone()
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

/// The years an axis from `first` to `last` labels, at most `fit` of them (at least two): every
/// year while they fit; else the fewest steps of a whole number of years that fit and end on
/// the last year too (2025, 2028, 2031, 2034), so that neither end goes unlabelled; else, when
/// no such step fits, a step from the first.
fn year_ticks(first: i64, last: i64, fit: usize) -> Vec<f64> {
    let span = (last - first).max(0);
    let fit = fit.max(2) as i64;
    let step = if span < fit {
        1
    } else {
        (1..=span)
            .find(|s| span % s == 0 && span / s < fit)
            .filter(|s| *s < span || fit == 2)
            .unwrap_or_else(|| (span + fit - 2) / (fit - 1))
    };
    (0..)
        .map(|k| first + k * step)
        .take_while(|y| *y <= last)
        .map(|y| y as f64)
        .collect()
}

/// Every other series of lines is dashed.
fn is_dashed(style: usize) -> bool {
    // Alternating, and the other way round for each round of the colours: with six colours, style
    // 6 would otherwise be style 0's black solid line again.
    (style + style / SERIES_COLOURS.len()) % 2 == 1
}

/// A series' line as drawn (solid or dashed) with its marker, 24 px wide from `(x, y)`: what
/// a legend or a key shows for it.
fn key_sample<DB: DrawingBackend>(style: usize, (x, y): BackendCoord) -> KeySample<DB> {
    let colour = SERIES_COLOURS[style % SERIES_COLOURS.len()];
    // Two pieces of line, with a gap between them when the line is dashed.
    let ((a, b), (c, d)) = if is_dashed(style) {
        ((0, 8), (16, 24))
    } else {
        ((0, 12), (12, 24))
    };
    EmptyElement::at((x, y))
        + PathElement::new(vec![(a, 0), (b, 0)], colour.stroke_width(3))
        + PathElement::new(vec![(c, 0), (d, 0)], colour.stroke_width(3))
        + Marker::new(style, (12, 0), colour)
}

/// Two pieces of line and a marker, as [`key_sample`] composes them.
type KeySample<DB> = ComposedElement<
    BackendCoord,
    DB,
    PathElement<BackendCoord>,
    ComposedElement<BackendCoord, DB, PathElement<BackendCoord>, Marker<BackendCoord>>,
>;

/// Where each of `labels` goes in a key `width` px wide, a sample and its label an entry, in
/// rows: (x, row) per label, and the rows needed.
fn key_layout<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: &[String],
    width: u32,
) -> Result<(Vec<(i32, i32)>, i32), String> {
    let (mut x, mut row, mut at) = (25, 0, Vec::new());
    for label in labels {
        let (text, _) = area.estimate_text_size(label, &font(18)).map_err(err)?;
        let entry = 34 + text as i32 + 30;
        if x > 25 && x + entry > width as i32 {
            x = 25;
            row += 1;
        }
        at.push((x, row));
        x += entry;
    }
    Ok((at, row + 1))
}

/// Height of a key of `rows` rows.
const KEY_ROW: i32 = 30;

/// A key for several panels of lines: each label beside its line and marker, style by place.
fn draw_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: &[String],
    at: &[(i32, i32)],
) -> R {
    for (style, (label, &(x, row))) in labels.iter().zip(at).enumerate() {
        let y = 12 + row * KEY_ROW;
        area.draw(&key_sample(style, (x, y))).map_err(err)?;
        area.draw(&Text::new(
            label.as_str(),
            (x + 34, y),
            font(18).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// How far to the side of its x each series is drawn: nothing unless `apart`, else spread
/// evenly over a third of the smallest gap between the x values (centred on them).
fn side_by_side_offsets(series: &[(String, Vec<(f64, f64)>)], apart: bool) -> Vec<f64> {
    let n = series.len();
    if !apart || n < 2 {
        return vec![0.0; n];
    }
    let mut xs: Vec<f64> = series
        .iter()
        .flat_map(|s| s.1.iter().map(|p| p.0))
        .collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let gap = xs
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(f64::INFINITY, f64::min);
    let gap = if gap.is_finite() { gap } else { 1.0 };
    let step = gap / 3.0 / (n - 1) as f64;
    (0..n)
        .map(|i| (i as f64 - (n - 1) as f64 / 2.0) * step)
        .collect()
}

/// A thin vertical line at `x` from `lo` to `hi`, in a series' colour.
fn whisker(x: f64, lo: f64, hi: f64, colour: RGBColor) -> PathElement<(f64, f64)> {
    PathElement::new(vec![(x, lo), (x, hi)], colour.mix(0.8).stroke_width(2))
}

/// A panel of lines over the years: a line per series (its points (x, y)), each point with a
/// whisker from `spread`'s (low, high) for it (one list per series), under a title and a y
/// label of its own.
#[derive(Clone)]
pub struct LinePanel {
    pub title: String,
    pub y_label: String,
    pub series: Vec<(String, Vec<(f64, f64)>)>,
    pub spread: Vec<Vec<(f64, f64)>>,
}

/// The size of a chart of `panels` [`LinePanel`]s: two a row from three on.
pub fn line_panels_size(panels: usize) -> (u32, u32) {
    let (columns, rows) = panel_grid(panels);
    // The key above the panels takes a row or two.
    (560 * columns as u32 + 80, 130 + 500 * rows as u32)
}

fn panel_grid(panels: usize) -> (usize, usize) {
    let columns = if panels > 2 { 2 } else { 1 };
    (columns, panels.div_ceil(columns).max(1))
}

/// Whether the panels of a chart share one y scale (figures to compare across them) or each
/// has its own (figures in different units).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PanelScale {
    Shared,
    Own,
}

/// Panels of lines over the years under one key for every panel: a series is drawn in its
/// label's style in every panel it is in.
pub fn line_panels<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    panels: &[LinePanel],
    title: &str,
    scale: PanelScale,
) -> R {
    let body = titled(&root, title)?;
    // Every label once, in the order the panels first have them.
    let mut labels: Vec<String> = Vec::new();
    for (name, _) in panels.iter().flat_map(|p| &p.series) {
        if !labels.contains(name) {
            labels.push(name.clone());
        }
    }
    let (at, rows) = key_layout(&body, &labels, body.dim_in_pixel().0)?;
    let (key, body) = body.split_vertically(rows * KEY_ROW + 10);
    draw_key(&key, &labels, &at)?;
    let (columns, grid_rows) = panel_grid(panels.len());
    let y_range_of = |panels: &[LinePanel]| {
        let ys = panels.iter().flat_map(|p| {
            let lines = p.series.iter().flat_map(|s| s.1.iter().map(|q| q.1));
            lines.chain(p.spread.iter().flatten().flat_map(|&(lo, hi)| [lo, hi]))
        });
        let (lo, hi) = ys.fold((0.0_f64, 0.0_f64), |(a, b), y| (a.min(y), b.max(y)));
        let (low, high) = pad(lo, hi);
        // Figures that cannot be negative (people waiting, weeks) start at 0.
        Some((if lo >= 0.0 { 0.0 } else { low }, high))
    };
    let shared = y_range_of(panels);
    for (area, panel) in body
        .split_evenly((grid_rows, columns))
        .into_iter()
        .zip(panels)
    {
        let styles: Vec<usize> = panel
            .series
            .iter()
            .map(|(name, _)| labels.iter().position(|l| l == name).unwrap_or(0))
            .collect();
        let y_range = match scale {
            PanelScale::Shared => shared,
            PanelScale::Own => y_range_of(std::slice::from_ref(panel)),
        };
        let axes = LineAxes {
            x_label: "year",
            x_ticks: XTicks::Years,
            y_label: &panel.y_label,
            y_range,
        };
        draw_lines(
            &area,
            &panel.series,
            &panel.spread,
            &panel.title,
            axes,
            Key::Shared(&styles),
        )?;
    }
    root.present().map_err(err)
}

/// Provider margin per head by IMD quintile against each arm's margin over everyone, one line
/// per arm through its mean (£ per person-year), each mean with a whisker over its 95% Monte
/// Carlo interval (± 1.96 standard errors): a slope inside the whiskers is the simulation's
/// noise, not the contract's. Drawn as gaps from each arm's own average, since the question is
/// the slope: arms' levels differ by far more (a block's −£200 beside capitation's £0), and on
/// one axis they squashed every slope flat.
pub fn margin_by_deprivation<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    arms: &[(String, Vec<QuintileMargin>)],
) -> R {
    let body = titled(
        &root,
        "Provider margin per person-year by deprivation, against each payment model's average",
    )?;
    // The key above the plot, in rows: inside it, a key for many arms took the room of the
    // lines (the y axis ran to +£300 over margins of −£200 to £0).
    let labels: Vec<String> = arms.iter().map(|(name, _)| name.clone()).collect();
    let (at, rows) = key_layout(&body, &labels, body.dim_in_pixel().0)?;
    let (key, body) = body.split_vertically(rows * KEY_ROW + 10);
    draw_key(&key, &labels, &at)?;
    // Other charts' whiskers are the spread across futures; these are not, so say so on the
    // chart itself, where a copy pasted into a paper keeps it.
    let (note, body) = body.split_vertically(30);
    note.draw(&Text::new(
        "Whiskers: 95% Monte Carlo interval of each average (the simulation's noise, not the spread across futures)",
        (25, 4),
        font(17).color(&RGBColor(90, 90, 90)),
    ))
    .map_err(err)?;
    let ys = arms
        .iter()
        .flat_map(|a| a.1.iter().flat_map(|m| [m.low(), m.high(), m.mean]));
    let (lo, hi) = ys.fold((0.0_f64, 0.0_f64), |(a, b), y| (a.min(y), b.max(y)));
    let (lo, hi) = pad(lo, hi);
    let mut chart = ChartBuilder::on(&body)
        .margin(25)
        .x_label_area_size(70)
        .y_label_area_size(90)
        .build_cartesian_2d(0.7..5.3, lo..hi)
        .map_err(err)?;
    let y_decimals = axis_decimals(lo, hi);
    chart
        .configure_mesh()
        .x_labels(5)
        .x_label_formatter(&|x: &f64| {
            let q = x.round() as i32;
            match q {
                1 => "1 (most deprived)".into(),
                5 => "5 (least deprived)".into(),
                _ => q.to_string(),
            }
        })
        .y_label_formatter(&|y| {
            // −£40, £0, £40: the sign before the pound sign.
            match tick(*y, y_decimals, "").strip_prefix('−') {
                Some(magnitude) => format!("−£{magnitude}"),
                None => format!("£{}", tick(*y, y_decimals, "")),
            }
        })
        .x_desc("IMD quintile")
        .y_desc("Margin per person-year less the average (£)")
        .axis_desc_style(font(22))
        .label_style(font(18))
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(err)?;
    // The £0 line thin and light, under the lines: a contract whose margin is £0 throughout
    // (often capitation's) is drawn on it and must still show.
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.7, 0.0), (5.3, 0.0)],
            RGBColor(185, 185, 185).stroke_width(1),
        )))
        .map_err(err)?;
    let n = arms.len();
    for (i, (_, margins)) in arms.iter().enumerate() {
        let colour = SERIES_COLOURS[i % SERIES_COLOURS.len()];
        let style = colour.stroke_width(3);
        // Each arm's points shifted a little sideways, so arms with equal margins (often all
        // at £0) stay visible side by side instead of drawn over each other.
        // 0.06 of a quintile apart, closer when many arms would spread beyond 0.3.
        let step = if n > 1 {
            (0.3 / (n - 1) as f64).min(0.06)
        } else {
            0.0
        };
        let dodge = (i as f64 - (n as f64 - 1.0) / 2.0) * step;
        let at = |m: &QuintileMargin| f64::from(m.quintile) + dodge;
        let line: Vec<(f64, f64)> = margins.iter().map(|m| (at(m), m.mean)).collect();
        chart
            .draw_series(
                margins
                    .iter()
                    .map(|m| whisker(at(m), m.low(), m.high(), colour)),
            )
            .map_err(err)?;
        if is_dashed(i) {
            chart
                .draw_series(DashedLineSeries::new(line.clone(), 12, 6, style))
                .map_err(err)?;
        } else {
            chart
                .draw_series(LineSeries::new(line.clone(), style))
                .map_err(err)?;
        }
        chart
            .draw_series(line.iter().map(move |&at| Marker::new(i, at, colour)))
            .map_err(err)?;
    }
    root.present().map_err(err)
}

/// One arm's mean margin per person-year (£) for one IMD quintile, and its Monte Carlo
/// standard error.
#[derive(Debug, Clone, Copy)]
pub struct QuintileMargin {
    pub quintile: i32,
    pub mean: f64,
    pub se: f64,
}

impl QuintileMargin {
    fn low(&self) -> f64 {
        self.mean - super::mc_error::Z95 * self.se
    }
    fn high(&self) -> f64 {
        self.mean + super::mc_error::Z95 * self.se
    }
}

/// One bar of the who-gains chart: a party's (or the system's) gain over the term (£).
#[derive(Debug, Clone)]
pub struct GainBar {
    pub label: String,
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
    /// The whole system's net saving, drawn last in its group.
    pub system: bool,
}

/// The bars of one intervention arm, under a heading.
#[derive(Debug, Clone)]
pub struct GainGroup {
    pub heading: String,
    pub bars: Vec<GainBar>,
}

/// An axis's name fitted to `room` pixels at 13 to 17 px: `long` if it fits whole, else `short`
/// (shortened with an ellipsis only if even that does not fit).
fn axis_name<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    long: &str,
    short: &str,
    room: u32,
) -> Result<(String, u32), String> {
    let (text, size) = fit_text(area, long, room, 17, 13)?;
    if text == long {
        Ok((text, size))
    } else {
        fit_text(area, short, room, 17, 13)
    }
}

/// The largest font size (down to `min`) at which `text` fits in `width` pixels, and the text,
/// shortened with an ellipsis if it does not fit even then.
fn fit_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    width: u32,
    max: u32,
    min: u32,
) -> Result<(String, u32), String> {
    let fits = |t: &str, size: u32| -> Result<bool, String> {
        Ok(area.estimate_text_size(t, &font(size)).map_err(err)?.0 <= width)
    };
    for size in (min..=max).rev() {
        if fits(text, size)? {
            return Ok((text.to_string(), size));
        }
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let short = format!("{}…", chars.iter().collect::<String>().trim_end());
        if fits(&short, min)? {
            return Ok((short, min));
        }
    }
    Ok((String::new(), min))
}

/// Rows of the who-gains chart: each group's heading, then its bars.
fn gain_rows(groups: &[GainGroup]) -> usize {
    groups
        .iter()
        .map(|g| g.bars.len() + 1)
        .sum::<usize>()
        .max(1)
}

/// The who-gains chart's size: [`SIZE`]'s width, and a height that gives every row (an arm's
/// heading or a bar) the same room however many arms there are, so one arm's chart is short
/// rather than drawn with bars and a heading band a hundred pixels tall.
pub fn who_gains_size(groups: &[GainGroup]) -> (u32, u32) {
    (SIZE.0, (240 + 44 * gain_rows(groups) as u32).max(420))
}

/// Who gains from an intervention: per intervention arm, a bar per party and the whole system
/// at the median gain over the term (£m) with a 5th-95th percentile whisker, against the same
/// contract without the programme.
pub fn who_gains<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    groups: &[GainGroup],
    years: u32,
    replications: u32,
) -> R {
    let body = titled(
        &root,
        "Who gains and who loses from the intervention, by payment model",
    )?;
    let (plot, foot) = body.split_vertically(body.dim_in_pixel().1 - 70);
    let width = root.dim_in_pixel().0;
    // Rows from the top: each group's heading, then its bars.
    let rows = gain_rows(groups);
    let values = groups
        .iter()
        .flat_map(|g| g.bars.iter().flat_map(|b| [b.p5, b.p50, b.p95]))
        .filter(|v| v.is_finite());
    let (lo, hi) = values.fold((0.0_f64, 0.0_f64), |(a, b), v| (a.min(v), b.max(v)));
    // The axis and the bars' labels in one unit.
    let money = super::MoneyUnit::for_values([lo, hi]);
    let (div, unit) = (money.divisor(), money.label());
    let v = |x: f64| x / div;
    let (lo, hi) = (v(lo), v(hi));
    // Room either side for the median's label beyond the whisker.
    let span = (hi - lo).max(0.1);
    let (lo, hi) = (lo - 0.2 * span, hi + 0.2 * span);
    let row_px = (plot.dim_in_pixel().1 as f64 - 90.0) / rows as f64;
    let label_size = ((row_px * 0.55) as u32).clamp(12, 20);
    let value_size = label_size.saturating_sub(2).max(12);
    let mut label_w = 0;
    for b in groups.iter().flat_map(|g| &g.bars) {
        label_w = label_w.max(
            plot.estimate_text_size(&b.label, &font(label_size))
                .map_err(err)?
                .0,
        );
    }
    let label_w = (label_w + 30).clamp(140, width / 2);
    let mut chart = ChartBuilder::on(&plot)
        .margin_left(25)
        .margin_right(30)
        .margin_top(10)
        .x_label_area_size(60)
        .y_label_area_size(label_w)
        .build_cartesian_2d(lo..hi, 0.0..rows as f64)
        .map_err(err)?;
    let decimals = axis_decimals(lo, hi);
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_label_formatter(&|x: &f64| {
            let s = format!("{:.*}", decimals, x.abs());
            if s.trim_start_matches(['0', '.']).is_empty() {
                "0".into()
            } else if *x < 0.0 {
                format!("−{s}")
            } else {
                format!("+{s}")
            }
        })
        .x_desc(format!("{unit}: gain (+) / loss (−)"))
        .axis_desc_style(font(19))
        .label_style(font(17))
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(225, 225, 225))
        .draw()
        .map_err(err)?;
    // The centre of row `k` from the top.
    let centre = |k: usize| rows as f64 - k as f64 - 0.5;
    let (plot_left, _) = chart.backend_coord(&(lo, 0.0));
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, rows as f64)],
            BLACK.stroke_width(2),
        )))
        .map_err(err)?;
    let (plot_right, _) = chart.backend_coord(&(hi, 0.0));
    let mut k = 0;
    for group in groups {
        // The heading sits on a band across the chart, from the left edge: long arm names
        // shrink to fit, never clip.
        let (_, top) = chart.backend_coord(&(lo, centre(k) + 0.5));
        let (_, bottom) = chart.backend_coord(&(lo, centre(k) - 0.5));
        root.draw(&Rectangle::new(
            [(20, top + 3), (plot_right, bottom - 3)],
            RGBColor(235, 235, 235).filled(),
        ))
        .map_err(err)?;
        let (heading, size) = fit_text(
            &root,
            &group.heading,
            (plot_right - 35) as u32,
            label_size + 2,
            11,
        )?;
        root.draw(&Text::new(
            heading,
            (28, (top + bottom) / 2),
            font(size).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
        k += 1;
        for bar in &group.bars {
            let y = centre(k);
            let (_, py) = chart.backend_coord(&(lo, y));
            root.draw(&Text::new(
                bar.label.as_str(),
                (plot_left - 12, py),
                font(label_size).pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(err)?;
            if bar.system {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(lo, y + 0.5), (hi, y + 0.5)],
                        RGBColor(190, 190, 190).stroke_width(1),
                    )))
                    .map_err(err)?;
            }
            let none = [bar.p5, bar.p50, bar.p95].iter().all(|x| x.abs() < 0.5);
            let (p5, p50, p95) = (v(bar.p5), v(bar.p50), v(bar.p95));
            let fill = if p50 >= 0.0 {
                RGBColor(105, 105, 105)
            } else {
                RGBColor(200, 200, 200)
            };
            let h = 0.3;
            let black = BLACK.stroke_width(2);
            if !none {
                chart
                    .draw_series([
                        Rectangle::new([(0.0, y - h), (p50, y + h)], fill.filled()),
                        Rectangle::new([(0.0, y - h), (p50, y + h)], BLACK.stroke_width(1)),
                    ])
                    .map_err(err)?;
                chart
                    .draw_series([
                        PathElement::new(vec![(p5, y), (p95, y)], black),
                        PathElement::new(vec![(p5, y - 0.15), (p5, y + 0.15)], black),
                        PathElement::new(vec![(p95, y - 0.15), (p95, y + 0.15)], black),
                    ])
                    .map_err(err)?;
            }
            // The median's value beyond the end of the whisker, on the side of its sign.
            let (x, anchor, gap) = if p50 >= 0.0 {
                (p95.max(p50).max(0.0), HPos::Left, 8)
            } else {
                (p5.min(p50).min(0.0), HPos::Right, -8)
            };
            let (px, py) = chart.backend_coord(&(x, y));
            let value = if none {
                "no change".to_string()
            } else {
                money.signed(bar.p50)
            };
            root.draw(&Text::new(
                value,
                (px + gap, py),
                font(value_size).pos(Pos::new(anchor, VPos::Center)),
            ))
            .map_err(err)?;
            k += 1;
        }
    }
    for (i, line) in [
        format!(
            "Change over the {years}-year term against the same contract without the programme: gain (+), loss (−)."
        ),
        format!(
            "Bar and figure: median of {} (dark: gain, light: loss); whisker: 5th–95th percentile.",
            super::count(replications, "simulated future")
        ),
    ]
    .iter()
    .enumerate()
    {
        let (line, size) = fit_text(&root, line, width - 50, 17, 11)?;
        foot.draw(&Text::new(line, (25, 8 + 28 * i as i32), font(size)))
            .map_err(err)?;
    }
    root.present().map_err(err)
}

/// A grid of values over two fields: what [`heat_map`] draws.
pub struct HeatMap<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    /// Labels of the columns (x) and rows (y), in order.
    pub x_values: &'a [String],
    pub y_values: &'a [String],
    /// One row per y value, one value per x value (NaN where there is none).
    pub cells: &'a [Vec<f64>],
    /// Decimals written in each cell.
    pub decimals: usize,
}

/// A heat map in greys (light = low, dark = high), every cell labelled with its value, so it
/// reads in print and without a key.
pub fn heat_map<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, map: &HeatMap) -> R {
    root.fill(&WHITE).map_err(err)?;
    let (nx, ny) = (map.x_values.len(), map.y_values.len());
    let finite = map.cells.iter().flatten().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
        (a.min(v), b.max(v))
    });
    let span = if hi > lo { hi - lo } else { 1.0 };
    let (caption, caption_size) = fitted_title(&root, map.title, 28)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(&caption, font(caption_size))
        .margin(25)
        .x_label_area_size(70)
        .y_label_area_size(110)
        .build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)
        .map_err(err)?;
    let label_at = |values: &[String], x: f64| -> String {
        let i = x.floor() as usize;
        if (x - i as f64 - 0.5).abs() < 1e-6 && i < values.len() {
            values[i].clone()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(nx * 2 + 1)
        .y_labels(ny * 2 + 1)
        .x_label_formatter(&|x| label_at(map.x_values, *x))
        .y_label_formatter(&|y| label_at(map.y_values, *y))
        .x_desc(map.x_label)
        .y_desc(map.y_label)
        .axis_desc_style(font(22))
        .label_style(font(18))
        .draw()
        .map_err(err)?;
    let size = 28 - (nx.max(ny) as u32).clamp(4, 14);
    for (j, row) in map.cells.iter().enumerate() {
        for (i, &v) in row.iter().enumerate() {
            let (x, y) = (i as f64, j as f64);
            let shade = if v.is_finite() {
                (235.0 - 200.0 * (v - lo) / span) as u8
            } else {
                255
            };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x, y), (x + 1.0, y + 1.0)],
                    RGBColor(shade, shade, shade).filled(),
                )))
                .map_err(err)?;
            let text = if v.is_finite() {
                tick(v, map.decimals, "")
            } else {
                "–".into()
            };
            let colour = if shade < 130 { WHITE } else { BLACK };
            let style = font(size)
                .color(&colour)
                .pos(Pos::new(HPos::Center, VPos::Center));
            chart
                .draw_series(std::iter::once(Text::new(text, (x + 0.5, y + 0.5), style)))
                .map_err(err)?;
        }
    }
    root.present().map_err(err)
}

/// Designs as (x, y) points: what [`frontier`] draws.
pub struct Frontier<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    /// Every design.
    pub all: &'a [(f64, f64)],
    /// The designs on the boundary: for each share and cap, the widest band meeting the limit.
    pub boundary: &'a [(f64, f64)],
    /// The arm without a corridor.
    pub none: Option<(f64, f64)>,
    /// The recommended design and its description.
    pub pick: Option<((f64, f64), String)>,
    /// The limit on y, drawn as a dashed line.
    pub limit: f64,
}

/// Designs scattered by the commissioner's cost (x) and the providers' risk (y), the limit as a
/// dashed line, the boundary designs marked, the design without a corridor in the key and the
/// recommended one labelled with its description.
pub fn frontier<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, f: &Frontier) -> R {
    root.fill(&WHITE).map_err(err)?;
    let xs = f.all.iter().map(|p| p.0);
    let (xlo, xhi) = pad(
        xs.clone().fold(f64::INFINITY, f64::min),
        xs.fold(f64::NEG_INFINITY, f64::max),
    );
    let yhi = f
        .all
        .iter()
        .map(|p| p.1)
        .filter(|y| y.is_finite())
        .fold(f.limit, f64::max)
        .max(1.0)
        * 1.15;
    let (caption, caption_size) = fitted_title(&root, f.title, 26)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(&caption, font(caption_size))
        .margin(25)
        .x_label_area_size(70)
        .y_label_area_size(90)
        // A little below 0, so that designs with no chance of a loss are not half hidden by
        // the axis.
        .build_cartesian_2d(xlo..xhi, -0.02 * yhi..yhi)
        .map_err(err)?;
    let decimals = axis_decimals(xlo, xhi);
    let y_decimals = axis_decimals(0.0, yhi);
    chart
        .configure_mesh()
        .x_label_formatter(&|x| tick(*x, decimals, ""))
        .y_label_formatter(&|y| tick(*y, y_decimals, ""))
        .x_desc(f.x_label)
        .y_desc(f.y_label)
        .axis_desc_style(font(22))
        .label_style(font(18))
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(err)?;
    chart
        .draw_series(
            f.all
                .iter()
                .map(|&p| Circle::new(p, 4, SERIES_COLOURS[4].filled())),
        )
        .map_err(err)?
        .label("design")
        .legend(|(x, y)| Circle::new((x + 12, y), 4, SERIES_COLOURS[4].filled()));
    // The boundary designs are not joined: each is the widest band of its own share and cap,
    // and a line between two of them would suggest designs in between that were not tried.
    chart
        .draw_series(
            f.boundary
                .iter()
                .map(|&p| Circle::new(p, 6, SERIES_COLOURS[0].filled())),
        )
        .map_err(err)?
        .label("widest band meeting the limit, for its share and cap")
        .legend(|(x, y)| Circle::new((x + 12, y), 6, SERIES_COLOURS[0].filled()));
    chart
        .draw_series(DashedLineSeries::new(
            vec![(xlo, f.limit), (xhi, f.limit)],
            10,
            6,
            SERIES_COLOURS[1].stroke_width(2),
        ))
        .map_err(err)?
        .label("limit")
        .legend(|(x, y)| {
            // Dashed, as the line is.
            EmptyElement::at((x, y))
                + PathElement::new(vec![(0, 0), (9, 0)], SERIES_COLOURS[1].stroke_width(2))
                + PathElement::new(vec![(15, 0), (24, 0)], SERIES_COLOURS[1].stroke_width(2))
        });
    // A label reads away from the nearer side, so one by the right edge is not cut off, and
    // starts clear of its marker, a little above the points around it.
    let label = |text: String, at: (f64, f64)| {
        let (side, dx) = if at.0 > (xlo + xhi) / 2.0 {
            (HPos::Right, -16)
        } else {
            (HPos::Left, 16)
        };
        EmptyElement::at(at)
            + Text::new(text, (dx, -10), font(18).pos(Pos::new(side, VPos::Bottom)))
    };
    if let Some(p) = f.none {
        chart
            .draw_series([Circle::new(p, 8, SERIES_COLOURS[0].stroke_width(2))])
            .map_err(err)?
            .label("no corridor")
            .legend(|(x, y)| Circle::new((x + 12, y), 8, SERIES_COLOURS[0].stroke_width(2)));
    }
    if let Some((p, text)) = &f.pick {
        chart
            .draw_series([Cross::new(*p, 10, SERIES_COLOURS[0].stroke_width(3))])
            .map_err(err)?
            .label("recommended")
            .legend(|(x, y)| Cross::new((x + 12, y), 8, SERIES_COLOURS[0].stroke_width(3)));
        chart
            .draw_series([label(format!("recommended: {text}"), *p)])
            .map_err(err)?;
    }
    chart
        .configure_series_labels()
        .label_font(font(18))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)
}

/// One bar of a [`tornado`]: the mean result when a driver is low and when it is high.
pub struct TornadoBar {
    pub label: String,
    pub low: f64,
    pub high: f64,
    /// Written beside the bar (e.g. the rank correlation).
    pub note: String,
}

/// Two tornado panels side by side with the same rows: (axis label, bars, centre line).
pub struct Tornado<'a> {
    pub title: &'a str,
    pub left: (&'a str, &'a [TornadoBar], f64),
    pub right: (&'a str, &'a [TornadoBar], f64),
    /// A line under the title saying how to read the bars.
    pub key: &'a str,
}

/// Size of a [`tornado`] chart with `rows` drivers.
pub fn tornado_size(rows: usize) -> (u32, u32) {
    (1400, (190 + 56 * rows as u32).max(420))
}

/// Tornado charts: per driver, a bar from the mean result when it is in its lowest tenth
/// (light end) to its highest (dark end), the strongest first, around a line at the centre.
pub fn tornado<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, t: &Tornado) -> R {
    let body = titled(&root, t.title)?;
    let (key, body) = body.split_vertically(36);
    key.draw(&Text::new(t.key, (25, 4), font(17)))
        .map_err(err)?;
    let labels: Vec<String> = t.left.1.iter().map(|b| b.label.clone()).collect();
    let label_width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(10) as u32 * 10 + 30;
    let (width, _) = body.dim_in_pixel();
    let split = label_width + (width - label_width) / 2;
    let (left, right) = body.split_horizontally(split);
    tornado_panel(&left, t.left, &labels, label_width)?;
    tornado_panel(&right, t.right, &labels, 20)?;
    root.present().map_err(err)
}

fn tornado_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x_label, bars, centre): (&str, &[TornadoBar], f64),
    labels: &[String],
    label_width: u32,
) -> R {
    let rows = bars.len();
    let ends = bars.iter().flat_map(|b| [b.low, b.high]).chain([centre]);
    let (lo, hi) = ends.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    // A measure the same in every replication (a block's spend, say) has nothing to rank.
    let flat = hi - lo <= 1e-9 * (1.0 + lo.abs().max(hi.abs()));
    if flat {
        let (w, h) = area.dim_in_pixel();
        let centred = |size: u32| font(size).pos(Pos::new(HPos::Center, VPos::Center));
        let middle = (w as i32 / 2, h as i32 / 2);
        area.draw(&Text::new(
            "the same in every replication: nothing drives it",
            middle,
            centred(18),
        ))
        .map_err(err)?;
        area.draw(&Text::new(x_label, (middle.0, h as i32 - 30), centred(20)))
            .map_err(err)?;
        return Ok(());
    }
    let (lo, hi) = pad(lo, hi);
    // Room on the right for the notes.
    let hi = hi + 0.25 * (hi - lo);
    let mut chart = ChartBuilder::on(area)
        .margin(15)
        .x_label_area_size(60)
        .y_label_area_size(label_width)
        .build_cartesian_2d(lo..hi, 0.0..rows as f64)
        .map_err(err)?;
    let row_label = |y: f64| -> String {
        let i = y.floor() as usize;
        if (y - i as f64 - 0.5).abs() < 1e-6 && i < rows && label_width > 40 {
            // The strongest driver on top.
            labels[rows - 1 - i].clone()
        } else {
            String::new()
        }
    };
    let decimals = axis_decimals(lo, hi);
    // One tick label per 65 pixels of plot at most: a half-width panel's default ten ran together
    // ("−400−300−200").
    let plot_width = area.dim_in_pixel().0.saturating_sub(label_width + 30);
    // The axis's description is centred under the plot: smaller when it would run off the edge.
    let (x_label, x_label_size) = fit_text(area, x_label, plot_width, 20, 14)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(TRANSPARENT)
        .x_labels((plot_width / 65).max(3) as usize)
        .y_labels(rows * 2 + 1)
        .y_label_formatter(&|y| row_label(*y))
        .x_label_formatter(&|x| tick(*x, decimals, ""))
        .x_desc(x_label)
        .axis_desc_style(font(x_label_size))
        .label_style(font(16))
        .draw()
        .map_err(err)?;
    for (k, b) in bars.iter().enumerate() {
        let y = (rows - 1 - k) as f64;
        let (a, z) = (b.low.min(b.high), b.low.max(b.high));
        // The dark end is the bar's own last 4% at its high end, whichever side that is: drawn
        // inside the bar, never beyond it.
        let cap = (z - a) * 0.04;
        let cap_end = if b.high >= b.low {
            b.high - cap
        } else {
            b.high + cap
        };
        chart
            .draw_series([
                Rectangle::new([(a, y + 0.2), (z, y + 0.8)], LIGHT_GREY.filled()),
                Rectangle::new(
                    [
                        (b.high.min(cap_end), y + 0.2),
                        (b.high.max(cap_end), y + 0.8),
                    ],
                    BLACK.filled(),
                ),
            ])
            .map_err(err)?;
        // Right of the bar, and of the centre line, which would strike it through.
        chart
            .draw_series(std::iter::once(Text::new(
                format!("  {}", b.note),
                (z.max(centre), y + 0.5),
                font(16).pos(Pos::new(HPos::Left, VPos::Center)),
            )))
            .map_err(err)?;
    }
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(centre, 0.0), (centre, rows as f64)],
            DARK_GREY.stroke_width(2),
        )))
        .map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::tick;

    /// Every series of a chart up to 24 is drawn in a style of its own (marker shape, colour,
    /// solid or dashed): arms beyond six used to repeat the first six's. Up to 12, the lines
    /// alone differ (colour, solid or dashed), not only their markers: the seventh arm's line
    /// was the first's.
    #[test]
    fn twenty_four_series_are_told_apart() {
        let lines: Vec<(usize, bool)> = (0..12)
            .map(|i| (i % super::SERIES_COLOURS.len(), super::is_dashed(i)))
            .collect();
        for (i, l) in lines.iter().enumerate() {
            assert!(!lines[..i].contains(l), "series {i}'s line repeats {l:?}");
        }
        let styles: Vec<(usize, usize, bool)> = (0..24)
            .map(|i| {
                (
                    i % super::MARKER_SHAPES,
                    i % super::SERIES_COLOURS.len(),
                    super::is_dashed(i),
                )
            })
            .collect();
        for (i, s) in styles.iter().enumerate() {
            assert!(!styles[..i].contains(s), "series {i} repeats {s:?}");
        }
    }

    /// A year axis labels every year while they fit; beyond, a step that labels both ends (the
    /// first year of a 2025-2034 run had gone unlabelled, ticks falling on even years); a span
    /// no step divides is labelled from its first year.
    #[test]
    fn year_axes_label_their_ends() {
        let years = |first, last, fit| -> Vec<i64> {
            super::year_ticks(first, last, fit)
                .into_iter()
                .map(|y| y as i64)
                .collect()
        };
        assert_eq!(years(2025, 2029, 6), [2025, 2026, 2027, 2028, 2029]);
        assert_eq!(years(2025, 2034, 6), [2025, 2028, 2031, 2034]);
        assert_eq!(years(2025, 2034, 10), (2025..=2034).collect::<Vec<_>>());
        assert_eq!(years(2023, 2043, 6), [2023, 2027, 2031, 2035, 2039, 2043]);
        assert_eq!(years(2007, 2018, 9), [2007, 2009, 2011, 2013, 2015, 2017]);
        assert_eq!(years(2025, 2025, 6), [2025]);
    }

    /// A tornado bar's dark end lies inside the bar at its high end, whether the high end is
    /// on the right (the result rises with the driver) or on the left (it falls).
    #[test]
    fn a_tornado_bars_dark_end_is_inside_the_bar() {
        use plotters::prelude::{IntoDrawingArea, SVGBackend};
        super::register_font();
        let bars = [
            super::TornadoBar {
                label: "rises".into(),
                low: -1.0,
                high: 3.0,
                note: String::new(),
            },
            super::TornadoBar {
                label: "falls".into(),
                low: 2.0,
                high: -4.0,
                note: String::new(),
            },
        ];
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (1400, 420)).into_drawing_area();
            let t = super::Tornado {
                title: "t",
                left: ("a", &bars, 0.0),
                right: ("b", &bars, 0.0),
                key: "k",
            };
            super::tornado(root, &t).unwrap();
        }
        let rects = |fill: &str| -> Vec<(f64, f64)> {
            svg.lines()
                .filter(|l| l.starts_with("<rect") && l.contains(fill))
                .map(|l| {
                    let attr = |name: &str| -> f64 {
                        l.split(&format!(" {name}=\""))
                            .nth(1)
                            .unwrap()
                            .split('"')
                            .next()
                            .unwrap()
                            .parse()
                            .unwrap()
                    };
                    (attr("x"), attr("x") + attr("width"))
                })
                .collect()
        };
        let (light, dark) = (rects("#AAAAAA"), rects("#000000"));
        assert_eq!((light.len(), dark.len()), (4, 4), "{light:?} {dark:?}");
        for (bar, end) in light.iter().zip(&dark) {
            assert!(
                end.0 >= bar.0 - 0.5 && end.1 <= bar.1 + 0.5,
                "dark end {end:?} outside its bar {bar:?}"
            );
        }
        // Panel by panel: the bar that rises ends dark on the right, the one that falls on the
        // left.
        for k in [0, 2] {
            assert!(
                (dark[k].1 - light[k].1).abs() <= 0.5,
                "{:?}",
                (light[k], dark[k])
            );
            let falls = k + 1;
            assert!(
                (dark[falls].0 - light[falls].0).abs() <= 0.5,
                "{:?}",
                (light[falls], dark[falls])
            );
        }
    }

    /// The year-by-year who-gains chart draws one whisker per party and year from its 5th to
    /// its 95th percentile, on the chart's scale, and each party's line through its medians at
    /// its whiskers: the parties of a year side by side, at most a third of a year apart.
    #[test]
    fn year_by_year_whiskers_span_each_years_percentiles() {
        use plotters::prelude::{IntoDrawingArea, SVGBackend};
        super::register_font();
        let years = [2025.0, 2026.0, 2027.0];
        let spreads = [
            [(0.5, 1.5), (0.0, 2.0), (-0.5, 2.5)],
            [(-3.0, 1.0), (-2.0, 0.5), (-3.0, 0.0)],
        ];
        let arm = super::LinePanel {
            title: "block".into(),
            y_label: "£m".into(),
            series: vec![
                ("acute".into(), years.iter().map(|&y| (y, 1.0)).collect()),
                (
                    "commissioner".into(),
                    years.iter().map(|&y| (y, -1.0)).collect(),
                ),
            ],
            spread: spreads.iter().map(|s| s.to_vec()).collect(),
        };
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (800, 700)).into_drawing_area();
            super::line_panels(
                root,
                std::slice::from_ref(&arm),
                "t",
                super::PanelScale::Shared,
            )
            .unwrap();
        }
        // Two panels make one document: presenting a panel would close it after the first.
        let mut two = String::new();
        {
            let root = SVGBackend::with_string(&mut two, (1200, 700)).into_drawing_area();
            let other = super::LinePanel {
                title: "pbr".into(),
                ..arm.clone()
            };
            super::line_panels(root, &[arm.clone(), other], "t", super::PanelScale::Shared)
                .unwrap();
        }
        assert_eq!(two.matches("</svg>").count(), 1);
        assert!(two.trim_end().ends_with("</svg>"));
        let paths = |style: &str| -> Vec<Vec<(f64, f64)>> {
            svg.lines()
                .filter(|l| l.starts_with("<polyline") && l.contains(style))
                .map(|l| {
                    let points = l
                        .split("points=\"")
                        .nth(1)
                        .unwrap()
                        .split('"')
                        .next()
                        .unwrap();
                    points
                        .split_whitespace()
                        .map(|p| {
                            let (x, y) = p.split_once(',').unwrap();
                            (x.parse().unwrap(), y.parse().unwrap())
                        })
                        .collect()
                })
                .collect()
        };
        // Whiskers: vertical two-point paths at 80% opacity, party by party, year by year.
        let whiskers = paths("opacity=\"0.8\"");
        assert_eq!(whiskers.len(), 6, "{whiskers:?}");
        for w in &whiskers {
            assert!(
                w.len() == 2 && w[0].0 == w[1].0,
                "not a vertical whisker: {w:?}"
            );
        }
        // The scale from the first whisker (0.5 at its foot, 1.5 at its top); every end
        // follows it, to rounding.
        let per_unit = whiskers[0][0].1 - whiskers[0][1].1;
        let at = |value: f64| whiskers[0][0].1 - (value - 0.5) * per_unit;
        let ends = spreads.iter().flatten();
        for (w, &(lo, hi)) in whiskers.iter().zip(ends) {
            assert!((w[0].1 - at(lo)).abs() <= 1.5, "{w:?} should start at {lo}");
            assert!((w[1].1 - at(hi)).abs() <= 1.5, "{w:?} should end at {hi}");
        }
        // The acute provider's line (solid) runs through its medians at its whiskers.
        let line = paths("stroke-width=\"3\"")
            .into_iter()
            .find(|p| p.len() == 3)
            .expect("a solid line of three points");
        for (point, w) in line.iter().zip(&whiskers) {
            assert!(
                (point.0 - w[0].0).abs() <= 1.0,
                "{line:?} is off its whiskers"
            );
            assert!(
                (point.1 - at(1.0)).abs() <= 1.5,
                "{line:?} is off its median"
            );
        }
        let year_px = whiskers[1][0].0 - whiskers[0][0].0;
        for year in 0..3 {
            let apart = whiskers[3 + year][0].0 - whiskers[year][0].0;
            assert!(
                apart > 0.0 && apart <= year_px / 3.0 + 1.0,
                "{apart} px apart, a year is {year_px} px"
            );
        }
    }

    /// Every tick of an axis has the decimals the finest of them needs, so ticks are told
    /// apart and written alike.
    #[test]
    fn tick_labels_tell_ticks_apart() {
        use super::{AXIS_LABELS, axis_decimals};
        let labels = |lo: f64, hi: f64| -> Vec<String> {
            let decimals = axis_decimals(lo, hi);
            plotters::coord::types::RangedCoordf64::from(lo..hi)
                .key_points(AXIS_LABELS)
                .into_iter()
                .map(|x| tick(x, decimals, ""))
                .collect()
        };
        use plotters::prelude::Ranged as _;
        assert_eq!(
            labels(-2.7, 2.7),
            [
                "−2.5", "−2.0", "−1.5", "−1.0", "−0.5", "0.0", "0.5", "1.0", "1.5", "2.0", "2.5"
            ]
        );
        assert_eq!(
            labels(16.75, 17.25),
            [
                "16.75", "16.80", "16.85", "16.90", "16.95", "17.00", "17.05", "17.10", "17.15",
                "17.20", "17.25"
            ]
        );
        assert_eq!(labels(0.0, 100.0)[..3], ["0", "10", "20"]);
        assert_eq!(axis_decimals(0.0, 0.04), 3);
        // A step of 0.0005 needs four: three would label 0.0015 and 0.002 both 0.002.
        assert_eq!(axis_decimals(0.0008, 0.0042), 4);
        assert_eq!(tick(-1e-12, 0, ""), "0");
        assert_eq!(tick(12_345.0, 0, "%"), "12,345%");
        assert_eq!(tick(-40_000.0, 0, ""), "−40,000");
        assert_eq!(tick(9_000.0, 0, ""), "9,000");
        assert_eq!(tick(999.0, 0, ""), "999");
        assert_eq!(super::with_minus(-0.001, 2), "0.00");
        assert_eq!(super::with_minus(-0.61, 2), "−0.61");
    }
}
