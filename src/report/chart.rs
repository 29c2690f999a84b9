//! Chart pictures for the Word reports: PNG images drawn with plotters — horizontal
//! bars (amounts by kind) and lines over days or months with a target line.
//!
//! Text uses the embedded WenQuanYi Micro Hei font (assets/fonts, Apache-2.0), so
//! Chinese labels render the same on every machine without a system font. Drawing is
//! deterministic: the same bars give the same bytes.

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::register_font;
use std::sync::OnceLock;

/// The font's family name as registered with plotters.
const FAMILY: &str = "gwq-hei";
static FONT: &[u8] = include_bytes!("../../assets/fonts/wqy-microhei.ttc");

/// Pixels per bar, and for the margins and axis.
const ROW: u32 = 84;
const ROW_TOP_BOTTOM: u32 = 130;
/// Width of one character of a value label (digits at 30 px are narrower).
const VALUE_CHAR_PX: f64 = 17.0;

/// Bars for amounts above zero and below zero.
const ABOVE: RGBColor = RGBColor(192, 80, 77);
const BELOW: RGBColor = RGBColor(79, 129, 189);

/// One bar: its label, its value and the text shown at its end.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
}

/// A PNG image and its size in pixels.
#[derive(Debug, Clone)]
pub struct Png {
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Registers the embedded font once per process (also as plotters' default family).
fn font() -> Result<(), String> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            for family in [FAMILY, "sans-serif"] {
                register_font(family, FontStyle::Normal, FONT)
                    .map_err(|_| "内置图表字体无法读取".to_string())?;
            }
            Ok(())
        })
        .clone()
}

/// Horizontal bars (no title: the document's caption names the figure), the first of
/// `bars` on top, each with its text at its end (the axis shows whole numbers); values
/// below zero extend to the left of the zero line in another colour. An error when
/// there is no bar.
pub fn horizontal_bars(axis: &str, bars: &[Bar]) -> Result<Png, String> {
    if bars.is_empty() {
        return Err("图表没有数据".to_string());
    }
    font()?;
    let n = bars.len();
    let (width, height) = (1400u32, ROW_TOP_BOTTOM + ROW * n as u32);
    let mut rgb = vec![255u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        draw_bars(&root, axis, bars).map_err(|e| format!("绘制图表失败：{e}"))?;
        root.present().map_err(|e| format!("绘制图表失败：{e}"))?;
    }
    Ok(Png {
        bytes: encode_png(&rgb, width, height)?,
        width,
        height,
    })
}

/// One line of a line chart: its name and a value per category (`None`: a gap).
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// Line colours in order, then the target's (the bars' red).
const LINE_COLOURS: [RGBColor; 3] = [BELOW, RGBColor(247, 150, 70), RGBColor(155, 187, 89)];
const LINE_SIZE: (u32, u32) = (1400, 720);

/// Lines over `categories` (days, months) with the values on a `axis` scale and, when
/// given, the target as a red line; a legend names each line. An error when no line
/// has a value.
pub fn lines(
    axis: &str,
    categories: &[String],
    lines: &[Line],
    target: Option<f64>,
) -> Result<Png, String> {
    let values = || lines.iter().flat_map(|l| l.values.iter().flatten());
    if values().next().is_none() || categories.is_empty() {
        return Err("图表没有数据".to_string());
    }
    font()?;
    let (width, height) = LINE_SIZE;
    let mut rgb = vec![255u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        let lo = values()
            .chain(target.iter())
            .fold(f64::INFINITY, |a, v| a.min(*v));
        let hi = values()
            .chain(target.iter())
            .fold(f64::NEG_INFINITY, |a, v| a.max(*v));
        let pad = if hi > lo { (hi - lo) * 0.15 } else { 1.0 };
        draw_lines(
            &root,
            axis,
            categories,
            lines,
            target,
            (lo - pad)..(hi + pad),
        )
        .map_err(|e| format!("绘制图表失败：{e}"))?;
        root.present().map_err(|e| format!("绘制图表失败：{e}"))?;
    }
    Ok(Png {
        bytes: encode_png(&rgb, width, height)?,
        width,
        height,
    })
}

