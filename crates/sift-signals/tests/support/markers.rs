// Shared by the message tests of `sift-signals` and `sift-server` (included with
// `include!`): every transcript of a fixture directory, and a meaning-model double that
// reads marker words in answers.
//
// The including file imports `Path`, `PathBuf`, `NaiveDate`, `Language`, `Registry`,
// `Analysis`, `AnalyzeOptions`, `analyze` and the `sift_signals::meaning` types it names.

/// Every transcript under `dir`, its subdirectories included, with its file name.
pub fn transcripts(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            out.extend(transcripts(&path));
        } else if path.extension().is_some_and(|x| ["txt", "vtt", "srt", "json"].iter().any(|t| x == *t)) {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            out.push((path, text));
        }
    }
    out
}

/// Reads marker words in answers: `[pain]`, `[nopain]`, `[decides]`, `[recommends]`,
/// `[nosay]`, `[money]`, `[nomoney]`, `[committed]`, `[notcommitted]`, `[excuse]`,
/// `[knows]`; a later answer with `[contradicts]` contradicts the earlier one.
pub struct Markers;

impl MeaningModel for Markers {
    fn describe(&self) -> String {
        "markers".to_owned()
    }

    fn read_exchanges(&self, exchanges: &[Exchange<'_>]) -> Result<Vec<ExchangeMeaning>, MeaningError> {
        let read = |answer: &str| {
            let has = |m: &str| answer.contains(&format!("[{m}]"));
            let sure = |yes: bool| if yes { 0.95 } else { 0.5 };
            let pick = |a: bool, b: bool| (a || b, a);
            let (need, pain) = pick(has("pain"), has("nopain"));
            let (budget, money) = pick(has("money"), has("nomoney"));
            let (timeline, committed) = pick(has("committed"), has("notcommitted"));
            let authority = if has("decides") {
                AuthorityReading::Decides
            } else if has("recommends") {
                AuthorityReading::Recommends
            } else if has("nosay") {
                AuthorityReading::NoSay
            } else {
                AuthorityReading::Unclear
            };
            ExchangeMeaning {
                need: Scored {
                    label: match (need, pain) {
                        (false, _) => NeedReading::Unclear,
                        (true, true) => NeedReading::Pain,
                        (true, false) => NeedReading::NoPain,
                    },
                    confidence: sure(need),
                },
                authority: Scored { label: authority, confidence: sure(authority != AuthorityReading::Unclear) },
                budget: Scored {
                    label: match (budget, money) {
                        (false, _) => BudgetReading::Unclear,
                        (true, true) => BudgetReading::Available,
                        (true, false) => BudgetReading::NotAvailable,
                    },
                    confidence: sure(budget),
                },
                timeline: Scored {
                    label: match (timeline, committed) {
                        (false, _) => TimelineReading::Unclear,
                        (true, true) => TimelineReading::Committed,
                        (true, false) => TimelineReading::NotCommitted,
                    },
                    confidence: sure(timeline),
                },
                excuse: if has("excuse") { 0.95 } else { 0.0 },
                knowledge: if has("knows") { 0.95 } else { 0.0 },
            }
        };
        Ok(exchanges.iter().map(|e| read(e.answer)).collect())
    }

    fn contradiction(&self, pairs: &[(&str, &str)], _language: Language) -> Result<Vec<f32>, MeaningError> {
        Ok(pairs.iter().map(|(_, later)| if later.contains("[contradicts]") { 0.99 } else { 0.0 }).collect())
    }
}

/// Every transcript under `fixtures/calls` and `fixtures/messages` of `root`, analysed for
/// every built-in framework as of 2026-11-26 (the marker calls, named `*model*`, with
/// [`Markers`] as the meaning model).
pub fn fixture_analyses(root: &Path) -> Vec<(PathBuf, Analysis)> {
    let registry = Registry::builtin().expect("built-in frameworks");
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
    let mut out = Vec::new();
    for dir in ["calls", "messages"] {
        for (path, text) in transcripts(&root.join(dir)) {
            let with_model = path.file_name().is_some_and(|n| n.to_string_lossy().contains("model"));
            let options = AnalyzeOptions {
                frameworks: registry.frameworks().iter().collect(),
                as_of: Some(as_of),
                meaning: with_model.then_some(&Markers as &dyn MeaningModel),
                ..AnalyzeOptions::default()
            };
            let analysis = analyze(&text, &options).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            out.push((path, analysis));
        }
    }
    out
}
