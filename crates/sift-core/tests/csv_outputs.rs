//! Every CSV that Sift writes for people goes through `sift_core::csv_out`, which neutralises
//! formula cells. This test reads the workspace's source and fails when code builds a CSV
//! writer of its own, so that a new output cannot forget the neutralising.

use std::path::{Path, PathBuf};

/// Writers that produce CSV nobody opens in a spreadsheet, with the reason.
const ALLOWED: &[(&str, &str)] = &[
    // The stored leads as an in-memory table handed straight to the scorer's reader.
    ("crates/sift-app/src/scoring.rs", "an in-memory table read back by the scorer, never written out"),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            // Tests may write CSV any way they like (they build inputs).
            if name != "tests" && name != "target" && name != "benches" && name != "examples" {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_code_writes_csv_around_the_neutralising_writer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files);
    assert!(files.len() > 20, "the workspace sources were found");
    let mut offenders = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&root).unwrap_or(&file).to_string_lossy().replace('\\', "/");
        if relative.ends_with("sift-core/src/csv_out.rs") || ALLOWED.iter().any(|(path, _)| relative == *path) {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read source");
        // Unit tests at the end of a file may build CSV inputs.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (i, line) in code.lines().enumerate() {
            if line.contains("csv::Writer")
                || line.contains("csv::WriterBuilder")
                || line.contains("WriterBuilder::new")
            {
                offenders.push(format!("{relative}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "write CSV through sift_core::csv_out::CsvWriter (or push_field), which neutralises formula cells:\n{}",
        offenders.join("\n")
    );
}
