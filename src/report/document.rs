//! The neutral model of a Word report: a cover, numbered headings, paragraphs,
//! tables and images. Builders fill it; `docx` draws it in the house style.

/// One block of the body, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading; `text` carries its number (`一、`, `（一）`).
    Heading {
        level: u8,
        text: String,
    },
    Paragraph(String),
    /// A table: header row, then rows (`true` = highlight the row).
    Table {
        caption: Option<String>,
        headers: Vec<String>,
        rows: Vec<(bool, Vec<String>)>,
        /// Relative column widths (same length as `headers`).
        widths: Vec<u32>,
        /// Columns whose text is right-aligned (amounts).
        right: Vec<usize>,
        /// Cells whose text is coloured: (row, column, RGB hex), e.g. a change that is
        /// better (green) or worse (red) in the indicator's direction.
        tints: Vec<(usize, usize, &'static str)>,
    },
    /// A PNG chart or picture with its caption.
    Image {
        png: Vec<u8>,
        width_px: u32,
        height_px: u32,
        caption: String,
    },
}

/// A report: cover fields and body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    pub title: String,
    pub subtitle: Option<String>,
    /// Lines at the foot of the cover (编制单位, 日期).
    pub cover_lines: Vec<String>,
    pub blocks: Vec<Block>,
}

impl Document {
    pub fn heading(&mut self, level: u8, text: impl Into<String>) {
        self.blocks.push(Block::Heading {
            level,
            text: text.into(),
        });
    }

    pub fn paragraph(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Paragraph(text.into()));
    }
}

/// Chinese section numbers: 一, 二, … 九十九.
pub fn chinese_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { DIGITS[n - 10] }),
        _ => format!(
            "{}十{}",
            DIGITS[(n / 10) % 10],
            if n % 10 == 0 { "" } else { DIGITS[n % 10] }
        ),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn chinese_numbers() {
        assert_eq!(super::chinese_number(1), "一");
        assert_eq!(super::chinese_number(10), "十");
        assert_eq!(super::chinese_number(12), "十二");
        assert_eq!(super::chinese_number(20), "二十");
        assert_eq!(super::chinese_number(35), "三十五");
    }
}
