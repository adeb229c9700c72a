//! Source text with a line index, so any byte offset becomes a 1-based
//! `line:column` (columns count characters, as editors do).

use std::ops::Range;

/// One file's text as ebpack read it, named the way the user should see it
/// (a path as given on the command line, or an entry name inside a zip).
///
/// Every look-up is cheap on any input, so that locating and rendering a
/// finding does not cost the size of the file: a line is found by binary
/// search, and a column is a byte difference on ASCII text, or counted from
/// the nearest checkpoint (every 4 KiB) on other text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    name: String,
    text: String,
    line_starts: Vec<usize>,
    /// Characters before each [`CHECKPOINT`]-byte block; empty for ASCII.
    char_checkpoints: Vec<usize>,
}

/// Bytes between two character-count checkpoints of a non-ASCII text.
const CHECKPOINT: usize = 4096;

/// A 1-based position in a [`SourceFile`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Position {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl SourceFile {
    /// Wraps `text` under the display name `name`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        line_starts.shrink_to_fit();
        let char_checkpoints = if text.is_ascii() {
            Vec::new()
        } else {
            let mut chars = 0;
            let mut out = Vec::with_capacity(text.len() / CHECKPOINT + 1);
            for block in text.as_bytes().chunks(CHECKPOINT) {
                out.push(chars);
                // Continuation bytes do not start a character.
                chars += block.iter().filter(|&&b| (b as i8) >= -0x40).count();
            }
            out
        };
        Self {
            name: name.into(),
            text,
            line_starts,
            char_checkpoints,
        }
    }

    /// The display name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The full text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Characters before byte `offset` (a char boundary).
    fn chars_before(&self, offset: usize) -> usize {
        if self.char_checkpoints.is_empty() {
            return offset;
        }
        let block = offset / CHECKPOINT;
        let start = block * CHECKPOINT;
        let counted = self.text.as_bytes()[start..offset]
            .iter()
            .filter(|&&b| (b as i8) >= -0x40)
            .count();
        self.char_checkpoints[block] + counted
    }

    /// The position of byte `offset` (clamped to the text and to a char boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_index(offset);
        let start = self.line_starts[line];
        Position {
            line: line + 1,
            column: self.chars_before(offset) - self.chars_before(start) + 1,
        }
    }

    /// The 0-based index of the line holding byte `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset) - 1
    }

    /// Byte range of the 0-based line `index` up to its `\n` (a `\r`
    /// before it included), clamped to the last line.
    pub fn line_bounds(&self, index: usize) -> Range<usize> {
        let i = index.min(self.line_starts.len() - 1);
        let end = self
            .line_starts
            .get(i + 1)
            .map_or(self.text.len(), |next| next - 1);
        self.line_starts[i]..end
    }

    /// Byte range of 1-based line `line` without its line ending.
    pub fn line_range(&self, line: usize) -> Range<usize> {
        let Range { start, end } = self.line_bounds(line.max(1) - 1);
        let end = if self.text[start..end].ends_with('\r') {
            end - 1
        } else {
            end
        };
        start..end
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_chars() {
        let f = SourceFile::new("x", "ab\nçd\r\ne");
        assert_eq!(f.position(0), Position { line: 1, column: 1 });
        assert_eq!(f.position(3), Position { line: 2, column: 1 });
        // byte 5 is `d` (ç is two bytes): column 2.
        assert_eq!(f.position(5), Position { line: 2, column: 2 });
        assert_eq!(f.position(8), Position { line: 3, column: 1 });
        assert_eq!(f.line_range(2), 3..6);
        assert_eq!(f.position(999), Position { line: 3, column: 2 });
    }

    #[test]
    fn columns_count_characters_across_checkpoints() {
        // A long non-ASCII line: columns counted across many checkpoints
        // agree with counting from the start of the line.
        let line: String = "aé€😀".repeat(CHECKPOINT);
        let text = format!("x\n{line}\nyz");
        let f = SourceFile::new("x", text.as_str());
        for (i, (b, _)) in line.char_indices().enumerate().step_by(997) {
            assert_eq!(
                f.position(2 + b),
                Position {
                    line: 2,
                    column: i + 1
                }
            );
        }
        let end = 2 + line.len() + 1;
        assert_eq!(f.position(end + 1), Position { line: 3, column: 2 });
        assert_eq!(f.line_range(2), 2..2 + line.len());
        assert_eq!(f.line_range(3), end..end + 2);
    }
}