fn draw_lines(
    root: &Area,
    axis: &str,
    categories: &[String],
    lines: &[Line],
    target: Option<f64>,
    y_range: std::ops::Range<f64>,
) -> Result<(), Box<dyn std::error::Error>> {
    let n = categories.len();
    root.fill(&WHITE)?;
    // Room on the right for half the last category's label, centred under its point.
    let last = categories.last().map_or(0, |c| c.chars().count()) as u32;
    let mut chart = ChartBuilder::on(root)
        .margin(24)
        .margin_right(24 + last * 9)
        .x_label_area_size(70)
        .y_label_area_size(120)
        .build_cartesian_2d(0.0..(n.max(2) - 1) as f64, y_range)?;
    // About eight labels along the bottom, on whole categories.
    let every = n.div_ceil(8).max(1);
    let label_of = |x: &f64| {
        let i = x.round() as usize;
        match (x.fract().abs() < 1e-9, categories.get(i)) {
            (true, Some(c)) if i % every == 0 => c.clone(),
            _ => String::new(),
        }
    };
    chart
        .configure_mesh()
        .x_labels(n.min(60))
        .x_label_formatter(&label_of)
        .x_max_light_lines(0)
        .y_labels(6)
        .y_max_light_lines(1)
        .y_desc(axis)
        .label_style((FAMILY, 28))
        .axis_desc_style((FAMILY, 28))
        .light_line_style(RGBColor(230, 230, 230))
        .draw()?;
    for (k, line) in lines.iter().enumerate() {
        let colour = LINE_COLOURS[k % LINE_COLOURS.len()];
        // Each run of values without a gap is one path.
        let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for (i, v) in line.values.iter().enumerate() {
            match v {
                Some(v) => runs.last_mut().expect("one run").push((i as f64, *v)),
                None => runs.push(Vec::new()),
            }
        }
        let style = colour.stroke_width(4);
        chart
            .draw_series(
                runs.into_iter()
                    .filter(|r| !r.is_empty())
                    .map(move |r| PathElement::new(r, style)),
            )?
            .label(line.name.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 30, y)], colour.stroke_width(4))
            });
    }
    if let Some(t) = target {
        let style = ABOVE.stroke_width(3);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, t), ((n.max(2) - 1) as f64, t)],
                style,
            )))?
            .label(format!("目标 {}", crate::ingest::values::format_number(t)))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 30, y)], style));
    }
    chart
        .configure_series_labels()
        .label_font((FAMILY, 28))
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(200, 200, 200))
        .position(SeriesLabelPosition::LowerRight)
        .draw()?;
    Ok(())
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;

fn draw_bars(root: &Area, axis: &str, bars: &[Bar]) -> Result<(), Box<dyn std::error::Error>> {
    let n = bars.len();
    let lo = bars.iter().map(|b| b.value).fold(0.0, f64::min);
    let hi = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let label_width = bars
        .iter()
        .map(|b| b.label.chars().count() as u32)
        .max()
        .unwrap_or(4)
        * 32
        + 30;
    // Room beyond the bars on each side for the widest value text: `need` pixels of
    // a plot `plot` pixels wide, where the padded range is span + 2 pads.
    let need = bars
        .iter()
        .map(|b| b.text.chars().count() as f64 * VALUE_CHAR_PX + 30.0)
        .fold(0.0, f64::max);
    let plot = root.dim_in_pixel().0 as f64 - 48.0 - label_width as f64;
    let pad = if plot > 3.0 * need {
        span * need / (plot - 2.0 * need)
    } else {
        span
    };
    let x_range = match (lo < 0.0, hi > 0.0) {
        (false, false) => 0.0..1.0,
        (below, above) => {
            (if below { lo - pad } else { 0.0 })..(if above { hi + pad } else { 0.0 })
        }
    };
    // The first bar on top: bar i sits in segment n-1-i (segments 0..=n-1).
    let label_of = |v: &SegmentValue<usize>| match v {
        SegmentValue::CenterOf(k) if *k < n => bars[n - 1 - k].label.clone(),
        _ => String::new(),
    };

    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(root)
        .margin(24)
        .x_label_area_size(80)
        .y_label_area_size(label_width)
        .build_cartesian_2d(x_range, (0..n - 1).into_segmented())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .y_label_formatter(&label_of)
        .x_labels(6)
        .x_label_formatter(&|x| whole_number(*x))
        .x_max_light_lines(1)
        .x_desc(axis)
        .label_style((FAMILY, 32))
        .axis_desc_style((FAMILY, 32))
        .light_line_style(RGBColor(230, 230, 230))
        .draw()?;
    chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
        let k = n - 1 - i;
        let colour = if b.value < 0.0 { BELOW } else { ABOVE };
        let mut bar = Rectangle::new(
            [
                (0.0, SegmentValue::Exact(k)),
                (b.value, SegmentValue::Exact(k + 1)),
            ],
            colour.filled(),
        );
        bar.set_margin(16, 16, 0, 0);
        bar
    }))?;
    let text = (FAMILY, 30).into_font().color(&BLACK);
    chart.draw_series(bars.iter().enumerate().map(|(i, b)| {
        let k = n - 1 - i;
        // Beside the bar's end, outside it; left of a bar below zero.
        let offset = if b.value < 0.0 {
            -((b.text.chars().count() as f64 * VALUE_CHAR_PX) as i32 + 10)
        } else {
            10
        };
        EmptyElement::at((b.value, SegmentValue::CenterOf(k)))
            + Text::new(b.text.clone(), (offset, -15), text.clone())
    }))?;
    // The zero line.
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, SegmentValue::Exact(0)), (0.0, SegmentValue::Exact(n))],
        BLACK.stroke_width(2),
    )))?;
    Ok(())
}

