//! Renders a [`Document`] to .docx with docx-rs in the look of Chinese government
//! documents (GB/T 9704 spirit): A4 with 37/35/28/26 mm margins, the title in
//! 方正小标宋简体 二号, headings in 黑体 and 楷体 三号, body in 仿宋 三号 with a
//! two-character first-line indent and 28-point lines, tables with a shaded header
//! row, a cover page, a contents page and page numbers “— n —”. Written atomically.

use super::document::{Block, Document};
use docx_rs::{
    AlignmentType, BreakType, Docx, FieldCharType, Footer, InstrPAGEREF, InstrText, LineSpacing,
    LineSpacingType, PageMargin, PageNum, Paragraph, Pic, Run, RunFonts, Shading,
    SpecialIndentType, Tab, TabLeaderType, TabValueType, Table, TableCell, TableRow, WidthType,
};
use std::path::Path;

const TITLE_FONT: &str = "方正小标宋简体";
const HEI: &str = "黑体";
const KAI: &str = "楷体";
const FANGSONG: &str = "仿宋";
const LATIN: &str = "Times New Roman";
/// Sizes in half-points: 二号 22 pt, 三号 16 pt, 四号 14 pt, 五号 10.5 pt.
const ERHAO: usize = 44;
const SANHAO: usize = 32;
const SIHAO: usize = 28;
const WUHAO: usize = 21;
/// A4 in twips and the text width between the margins (210 − 28 − 26 mm).
const A4: (u32, u32) = (11906, 16838);
const TEXT_WIDTH: u32 = 8844;
const EMU_PER_TWIP: u32 = 635;

fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(east_asia)
        .ascii(LATIN)
        .hi_ansi(LATIN)
}

fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(fonts(font)).size(size)
}

fn exact_lines(twips: i32) -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(twips)
}

fn body_paragraph(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, FANGSONG, SANHAO))
        .align(AlignmentType::Both)
        .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
        .line_spacing(exact_lines(560))
}

fn heading(level: u8, text: &str) -> Paragraph {
    let font = if level <= 1 { HEI } else { KAI };
    Paragraph::new()
        .add_run(run(text, font, SANHAO))
        .style(&format!("Heading{}", level.clamp(1, 3)))
        .outline_lvl(level.saturating_sub(1) as usize)
        .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
        .line_spacing(exact_lines(560))
        .keep_next(true)
}

/// Whether a heading of `level` is listed in the contents (the first two levels).
fn in_contents(level: u8) -> bool {
    level <= 2
}

/// The bookmark on the `k`-th heading in the contents, which its page number refers to.
fn bookmark(k: usize) -> String {
    format!("_Toc_gwq_{k}")
}

/// A line of the contents: the heading's text, a dotted leader and its page number
/// as a PAGEREF field to the heading's bookmark (marked dirty so Word recomputes it
/// on open; LibreOffice lays it out with the page).
fn contents_line(k: usize, level: u8, text: &str) -> Paragraph {
    let indent = if level == 1 { 0 } else { 640 };
    Paragraph::new()
        .add_tab(
            Tab::new()
                .val(TabValueType::Right)
                .leader(TabLeaderType::Dot)
                .pos(TEXT_WIDTH as usize),
        )
        .add_run(run(text, if level == 1 { HEI } else { FANGSONG }, SIHAO))
        .add_run(Run::new().add_tab().size(SIHAO))
        .add_run(Run::new().add_field_char(FieldCharType::Begin, true))
        .add_run(Run::new().add_instr_text(InstrText::PAGEREF(
            InstrPAGEREF::new(bookmark(k)).hyperlink(),
        )))
        .add_run(Run::new().add_field_char(FieldCharType::Separate, false))
        .add_run(run("", LATIN, SIHAO))
        .add_run(Run::new().add_field_char(FieldCharType::End, false))
        .indent(Some(indent), None, None, None)
        .line_spacing(exact_lines(480))
}

fn centered(text: &str, font: &str, size: usize) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, font, size))
        .align(AlignmentType::Center)
}

fn page_break() -> Paragraph {
    Paragraph::new().add_run(Run::new().add_break(BreakType::Page))
}

