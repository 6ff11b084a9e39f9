//! Is this file text at all? Checked on the first bytes before a row is stored, so that
//! `sift import /bin/ls` or a file of random bytes is refused with the reason instead of
//! becoming thousands of junk leads.

/// Why a file is not CSV text.
#[derive(Debug, Clone, PartialEq)]
pub enum NotText {
    /// UTF-16, with or without a byte-order mark.
    Utf16 { big_endian: bool, bom: bool },
    /// A NUL byte: binary data (or an encoding with NULs, which CSV exports never use).
    Nul { offset: usize },
    /// Too many control bytes (or bytes Windows-1252 leaves undefined) for text.
    ControlBytes { count: usize, sample: usize },
    /// Not UTF-8, and too much of it outside ASCII to be Windows-1252 text.
    NotWindows1252 { share: f64 },
}

impl std::fmt::Display for NotText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotText::Utf16 { big_endian, bom } => write!(
                f,
                "it is UTF-16{} text{}; save it as UTF-8 (or Windows-1252) CSV",
                if *big_endian { " big-endian" } else { " little-endian" },
                if *bom { "" } else { " without a byte-order mark" }
            ),
            NotText::Nul { offset } => {
                write!(f, "it holds a NUL byte (at byte {offset}), so it is a binary file, not CSV text")
            }
            NotText::ControlBytes { count, sample } => write!(
                f,
                "{count} of its first {sample} bytes are control characters, so it is a binary file, not CSV text"
            ),
            NotText::NotWindows1252 { share } => write!(
                f,
                "it is not UTF-8, and {:.0}% of its bytes are outside ASCII, too many for Windows-1252 text \
                 (a binary file, or a GBK, Big5 or Shift-JIS export?); save it as UTF-8",
                share * 100.0
            ),
        }
    }
}

/// Share of control bytes above which a sample is not text. Real exports hold none, or a
/// stray vertical tab or form feed pasted into a notes field.
const MAX_CONTROL_SHARE: f64 = 0.01;
/// Control bytes always tolerated, so that a short file with a stray one still reads.
const MIN_CONTROL_COUNT: usize = 8;
/// Share of non-ASCII bytes above which a non-UTF-8 sample is not Windows-1252 text: in
/// Western European text accented letters are a few percent of the bytes.
const MAX_NON_ASCII_SHARE_1252: f64 = 0.3;

/// UTF-16 without a BOM shows as a NUL next to nearly every ASCII character: in the even
/// bytes for big-endian, in the odd bytes for little-endian.
fn utf16_without_bom(sample: &[u8]) -> Option<bool> {
    let pairs = sample.len().min(8192) / 2;
    if pairs < 2 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in sample[..pairs * 2].chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    let mostly = |n: usize| n * 10 >= pairs * 4;
    let rarely = |n: usize| n * 20 <= pairs;
    if mostly(even) && rarely(odd) {
        Some(true)
    } else if mostly(odd) && rarely(even) {
        Some(false)
    } else {
        None
    }
}

/// A byte no text file holds: C0 controls other than tab, line feed, carriage return and
/// (at the end of old DOS files) Ctrl-Z, and DEL.
fn is_control(b: u8) -> bool {
    matches!(b, 0x01..=0x08 | 0x0B | 0x0C | 0x0E..=0x19 | 0x1B..=0x1F | 0x7F)
}

/// Bytes Windows-1252 leaves undefined.
fn undefined_in_1252(b: u8) -> bool {
    matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D)
}

/// Counts (valid multi-byte UTF-8 characters, invalid byte sequences) in `bytes`.
fn utf8_counts(mut bytes: &[u8]) -> (usize, usize) {
    let (mut valid, mut invalid) = (0, 0);
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                valid += s.chars().filter(|c| !c.is_ascii()).count();
                return (valid, invalid);
            }
            Err(e) => {
                let good = e.valid_up_to();
                valid += std::str::from_utf8(&bytes[..good]).map_or(0, |s| s.chars().filter(|c| !c.is_ascii()).count());
                match e.error_len() {
                    Some(n) => {
                        invalid += 1;
                        bytes = &bytes[good + n..];
                    }
                    // A character cut by the end of the sample.
                    None => return (valid, invalid),
                }
            }
        }
    }
}

/// The encoding of a sample (after any UTF-8 BOM): `utf-8` when it is UTF-8, or mostly UTF-8
/// with a few bad fields (those are decoded one by one as Windows-1252), else
/// `windows-1252`.
pub fn encoding_of(sample: &[u8]) -> &'static str {
    let (valid, invalid) = utf8_counts(sample);
    if invalid == 0 || valid > invalid { "utf-8" } else { "windows-1252" }
}

