//! The meaning reader: a sentence embedder plus the trained heads, behind Sift's
//! [`MeaningModel`] contract. The embedder is a trait so the plumbing is tested without
//! weights; the real one (multilingual-e5-small on candle) is in `embed.rs`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sift_core::Language;
use sift_signals::meaning::{
    AuthorityReading, BudgetReading, Exchange, ExchangeMeaning, MeaningError, MeaningModel, NeedReading, Scored,
    TimelineReading,
};

use crate::error::MeaningModelError;
use crate::features::{pair_features, statement_text};
use crate::heads::SoftmaxHead;
use crate::heads_file::{HeadsFile, class_values};

/// Turns texts (prefixes included) into L2-normalised vectors, one per text, in order.
pub trait SentenceEmbedder: Send + Sync {
    /// The model's name, as recorded in heads files (`intfloat/multilingual-e5-small`).
    fn model_id(&self) -> &str;
    fn dim(&self) -> usize;
    fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, MeaningModelError>;
}

/// Embeddings kept between calls, so an answer read as an exchange is not embedded again when
/// it comes back as a statement of a pair. Bounded: cleared when it grows past the limit.
const CACHE_LIMIT: usize = 8192;

pub struct MeaningReader<E> {
    embedder: E,
    heads: HeadsFile,
    need: Vec<NeedReading>,
    authority: Vec<AuthorityReading>,
    budget: Vec<BudgetReading>,
    timeline: Vec<TimelineReading>,
    cache: Mutex<HashMap<String, Arc<[f32]>>>,
}

impl<E: SentenceEmbedder> MeaningReader<E> {
    /// Pairs an embedder with heads trained on the same model.
    pub fn new(embedder: E, heads: HeadsFile) -> Result<Self, MeaningModelError> {
        // Compare by the model's name, not where it was loaded from (`_name_or_path` may be a path).
        let name = |id: &str| id.trim_end_matches('/').rsplit('/').next().unwrap_or(id).to_ascii_lowercase();
        if name(&heads.model) != name(embedder.model_id()) {
            return Err(MeaningModelError::ModelMismatch {
                heads: heads.model.clone(),
                model: embedder.model_id().to_owned(),
            });
        }
        if heads.embedding_dim != embedder.dim() {
            return Err(MeaningModelError::DimensionMismatch { expected: heads.embedding_dim, found: embedder.dim() });
        }
        Ok(Self {
            need: class_values(&heads.need)?,
            authority: class_values(&heads.authority)?,
            budget: class_values(&heads.budget)?,
            timeline: class_values(&heads.timeline)?,
            embedder,
            heads,
            cache: Mutex::new(HashMap::new()),
        })
    }

    pub fn heads(&self) -> &HeadsFile {
        &self.heads
    }

    pub fn embedder(&self) -> &E {
        &self.embedder
    }

    /// Embeddings of `texts`, from the cache where possible; each distinct text is embedded once.
    pub fn embed_cached(&self, texts: &[String]) -> Result<Vec<Arc<[f32]>>, MeaningModelError> {
        let mut cache = self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut missing: Vec<String> = Vec::new();
        for text in texts {
            if !cache.contains_key(text) && !missing.contains(text) {
                missing.push(text.clone());
            }
        }
        if !missing.is_empty() {
            let vectors = self.embedder.embed(&missing)?;
            if vectors.len() != missing.len() || vectors.iter().any(|v| v.len() != self.heads.embedding_dim) {
                return Err(MeaningModelError::Inference(format!(
                    "the embedder returned {} vectors for {} texts",
                    vectors.len(),
                    missing.len()
                )));
            }
            if cache.len() + missing.len() > CACHE_LIMIT {
                cache.clear();
            }
            for (text, vector) in missing.into_iter().zip(vectors) {
                cache.insert(text, Arc::from(vector));
            }
        }
        texts
            .iter()
            .map(|t| {
                cache.get(t).cloned().ok_or_else(|| MeaningModelError::Inference(format!("no embedding for `{t}`")))
            })
            .collect()
    }

    /// The feature vector of each exchange under the heads' layout.
    pub fn exchange_features(&self, exchanges: &[(&str, &str)]) -> Result<Vec<Vec<f32>>, MeaningModelError> {
        let per: Vec<Vec<String>> = exchanges.iter().map(|(q, a)| self.heads.layout.texts(q, a)).collect();
        let flat: Vec<String> = per.iter().flatten().cloned().collect();
        let vectors = self.embed_cached(&flat)?;
        let mut out = Vec::with_capacity(exchanges.len());
        let mut next = vectors.iter();
        for texts in &per {
            let mut features = Vec::with_capacity(self.heads.layout.dim(self.heads.embedding_dim));
            for _ in texts {
                features.extend_from_slice(
                    next.next().ok_or_else(|| MeaningModelError::Inference("too few vectors".into()))?,
                );
            }
            out.push(features);
        }
        Ok(out)
    }