fn table(
    headers: &[String],
    rows: &[(bool, Vec<String>)],
    widths: &[u32],
    right: &[usize],
    tints: &[(usize, usize, &'static str)],
) -> Table {
    // Wide tables in 小五 (9 pt), narrow ones in 五号.
    let size = if headers.len() > 5 { 18 } else { WUHAO };
    let total: u32 = widths.iter().sum::<u32>().max(1);
    let twips: Vec<u32> = widths.iter().map(|w| w * TEXT_WIDTH / total).collect();
    let cell = |text: &str, width: u32, font: &str, align: AlignmentType, tint: Option<&str>| {
        let mut r = run(text, font, size);
        if let Some(hex) = tint {
            r = r.color(hex);
        }
        TableCell::new()
            .width(width as usize, WidthType::Dxa)
            .add_paragraph(
                Paragraph::new()
                    .add_run(r)
                    .align(align)
                    .line_spacing(exact_lines(300)),
            )
    };
    let mut out = vec![TableRow::new(
        headers
            .iter()
            .zip(&twips)
            .map(|(h, w)| {
                cell(h, *w, HEI, AlignmentType::Center, None).shading(Shading::new().fill("D9E1F2"))
            })
            .collect(),
    )];
    for (row, (highlight, cells)) in rows.iter().enumerate() {
        out.push(
            TableRow::new(
                cells
                    .iter()
                    .zip(&twips)
                    .enumerate()
                    .map(|(i, (c, w))| {
                        let align = if right.contains(&i) {
                            AlignmentType::Right
                        } else {
                            AlignmentType::Left
                        };
                        let tint = tints
                            .iter()
                            .find(|(r, col, _)| *r == row && *col == i)
                            .map(|t| t.2);
                        let c = cell(c, *w, FANGSONG, align, tint);
                        if *highlight {
                            c.shading(Shading::new().fill("FCE4D6"))
                        } else {
                            c
                        }
                    })
                    .collect(),
            )
            .cant_split(),
        );
    }
    Table::new(out)
        .width(TEXT_WIDTH as usize, WidthType::Dxa)
        .set_grid(twips.iter().map(|&w| w as usize).collect())
}

/// The document as .docx bytes.
pub fn render(doc: &Document) -> Result<Vec<u8>, String> {
    let mut d = Docx::new()
        .page_size(A4.0, A4.1)
        .page_margin(
            PageMargin::new()
                .top(2098)
                .bottom(1984)
                .left(1588)
                .right(1474)
                .header(851)
                .footer(992),
        )
        .default_fonts(fonts(FANGSONG))
        .default_size(SANHAO)
        .title_pg()
        .first_footer(Footer::new())
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .add_run(run("— ", LATIN, SIHAO))
                    .add_page_num(PageNum::new())
                    .add_run(run(" —", LATIN, SIHAO)),
            ),
        );
    // Cover.
    for _ in 0..6 {
        d = d.add_paragraph(Paragraph::new());
    }
    d = d.add_paragraph(centered(&doc.title, TITLE_FONT, ERHAO).line_spacing(exact_lines(800)));
    if let Some(sub) = &doc.subtitle {
        d = d
            .add_paragraph(Paragraph::new())
            .add_paragraph(centered(sub, KAI, SANHAO));
    }
    for _ in 0..10 {
        d = d.add_paragraph(Paragraph::new());
    }
    for line in &doc.cover_lines {
        d = d.add_paragraph(centered(line, FANGSONG, SANHAO).line_spacing(exact_lines(560)));
    }
    d = d.add_paragraph(page_break());
    // Contents.
    d = d.add_paragraph(centered("目  录", HEI, SANHAO).line_spacing(exact_lines(800)));
    let listed = doc.blocks.iter().filter_map(|b| match b {
        Block::Heading { level, text } if in_contents(*level) => Some((*level, text)),
        _ => None,
    });
    for (k, (level, text)) in listed.enumerate() {
        d = d.add_paragraph(contents_line(k, level, text));
    }
    d = d.add_paragraph(page_break());
    // Body.
    d = d.add_paragraph(centered(&doc.title, TITLE_FONT, ERHAO).line_spacing(exact_lines(800)));
    d = d.add_paragraph(Paragraph::new());
    // Headings in the contents carry their bookmarks, numbered as there.
    let mut marked = 0;
    for b in &doc.blocks {
        match b {
            Block::Heading { level, text } => {
                let mut p = heading(*level, text);
                if in_contents(*level) {
                    p = p
                        .add_bookmark_start(marked, bookmark(marked))
                        .add_bookmark_end(marked);
                    marked += 1;
                }
                d = d.add_paragraph(p);
            }
            Block::Paragraph(text) => d = d.add_paragraph(body_paragraph(text)),
            Block::Table {
                caption,
                headers,
                rows,
                widths,
                right,
                tints,
            } => {
                if let Some(c) = caption {
                    d = d.add_paragraph(centered(c, HEI, WUHAO + 3).keep_next(true));
                }
                d = d.add_table(table(headers, rows, widths, right, tints));
                d = d.add_paragraph(Paragraph::new());
            }
            Block::Image {
                png,
                width_px,
                height_px,
                caption,
            } => {
                if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
                    return Err(format!("图片 “{caption}” 不是 PNG"));
                }
                let width = TEXT_WIDTH * EMU_PER_TWIP;
                let height = (width as u64 * *height_px as u64 / (*width_px).max(1) as u64) as u32;
                let pic = Pic::new(png).size(width, height);
                d = d
                    .add_paragraph(
                        Paragraph::new()
                            .add_run(Run::new().add_image(pic))
                            .align(AlignmentType::Center),
                    )
                    .add_paragraph(centered(caption, HEI, WUHAO + 3));
            }
        }
    }
    let mut xml = d.build();
    xml.document = repeat_header_rows(&xml.document);
    let mut out = std::io::Cursor::new(Vec::new());
    xml.pack(&mut out)
        .map_err(|e| format!("生成 Word 文档失败：{e}"))?;
    Ok(out.into_inner())
}

/// Marks each table's header row to repeat at the top of every page it runs onto.
/// docx-rs has no `w:tblHeader`: the header rows are the only rows built without
/// properties (body rows are `cantSplit`), so their empty `w:trPr` is replaced.
fn repeat_header_rows(document: &[u8]) -> Vec<u8> {
    const HEADER: &str = "<w:trPr><w:cantSplit /><w:tblHeader /></w:trPr>";
    let text = String::from_utf8_lossy(document);
    text.replace("<w:trPr />", HEADER)
        .replace("<w:trPr/>", HEADER)
        .into_bytes()
}

/// Writes the document to `path` (temp file, then rename).
pub fn write(doc: &Document, path: &Path) -> anyhow::Result<()> {
    let bytes = render(doc).map_err(anyhow::Error::msg)?;
    crate::output::write_atomic(path, &bytes)?;
    Ok(())
}
