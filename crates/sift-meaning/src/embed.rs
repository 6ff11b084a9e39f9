//! multilingual-e5-small on candle: tokenise (XLM-R sentencepiece, truncated to the model's
//! 512 positions), run the BERT encoder in batches of similar length, mean-pool over the real
//! tokens, L2-normalise.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use rayon::prelude::*;
use serde::Deserialize;
use tokenizers::{Tokenizer, TruncationParams};

use crate::error::MeaningModelError;
use crate::model_dir::ModelDir;
use crate::reader::SentenceEmbedder;

/// How the embedder runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbedderOptions {
    /// Threads (a rayon pool of this size) that embed batches in parallel. candle's own
    /// kernels size their threads from `RAYON_NUM_THREADS` / `CANDLE_NUM_THREADS`; setting both
    /// to 1 keeps each forward pass on its thread, which is the efficient combination.
    pub threads: usize,
    /// Texts per forward pass. Texts are sorted by length first, so little is padding.
    pub batch_size: usize,
    /// Longer texts are cut to this many tokens (the model has 512 positions).
    pub max_tokens: usize,
}

impl Default for EmbedderOptions {
    fn default() -> Self {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(4);
        Self { threads, batch_size: 16, max_tokens: 512 }
    }
}

pub struct E5Embedder {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
    pool: rayon::ThreadPool,
    options: EmbedderOptions,
    pad_id: u32,
    dim: usize,
    model_id: String,
}

impl E5Embedder {
    pub fn load(dir: &ModelDir, options: EmbedderOptions) -> Result<Self, MeaningModelError> {
        let config_path = dir.config_path();
        let config_text = std::fs::read_to_string(&config_path)
            .map_err(|e| MeaningModelError::bad_file(&config_path, format!("cannot read: {e}")))?;
        let config: Config = serde_json::from_str(&config_text).map_err(|e| MeaningModelError::BadLine {
            path: config_path.clone(),
            line: e.line(),
            message: e.to_string(),
        })?;
        let max_tokens = options.max_tokens.clamp(8, config.max_position_embeddings);

        let tokenizer_path = dir.tokenizer_path();
        let mut tokenizer = Tokenizer::from_file(&tokenizer_path)
            .map_err(|e| MeaningModelError::bad_file(&tokenizer_path, format!("not a tokenizer: {e}")))?;
        tokenizer
            .with_truncation(Some(TruncationParams { max_length: max_tokens, ..TruncationParams::default() }))
            .map_err(|e| MeaningModelError::bad_file(&tokenizer_path, e.to_string()))?;
        tokenizer.with_padding(None);
        let pad_id = tokenizer.token_to_id("<pad>").unwrap_or(config.pad_token_id as u32);

        let device = Device::Cpu;
        let weights_path = dir.weights_path();
        let tensors = read_safetensors(&weights_path, &device)?;
        let builder = VarBuilder::from_tensors(tensors, DType::F32, &device);
        let model = BertModel::load(builder, &config)
            .map_err(|e| MeaningModelError::bad_file(&weights_path, format!("not a BERT checkpoint: {e}")))?;

        let threads = options.threads.max(1);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("sift-meaning-{i}"))
            .build()
            .map_err(|e| MeaningModelError::Inference(format!("cannot start {threads} threads: {e}")))?;
        // The name recorded in config.json, else the directory's name (checked against the heads).
        let model_id = dir.config.name_or_path.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| {
            dir.root.file_name().map_or_else(|| dir.root.display().to_string(), |n| n.to_string_lossy().into_owned())
        });
        Ok(Self {
            model,
            tokenizer,
            device,
            pool,
            options: EmbedderOptions { threads, batch_size: options.batch_size.max(1), max_tokens },
            pad_id,
            dim: config.hidden_size,
            model_id,
        })
    }

    pub fn options(&self) -> EmbedderOptions {
        self.options
    }

    /// Token ids of each text (special tokens added, truncated).
    pub fn tokenize(&self, texts: &[String]) -> Result<Vec<Vec<u32>>, MeaningModelError> {
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| MeaningModelError::Inference(format!("tokenizer: {e}")))?;
        Ok(encodings.iter().map(|e| e.get_ids().to_vec()).collect())
    }

    fn forward(&self, batch: &[&[u32]]) -> candle_core::Result<Vec<Vec<f32>>> {
        let longest = batch.iter().map(|ids| ids.len()).max().unwrap_or(1).max(1);
        let mut ids = Vec::with_capacity(batch.len() * longest);
        let mut mask = Vec::with_capacity(batch.len() * longest);
        for row in batch {
            ids.extend_from_slice(row);
            ids.extend(std::iter::repeat_n(self.pad_id, longest - row.len()));
            mask.extend(std::iter::repeat_n(1u32, row.len()));
            mask.extend(std::iter::repeat_n(0u32, longest - row.len()));
        }
        let shape = (batch.len(), longest);
        let ids = Tensor::from_vec(ids, shape, &self.device)?;
        let mask = Tensor::from_vec(mask, shape, &self.device)?;
        let types = ids.zeros_like()?;
        let hidden = self.model.forward(&ids, &types, Some(&mask))?; // (batch, tokens, dim)
        let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?; // (batch, tokens, 1)
        let summed = hidden.broadcast_mul(&mask)?.sum(1)?; // (batch, dim)
        let counts = mask.sum(1)?; // (batch, 1)
        let mean = summed.broadcast_div(&counts)?;
        let norm = mean.sqr()?.sum_keepdim(1)?.sqrt()?.clamp(1e-12, f32::MAX)?;
        mean.broadcast_div(&norm)?.to_vec2::<f32>()
    }
}