    /// The feature vector of each pair of statements.
    pub fn pair_features(&self, pairs: &[(&str, &str)]) -> Result<Vec<Vec<f32>>, MeaningModelError> {
        let texts: Vec<String> = pairs.iter().flat_map(|(a, b)| [statement_text(a), statement_text(b)]).collect();
        let vectors = self.embed_cached(&texts)?;
        Ok(vectors.chunks(2).map(|pair| pair_features(&pair[0], &pair[1])).collect())
    }

    fn read_one(&self, x: &[f32]) -> ExchangeMeaning {
        fn scored<T: Copy>(head: &SoftmaxHead, values: &[T], x: &[f32]) -> Scored<T> {
            let (index, p) = head.predict(x);
            Scored { label: values[index.min(values.len() - 1)], confidence: p as f32 }
        }
        ExchangeMeaning {
            need: scored(&self.heads.need, &self.need, x),
            authority: scored(&self.heads.authority, &self.authority, x),
            budget: scored(&self.heads.budget, &self.budget, x),
            timeline: scored(&self.heads.timeline, &self.timeline, x),
            excuse: probability_of_true(&self.heads.excuse, x),
            knowledge: probability_of_true(&self.heads.knowledge, x),
        }
    }
}

impl<E: SentenceEmbedder> MeaningModel for MeaningReader<E> {
    fn describe(&self) -> String {
        let short = self.heads.model.rsplit('/').next().unwrap_or(&self.heads.model);
        // The format version says how to read the file; the training record tells heads apart.
        let t = &self.heads.training;
        format!("{short} + sift heads ({} exchanges, {} authors)", t.exchanges_train, t.authors.len())
    }

    fn read_exchanges(&self, exchanges: &[Exchange<'_>]) -> Result<Vec<ExchangeMeaning>, MeaningError> {
        let pairs: Vec<(&str, &str)> = exchanges.iter().map(|e| (e.question, e.answer)).collect();
        let features = self.exchange_features(&pairs).map_err(|e| MeaningError(e.to_string()))?;
        Ok(features.iter().map(|x| self.read_one(x)).collect())
    }

    fn contradiction(&self, pairs: &[(&str, &str)], _language: Language) -> Result<Vec<f32>, MeaningError> {
        let features = self.pair_features(pairs).map_err(|e| MeaningError(e.to_string()))?;
        Ok(features.iter().map(|x| probability_of_true(&self.heads.contradiction, x)).collect())
    }
}

/// For a binary head (classes `false`, `true`, checked on load): the probability of `true`.
fn probability_of_true(head: &SoftmaxHead, x: &[f32]) -> f32 {
    head.probabilities(x).get(1).copied().unwrap_or(0.0) as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use sift_signals::meaning::Exchange;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A stand-in embedder: a deterministic vector from the text's bytes; counts what it embeds.
    struct Fake {
        id: &'static str,
        embedded: AtomicUsize,
    }

    impl SentenceEmbedder for Fake {
        fn model_id(&self) -> &str {
            self.id
        }
        fn dim(&self) -> usize {
            384
        }
        fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, MeaningModelError> {
            self.embedded.fetch_add(texts.len(), Ordering::SeqCst);
            Ok(texts
                .iter()
                .map(|t| {
                    let seed = t.bytes().fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
                    (0..384u32).map(|i| ((seed.wrapping_mul(i + 1) % 1000) as f32) / 1000.0 - 0.5).collect()
                })
                .collect())
        }
    }

    fn fake(id: &'static str) -> Fake {
        Fake { id, embedded: AtomicUsize::new(0) }
    }

    #[test]
    fn heads_refuse_another_model() {
        let heads = HeadsFile::bundled().unwrap();
        assert!(MeaningReader::new(fake("/models/multilingual-e5-small/"), heads.clone()).is_ok());
        let Err(error) = MeaningReader::new(fake("sentence-transformers/all-MiniLM-L6-v2"), heads) else {
            panic!("accepted another model")
        };
        assert_eq!(
            error.to_string(),
            "the heads were trained on `intfloat/multilingual-e5-small`, the model directory holds `sentence-transformers/all-MiniLM-L6-v2`"
        );
    }

    #[test]
    fn one_reading_per_exchange_and_each_text_embedded_once() {
        let reader = MeaningReader::new(fake("intfloat/multilingual-e5-small"), HeadsFile::bundled().unwrap()).unwrap();
        let exchanges = [
            Exchange { question: "Who signs?", answer: "Not me.", language: Language::En },
            Exchange { question: "Who signs?", answer: "Linda.", language: Language::En },
        ];
        let readings = reader.read_exchanges(&exchanges).unwrap();
        assert_eq!(readings.len(), 2);
        // "Who signs?" twice, two answers: three distinct texts.
        assert_eq!(reader.embedder().embedded.load(Ordering::SeqCst), 3);
        // The answers come back as statements of a pair: nothing new to embed.
        let p = reader.contradiction(&[("Not me.", "Linda.")], Language::En).unwrap();
        assert_eq!(reader.embedder().embedded.load(Ordering::SeqCst), 3);
        let q = reader.contradiction(&[("Linda.", "Not me.")], Language::En).unwrap();
        assert!((p[0] - q[0]).abs() < 1e-6 && (0.0..=1.0).contains(&p[0]));
        assert!(reader.read_exchanges(&[]).unwrap().is_empty());
    }
}
