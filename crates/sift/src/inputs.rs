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