impl SentenceEmbedder for E5Embedder {
    fn model_id(&self) -> &str {
        &self.model_id
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, MeaningModelError> {
        self.pool.install(|| {
            let tokens = self.tokenize(texts)?;
            // Shortest first, so each batch pads to about its own length.
            let mut order: Vec<usize> = (0..texts.len()).collect();
            order.sort_by_key(|&i| tokens[i].len());
            // Batches run in parallel on the pool, each forward pass on one thread: with candle's
            // own kernels kept single-threaded (RAYON_NUM_THREADS=1 CANDLE_NUM_THREADS=1) this
            // spent about a quarter less CPU than splitting every matrix product across threads
            // and synchronising after each operation (bench/meaning.sh).
            let chunks: Vec<&[usize]> = order.chunks(self.options.batch_size).collect();
            let results: Vec<Result<Vec<Vec<f32>>, MeaningModelError>> = chunks
                .par_iter()
                .map(|chunk| {
                    let batch: Vec<&[u32]> = chunk.iter().map(|&i| tokens[i].as_slice()).collect();
                    self.forward(&batch).map_err(|e| MeaningModelError::Inference(e.to_string()))
                })
                .collect();
            let mut out = vec![Vec::new(); texts.len()];
            for (chunk, vectors) in chunks.iter().zip(results) {
                for (&i, vector) in chunk.iter().zip(vectors?) {
                    out[i] = vector;
                }
            }
            Ok(out)
        })
    }
}

#[derive(Deserialize)]
struct TensorEntry {
    dtype: String,
    shape: Vec<usize>,
    data_offsets: [u64; 2],
}

/// Reads the float tensors of a safetensors file into memory, one at a time, straight into
/// their final buffers (no memory map: that needs `unsafe`; no whole-file buffer: that would
/// double the peak). Integer buffers (`position_ids`) and the pooler are skipped; a `bert.`
/// prefix is dropped so both ways of publishing a BERT checkpoint load.
fn read_safetensors(path: &Path, device: &Device) -> Result<HashMap<String, Tensor>, MeaningModelError> {
    let bad = |message: String| MeaningModelError::bad_file(path, message);
    let file = File::open(path).map_err(|e| bad(format!("cannot open: {e}")))?;
    let file_len = file.metadata().map_err(|e| bad(e.to_string()))?.len();
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut len_bytes = [0u8; 8];
    reader.read_exact(&mut len_bytes).map_err(|_| bad("too short to be a safetensors file".to_owned()))?;
    let header_len = u64::from_le_bytes(len_bytes);
    if header_len > 100_000_000 || 8 + header_len > file_len {
        return Err(bad(format!("header length {header_len} does not fit a {file_len}-byte file")));
    }
    let mut header = vec![0u8; header_len as usize];
    reader.read_exact(&mut header).map_err(|e| bad(format!("cannot read the header: {e}")))?;
    let mut entries: HashMap<String, serde_json::Value> =
        serde_json::from_slice(&header).map_err(|e| bad(format!("bad header: {e}")))?;
    entries.remove("__metadata__");
    let data_start = 8 + header_len;
    let mut wanted: Vec<(String, TensorEntry)> = Vec::new();
    for (name, value) in entries {
        let entry: TensorEntry = serde_json::from_value(value).map_err(|e| bad(format!("tensor `{name}`: {e}")))?;
        let short = name.strip_prefix("bert.").unwrap_or(&name).to_owned();
        let floats = matches!(entry.dtype.as_str(), "F32" | "F16" | "BF16");
        if !floats || !(short.starts_with("embeddings.") || short.starts_with("encoder.")) {
            continue;
        }
        wanted.push((short, entry));
    }
    wanted.sort_by_key(|(_, e)| e.data_offsets[0]);
    let mut tensors = HashMap::new();
    for (name, entry) in wanted {
        let [start, end] = entry.data_offsets;
        let width = if entry.dtype == "F32" { 4 } else { 2 };
        let count: usize = entry.shape.iter().product();
        if end < start || end - start != (count * width) as u64 || data_start + end > file_len {
            return Err(bad(format!("tensor `{name}`: offsets {start}..{end} do not fit shape {:?}", entry.shape)));
        }
        reader.seek(SeekFrom::Start(data_start + start)).map_err(|e| bad(e.to_string()))?;
        let tensor = if width == 4 {
            let mut values = Vec::with_capacity(count);
            let mut chunk = vec![0u8; 1 << 16];
            let mut left = count * 4;
            while left > 0 {
                let take = left.min(chunk.len());
                reader.read_exact(&mut chunk[..take]).map_err(|e| bad(format!("tensor `{name}`: {e}")))?;
                values.extend(chunk[..take].chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])));
                left -= take;
            }
            Tensor::from_vec(values, entry.shape.as_slice(), device)
        } else {
            let mut raw = vec![0u8; count * 2];
            reader.read_exact(&mut raw).map_err(|e| bad(format!("tensor `{name}`: {e}")))?;
            let dtype = if entry.dtype == "F16" { DType::F16 } else { DType::BF16 };
            Tensor::from_raw_buffer(&raw, dtype, &entry.shape, device).and_then(|t| t.to_dtype(DType::F32))
        }
        .map_err(|e| bad(format!("tensor `{name}`: {e}")))?;
        tensors.insert(name, tensor);
    }
    Ok(tensors)
}
