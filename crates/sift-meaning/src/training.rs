//! Training and evaluating the heads from embedded, labelled data (no model needed here: the
//! caller embeds; `examples/train-heads.rs` does that with the real model).
//!
//! The rules of the game: settings (the exchange layout, each head's L2 penalty and class
//! weighting, the temperature) are chosen by cross-validation *within the training split*,
//! folding by author (leave one author out), which asks the harder question of how a head does
//! on someone it never read. The held-out split is scored once, at the end, and nothing is
//! chosen on it. Beside every held-out figure stands the majority-class baseline.

use std::collections::BTreeMap;

use sift_signals::meaning::{AuthorityReading, BudgetReading, NeedReading, TimelineReading};

use crate::data::{LabelledExchange, LabelledPair, Lang, Split};
use crate::error::MeaningModelError;
use crate::features::ExchangeLayout;
use crate::heads::{SoftmaxHead, TrainConfig, argmax, fit, fit_temperature, out_of_fold_logits};
use crate::heads_file::{
    EXCHANGE_HEADS, FORMAT, FORMAT_VERSION, HeadReport, HeadsFile, Report, TrainingRecord, TransferReport,
    expected_classes,
};
use crate::metrics::{Scores, score};

/// The settings tried for each head.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub l2: Vec<f64>,
    pub balanced: Vec<bool>,
    pub max_iterations: usize,
    pub tolerance: f64,
}

impl Default for Grid {
    fn default() -> Self {
        Self {
            l2: vec![0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0],
            balanced: vec![true, false],
            max_iterations: 2000,
            tolerance: 1e-4,
        }
    }
}

impl Grid {
    fn configs(&self) -> Vec<TrainConfig> {
        let mut out = Vec::new();
        for &balanced in &self.balanced {
            for &l2 in &self.l2 {
                out.push(TrainConfig { l2, balanced, max_iterations: self.max_iterations, tolerance: self.tolerance });
            }
        }
        out
    }
}

/// Everything the trainer needs: the data and its features (one row per exchange per layout,
/// one row per pair), computed by the caller with the embedding model.
pub struct TrainingInput<'a> {
    pub exchanges: &'a [LabelledExchange],
    pub exchange_features: BTreeMap<ExchangeLayout, Vec<Vec<f32>>>,
    pub pairs: &'a [LabelledPair],
    pub pair_features: Vec<Vec<f32>>,
    pub embedding_dim: usize,
    pub model_id: String,
    pub data_path: String,
}

/// The class index of an exchange for a head (the order of [`expected_classes`]).
pub fn exchange_label(head: &str, e: &LabelledExchange) -> usize {
    match head {
        "need" => match e.need {
            NeedReading::Pain => 0,
            NeedReading::NoPain => 1,
            NeedReading::Unclear => 2,
        },
        "authority" => match e.authority {
            AuthorityReading::Decides => 0,
            AuthorityReading::Recommends => 1,
            AuthorityReading::NoSay => 2,
            AuthorityReading::Unclear => 3,
        },
        "budget" => match e.budget {
            BudgetReading::Available => 0,
            BudgetReading::NotAvailable => 1,
            BudgetReading::Unclear => 2,
        },
        "timeline" => match e.timeline {
            TimelineReading::Committed => 0,
            TimelineReading::NotCommitted => 1,
            TimelineReading::Unclear => 2,
        },
        "excuse" => usize::from(e.excuse),
        _ => usize::from(e.knowledge),
    }
}

/// Fold of each row: its author's position among the distinct authors; with fewer than two
/// authors, five folds by position.
pub fn author_folds(authors: &[&str]) -> Vec<usize> {
    let mut distinct: Vec<&str> = authors.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 2 {
        return (0..authors.len()).map(|i| i % 5).collect();
    }
    authors.iter().map(|a| distinct.iter().position(|d| d == a).unwrap_or(0)).collect()
}

/// One labelled problem: rows, labels, languages, authors, and the split.
struct Problem<'a> {
    classes: Vec<String>,
    x: &'a [Vec<f32>],
    y: Vec<usize>,
    lang: Vec<Lang>,
    author: Vec<&'a str>,
    split: Vec<Split>,
}

impl Problem<'_> {
    fn rows(&self, keep: impl Fn(usize) -> bool) -> Vec<usize> {
        (0..self.y.len()).filter(|&i| keep(i)).collect()
    }

    fn take(&self, rows: &[usize]) -> (Vec<Vec<f32>>, Vec<usize>) {
        (rows.iter().map(|&i| self.x[i].clone()).collect(), rows.iter().map(|&i| self.y[i]).collect())
    }

    fn majority(&self, rows: &[usize]) -> usize {
        let mut counts = vec![0usize; self.classes.len()];
        for &i in rows {
            counts[self.y[i]] += 1;
        }
        argmax(&counts.iter().map(|&c| c as f64).collect::<Vec<_>>()).0
    }
}