/// Checks that a sample from the start of a file (BOM included) is text a CSV reader can
/// take.
pub fn check_text(sample: &[u8]) -> Result<(), NotText> {
    if sample.starts_with(&[0xFF, 0xFE]) {
        return Err(NotText::Utf16 { big_endian: false, bom: true });
    }
    if sample.starts_with(&[0xFE, 0xFF]) {
        return Err(NotText::Utf16 { big_endian: true, bom: true });
    }
    if let Some(big_endian) = utf16_without_bom(sample) {
        return Err(NotText::Utf16 { big_endian, bom: false });
    }
    if let Some(offset) = sample.iter().position(|&b| b == 0) {
        return Err(NotText::Nul { offset });
    }
    let body = sample.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(sample);
    let utf8 = encoding_of(body) == "utf-8";
    let control = body.iter().filter(|&&b| is_control(b) || (!utf8 && undefined_in_1252(b))).count();
    if control > MIN_CONTROL_COUNT && control as f64 > MAX_CONTROL_SHARE * body.len() as f64 {
        return Err(NotText::ControlBytes { count: control, sample: body.len() });
    }
    if !utf8 {
        let share = body.iter().filter(|b| !b.is_ascii()).count() as f64 / body.len().max(1) as f64;
        if share > MAX_NON_ASCII_SHARE_1252 {
            return Err(NotText::NotWindows1252 { share });
        }
    }
    Ok(())
}

/// Whether a header row looks like column names: at least one name, most of them with a
/// letter in them, none absurdly long. Returns the reason when it does not.
pub fn check_header(headers: &[String]) -> Result<(), String> {
    const MAX_NAME: usize = 1000;
    let names: Vec<&str> = headers.iter().map(|h| h.trim()).filter(|h| !h.is_empty()).collect();
    if names.is_empty() {
        return Err("its first line has no column names".into());
    }
    if let Some(long) = names.iter().find(|n| n.chars().count() > MAX_NAME) {
        return Err(format!(
            "its first line has a column name of {} characters, so it is not a header row",
            long.chars().count()
        ));
    }
    let with_letter = names.iter().filter(|n| n.chars().any(char::is_alphabetic)).count();
    if with_letter * 2 < names.len() {
        let shown: Vec<String> =
            names.iter().take(5).map(|n| format!("`{}`", n.chars().take(40).collect::<String>())).collect();
        return Err(format!(
            "its first line ({}{}) does not look like column names: a CSV export starts with a header row",
            shown.join(", "),
            if names.len() > 5 { ", ..." } else { "" }
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        text.encode_utf16().flat_map(|u| if big_endian { u.to_be_bytes() } else { u.to_le_bytes() }).collect()
    }

    #[test]
    fn text_in_the_encodings_exports_use_passes() {
        for ok in [
            &b"Email,Company\r\njana@acme.example,Acme\r\n"[..],
            "\u{feff}Name,City\n云帆科技,北京\n".as_bytes(),
            b"name;city\nM\xfcller;K\xf6ln\n",
            b"notes\nline with a stray \x0b vertical tab\n",
            b"a,b\n1,2\n\x1a",
        ] {
            assert_eq!(check_text(ok), Ok(()), "{:?}", String::from_utf8_lossy(ok));
        }
    }

    #[test]
    fn regression_binary_and_utf16_files_are_refused_with_the_reason() {
        assert_eq!(check_text(b"\x7fELF\x02\x01\x01\x00\x00"), Err(NotText::Nul { offset: 7 }));
        // Random bytes (a fixed generator, so the test is stable).
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let random: Vec<u8> = (0..65536)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        assert!(matches!(check_text(&random), Err(NotText::Nul { .. })));
        let no_nul: Vec<u8> = random.iter().map(|&b| b.max(1)).collect();
        assert!(matches!(check_text(&no_nul), Err(NotText::ControlBytes { .. })), "{:?}", check_text(&no_nul));
        let high: Vec<u8> = random.iter().map(|&b| if b < 0x80 { b'a' } else { b | 0xA0 }).collect();
        assert!(matches!(check_text(&high), Err(NotText::NotWindows1252 { .. })), "{:?}", check_text(&high));

        let csv = "Email,Company\r\njana@acme.example,Acme\r\n";
        assert_eq!(check_text(&utf16(csv, false)), Err(NotText::Utf16 { big_endian: false, bom: false }));
        assert_eq!(check_text(&utf16(csv, true)), Err(NotText::Utf16 { big_endian: true, bom: false }));
        let mut with_bom = vec![0xFF, 0xFE];
        with_bom.extend(utf16(csv, false));
        assert_eq!(check_text(&with_bom), Err(NotText::Utf16 { big_endian: false, bom: true }));
    }

    #[test]
    fn a_mostly_utf8_file_with_one_bad_field_stays_utf8() {
        assert_eq!(encoding_of("名字,城市\n王伟,北京\n李娜,上海\n".as_bytes()), "utf-8");
        assert_eq!(encoding_of(b"a,b\n\xe7\x8e\x8b\xe4\xbc\x9f,\xe5\x8c\x97\n\xfc,x\n"), "utf-8");
        assert_eq!(encoding_of(b"name,city\nM\xfcller,K\xf6ln\n"), "windows-1252");
    }

    #[test]
    fn headers_must_look_like_column_names() {
        let h = |names: &[&str]| names.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(check_header(&h(&["Email", "Company", ""])), Ok(()));
        assert_eq!(check_header(&h(&["Record ID", "2026", "Name"])), Ok(()));
        assert!(check_header(&h(&["", " "])).is_err());
        assert!(
            check_header(&h(&["1", "2", "3.5", "x"])).expect_err("numbers").contains("does not look like column names")
        );
        assert!(check_header(&h(&[&"a".repeat(2000)])).is_err());
    }
}
