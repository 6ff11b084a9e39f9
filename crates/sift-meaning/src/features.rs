//! What the heads see: how an exchange and a pair of statements become one feature vector.
//!
//! e5 is trained with a `query: ` or `passage: ` prefix; for classification and similarity
//! (symmetric tasks) its authors use `query: ` on both sides, and so do we, so an answer
//! embedded for an exchange is the same vector when it comes back as a statement in a pair.

use serde::{Deserialize, Serialize};

pub const PREFIX: &str = "query: ";

/// How an exchange (question + answer) is embedded; chosen by cross-validation within the
/// training split and recorded in the heads file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeLayout {
    /// One embedding of the question and the answer together (`query: Q\nA`).
    Joint,
    /// The question and the answer embedded apart, concatenated.
    Separate,
    /// The joint embedding and the answer alone, concatenated.
    JointAndAnswer,
}

impl ExchangeLayout {
    pub const ALL: [ExchangeLayout; 3] =
        [ExchangeLayout::Joint, ExchangeLayout::Separate, ExchangeLayout::JointAndAnswer];

    /// The texts to embed for one exchange, prefixes included, in feature order.
    pub fn texts(self, question: &str, answer: &str) -> Vec<String> {
        let (question, answer) = (question.trim(), answer.trim());
        let joint =
            if question.is_empty() { format!("{PREFIX}{answer}") } else { format!("{PREFIX}{question}\n{answer}") };
        match self {
            ExchangeLayout::Joint => vec![joint],
            ExchangeLayout::Separate => vec![format!("{PREFIX}{question}"), format!("{PREFIX}{answer}")],
            ExchangeLayout::JointAndAnswer => vec![joint, format!("{PREFIX}{answer}")],
        }
    }

    pub fn dim(self, embedding_dim: usize) -> usize {
        match self {
            ExchangeLayout::Joint => embedding_dim,
            ExchangeLayout::Separate | ExchangeLayout::JointAndAnswer => 2 * embedding_dim,
        }
    }
}

/// The text embedded for one statement of a pair.
pub fn statement_text(statement: &str) -> String {
    format!("{PREFIX}{}", statement.trim())
}

/// Features of a pair of statement embeddings: `[(u + v) / 2, |u - v|, u * v]`. Symmetric by
/// construction, so swapping the statements cannot change the answer: the mean says what the
/// pair is about, the absolute difference and the product where the two part ways.
pub fn pair_features(u: &[f32], v: &[f32]) -> Vec<f32> {
    let mut out = Vec::with_capacity(3 * u.len());
    out.extend(u.iter().zip(v).map(|(a, b)| (a + b) / 2.0));
    out.extend(u.iter().zip(v).map(|(a, b)| (a - b).abs()));
    out.extend(u.iter().zip(v).map(|(a, b)| a * b));
    out
}

pub fn pair_dim(embedding_dim: usize) -> usize {
    3 * embedding_dim
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_give_prefixed_texts() {
        assert_eq!(ExchangeLayout::Joint.texts(" Who signs? ", "Not me."), vec!["query: Who signs?\nNot me."]);
        assert_eq!(ExchangeLayout::Joint.texts("", "Not me."), vec!["query: Not me."]);
        assert_eq!(
            ExchangeLayout::Separate.texts("Who signs?", "Not me."),
            vec!["query: Who signs?", "query: Not me."]
        );
        assert_eq!(
            ExchangeLayout::JointAndAnswer.texts("谁拍板？", "不是我"),
            vec!["query: 谁拍板？\n不是我", "query: 不是我"]
        );
        for layout in ExchangeLayout::ALL {
            assert_eq!(layout.texts("q", "a").len() * 384, layout.dim(384));
        }
    }

    #[test]
    fn pair_features_are_symmetric() {
        let (u, v) = ([0.5, -0.25, 1.0], [0.0, 0.75, 1.0]);
        assert_eq!(pair_features(&u, &v), pair_features(&v, &u));
        assert_eq!(pair_features(&u, &v), vec![0.25, 0.25, 1.0, 0.5, 1.0, 0.0, 0.0, -0.1875, 1.0]);
        assert_eq!(pair_dim(3), 9);
    }
}
