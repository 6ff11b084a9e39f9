//! Reading the user's files: the only place the binary touches the file system for input.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use sift_core::{Diagnostic, Diagnostics, Registry};

/// Files bigger than this are refused: a framework, ICP or answers file is a few kilobytes.
const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// Reads a UTF-8 text file, with an error naming the file when it cannot be read, is too
/// big or is not UTF-8 (giving the byte offset of the first bad byte).
pub fn read_text(path: &Path) -> Result<String> {
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    if meta.len() > MAX_INPUT_BYTES {
        bail!("`{}` is {} bytes; input files are limited to {} bytes", path.display(), meta.len(), MAX_INPUT_BYTES);
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text)),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(&e.into_bytes()[..offset]).into_owned();
            let location = sift_core::Location::from_offset(&text, offset);
            Err(Diagnostics(vec![Diagnostic {
                source: path.display().to_string(),
                location: Some(location),
                message: "the file is not valid UTF-8; save it as UTF-8".into(),
            }])
            .into())
        }
    }
}

/// The framework `id`, or an error listing the known ones.
pub fn framework<'r>(registry: &'r Registry, id: &str) -> Result<&'r sift_core::Framework> {
    registry
        .get(id)
        .with_context(|| format!("unknown framework `{id}`; known frameworks: {}", registry.ids().join(", ")))
}

/// The built-in frameworks plus the user's framework files.
pub fn registry(framework_files: &[PathBuf]) -> Result<Registry> {
    let mut registry = Registry::builtin().context("the built-in frameworks are invalid (a bug in sift)")?;
    for path in framework_files {
        let text = read_text(path)?;
        let warnings = registry.load(&path.display().to_string(), &text)?;
        crate::render::print_diagnostics(&warnings);
    }
    Ok(registry)
}

/// Transcripts are refused above this size: a one-hour call is about 70 KB of text, so this
/// is some 200 hours of talk; analysis memory grows with the text (about 16 times it).
pub const MAX_TRANSCRIPT_BYTES: u64 = 16 * 1024 * 1024;

/// A transcript file as text, and a note when some of it had to be decoded leniently.
pub struct TranscriptText {
    pub text: String,
    pub note: Option<String>,
}

/// Reads a transcript: UTF-8 (with or without BOM), UTF-16 with a BOM, or mixed files
/// where some lines are Windows-1252 (common when calls are pasted from several tools);
/// those lines are decoded as Windows-1252 and named in the note.
pub fn read_transcript(path: &Path) -> Result<TranscriptText> {
    let meta = std::fs::metadata(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    if meta.is_dir() {
        bail!("`{}` is a directory; give a transcript file", path.display());
    }
    if meta.len() > MAX_TRANSCRIPT_BYTES {
        bail!(
            "`{}` is {} MB; transcripts are limited to {} MB (a one-hour call is about 70 KB; split longer recordings)",
            path.display(),
            meta.len() / (1024 * 1024),
            MAX_TRANSCRIPT_BYTES / (1024 * 1024)
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    Ok(decode_transcript(&bytes))
}

pub fn decode_transcript(bytes: &[u8]) -> TranscriptText {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return TranscriptText { text: text.into_owned(), note: None };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return TranscriptText { text: text.to_owned(), note: None };
    }
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 8);
    let mut lenient = Vec::new();
    for (i, line) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        match std::str::from_utf8(line) {
            Ok(s) => text.push_str(s),
            Err(_) => {
                let (s, _, _) = encoding_rs::WINDOWS_1252.decode(line);
                text.push_str(&s);
                lenient.push(i + 1);
            }
        }
    }
    let shown: Vec<String> = lenient.iter().take(10).map(usize::to_string).collect();
    let more = if lenient.len() > 10 { format!(" and {} more", lenient.len() - 10) } else { String::new() };
    TranscriptText {
        text,
        note: Some(format!(
            "{} line{} not UTF-8 and read as Windows-1252 (line {}{more})",
            lenient.len(),
            if lenient.len() == 1 { " was" } else { "s were" },
            shown.join(", ")
        )),
    }
}

/// A clap parser for a `usize` flag limited to `range` (the library's own limits, so the
/// command line refuses what the library would, naming the allowed range).
pub fn ranged(range: std::ops::RangeInclusive<usize>) -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::<usize>::new().range(*range.start() as u64..=*range.end() as u64)
}
