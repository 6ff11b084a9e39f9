//! Countries, read the same way everywhere: an ISO 3166-1 alpha-2 or alpha-3 code, or a name
//! in English, in the country's own language or in Chinese (`DE`, `DEU`, `Germany`,
//! `Deutschland`, `德国`). The importer, answers files and ICP files all parse through
//! [`parse_country`], so a country that one of them accepts, all of them accept.
//!
//! The names are data: `data/countries.tsv`, one line per ISO code with the names after it.

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../data/countries.tsv");

/// The comparison key of a name: lower case, Latin diacritics folded (`España` = `espana`,
/// `Côte d'Ivoire` = `cote divoire`), punctuation dropped, runs of spaces as one.
pub fn country_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    let mut space = false;
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        let folded: &str = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
            'æ' => "ae",
            'ç' | 'č' | 'ć' => "c",
            'ď' => "d",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
            'ğ' => "g",
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => "i",
            'ł' | 'ľ' => "l",
            'ñ' | 'ń' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
            'œ' => "oe",
            'ř' => "r",
            'ś' | 'š' | 'ş' | 'ș' => "s",
            'ß' => "ss",
            'ť' | 'ț' => "t",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
            'ý' | 'ÿ' => "y",
            'ź' | 'ż' | 'ž' => "z",
            '\'' | '’' | '.' | ',' | '(' | ')' => continue,
            c if c.is_whitespace() || c == '-' || c == '/' => {
                space = !key.is_empty();
                continue;
            }
            c => {
                if space {
                    key.push(' ');
                    space = false;
                }
                key.push(c);
                continue;
            }
        };
        if space {
            key.push(' ');
            space = false;
        }
        key.push_str(folded);
    }
    key
}

struct Countries {
    by_key: HashMap<String, &'static str>,
    codes: Vec<&'static str>,
}

fn countries() -> &'static Countries {
    static MAP: OnceLock<Countries> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut by_key = HashMap::new();
        let mut codes = Vec::new();
        for line in TABLE.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            let mut parts = line.split('\t');
            let Some(code) = parts.next() else { continue };
            codes.push(code);
            by_key.insert(country_key(code), code);
            for name in parts {
                // The first line that names a key keeps it (the table has no clashes; a
                // test checks that).
                by_key.entry(country_key(name)).or_insert(code);
            }
        }
        Countries { by_key, codes }
    })
}

/// Every ISO 3166-1 alpha-2 code Sift knows, in the table's (alphabetical) order.
pub fn iso_codes() -> &'static [&'static str] {
    &countries().codes
}

/// The ISO 3166-1 alpha-2 code of a country code or name, when it is one Sift knows.
pub fn parse_country(raw: &str) -> Option<&'static str> {
    countries().by_key.get(&country_key(raw)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_in_several_languages_read_the_same() {
        let check = |raw: &str, expected: Option<&str>| assert_eq!(parse_country(raw), expected, "{raw:?}");
        for de in ["DE", "de", "DEU", "Germany", "GERMANY", "Deutschland", "德国", "Federal Republic of Germany"] {
            check(de, Some("DE"));
        }
        for es in ["España", "ESPAÑA", "Espana", "Spain", "西班牙"] {
            check(es, Some("ES"));
        }
        check("UK", Some("GB"));
        check("U.S.A.", Some("US"));
        check("united  states", Some("US"));
        check("Côte d'Ivoire", Some("CI"));
        check("Korea, Republic of", Some("KR"));
        check("中国", Some("CN"));
        check("Asia/Pacific Region", None);
        check("", None);
        check("XX", None);
    }

    #[test]
    fn the_table_has_every_code_once_and_no_name_names_two_countries() {
        let mut seen: HashMap<String, &str> = HashMap::new();
        let mut codes = Vec::new();
        for line in TABLE.lines().filter(|l| !l.starts_with('#')) {
            let mut parts = line.split('\t');
            let code = parts.next().expect("code");
            assert!(code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()), "{code}");
            codes.push(code);
            for name in std::iter::once(code).chain(parts) {
                let key = country_key(name);
                assert!(!key.is_empty(), "{code}: empty name");
                if let Some(other) = seen.insert(key.clone(), code) {
                    assert_eq!(other, code, "`{name}` names both {other} and {code}");
                }
            }
        }
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, codes, "codes sorted and unique");
        assert_eq!(codes.len(), 249, "ISO 3166-1 has 249 alpha-2 codes");
    }
}