/// `-12,345`: rounded to a whole number, thousands grouped.
fn whole_number(v: f64) -> String {
    let digits = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v.round() < 0.0 {
        out.insert(0, '-');
    }
    out
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let fail = |e: png::EncodingError| format!("生成图表图片失败：{e}");
    let mut writer = encoder.write_header().map_err(fail)?;
    writer.write_image_data(rgb).map_err(fail)?;
    writer.finish().map_err(fail)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, value: f64) -> Bar {
        Bar {
            label: label.to_string(),
            value,
            text: format!("{value:.2}"),
        }
    }

    #[test]
    fn bars_become_a_png_of_the_stated_size_and_the_same_bytes_twice() {
        let bars = vec![
            bar("金额计算错误", 12_700.0),
            bar("在网线路未列预算", -7_800.0),
            bar("重复列支", 5_400.0),
        ];
        let a = horizontal_bars("元", &bars).unwrap();
        assert!(a.bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_eq!((a.width, a.height), (1400, ROW_TOP_BOTTOM + ROW * 3));
        let decoder = png::Decoder::new(std::io::Cursor::new(a.bytes.clone()));
        let info = decoder.read_info().unwrap().info().clone();
        assert_eq!((info.width, info.height), (a.width, a.height));
        let b = horizontal_bars("元", &bars).unwrap();
        assert_eq!(a.bytes, b.bytes);
    }

    #[test]
    fn lines_with_gaps_and_a_target_become_a_png() {
        let days: Vec<String> = (1..=31).map(|d| format!("8/{d}")).collect();
        let availability = Line {
            name: "可用率".to_string(),
            values: (0..31)
                .map(|d| (d != 10).then_some(99.9 + 0.003 * (d % 7) as f64))
                .collect(),
        };
        let a = lines(
            "可用率 (%)",
            &days,
            std::slice::from_ref(&availability),
            Some(99.95),
        )
        .unwrap();
        assert_eq!((a.width, a.height), LINE_SIZE);
        let b = lines("可用率 (%)", &days, &[availability], Some(99.95)).unwrap();
        assert_eq!(a.bytes, b.bytes, "deterministic");
        // GWQ_CHART_DUMP=DIR keeps the picture, to look at it.
        if let Some(dir) = std::env::var_os("GWQ_CHART_DUMP") {
            std::fs::write(std::path::Path::new(&dir).join("lines.png"), &a.bytes).unwrap();
        }
        let mut decoder = png::Decoder::new(std::io::Cursor::new(a.bytes))
            .read_info()
            .unwrap();
        let mut rgb = vec![0; decoder.output_buffer_size().unwrap()];
        decoder.next_frame(&mut rgb).unwrap();
        let has = |c: RGBColor| rgb.chunks(3).any(|p| p == [c.0, c.1, c.2]);
        assert!(
            has(LINE_COLOURS[0]) && has(ABOVE),
            "the line and the target"
        );
        let empty = Line {
            name: "空".to_string(),
            values: vec![None; 31],
        };
        assert!(lines("%", &days, &[empty], Some(1.0)).is_err());
    }

    #[test]
    fn axis_numbers_are_whole_and_grouped() {
        assert_eq!(whole_number(0.0), "0");
        assert_eq!(whole_number(-0.4), "0");
        assert_eq!(whole_number(999.5), "1,000");
        assert_eq!(whole_number(-12_345.0), "-12,345");
        assert_eq!(whole_number(1_234_567.0), "1,234,567");
    }

    #[test]
    fn no_bars_is_an_error_and_zero_bars_are_drawn() {
        assert!(horizontal_bars("元", &[]).is_err());
        let zero = horizontal_bars("元", &[bar("无", 0.0)]);
        assert!(zero.is_ok());
    }

    #[test]
    fn one_bar_is_drawn_too() {
        let png = horizontal_bars("元", &[bar("多列", 1.0)]);
        assert_eq!(png.unwrap().height, ROW_TOP_BOTTOM + ROW);
    }

    #[test]
    fn bars_above_and_below_zero_have_their_own_colours() {
        let bars = vec![bar("多列", 100.0), bar("少列", -100.0)];
        let png = horizontal_bars("元", &bars).unwrap();
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png.bytes))
            .read_info()
            .unwrap();
        let mut rgb = vec![0; decoder.output_buffer_size().unwrap()];
        decoder.next_frame(&mut rgb).unwrap();
        let has = |c: RGBColor| rgb.chunks(3).any(|p| p == [c.0, c.1, c.2]);
        assert!(has(ABOVE) && has(BELOW));
    }
}