/// Out-of-fold logits of one config, and their scores.
type FoldedResult = Result<(Vec<Vec<f64>>, Scores), MeaningModelError>;

/// Cross-validated selection of one head's settings; returns the best config, its out-of-fold
/// logits and their scores.
fn select(
    problem: &Problem<'_>,
    train: &[usize],
    grid: &Grid,
) -> Result<(TrainConfig, Vec<Vec<f64>>, Scores), MeaningModelError> {
    let (x, y) = problem.take(train);
    let authors: Vec<&str> = train.iter().map(|&i| problem.author[i]).collect();
    let folds = author_folds(&authors);
    let configs = grid.configs();
    // Two threads: the machines this runs on have two cores.
    let results: Vec<FoldedResult> = std::thread::scope(|scope| {
        let halves: Vec<_> = configs
            .chunks(configs.len().div_ceil(2).max(1))
            .map(|chunk| {
                let (x, y, folds, classes) = (&x, &y, &folds, &problem.classes);
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|config| {
                            let logits = out_of_fold_logits(x, y, folds, classes, config)?;
                            let predicted: Vec<usize> = logits.iter().map(|z| argmax(z).0).collect();
                            Ok((logits, score(y, &predicted, classes.len())))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        halves
            .into_iter()
            .flat_map(|h| {
                h.join().unwrap_or_else(|_| vec![Err(MeaningModelError::Training("a worker panicked".into()))])
            })
            .collect()
    });
    let mut best: Option<(TrainConfig, Vec<Vec<f64>>, Scores)> = None;
    for (config, result) in configs.into_iter().zip(results) {
        let (logits, scores) = result?;
        // Ties go to the earlier config: balanced first, then the smaller penalty.
        if best.as_ref().is_none_or(|(_, _, b)| scores.macro_f1 > b.macro_f1 + 1e-12) {
            best = Some((config, logits, scores));
        }
    }
    best.ok_or_else(|| MeaningModelError::Training("an empty grid".to_owned()))
}

/// Mean gap between confidence and accuracy over ten equal-width confidence bins.
pub fn calibration_error(probabilities: &[Vec<f64>], truth: &[usize]) -> f64 {
    let mut bins = vec![(0usize, 0.0f64, 0.0f64); 10];
    for (p, &t) in probabilities.iter().zip(truth) {
        let (predicted, confidence) = argmax(p);
        let bin = ((confidence * 10.0) as usize).min(9);
        bins[bin].0 += 1;
        bins[bin].1 += confidence;
        bins[bin].2 += if predicted == t { 1.0 } else { 0.0 };
    }
    let n = truth.len().max(1) as f64;
    bins.iter().map(|(_, confidence, right)| (confidence - right).abs() / n).sum()
}

struct TrainedHead {
    head: SoftmaxHead,
    config: TrainConfig,
    report: HeadReport,
}

fn train_head(problem: &Problem<'_>, grid: &Grid) -> Result<TrainedHead, MeaningModelError> {
    let train = problem.rows(|i| problem.split[i] == Split::Train);
    let heldout = problem.rows(|i| problem.split[i] == Split::Heldout);
    let (config, oof_logits, cv) = select(problem, &train, grid)?;
    let (x, y) = problem.take(&train);
    let mut head = fit(&x, &y, &problem.classes, &config)?;
    head.temperature = fit_temperature(&oof_logits, &y) as f32;

    let majority = problem.majority(&train);
    let predict = |rows: &[usize]| -> Vec<usize> { rows.iter().map(|&i| head.predict(&problem.x[i]).0).collect() };
    let truth = |rows: &[usize]| -> Vec<usize> { rows.iter().map(|&i| problem.y[i]).collect() };
    let k = problem.classes.len();
    let mut by_language = BTreeMap::new();
    let mut baseline_by_language = BTreeMap::new();
    for lang in [Lang::En, Lang::Zh] {
        let rows: Vec<usize> = heldout.iter().copied().filter(|&i| problem.lang[i] == lang).collect();
        if rows.is_empty() {
            continue;
        }
        by_language.insert(lang.code().to_owned(), score(&truth(&rows), &predict(&rows), k));
        baseline_by_language.insert(lang.code().to_owned(), score(&truth(&rows), &vec![majority; rows.len()], k));
    }
    let probabilities: Vec<Vec<f64>> = heldout.iter().map(|&i| head.probabilities(&problem.x[i])).collect();
    let mut train_counts = vec![0usize; k];
    for &c in &y {
        train_counts[c] += 1;
    }
    let report = HeadReport {
        classes: problem.classes.clone(),
        train_counts,
        cross_validation: cv,
        heldout: score(&truth(&heldout), &predict(&heldout), k),
        heldout_baseline: score(&truth(&heldout), &vec![majority; heldout.len()], k),
        heldout_by_language: by_language,
        heldout_baseline_by_language: baseline_by_language,
        heldout_calibration_error: calibration_error(&probabilities, &truth(&heldout)),
    };
    Ok(TrainedHead { head, config, report })
}

/// English-trained heads (settings as chosen for the full head) on Chinese exchanges.
fn transfer(
    problem: &Problem<'_>,
    config: &TrainConfig,
    both: &SoftmaxHead,
) -> Result<TransferReport, MeaningModelError> {
    let en_train = problem.rows(|i| problem.split[i] == Split::Train && problem.lang[i] == Lang::En);
    let zh_heldout = problem.rows(|i| problem.split[i] == Split::Heldout && problem.lang[i] == Lang::Zh);
    let zh_all = problem.rows(|i| problem.lang[i] == Lang::Zh);
    let (x, y) = problem.take(&en_train);
    let head = fit(&x, &y, &problem.classes, config)?;
    let k = problem.classes.len();
    let truth = |rows: &[usize]| -> Vec<usize> { rows.iter().map(|&i| problem.y[i]).collect() };
    let with =
        |h: &SoftmaxHead, rows: &[usize]| -> Vec<usize> { rows.iter().map(|&i| h.predict(&problem.x[i]).0).collect() };
    let majority = problem.majority(&en_train);
    Ok(TransferReport {
        zh_heldout: score(&truth(&zh_heldout), &with(&head, &zh_heldout), k),
        zh_all: score(&truth(&zh_all), &with(&head, &zh_all), k),
        zh_all_baseline: score(&truth(&zh_all), &vec![majority; zh_all.len()], k),
        both_languages_zh_heldout: score(&truth(&zh_heldout), &with(both, &zh_heldout), k),
    })
}

fn exchange_problem<'a>(head: &str, exchanges: &'a [LabelledExchange], x: &'a [Vec<f32>]) -> Problem<'a> {
    Problem {
        classes: expected_classes(head).unwrap_or_default(),
        x,
        y: exchanges.iter().map(|e| exchange_label(head, e)).collect(),
        lang: exchanges.iter().map(|e| e.lang).collect(),
        author: exchanges.iter().map(|e| e.author.as_str()).collect(),
        split: exchanges.iter().map(|e| e.split).collect(),
    }
}

/// Chooses the layout, trains every head, scores the held-out split, and returns the heads file.
/// `progress` receives a line per step.
pub fn train_all(
    input: &TrainingInput<'_>,
    grid: &Grid,
    progress: &mut dyn FnMut(&str),
) -> Result<HeadsFile, MeaningModelError> {
    let n = input.exchanges.len();
    if input.exchange_features.values().any(|rows| rows.len() != n) || input.pair_features.len() != input.pairs.len() {
        return Err(MeaningModelError::Training("features and labelled items differ in number".to_owned()));
    }
    // 1. The layout: mean cross-validated macro-F1 over the six exchange heads.
    let mut layout_selection = BTreeMap::new();
    let mut best_layout: Option<(ExchangeLayout, f64)> = None;
    for (layout, x) in &input.exchange_features {
        let mut total = 0.0;
        for head in EXCHANGE_HEADS {
            let problem = exchange_problem(head, input.exchanges, x);
            let train = problem.rows(|i| problem.split[i] == Split::Train);
            total += select(&problem, &train, grid)?.2.macro_f1;
        }
        let mean = total / EXCHANGE_HEADS.len() as f64;
        let name = serde_json::to_value(layout).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        progress(&format!("layout {name}: cross-validated macro-F1 {mean:.3} (mean of six heads)"));
        layout_selection.insert(name, mean);
        if best_layout.is_none_or(|(_, b)| mean > b + 1e-12) {
            best_layout = Some((*layout, mean));
        }
    }
    let (layout, _) = best_layout.ok_or_else(|| MeaningModelError::Training("no exchange features".to_owned()))?;
    let x = &input.exchange_features[&layout];

    // 2. Each exchange head with the chosen layout.
    let mut heads = BTreeMap::new();
    let mut configs = BTreeMap::new();
    let mut reports = BTreeMap::new();
    let mut transfers = BTreeMap::new();
    for head in EXCHANGE_HEADS {
        let problem = exchange_problem(head, input.exchanges, x);
        let trained = train_head(&problem, grid)?;
        progress(&format!(
            "{head}: l2 {} balanced {}; cv macro-F1 {:.3}; held-out macro-F1 {:.3} (baseline {:.3})",
            trained.config.l2,
            trained.config.balanced,
            trained.report.cross_validation.macro_f1,
            trained.report.heldout.macro_f1,
            trained.report.heldout_baseline.macro_f1
        ));
        transfers.insert(head.to_owned(), transfer(&problem, &trained.config, &trained.head)?);
        configs.insert(head.to_owned(), trained.config);
        reports.insert(head.to_owned(), trained.report);
        heads.insert(head, trained.head);
    }

    // 3. The contradiction head over pairs.
    let pair_problem = Problem {
        classes: expected_classes("contradiction").unwrap_or_default(),
        x: &input.pair_features,
        y: input.pairs.iter().map(|p| usize::from(p.contradicts)).collect(),
        lang: input.pairs.iter().map(|p| p.lang).collect(),
        author: input.pairs.iter().map(|p| p.author.as_str()).collect(),
        split: input.pairs.iter().map(|p| p.split).collect(),
    };
    let contradiction = train_head(&pair_problem, grid)?;
    progress(&format!(
        "contradiction: l2 {} balanced {}; cv macro-F1 {:.3}; held-out macro-F1 {:.3} (baseline {:.3})",
        contradiction.config.l2,
        contradiction.config.balanced,
        contradiction.report.cross_validation.macro_f1,
        contradiction.report.heldout.macro_f1,
        contradiction.report.heldout_baseline.macro_f1
    ));
    configs.insert("contradiction".to_owned(), contradiction.config);
    reports.insert("contradiction".to_owned(), contradiction.report);

    let mut authors: Vec<String> = input.exchanges.iter().map(|e| e.author.clone()).collect();
    authors.extend(input.pairs.iter().map(|p| p.author.clone()));
    authors.sort();
    authors.dedup();
    let count = |split: Split| input.exchanges.iter().filter(|e| e.split == split).count();
    let count_pairs = |split: Split| input.pairs.iter().filter(|p| p.split == split).count();
    let mut take =
        |name: &str| heads.remove(name).ok_or_else(|| MeaningModelError::Training(format!("no head `{name}`")));
    Ok(HeadsFile {
        format: FORMAT.to_owned(),
        version: FORMAT_VERSION,
        model: input.model_id.clone(),
        embedding_dim: input.embedding_dim,
        layout,
        need: take("need")?,
        authority: take("authority")?,
        budget: take("budget")?,
        timeline: take("timeline")?,
        excuse: take("excuse")?,
        knowledge: take("knowledge")?,
        contradiction: contradiction.head,
        training: TrainingRecord {
            data: input.data_path.clone(),
            authors,
            exchanges_train: count(Split::Train),
            exchanges_heldout: count(Split::Heldout),
            pairs_train: count_pairs(Split::Train),
            pairs_heldout: count_pairs(Split::Heldout),
            selection: "layout, L2 penalty and class weighting chosen by macro-F1 in leave-one-author-out \
                        cross-validation within the train split; temperature fitted on the out-of-fold \
                        predictions; the held-out split was scored once and chose nothing"
                .to_owned(),
            configs,
        },
        report: Report { heads: reports, transfer: transfers, layout_selection },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(i: usize, author: &str, split: Split, lang: Lang) -> LabelledExchange {
        let need = [NeedReading::Pain, NeedReading::NoPain, NeedReading::Unclear][i % 3];
        LabelledExchange {
            id: format!("{author}-{i}"),
            lang,
            split,
            industry: String::new(),
            question: "q".into(),
            answer: "a".into(),
            need,
            authority: [
                AuthorityReading::Decides,
                AuthorityReading::Recommends,
                AuthorityReading::NoSay,
                AuthorityReading::Unclear,
            ][i % 4],
            budget: [BudgetReading::Available, BudgetReading::NotAvailable, BudgetReading::Unclear][i % 3],
            timeline: [TimelineReading::Committed, TimelineReading::NotCommitted, TimelineReading::Unclear]
                [(i / 3) % 3],
            excuse: i % 2 == 0,
            knowledge: i % 5 == 0,
            reason: String::new(),
            author: author.into(),
        }
    }

    /// Features that carry every label (one-hot blocks plus a little structured noise), so a
    /// working trainer must beat the majority baseline on every head.
    fn features(e: &LabelledExchange, i: usize) -> Vec<f32> {
        let mut x = vec![0f32; 20];
        for (offset, head) in
            [(0, "need"), (3, "authority"), (7, "budget"), (10, "timeline"), (13, "excuse"), (15, "knowledge")]
        {
            x[offset + exchange_label(head, e)] = 1.0;
        }
        for (j, v) in x.iter_mut().enumerate() {
            *v += (((i * 31 + j * 17) % 13) as f32 - 6.0) * 0.03;
        }
        x
    }

    #[test]
    fn training_chooses_on_train_and_beats_the_baseline_on_heldout() {
        let mut exchanges = Vec::new();
        for (a, author) in ["author-1", "author-2", "author-3"].iter().enumerate() {
            for i in 0..60 {
                // Independent of the label patterns (all moduli below 6).
                let split = if ((i + a * 60) * 37 + 11) % 17 < 4 { Split::Heldout } else { Split::Train };
                let lang = if i % 2 == 0 { Lang::En } else { Lang::Zh };
                exchanges.push(exchange(i + a * 60, author, split, lang));
            }
        }
        let rows: Vec<Vec<f32>> = exchanges.iter().enumerate().map(|(i, e)| features(e, i)).collect();
        let pairs: Vec<LabelledPair> = (0..40)
            .map(|i| LabelledPair {
                id: format!("p{i}"),
                lang: Lang::En,
                split: if i % 4 == 3 { Split::Heldout } else { Split::Train },
                topic: String::new(),
                first: "a".into(),
                second: "b".into(),
                contradicts: i % 2 == 0,
                reason: String::new(),
                author: ["author-1", "author-2"][i / 20].into(),
            })
            .collect();
        let pair_rows: Vec<Vec<f32>> = pairs
            .iter()
            .enumerate()
            .map(|(i, p)| {
                (0..60)
                    .map(|j| if p.contradicts == (j < 30) { 1.0 } else { 0.0 } + ((i + j) % 7) as f32 * 0.01)
                    .collect()
            })
            .collect();
        let input = TrainingInput {
            exchanges: &exchanges,
            exchange_features: BTreeMap::from([(ExchangeLayout::Joint, rows.clone())]),
            pairs: &pairs,
            pair_features: pair_rows,
            embedding_dim: 20,
            model_id: "test/model".into(),
            data_path: "data".into(),
        };
        let grid = Grid { l2: vec![0.01, 0.1], balanced: vec![true], max_iterations: 500, tolerance: 1e-4 };
        let mut lines = Vec::new();
        let file = train_all(&input, &grid, &mut |line| lines.push(line.to_owned())).unwrap();
        assert_eq!(lines.len(), 1 + 6 + 1, "{lines:?}");
        let heldout = exchanges.iter().filter(|e| e.split == Split::Heldout).count();
        assert_eq!((file.training.exchanges_train, file.training.exchanges_heldout), (180 - heldout, heldout));
        assert_eq!(file.training.authors, vec!["author-1", "author-2", "author-3"]);
        for (name, report) in &file.report.heads {
            assert!(report.heldout.macro_f1 > report.heldout_baseline.macro_f1, "{name}: {report:?}");
            assert!(report.heldout.macro_f1 > 0.9, "{name}: {}", report.heldout.macro_f1);
        }
        assert!(file.report.transfer["need"].zh_all.n > 0);
        // The file survives a round trip through its checks.
        let text = serde_json::to_string(&file).unwrap();
        let back = HeadsFile::parse(&text, std::path::Path::new("heads.json")).unwrap();
        assert_eq!(back.layout, ExchangeLayout::Joint);
        assert_eq!(back.need.classes, vec!["pain", "no_pain", "unclear"]);
    }

    #[test]
    fn folds_follow_authors() {
        assert_eq!(author_folds(&["b", "a", "b", "c"]), vec![1, 0, 1, 2]);
        assert_eq!(author_folds(&["a", "a", "a", "a", "a", "a"]), vec![0, 1, 2, 3, 4, 0]);
    }

    #[test]
    fn calibration_error_is_the_confidence_gap() {
        // Two predictions at 0.9 confidence, one right: gap |1.8 - 1| / 2 = 0.4.
        let p = vec![vec![0.9, 0.1], vec![0.9, 0.1]];
        assert!((calibration_error(&p, &[0, 1]) - 0.4).abs() < 1e-12);
        assert!(calibration_error(&p, &[0, 0]) - 0.1 < 1e-12);
    }
}
