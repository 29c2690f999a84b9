//! Chart pictures for the Word reports: PNG images drawn with plotters.
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
