//! Gradient-boosted trees for the `gbm` model kind, written for Sift.
//!
//! Why our own: with forust-ml, building gradient histograms took most of the training time
//! (see the commit that brought this module), and Sift needs little of a general library:
//! log loss, depth-limited trees on a few dozen features, missing values that learn a
//! direction, and per-feature contributions for the factors behind a score.
//!
//! How a fit runs:
//! - Each feature is binned once: at most [`MAX_BINS`] value bins holding about equal numbers
//!   of training values (one bin per value when there are fewer values), and one more bin for
//!   missing values. Features whose bin counts (with the missing bin) multiply to at most 256
//!   are bundled: a row's bins in a bundle make one `u8` code, and a feature's histogram is
//!   the bundle's summed over the other features' bins. The codes form a row-major matrix, so
//!   a histogram pass reads each row's codes from one cache line and its gradient once, and
//!   does one update for a whole bundle (lead data has many flags and small categories).
//! - Each round fits one tree to the log-loss gradients and hessians, level by level down to
//!   `max_depth`. A node's histogram holds the gradient and hessian sums of each bin; only the
//!   smaller child's histogram is built from its rows, the larger child's is its parent's
//!   minus the smaller one (so each level reads at most half the rows). Nodes on the last
//!   level need no histogram at all.
//! - A split is scored by the second-order gain with L2 on the leaf weights; both sides must
//!   hold at least `min_leaf_weight` of hessian. Missing values go to the side where they gain
//!   more; when a node saw none they follow the heavier side.
//! - Large nodes build their histogram on every core, each core a block of bundles. A
//!   bundle's sums are always added by one thread in row order, so the same data gives the
//!   same model whatever the number of threads.
//!
//! - Early stopping (on by default above 10,000 rows, as scikit-learn's HistGradientBoosting
//!   does): a tenth of the rows, drawn per class with a fixed seed, is held back; after each
//!   round their log loss is computed, and the fit ends once [`PATIENCE`] rounds in a row
//!   have not improved on the loss of the round before them. The trees of those rounds
//!   stay, as scikit-learn keeps them.
//!
//! Explanations are Saabas contributions: each node stores the output it would give as a
//! leaf, and a split on the path credits its feature with the change from the node to the
//! child taken. The contributions and the first node's output add up to the tree's output.

use serde::{Deserialize, Serialize};

use crate::error::{Result, ScoreError};
use crate::train::GbmParams;

/// Value bins per feature at most (one more bin holds the missing values).
pub const MAX_BINS: usize = 255;
/// A split must gain more than this (guards against splits that gain only rounding noise).
const MIN_GAIN: f64 = 1e-9;
/// A node's histogram is built on several threads when it has at least this many
/// (row, feature) cells: below that, handing work to another thread costs more than it saves.
const PARALLEL_CELLS: usize = 1 << 16;
/// Early stopping: the share of rows held back, the rounds without improvement that end
/// the fit, and the least fall of the held-back log loss that counts as one.
const VALIDATION_SHARE: f64 = 0.1;
pub const PATIENCE: usize = 10;
const TOLERANCE: f64 = 1e-7;
/// The seed of the held-back draw: the same data gives the same model.
const HOLD_BACK_SEED: u64 = 0x005e_ed0f_5eed;
/// The threshold of a split that sends every value left and only missing values right
/// (JSON has no infinity).
const ALL_VALUES: f64 = f64::MAX;

/// A trained model: the starting log-odds and the trees whose outputs add to it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Forest {
    /// Log-odds before any tree (the training base rate's).
    pub base_score: f64,
    pub trees: Vec<Tree>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Tree {
    /// The first node is the root; children come after their parent.
    pub nodes: Vec<Node>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// The tree's output for a row ending here; on a split node, the output it would give as
    /// a leaf (the contributions are the differences along the path).
    pub value: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<Split>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Split {
    pub feature: u32,
    /// Values at most this go left.
    pub threshold: f64,
    /// Where a missing value (NaN) goes.
    pub missing_left: bool,
    pub left: u32,
    pub right: u32,
}

impl Tree {
    /// The output for a row (`row[f]` is feature `f`, NaN when missing).
    fn output(&self, row: &[f64]) -> f64 {
        let mut at = 0;
        loop {
            let node = &self.nodes[at];
            let Some(s) = node.split else { return node.value };
            let v = row[s.feature as usize];
            let left = if v.is_nan() { s.missing_left } else { v <= s.threshold };
            at = if left { s.left } else { s.right } as usize;
        }
    }
}

impl Forest {
    /// Checks a forest read from a file: every walk ends at a leaf, every feature exists.
    pub fn validate(&self, features: usize) -> Result<()> {
        for (t, tree) in self.trees.iter().enumerate() {
            let ok = !tree.nodes.is_empty()
                && tree.nodes.iter().enumerate().all(|(i, node)| match node.split {
                    None => true,
                    Some(s) => {
                        (s.feature as usize) < features
                            && s.threshold.is_finite()
                            && [s.left, s.right].iter().all(|&c| c as usize > i && (c as usize) < tree.nodes.len())
                    }
                });
            if !ok {
                return Err(ScoreError::BadModelFile(format!("tree {t} is malformed")));
            }
        }
        Ok(())
    }

    /// The scoring form: see [`CompiledForest`].
    pub fn compile(&self) -> CompiledForest {
        self.compile_with(true)
    }

    /// [`Forest::compile`], or with `levelled` false always the node-by-node layout over
    /// every feature up to the last one split on (the reference the tests hold the fast
    /// layouts to).
    fn compile_with(&self, levelled: bool) -> CompiledForest {
        let mut bias = self.base_score;
        for tree in &self.trees {
            bias += tree.nodes[0].value;
        }
        let depth = self.trees.iter().map(Tree::depth).max().unwrap_or(0);
        let splits = || self.trees.iter().flat_map(|t| t.nodes.iter().filter_map(|n| n.split));
        let mut used: Vec<usize> = if levelled {
            splits().map(|s| s.feature as usize).collect()
        } else {
            (0..splits().map(|s| s.feature as usize + 1).max().unwrap_or(0)).collect()
        };
        used.sort_unstable();
        used.dedup();
        // The trees with each feature numbered by its place among the used ones.
        let mut place = vec![0u32; used.last().map_or(0, |&f| f + 1)];
        for (j, &f) in used.iter().enumerate() {
            place[f] = j as u32;
        }
        let mut compact = self.clone();
        for node in compact.trees.iter_mut().flat_map(|t| t.nodes.iter_mut()) {
            if let Some(s) = &mut node.split {
                s.feature = place[s.feature as usize];
            }
        }
        let shallow = || Levelled::new(&compact, depth).map(Walk::Shallow);
        let deep = || Levelled::new(&compact, depth).map(Walk::Deep);
        let walk =
            levelled.then(|| shallow().or_else(deep)).flatten().unwrap_or_else(|| Walk::Linked(Linked::new(&compact)));
        CompiledForest { bias, depth, used, walk }
    }
}

impl Tree {
    /// Splits on the longest path from the root.
    fn depth(&self) -> usize {
        let mut depths = vec![0usize; self.nodes.len()];
        let mut deepest = 0;
        // Children come after their parent, so one pass in order sees every parent first.
        for (i, node) in self.nodes.iter().enumerate() {
            if let Some(s) = node.split {
                for child in [s.left, s.right] {
                    depths[child as usize] = depths[i] + 1;
                }
                deepest = deepest.max(depths[i] + 1);
            }
        }
        deepest
    }
}

/// The most memory the level-by-level layout may take ([`Levelled`] pads every tree to the
/// forest's depth); a forest that would need more is walked node by node ([`Linked`]).
const MAX_LEVELLED_BYTES: usize = 32 << 20;

/// The running sums of the contributions: one set per tree of each group of this many (the
/// trees after the last full group use the first). The walks of a group's trees are
/// interleaved: each is a chain of dependent loads, so several at once keep the core busy.
/// Changing it would change the order of the additions, and so the last bits of factors.
const LANES: usize = 4;

/// Slots of the fixed-size buffers of [`Levelled`]: indexed by a `u16`, they need no
/// bounds check on the hot path.
const SLOTS: usize = 1 << 16;

/// A [`Forest`] laid out for scoring: every walk takes the same number of steps (the
/// deepest tree's), [`LANES`] trees at a time, without a branch on the way a row goes. Each
/// step credits the split's feature with the change of output to the child taken, so one
/// pass gives the prediction and its explanation.
#[derive(Debug, Clone)]
pub struct CompiledForest {
    /// The base score plus every tree's root output: the part no feature explains.
    bias: f64,
    depth: usize,
    /// The features some tree splits on, ascending. The walks number them by their place
    /// here and read and credit only them: a feature no tree splits on contributes nothing,
    /// and laying out, zeroing and folding its sums for every row was about a third of that
    /// work on the benchmark's model (21 of its 34 features split on).
    used: Vec<usize>,
    walk: Walk,
}

#[derive(Debug, Clone)]
enum Walk {
    /// Up to depth 5, the default.
    Shallow(Levelled<32>),
    /// Up to depth 10.
    Deep(Levelled<1024>),
    /// Deeper, or too large padded: only with `--gbm-max-depth` above 5.
    Linked(Linked),
}

/// Trees as complete binary trees (the root at 1, node `i`'s children at `2 i` and `2 i + 1`)
/// in blocks of `N` nodes, so a walk computes where it goes next instead of reading it, and
/// indexes a block by `i & (N - 1)` with no bounds check. A node compares a slot of the row's values
/// with its threshold, the slot saying where a missing value goes (see
/// [`Levelled::value_row`]; numbering each feature's values by its sorted thresholds
/// instead cost a binary search per feature and row, for no faster walk); the row's values
/// and running sums live in buffers indexed by `u16`. A leaf above the last level becomes
/// nodes that send every row left and credit nothing.
#[derive(Debug, Clone)]
struct Levelled<const N: usize> {
    trees: Vec<TreeBlock<N>>,
    /// The same trees with byte-wide slots and sums, when a row fits in a [`NarrowRow`]
    /// (empty otherwise): see [`Levelled::walk_pass`].
    narrow_trees: Vec<NarrowTreeBlock<N>>,
    /// Features with a split: the stride of the running sums.
    features: usize,
}

/// A tree's nodes field by field (node 0 unused), so a step reads each field of node `i`
/// at `i` times the field's size, which an address computes, instead of at `i` times a
/// node's size, which took a shift and an add per step (12 instructions a step instead of
/// 15 to 17, with fewer registers spilled).
#[derive(Debug, Clone, Copy)]
struct TreeBlock<const N: usize> {
    /// Row values above this go right.
    threshold: [f64; N],
    /// The change of output going left and going right. Read flattened: the change of
    /// going to node `c` is at `c`, where the walk goes next.
    delta: [[f64; 2]; N],
    /// The row value compared: `2 f` for feature `f` when missing values go left, `2 f + 1`
    /// when they go right.
    slot: [u16; N],
    /// The running sum credited: `lane * features + feature`, or below a leaf the lane's
    /// sink, `LANES * features + lane`, which is never read.
    sum: [u16; N],
}

/// A [`TreeBlock`] whose slots and sums are bytes, as a [`NarrowRow`] indexes them: a step
/// reads them at the node's own index, and the next node is one `lea` from the comparison.
#[derive(Debug, Clone, Copy)]
struct NarrowTreeBlock<const N: usize> {
    threshold: [f64; N],
    /// The thresholds' [`order_key`]s, as [`Levelled::walk_pass_shared`] compares them.
    threshold_key: [i64; N],
    delta: [[f64; 2]; N],
    slot: [u8; N],
    sum: [u8; N],
}

impl<const N: usize> NarrowTreeBlock<N> {
    /// `None` when a slot or sum does not fit in a byte.
    fn new(tree: &TreeBlock<N>) -> Option<NarrowTreeBlock<N>> {
        let mut narrow = NarrowTreeBlock {
            threshold: tree.threshold,
            threshold_key: tree.threshold.map(order_key),
            delta: tree.delta,
            slot: [0; N],
            sum: [0; N],
        };
        for i in 0..N {
            narrow.slot[i] = u8::try_from(tree.slot[i]).ok()?;
            narrow.sum[i] = u8::try_from(tree.sum[i]).ok()?;
        }
        Some(narrow)
    }
}

/// `x`'s place among the `f64`s as an integer: for values that are not NaN, `a > b` exactly
/// when `order_key(a) > order_key(b)` (0.0 and -0.0 have one key, as they compare equal).
/// An integer comparison takes fewer cycles from a value's load to the next node than a
/// floating-point one, which waits for its result to cross to the integer flags.
fn order_key(x: f64) -> i64 {
    // Adding 0.0 makes -0.0 0.0 and leaves every other number as it is.
    let bits = (x + 0.0).to_bits() as i64;
    // A negative number's magnitude bits turned over: the larger the magnitude, the lower.
    bits ^ ((bits >> 63) & i64::MAX)
}

impl<const N: usize> TreeBlock<N> {
    /// Every node sends every row left and credits `sink` with nothing.
    fn passing_left(sink: u16) -> TreeBlock<N> {
        TreeBlock { threshold: [f64::INFINITY; N], delta: [[0.0; 2]; N], slot: [0; N], sum: [sink; N] }
    }
}

impl<const N: usize> Levelled<N> {
    /// `None` when the forest is too deep for blocks of `N`, would take more than
    /// [`MAX_LEVELLED_BYTES`], or does not fit in 16-bit slots.
    fn new(forest: &Forest, depth: usize) -> Option<Levelled<N>> {
        let splits = || forest.trees.iter().flat_map(|t| t.nodes.iter().filter_map(|n| n.split));
        let features = splits().map(|s| s.feature as usize + 1).max().unwrap_or(0);
        let bytes = forest.trees.len() * std::mem::size_of::<TreeBlock<N>>();
        if (1 << depth) > N || bytes > MAX_LEVELLED_BYTES || 2 * features > SLOTS || LANES * (features + 1) > SLOTS {
            return None;
        }
        let grouped = forest.trees.len() / LANES * LANES;
        let mut trees = Vec::with_capacity(forest.trees.len());
        for (t, tree) in forest.trees.iter().enumerate() {
            let lane = if t < grouped { t % LANES } else { 0 };
            // Below a leaf, the lane's own sink, which nothing reads: with every lane's
            // pass-through credited to one real sum, the lanes waited on each other there.
            let mut block = TreeBlock::passing_left((LANES * features + lane) as u16);
            let mut stack = vec![(0usize, 1usize)];
            while let Some((old, new)) = stack.pop() {
                let node = &tree.nodes[old];
                // A leaf: the nodes below it pass every row left, crediting nothing.
                let Some(s) = node.split else { continue };
                let f = s.feature as usize;
                let delta = |child: u32| tree.nodes[child as usize].value - node.value;
                block.delta[new] = [delta(s.left), delta(s.right)];
                block.sum[new] = (lane * features + f) as u16;
                block.slot[new] = (2 * f + usize::from(!s.missing_left)) as u16;
                block.threshold[new] = s.threshold;
                if 2 * new + 1 < N {
                    stack.push((s.left as usize, 2 * new));
                    stack.push((s.right as usize, 2 * new + 1));
                }
            }
            trees.push(block);
        }
        let narrow_trees = if 2 * features <= NARROW_VALUES && LANES * (features + 1) <= NARROW_SUMS {
            // Every slot and sum then fits in a byte.
            trees.iter().filter_map(NarrowTreeBlock::new).collect()
        } else {
            Vec::new()
        };
        Some(Levelled { trees, features, narrow_trees })
    }

    /// A row's values in the slots the nodes compare: for feature `f`, slot `2 f` (missing
    /// values go left) holds a missing value as minus infinity, which no threshold is
    /// below, and slot `2 f + 1` as infinity, which every threshold is below (thresholds
    /// are finite) but the one of a node below a leaf.
    /// The two slots of a feature are side by side, written as one pair.
    fn value_row(&self, row: &[f64], buffers: &mut impl RowBuffers) {
        for (pair, &x) in buffers.values_mut(2 * self.features).chunks_exact_mut(2).zip(row) {
            pair.copy_from_slice(&if x.is_nan() { [f64::NEG_INFINITY, f64::INFINITY] } else { [x, x] });
        }
    }

    /// One step down from node `at` of `tree`: the node it goes to, and the running sum to
    /// credit with how much.
    #[inline(always)]
    fn step(tree: &TreeBlock<N>, at: usize, row: &impl RowBuffers) -> (usize, u16, f64) {
        let at = at & (N - 1);
        let next = 2 * at + usize::from(row.value(tree.slot[at]) > tree.threshold[at]);
        (next, tree.sum[at], tree.delta.as_flattened()[next])
    }

    /// Calls `add(row, lane, sum, change)` for every split on each row's path through every
    /// tree (and with a change of 0 below a leaf). The trees go in groups of [`LANES`], each
    /// group over every row before the next group, so a group's nodes stay in the
    /// first-level cache; each row still sees the trees in order.
    #[inline]
    fn walk<R: RowBuffers>(&self, depth: usize, rows: &mut [R], mut add: impl FnMut(&mut R, usize, u16, f64)) {
        let mut groups = self.trees.chunks_exact(LANES);
        for group in &mut groups {
            let [t0, t1, t2, t3] = group else { continue };
            let group = [t0, t1, t2, t3];
            let mut pairs = rows.chunks_exact_mut(ROWS_INTERLEAVED);
            for pair in &mut pairs {
                Self::walk_group::<ROWS_INTERLEAVED, R>(group, depth, pair, &mut add);
            }
            for row in pairs.into_remainder().chunks_mut(1) {
                Self::walk_group::<1, R>(group, depth, row, &mut add);
            }
        }
        for tree in groups.remainder() {
            for row in rows.iter_mut() {
                let mut at = 1;
                for _ in 0..depth {
                    let (sum, delta);
                    (at, sum, delta) = Self::step(tree, at, row);
                    add(row, 0, sum, delta);
                }
            }
        }
    }

    /// A group of trees over `K` rows, one step of each walk after another: each walk is a
    /// chain of dependent loads, and `K` times [`LANES`] of them keep the core busy.
    #[inline(always)]
    fn walk_group<const K: usize, R: RowBuffers>(
        group: [&TreeBlock<N>; LANES],
        depth: usize,
        rows: &mut [R],
        add: &mut impl FnMut(&mut R, usize, u16, f64),
    ) {
        let mut at = [[1usize; LANES]; K];
        for _ in 0..depth {
            for (lane, tree) in group.into_iter().enumerate() {
                for (row, at) in rows.iter_mut().zip(&mut at) {
                    let (sum, delta);
                    (at[lane], sum, delta) = Self::step(tree, at[lane], row);
                    add(row, lane, sum, delta);
                }
            }
        }
    }

    /// [`Levelled::walk`] over a full pass of narrow rows: one tree at a time over every
    /// row of the pass, step by step (eight chains of dependent loads, as the group walk
    /// has). The rows' buffers lie at fixed distances from the first, so a step needs
    /// fewer registers than a group of four trees over two rows, and none is spilled.
    /// Each row's sums see the trees in the same order. The trees are read with byte-wide
    /// slots and sums ([`NarrowTreeBlock`]), and the positions are `u32`: a step is then 11
    /// instructions, with no move between registers at the end of each level (nine a
    /// level with 16-bit fields) and none to widen a position it masked (with `usize`).
    #[inline]
    fn walk_pass(&self, depth: usize, rows: &mut [NarrowRow; PASS_ROWS]) {
        for tree in &self.narrow_trees {
            let mut at = [1u32; PASS_ROWS];
            for _ in 0..depth {
                for (row, at) in rows.iter_mut().zip(&mut at) {
                    let i = (*at & (N as u32 - 1)) as usize;
                    let right = row.values[usize::from(tree.slot[i])] > tree.threshold[i];
                    *at = (2 * i + usize::from(right)) as u32;
                    row.sums[usize::from(tree.sum[i])] += tree.delta.as_flattened()[*at as usize];
                }
            }
        }
    }

    /// A row with no missing value laid out for [`Levelled::walk_pass_shared`]: each lane's
    /// copy of the row's values at the index of the lane's running sums (`lane * features +
    /// feature`), and a value at each lane's sink (compared with the infinite threshold of
    /// a node below a leaf, which sends every value left). False when a value is missing or
    /// the row is narrower than the forest's features (the buffer is then of no use).
    fn lane_value_row(&self, row: &[f64], buffer: &mut NarrowRow) -> bool {
        let features = self.features;
        let Some(row) = row.get(..features) else { return false };
        const { assert!(LANES == 4, "four copies below") };
        let (l0, rest) = buffer.keys.split_at_mut(features);
        let (l1, rest) = rest.split_at_mut(features);
        let (l2, rest) = rest.split_at_mut(features);
        let (l3, sinks) = rest.split_at_mut(features);
        let mut complete = true;
        // One value into four lanes at a time: four copies of the row took a call each.
        for ((((a, b), c), d), &x) in l0.iter_mut().zip(l1).zip(l2).zip(l3).zip(row) {
            complete &= !x.is_nan();
            let key = order_key(x);
            (*a, *b, *c, *d) = (key, key, key, key);
        }
        sinks[..LANES].fill(order_key(0.0));
        complete
    }

    /// [`Levelled::walk_pass`] for rows with no missing value: a node's two slots of a
    /// feature then hold the same value, so each lane's copy of it can sit at the index of
    /// the running sum the node credits ([`Levelled::lane_value_row`]), and one byte of the
    /// node (its sum) addresses both: a step reads one byte fewer and takes 10 instructions
    /// where [`Levelled::walk_pass`] takes 11. Values and thresholds are compared as their
    /// [`order_key`]s: the step waits on two loads and an integer comparison, where a
    /// floating-point one added several cycles to each level of the eight walks (the walk
    /// alone about 10% faster, `examples/forest_bench.rs`). The root's level is written
    /// out: every row is at node 1, whose index and threshold are read once for the pass.
    /// The same comparisons' outcomes and the same additions in the same order, so the same
    /// bits.
    #[inline]
    fn walk_pass_shared(&self, depth: usize, rows: &mut [NarrowRow; PASS_ROWS]) {
        if depth == 0 {
            return;
        }
        for tree in &self.narrow_trees {
            // The root, the same node for every row: its index and threshold read once.
            let (k, threshold) = (usize::from(tree.sum[1]), tree.threshold_key[1]);
            let mut at = [0u32; PASS_ROWS];
            for (row, at) in rows.iter_mut().zip(&mut at) {
                *at = 2 + u32::from(row.keys[k] > threshold);
                row.sums[k] += tree.delta.as_flattened()[*at as usize];
            }
            for _ in 1..depth {
                for (row, at) in rows.iter_mut().zip(&mut at) {
                    let i = (*at & (N as u32 - 1)) as usize;
                    let k = usize::from(tree.sum[i]);
                    let right = row.keys[k] > tree.threshold_key[i];
                    *at = (2 * i + usize::from(right)) as u32;
                    row.sums[k] += tree.delta.as_flattened()[*at as usize];
                }
            }
        }
    }

    /// Whether a row's values and sums fit in a [`NarrowRow`] (and so every tree has its
    /// [`NarrowTreeBlock`]).
    fn narrow(&self) -> bool {
        self.narrow_trees.len() == self.trees.len()
    }

    /// The log-odds of one row less the bias, summed per lane.
    fn predict(&self, depth: usize, row: &[f64], scratch: &mut ForestScratch) -> f64 {
        let mut sums = [0.0; LANES];
        let wide = std::slice::from_mut(&mut scratch.wide);
        self.value_row(row, &mut wide[0]);
        self.walk(depth, wide, |_, lane, _, delta| sums[lane] += delta);
        sums.iter().sum::<f64>()
    }

    /// Each feature's contribution for each row of `rows` (row-major, `width` values a row)
    /// into the row's `width` values of `contributions`, every one of them written. A row's
    /// sums are added in the same order whatever the rows beside it.
    fn contributions(
        &self,
        depth: usize,
        rows: &[f64],
        width: usize,
        contributions: &mut [f64],
        scratch: &mut ForestScratch,
    ) {
        if self.features == 0 || width == 0 {
            // No tree splits: nothing to credit (and no lanes to fold).
            contributions.fill(0.0);
            return;
        }
        if self.narrow() {
            if scratch.narrow.len() < PASS_ROWS {
                scratch.narrow.resize(PASS_ROWS, NarrowRow::default());
            }
            self.contributions_in(depth, rows, width, contributions, &mut scratch.narrow[..PASS_ROWS]);
        } else {
            self.contributions_in(depth, rows, width, contributions, std::slice::from_mut(&mut scratch.wide));
        }
    }

    /// [`Levelled::contributions`], `buffers.len()` rows at a time.
    fn contributions_in<R: RowBuffers>(
        &self,
        depth: usize,
        rows: &[f64],
        width: usize,
        contributions: &mut [f64],
        buffers: &mut [R],
    ) {
        let stride = self.features;
        let pass = buffers.len();
        for (rows, contributions) in rows.chunks(pass * width).zip(contributions.chunks_mut(pass * width)) {
            let buffers = &mut buffers[..rows.len() / width];
            R::fill_and_walk(self, depth, rows, width, buffers);
            for (buffer, out) in buffers.iter_mut().zip(contributions.chunks_exact_mut(width)) {
                // The lanes added in order, straight into the row's contributions (one pass,
                // where adding each lane into the first and copying took four).
                const { assert!(LANES == 4, "the fold below adds four lanes") };
                let sums = buffer.sums_mut(LANES * stride);
                let (l0, rest) = sums.split_at(stride);
                let (l1, rest) = rest.split_at(stride);
                let (l2, l3) = rest.split_at(stride);
                let n = stride.min(width);
                for ((((c, a), b), d), e) in out[..n].iter_mut().zip(l0).zip(l1).zip(l2).zip(l3) {
                    *c = a + b + d + e;
                }
                // Features beyond the last one split on.
                out[n..].fill(0.0);
            }
        }
    }
}

/// Rows walked together at most: their values and running sums stay in the first-level
/// cache beside a group of trees. A full pass of narrow rows walks one tree at a time over
/// all of them (see [`Levelled::walk_pass`]).
const PASS_ROWS: usize = 8;
/// Rows whose walks of a group of trees are interleaved step by step (more ran short of
/// registers).
const ROWS_INTERLEAVED: usize = 2;
/// The slots of a [`NarrowRow`]: enough for forests splitting on up to 63 features. With 256
/// values, a slot is read as its low byte, without a mask.
const NARROW_VALUES: usize = 256;
const NARROW_SUMS: usize = 256;

/// Where a [`Levelled`] walk reads a row's values and adds up its running sums.
trait RowBuffers {
    fn value(&self, slot: u16) -> f64;
    /// The first `n` value slots.
    fn values_mut(&mut self, n: usize) -> &mut [f64];
    fn add(&mut self, sum: u16, delta: f64);
    /// The first `n` running sums.
    fn sums_mut(&mut self, n: usize) -> &mut [f64];
    /// Lays out each row of `rows` (`width` values a row, one per buffer) in its buffer,
    /// zeroes its running sums, and walks them all ([`Levelled::walk`]).
    fn fill_and_walk<const N: usize>(
        forest: &Levelled<N>,
        depth: usize,
        rows: &[f64],
        width: usize,
        buffers: &mut [Self],
    ) where
        Self: Sized,
    {
        fill_and_walk_each(forest, depth, rows, width, buffers);
    }
}

/// [`RowBuffers::fill_and_walk`] row by row: each row's values laid out and its sums zeroed,
/// then one [`Levelled::walk`].
fn fill_and_walk_each<const N: usize, R: RowBuffers>(
    forest: &Levelled<N>,
    depth: usize,
    rows: &[f64],
    width: usize,
    buffers: &mut [R],
) {
    for (row, buffer) in rows.chunks_exact(width).zip(buffers.iter_mut()) {
        forest.value_row(row, buffer);
        buffer.sums_mut(LANES * (forest.features + 1)).fill(0.0);
    }
    forest.walk(depth, buffers, |row, _, sum, delta| row.add(sum, delta));
}

/// A row's buffers when the forest splits on few features: small enough to walk
/// [`PASS_ROWS`] rows together in the first-level cache, each indexed by a mask instead of
/// a bounds check.
#[derive(Debug, Clone)]
struct NarrowRow {
    values: [f64; NARROW_VALUES],
    /// A row with no missing value as [`Levelled::walk_pass_shared`] reads it: each lane's
    /// [`order_key`]s of the row's values, at the index of its running sums.
    keys: [i64; NARROW_SUMS],
    sums: [f64; NARROW_SUMS],
    /// Never read: it keeps the rows of a pass, 4 KB apart without it, off the same sets
    /// of the first-level cache (a feature's slot in eight rows filled one set; about 15%
    /// slower walks).
    _spacing: [f64; 8],
}

impl Default for NarrowRow {
    fn default() -> NarrowRow {
        NarrowRow { values: [0.0; NARROW_VALUES], keys: [0; NARROW_SUMS], sums: [0.0; NARROW_SUMS], _spacing: [0.0; 8] }
    }
}

impl RowBuffers for NarrowRow {
    #[inline(always)]
    fn value(&self, slot: u16) -> f64 {
        self.values[usize::from(slot) & (NARROW_VALUES - 1)]
    }
    fn values_mut(&mut self, n: usize) -> &mut [f64] {
        &mut self.values[..n]
    }
    #[inline(always)]
    fn add(&mut self, sum: u16, delta: f64) {
        self.sums[usize::from(sum) & (NARROW_SUMS - 1)] += delta;
    }
    fn sums_mut(&mut self, n: usize) -> &mut [f64] {
        &mut self.sums[..n]
    }
    /// A full pass whose rows have no missing value takes [`Levelled::walk_pass_shared`];
    /// any other full pass [`Levelled::walk_pass`].
    fn fill_and_walk<const N: usize>(
        forest: &Levelled<N>,
        depth: usize,
        rows: &[f64],
        width: usize,
        buffers: &mut [Self],
    ) {
        let features = forest.features;
        if let Ok(pass) = <&mut [NarrowRow; PASS_ROWS]>::try_from(&mut *buffers) {
            let mut complete = true;
            for (row, buffer) in rows.chunks_exact(width).zip(pass.iter_mut()) {
                complete &= forest.lane_value_row(row, buffer);
                buffer.sums[..LANES * (features + 1)].fill(0.0);
            }
            if complete {
                forest.walk_pass_shared(depth, pass);
            } else {
                for (row, buffer) in rows.chunks_exact(width).zip(pass.iter_mut()) {
                    forest.value_row(row, buffer);
                }
                forest.walk_pass(depth, pass);
            }
            return;
        }
        fill_and_walk_each(forest, depth, rows, width, buffers);
    }
}

/// A row's buffers for any forest a [`Levelled`] holds: indexed by a `u16`, they need no
/// bounds check (about 1 MB, of which a row touches a few hundred bytes).
#[derive(Debug, Clone)]
struct WideRow {
    values: Box<[f64; SLOTS]>,
    sums: Box<[f64; SLOTS]>,
}

impl RowBuffers for WideRow {
    #[inline(always)]
    fn value(&self, slot: u16) -> f64 {
        self.values[usize::from(slot)]
    }
    fn values_mut(&mut self, n: usize) -> &mut [f64] {
        &mut self.values[..n]
    }
    #[inline(always)]
    fn add(&mut self, sum: u16, delta: f64) {
        self.sums[usize::from(sum)] += delta;
    }
    fn sums_mut(&mut self, n: usize) -> &mut [f64] {
        &mut self.sums[..n]
    }
}

/// Trees node by node, for forests too deep for [`Levelled`]: each split's two children
/// side by side, a leaf sending every row to itself.
#[derive(Debug, Clone)]
struct Linked {
    nodes: Vec<FlatNode>,
    roots: Vec<u32>,
}

#[derive(Debug, Clone, Copy)]
struct FlatNode {
    threshold: f64,
    /// The change of output going left and going right (the Saabas contribution).
    delta: [f64; 2],
    feature: u32,
    left: u32,
    missing_left: bool,
}

impl FlatNode {
    const LEAF: FlatNode =
        FlatNode { threshold: f64::INFINITY, delta: [0.0; 2], feature: 0, left: 0, missing_left: true };
}

impl Linked {
    fn new(forest: &Forest) -> Linked {
        let mut nodes = Vec::with_capacity(forest.trees.iter().map(|t| t.nodes.len()).sum());
        let mut roots = Vec::with_capacity(forest.trees.len());
        for tree in &forest.trees {
            // Breadth first, each split's two children side by side.
            let root = nodes.len() as u32;
            roots.push(root);
            nodes.push(FlatNode::LEAF);
            let mut queue = std::collections::VecDeque::from([(0usize, root)]);
            while let Some((old, new)) = queue.pop_front() {
                let node = &tree.nodes[old];
                nodes[new as usize] = match node.split {
                    None => FlatNode { left: new, ..FlatNode::LEAF },
                    Some(s) => {
                        let left = nodes.len() as u32;
                        nodes.extend([FlatNode::LEAF; 2]);
                        queue.push_back((s.left as usize, left));
                        queue.push_back((s.right as usize, left + 1));
                        let delta = |child: u32| tree.nodes[child as usize].value - node.value;
                        FlatNode {
                            threshold: s.threshold,
                            delta: [delta(s.left), delta(s.right)],
                            feature: s.feature,
                            left,
                            missing_left: s.missing_left,
                        }
                    }
                };
            }
        }
        Linked { nodes, roots }
    }

    #[inline]
    fn walk(&self, depth: usize, row: &[f64], mut step: impl FnMut(usize, usize, f64)) {
        let mut groups = self.roots.chunks_exact(LANES);
        for group in &mut groups {
            let mut at = [0u32; LANES];
            at.copy_from_slice(group);
            for _ in 0..depth {
                for (lane, position) in at.iter_mut().enumerate() {
                    let node = &self.nodes[*position as usize];
                    let right = Self::goes_right(node, row);
                    step(lane, node.feature as usize, node.delta[right]);
                    *position = node.left + right as u32;
                }
            }
        }
        for &root in groups.remainder() {
            let mut position = root;
            for _ in 0..depth {
                let node = &self.nodes[position as usize];
                let right = Self::goes_right(node, row);
                step(0, node.feature as usize, node.delta[right]);
                position = node.left + right as u32;
            }
        }
    }

    #[inline]
    fn goes_right(node: &FlatNode, row: &[f64]) -> usize {
        let x = row[node.feature as usize];
        // NaN compares false: it goes left only when missing values do.
        usize::from(!((x <= node.threshold) | (x.is_nan() & node.missing_left)))
    }
}

/// Reusable buffers of [`CompiledForest::predict_contributions`], so scoring a row
/// allocates nothing (about 1 MB a thread, of which a row touches a few hundred bytes).
#[derive(Debug, Clone)]
pub struct ForestScratch {
    narrow: Vec<NarrowRow>,
    wide: WideRow,
    /// The running sums of a [`Linked`] walk.
    lanes: Vec<f64>,
    contributions: Vec<f64>,
    /// Rows of full width cut down to the used features, and contributions spread back out.
    gathered: Vec<f64>,
    spread: Vec<f64>,
}

impl Default for ForestScratch {
    fn default() -> ForestScratch {
        ForestScratch {
            narrow: Vec::new(),
            wide: WideRow { values: boxed_array(0.0), sums: boxed_array(0.0) },
            lanes: Vec::new(),
            contributions: Vec::new(),
            gathered: Vec::new(),
            spread: Vec::new(),
        }
    }
}

/// A fixed-size array on the heap, never on the stack.
fn boxed_array<T: Copy, const N: usize>(value: T) -> Box<[T; N]> {
    let slice = vec![value; N].into_boxed_slice();
    slice.try_into().unwrap_or_else(|_| unreachable!("the vector has N elements"))
}

impl ForestScratch {
    /// Each feature's contribution, as the last [`CompiledForest::predict_contributions`]
    /// left them.
    pub fn contributions(&self) -> &[f64] {
        &self.contributions
    }
}

impl CompiledForest {
    /// The features some tree splits on, ascending: the values a row given to
    /// [`CompiledForest::contributions_of_used`] holds, in this order. Every other feature's
    /// contribution is 0 whatever its value.
    pub fn used_features(&self) -> &[usize] {
        &self.used
    }

    /// The log-odds of one row (`row[f]` is feature `f`, NaN when missing).
    pub fn predict(&self, row: &[f64], scratch: &mut ForestScratch) -> f64 {
        let mut gathered = std::mem::take(&mut scratch.gathered);
        gathered.clear();
        self.gather(row, &mut gathered);
        let sum = match &self.walk {
            Walk::Shallow(levelled) => levelled.predict(self.depth, &gathered, scratch),
            Walk::Deep(levelled) => levelled.predict(self.depth, &gathered, scratch),
            Walk::Linked(linked) => {
                // One running sum per lane: a single sum would chain every addition to the last.
                let mut sums = [0.0; LANES];
                linked.walk(self.depth, &gathered, |lane, _, delta| sums[lane] += delta);
                sums.iter().sum::<f64>()
            }
        };
        scratch.gathered = gathered;
        self.bias + sum
    }

    /// Appends the used features of `row` (a feature beyond its end as missing).
    fn gather(&self, row: &[f64], out: &mut Vec<f64>) {
        out.extend(self.used.iter().map(|&f| row.get(f).copied().unwrap_or(f64::NAN)));
    }

    /// The log-odds of one row, and each feature's contribution in
    /// [`ForestScratch::contributions`]. Returns the log-odds and the part no feature
    /// explains (the base score plus each tree's root output); the contributions add up to
    /// the difference.
    pub fn predict_contributions(&self, row: &[f64], scratch: &mut ForestScratch) -> (f64, f64) {
        self.contributions_of_rows(row, row.len(), scratch);
        (self.log_odds(scratch.contributions()), self.bias)
    }

    /// Each feature's contribution for every row of `rows` (row-major, `width` values a
    /// row) in [`ForestScratch::contributions`], `width` a row: the same values, bit for
    /// bit, as [`CompiledForest::predict_contributions`] gives one row at a time, and
    /// faster (a level-by-level forest walks a group of trees over several rows at once).
    /// [`CompiledForest::contributions_of_used`] without the copies in and out.
    pub fn contributions_of_rows(&self, rows: &[f64], width: usize, scratch: &mut ForestScratch) {
        let mut gathered = std::mem::take(&mut scratch.gathered);
        gathered.clear();
        if width > 0 {
            for row in rows.chunks_exact(width) {
                self.gather(row, &mut gathered);
            }
        }
        self.contributions_of_used(&gathered, scratch);
        scratch.gathered = gathered;
        let mut full = std::mem::take(&mut scratch.spread);
        full.clear();
        full.resize(rows.len(), 0.0);
        let used = self.used.len();
        if width > 0 && used > 0 {
            for (out, contributions) in full.chunks_exact_mut(width).zip(scratch.contributions.chunks_exact(used)) {
                for (&f, &c) in self.used.iter().zip(contributions) {
                    if let Some(out) = out.get_mut(f) {
                        *out = c;
                    }
                }
            }
        }
        std::mem::swap(&mut scratch.contributions, &mut full);
        scratch.spread = full;
    }

    /// [`CompiledForest::contributions_of_rows`] for rows holding only the used features
    /// ([`CompiledForest::used_features`], in that order, that many values a row): each
    /// used feature's contribution, the same bits, in [`ForestScratch::contributions`] (as
    /// many a row). What batch scoring calls: it lays out only those features.
    pub fn contributions_of_used(&self, rows: &[f64], scratch: &mut ForestScratch) {
        let width = self.used.len();
        // One block of running sums per lane, folded at the end, so updates of a feature
        // that many trees split on do not wait for each other.
        let mut contributions = std::mem::take(&mut scratch.contributions);
        // Every value is written below: zeroing them first was most of the zeroing of a
        // scoring run (as callgrind counts it).
        contributions.resize(rows.len(), 0.0);
        match &self.walk {
            Walk::Shallow(levelled) => levelled.contributions(self.depth, rows, width, &mut contributions, scratch),
            Walk::Deep(levelled) => levelled.contributions(self.depth, rows, width, &mut contributions, scratch),
            Walk::Linked(_) if width == 0 => {}
            Walk::Linked(linked) => {
                for (row, out) in rows.chunks_exact(width).zip(contributions.chunks_exact_mut(width)) {
                    let lanes = &mut scratch.lanes;
                    lanes.clear();
                    lanes.resize(LANES * width, 0.0);
                    linked.walk(self.depth, row, |lane, feature, delta| lanes[lane * width + feature] += delta);
                    let (first, rest) = lanes.split_at_mut(width);
                    for lane in rest.chunks_exact(width) {
                        first.iter_mut().zip(lane).for_each(|(c, l)| *c += l);
                    }
                    out.copy_from_slice(first);
                }
            }
        }
        scratch.contributions = contributions;
    }

    /// The log-odds of a row from its contributions (all features', or the used ones'):
    /// the part no feature explains plus the contributions, added in order. A feature no
    /// tree splits on contributes 0.0, which leaves a sum as it is (but for the sign of a
    /// zero sum, and the sigmoid of either zero is one half).
    pub fn log_odds(&self, contributions: &[f64]) -> f64 {
        self.bias + contributions.iter().sum::<f64>()
    }
}

/// The training values of every feature in bins.
struct Binned {
    /// Column-major: `columns[f * rows + row]`; a missing value is bin `value_bins[f]`.
    /// Splitting a node's rows reads one feature, and a column of it stays in the first-level
    /// cache.
    columns: Vec<u8>,
    /// Features whose bins are counted together (see [`Bundle`]).
    bundles: Vec<Bundle>,
    /// Row-major: `cells[row * bundles.len() + b]` is the row's code in bundle `b`, so a
    /// histogram pass reads each row's codes from one cache line and its gradient once.
    cells: Vec<u8>,
    rows: usize,
    /// Value bins of each feature (the missing bin comes after them).
    value_bins: Vec<usize>,
    /// Upper edge of each value bin but the last: a value at most `edges[f][b]` is in bin
    /// `b` or below.
    edges: Vec<Vec<f64>>,
}

/// Bin edges of one feature: one bin per distinct value when they fit, else bins of about
/// equal counts. An edge lies between two training values, so a value between them at
/// scoring time goes the way the nearer half of the gap would.
#[cfg(test)]
fn bin_edges(values: &mut [f64]) -> Vec<f64> {
    edges_of(&sorted_distinct(values), values.len())
}

/// A feature's distinct values in order, each with how many times it occurs.
type Distinct = Vec<(f64, usize)>;

/// The distinct values in order with how many times each occurs (sorts `values`). Values that
/// compare equal are one (0 and -0, kept as the first in order).
fn sorted_distinct(values: &mut [f64]) -> Distinct {
    values.sort_unstable_by(f64::total_cmp);
    let mut distinct: Vec<(f64, usize)> = Vec::new();
    for &v in values.iter() {
        match distinct.last_mut() {
            Some((last, count)) if *last == v => *count += 1,
            _ => distinct.push((v, 1)),
        }
    }
    distinct
}

/// Bin edges from a feature's distinct values in order and their counts (see [`bin_edges`]);
/// `total` is the sum of the counts.
fn edges_of(distinct: &[(f64, usize)], total: usize) -> Vec<f64> {
    let midpoint = |a: f64, b: f64| {
        let m = a + (b - a) / 2.0;
        if m >= a && m < b { m } else { a }
    };
    if distinct.len() <= MAX_BINS {
        return distinct.windows(2).map(|w| midpoint(w[0].0, w[1].0)).collect();
    }
    let per_bin = total as f64 / MAX_BINS as f64;
    let mut edges = Vec::with_capacity(MAX_BINS - 1);
    let mut seen = 0usize;
    for (i, &(v, count)) in distinct[..distinct.len() - 1].iter().enumerate() {
        seen += count;
        if seen as f64 >= per_bin * (edges.len() + 1) as f64 {
            edges.push(midpoint(v, distinct[i + 1].0));
            if edges.len() == MAX_BINS - 1 {
                break;
            }
        }
    }
    edges
}

/// Columns with at most this many distinct values are binned through a hash table instead of
/// a sort (most features of lead data: categories, flags, counts, rounded figures).
const HASHED_DISTINCT: usize = 2048;
/// Slots of that hash table: a power of two, at most half full.
const HASH_SLOTS: usize = 4 * HASHED_DISTINCT;

/// A column's distinct values as [`sorted_distinct`] gives them, and each row's place among
/// them (`u32::MAX` for a missing value); `None` when it has more than [`HASHED_DISTINCT`].
fn hashed_distinct(column: &[f64], table: &mut Vec<u32>) -> Option<(Distinct, Vec<u32>)> {
    const EMPTY: u32 = u32::MAX;
    table.clear();
    table.resize(HASH_SLOTS, EMPTY);
    // In order of first appearance; each keeps the lowest of its equal values (0 and -0).
    let mut found: Vec<(f64, usize)> = Vec::new();
    let mut ids = Vec::with_capacity(column.len());
    for &v in column {
        if v.is_nan() {
            ids.push(EMPTY);
            continue;
        }
        let key = if v == 0.0 { 0 } else { v.to_bits() };
        let mut slot = (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40) as usize & (HASH_SLOTS - 1);
        loop {
            let id = table[slot];
            if id == EMPTY {
                if found.len() == HASHED_DISTINCT {
                    return None;
                }
                table[slot] = found.len() as u32;
                ids.push(found.len() as u32);
                found.push((v, 1));
                break;
            }
            let (w, count) = &mut found[id as usize];
            if *w == v {
                *count += 1;
                if v.total_cmp(w).is_lt() {
                    *w = v;
                }
                ids.push(id);
                break;
            }
            slot = (slot + 1) & (HASH_SLOTS - 1);
        }
    }
    let mut order: Vec<u32> = (0..found.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| found[a as usize].0.total_cmp(&found[b as usize].0));
    let mut rank = vec![0u32; found.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    ids.iter_mut().filter(|id| **id != EMPTY).for_each(|id| *id = rank[*id as usize]);
    Some((order.iter().map(|&i| found[i as usize]).collect(), ids))
}

impl Binned {
    /// Bins a column-major matrix (`x[f * rows + row]`, NaN when missing).
    fn new(x: &[f64], rows: usize, features: usize) -> Binned {
        let mut columns = vec![0u8; rows * features];
        let mut value_bins = Vec::with_capacity(features);
        let mut edges = Vec::with_capacity(features);
        let mut values = Vec::new();
        let mut table = Vec::new();
        for f in 0..features {
            let column = &x[f * rows..(f + 1) * rows];
            let feature_columns = &mut columns[f * rows..(f + 1) * rows];
            let feature_edges;
            if let Some((distinct, ids)) = hashed_distinct(column, &mut table) {
                feature_edges = edges_of(&distinct, distinct.iter().map(|d| d.1).sum());
                let n = feature_edges.len() + 1;
                // The bin of each distinct value, and the missing bin last.
                let mut bin_of: Vec<u8> =
                    distinct.iter().map(|&(v, _)| feature_edges.partition_point(|&e| e < v) as u8).collect();
                bin_of.push(n as u8);
                for (b, &id) in feature_columns.iter_mut().zip(&ids) {
                    *b = bin_of[(id as usize).min(distinct.len())];
                }
            } else {
                values.clear();
                values.extend(column.iter().copied().filter(|v| !v.is_nan()));
                feature_edges = edges_of(&sorted_distinct(&mut values), values.len());
                let n = feature_edges.len() + 1;
                for (b, &v) in feature_columns.iter_mut().zip(column) {
                    *b = if v.is_nan() { n } else { feature_edges.partition_point(|&e| e < v) } as u8;
                }
            }
            value_bins.push(feature_edges.len() + 1);
            edges.push(feature_edges);
        }
        let mut bundles = Bundle::pack(&value_bins);
        let mut cells = vec![0u8; rows * bundles.len()];
        for (b, bundle) in bundles.iter().enumerate() {
            for (&f, &stride) in bundle.features.iter().zip(&bundle.strides) {
                let column = &columns[f * rows..(f + 1) * rows];
                for (row, &bin) in column.iter().enumerate() {
                    // The codes stay below 256: the product of the bundle's slot counts.
                    cells[row * bundles.len() + b] += bin * stride;
                }
            }
        }
        let count = bundles.len();
        for (b, bundle) in bundles.iter_mut().enumerate() {
            let mut seen = [false; 256];
            cells.iter().skip(b).step_by(count).for_each(|&code| seen[usize::from(code)] = true);
            bundle.live.retain(|&code| seen[usize::from(code)]);
            bundle.bins = bundle
                .features
                .iter()
                .zip(&bundle.strides)
                .map(|(&f, &stride)| {
                    let slots = value_bins[f] + 1;
                    bundle.live.iter().map(|&code| (usize::from(code) / usize::from(stride) % slots) as u8).collect()
                })
                .collect();
        }
        Binned { columns, bundles, cells, rows, value_bins, edges }
    }

    /// Feature `f`'s bin of every row.
    fn column(&self, f: usize) -> &[u8] {
        &self.columns[f * self.rows..(f + 1) * self.rows]
    }

    /// The threshold of a split sending value bins `..=bin` left.
    fn threshold(&self, feature: usize, bin: usize) -> f64 {
        self.edges[feature].get(bin).copied().unwrap_or(ALL_VALUES)
    }
}

/// Gradient and hessian sums.
type Sums = [f64; 2];

fn sub(a: Sums, b: Sums) -> Sums {
    [a[0] - b[0], a[1] - b[1]]
}

/// Features counted in one histogram cell per row: the row's code in the bundle is
/// `sum(bin[f] * stride[f])`, and a feature's own histogram is the sum of the bundle's slots
/// over the other features' bins. Features with few bins (flags, small categories) share a
/// bundle, so a histogram pass does one update for several of them.
struct Bundle {
    features: Vec<usize>,
    strides: Vec<u8>,
    /// The codes some training row has, in order: the slots of a histogram that are ever
    /// written (the others stay zero). With several features, most combinations never occur.
    live: Vec<u8>,
    /// `bins[j][i]`: the bin of `features[j]` at code `live[i]`.
    bins: Vec<Vec<u8>>,
}

impl Bundle {
    /// Bundles of features whose slot counts multiply to at most 256, first fit by
    /// decreasing slot count (a feature of more than 128 value bins stays alone).
    fn pack(value_bins: &[usize]) -> Vec<Bundle> {
        let slots = |f: usize| value_bins[f] + 1;
        let mut order: Vec<usize> = (0..value_bins.len()).collect();
        order.sort_by_key(|&f| (std::cmp::Reverse(slots(f)), f));
        let mut groups: Vec<(Vec<usize>, usize)> = Vec::new();
        for f in order {
            match groups.iter_mut().find(|(_, codes)| codes * slots(f) <= 256) {
                Some((features, codes)) => {
                    features.push(f);
                    *codes *= slots(f);
                }
                None => groups.push((vec![f], slots(f))),
            }
        }
        groups
            .into_iter()
            .map(|(features, codes)| {
                let mut strides = Vec::with_capacity(features.len());
                let mut stride = 1;
                for &f in &features {
                    strides.push(stride as u8);
                    stride *= slots(f);
                }
                // Every code until the rows are seen.
                let live = (0..codes).map(|code| code as u8).collect();
                Bundle { features, strides, live, bins: Vec::new() }
            })
            .collect()
    }
}

/// One bundle's slots of a histogram (or one feature's): a slot for every possible `u8`
/// code, so a code indexes it with no bounds check (only the codes in use are kept), and
/// four more: at 4 KiB, the same code of every bundle would fall in the same cache set, and
/// a node's rows, mostly in the first codes, would evict each other.
type Slots = [Sums; 260];

/// A new histogram of `count` bundles (or features), every slot zero.
fn new_histogram(count: usize) -> Vec<Slots> {
    vec![[[0.0; 2]; 260]; count]
}

/// Adds the rows' gradients into the histograms of bundles `first..first + histogram.len()`.
fn accumulate(binned: &Binned, rows: &[u32], gradients: &[Sums], first: usize, histogram: &mut [Slots]) {
    let stride = binned.bundles.len();
    let count = histogram.len();
    for &row in rows {
        let row = row as usize;
        let [g, h] = gradients[row];
        let start = row * stride + first;
        for (&code, slots) in binned.cells[start..start + count].iter().zip(histogram.iter_mut()) {
            let slot = &mut slots[usize::from(code)];
            slot[0] += g;
            slot[1] += h;
        }
    }
}

/// A node's histogram of bundles from its rows: bundles in blocks, one block per task when
/// the node is large enough to be worth sharing out.
fn build_histogram(binned: &Binned, rows: &[u32], gradients: &[Sums], histogram: &mut [Slots]) {
    for (slots, bundle) in histogram.iter_mut().zip(&binned.bundles) {
        bundle.live.iter().for_each(|&code| slots[usize::from(code)] = [0.0; 2]);
    }
    let bundles = binned.bundles.len();
    let tasks = if rows.len() * bundles >= PARALLEL_CELLS { rayon::current_num_threads().min(bundles) } else { 1 };
    if tasks <= 1 {
        accumulate(binned, rows, gradients, 0, histogram);
        return;
    }
    // Contiguous bundle blocks.
    let mut blocks = Vec::with_capacity(tasks);
    let mut rest = histogram;
    let mut first = 0;
    for t in 0..tasks {
        let last = bundles * (t + 1) / tasks;
        let (block, tail) = rest.split_at_mut(last - first);
        blocks.push((first, block));
        rest = tail;
        first = last;
    }
    use rayon::prelude::*;
    blocks.into_par_iter().for_each(|(first, block)| accumulate(binned, rows, gradients, first, block));
}

/// `parent` becomes `parent - child`, over the codes in use.
fn subtract_histogram(binned: &Binned, parent: &mut [Slots], child: &[Slots]) {
    for ((p, c), bundle) in parent.iter_mut().zip(child).zip(&binned.bundles) {
        for &code in &bundle.live {
            let code = usize::from(code);
            p[code] = sub(p[code], c[code]);
        }
    }
}

/// Each feature's histogram (its value bins and missing bin) from a histogram of bundles.
fn feature_histograms(binned: &Binned, bundled: &[Slots], features: &mut [Slots]) {
    for (slots, bundle) in bundled.iter().zip(&binned.bundles) {
        if let [f] = bundle.features[..] {
            let n = binned.value_bins[f];
            features[f][..=n].copy_from_slice(&slots[..=n]);
            continue;
        }
        for (&f, bins) in bundle.features.iter().zip(&bundle.bins) {
            let feature = &mut features[f];
            feature[..=binned.value_bins[f]].fill([0.0; 2]);
            for (&bin, &code) in bins.iter().zip(&bundle.live) {
                let (slot, s) = (&mut feature[usize::from(bin)], slots[usize::from(code)]);
                *slot = [slot[0] + s[0], slot[1] + s[1]];
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    feature: usize,
    /// Value bins `..=bin` go left.
    bin: usize,
    missing_left: bool,
    left: Sums,
    right: Sums,
}

struct Settings {
    learning_rate: f64,
    max_depth: usize,
    min_leaf_weight: f64,
    l2: f64,
}

impl Settings {
    fn leaf_value(&self, s: Sums) -> f64 {
        let denominator = s[1] + self.l2;
        if denominator > 0.0 { -s[0] / denominator * self.learning_rate } else { 0.0 }
    }

    /// The best split of a node, if any gains. The scan keeps the best gain in a local and
    /// builds a candidate only on an improvement: it runs for every bin of every feature of
    /// every node.
    fn best_split(&self, binned: &Binned, histogram: &[Slots], total: Sums) -> Option<Candidate> {
        let (l2, min_weight) = (self.l2, self.min_leaf_weight);
        let score = |g: f64, h: f64| g * g / (h + l2);
        let parent = score(total[0], total[1]);
        let mut best: Option<Candidate> = None;
        let mut best_gain = MIN_GAIN;
        for (feature, (slots, &n)) in histogram.iter().zip(&binned.value_bins).enumerate() {
            let slots = &slots[..=n];
            let missing = slots[n];
            let values = sub(total, missing);
            let has_missing = missing[1] > 0.0;
            let (mut gl, mut hl) = (0.0, 0.0);
            for (bin, slot) in slots[..n].iter().enumerate() {
                gl += slot[0];
                hl += slot[1];
                let (gr, hr) = (values[0] - gl, values[1] - hl);
                if bin + 1 == n {
                    // Every value on one side, the missing ones on the other.
                    if has_missing && hl >= min_weight && missing[1] >= min_weight {
                        let gain = score(gl, hl) + score(missing[0], missing[1]) - parent;
                        if gain > best_gain {
                            best_gain = gain;
                            best =
                                Some(Candidate { feature, bin, missing_left: false, left: [gl, hl], right: missing });
                        }
                    }
                    break;
                }
                if !has_missing {
                    if hl < min_weight {
                        continue;
                    }
                    if hr < min_weight {
                        break;
                    }
                    let gain = score(gl, hl) + score(gr, hr) - parent;
                    if gain > best_gain {
                        // No missing value here to learn from: they follow the heavier side.
                        best_gain = gain;
                        let (left, right) = ([gl, hl], [gr, hr]);
                        best = Some(Candidate { feature, bin, missing_left: hl >= hr, left, right });
                    }
                    continue;
                }
                let (gm, hm) = (missing[0], missing[1]);
                if hl >= min_weight && hr + hm >= min_weight {
                    let gain = score(gl, hl) + score(gr + gm, hr + hm) - parent;
                    if gain > best_gain {
                        best_gain = gain;
                        let (left, right) = ([gl, hl], [gr + gm, hr + hm]);
                        best = Some(Candidate { feature, bin, missing_left: false, left, right });
                    }
                }
                if hl + hm >= min_weight && hr >= min_weight {
                    let gain = score(gl + gm, hl + hm) + score(gr, hr) - parent;
                    if gain > best_gain {
                        best_gain = gain;
                        let (left, right) = ([gl + gm, hl + hm], [gr, hr]);
                        best = Some(Candidate { feature, bin, missing_left: true, left, right });
                    }
                }
            }
        }
        best
    }
}

/// A node waiting to be split or made a leaf.
struct Open {
    node: usize,
    start: usize,
    end: usize,
    sums: Sums,
    /// `None` on the last level, where no split is tried.
    histogram: Option<Vec<Slots>>,
}

/// Fits a forest to a column-major matrix (`x[f * rows + row]`, NaN when missing) and labels.
pub fn fit(x: &[f64], rows: usize, features: usize, y: &[bool], params: &GbmParams) -> Result<Forest> {
    if rows == 0 || y.len() != rows || x.len() != rows * features {
        return Err(ScoreError::Training("the training matrix does not match the labels".into()));
    }
    let settings = Settings {
        learning_rate: f64::from(params.learning_rate),
        max_depth: params.max_depth,
        min_leaf_weight: f64::from(params.min_leaf_weight),
        l2: f64::from(params.l2),
    };
    let binned = Binned::new(x, rows, features);
    let (fit_rows, held_back) =
        if params.early_stopping.applies(rows) { hold_back(y) } else { ((0..rows as u32).collect(), Vec::new()) };
    let positives = fit_rows.iter().filter(|&&r| y[r as usize]).count() as f64;
    let rate = ((positives + 0.5) / (fit_rows.len() as f64 + 1.0)).clamp(1e-6, 1.0 - 1e-6);
    let base_score = (rate / (1.0 - rate)).ln();
    let mut raw = vec![base_score; rows];
    // The held-back log loss after each round, the first before any tree.
    let mut losses = vec![log_loss(&raw, y, &held_back)];
    // The held-back rows' values row by row: read from the column-major matrix, a tree's walk
    // would miss the cache at every step.
    let held_x: Vec<f64> =
        held_back.iter().flat_map(|&r| (0..features).map(move |f| x[f * rows + r as usize])).collect();
    let mut gradients = vec![[0.0; 2]; rows];
    let mut order: Vec<u32> = Vec::with_capacity(rows);
    let mut spare: Vec<u32> = Vec::with_capacity(rows);
    let mut pool: Vec<Vec<Slots>> = Vec::new();
    let take = |pool: &mut Vec<Vec<Slots>>| pool.pop().unwrap_or_else(|| new_histogram(binned.bundles.len()));
    let mut per_feature = new_histogram(features);
    let mut trees = Vec::with_capacity(params.iterations);
    for _ in 0..params.iterations {
        for ((g, &z), &label) in gradients.iter_mut().zip(&raw).zip(y) {
            // The sigmoid in single precision: the exponential is a tenth of the fit in double,
            // and a gradient needs no more digits than f32 keeps.
            let p = f64::from(1.0 / (1.0 + (-z as f32).exp()));
            *g = [p - f64::from(u8::from(label)), (p * (1.0 - p)).max(1e-16)];
        }
        order.clear();
        order.extend_from_slice(&fit_rows);
        let total = order.iter().fold([0.0; 2], |a, &r| {
            let g = gradients[r as usize];
            [a[0] + g[0], a[1] + g[1]]
        });
        let rows = order.len();
        let mut nodes = vec![Node { value: 0.0, split: None }];
        let root_histogram = (settings.max_depth > 0).then(|| {
            let mut h = take(&mut pool);
            build_histogram(&binned, &order, &gradients, &mut h);
            h
        });
        let mut level = vec![Open { node: 0, start: 0, end: rows, sums: total, histogram: root_histogram }];
        for depth in 0..=settings.max_depth {
            let mut next = Vec::with_capacity(level.len() * 2);
            for open in level {
                let value = settings.leaf_value(open.sums);
                nodes[open.node].value = value;
                let Some(mut histogram) = open.histogram else {
                    order[open.start..open.end].iter().for_each(|&r| raw[r as usize] += value);
                    continue;
                };
                feature_histograms(&binned, &histogram, &mut per_feature);
                let Some(split) = settings.best_split(&binned, &per_feature, open.sums) else {
                    order[open.start..open.end].iter().for_each(|&r| raw[r as usize] += value);
                    pool.push(histogram);
                    continue;
                };
                let (left, right) = (nodes.len(), nodes.len() + 1);
                nodes.push(Node { value: 0.0, split: None });
                nodes.push(Node { value: 0.0, split: None });
                nodes[open.node].split = Some(Split {
                    feature: split.feature as u32,
                    threshold: binned.threshold(split.feature, split.bin),
                    missing_left: split.missing_left,
                    left: left as u32,
                    right: right as u32,
                });
                if depth + 1 >= settings.max_depth {
                    // The children are leaves: each row takes its leaf's output where it
                    // stands, without moving the rows apart.
                    let values = [settings.leaf_value(split.left), settings.leaf_value(split.right)];
                    (nodes[left].value, nodes[right].value) = (values[0], values[1]);
                    let (column, goes_left) = (binned.column(split.feature), goes_left(&binned, &split));
                    for &r in &order[open.start..open.end] {
                        raw[r as usize] += values[usize::from(!goes_left[usize::from(column[r as usize])])];
                    }
                    pool.push(histogram);
                    continue;
                }
                let middle = partition(&binned, &mut order[open.start..open.end], &mut spare, &split) + open.start;
                let (left_histogram, right_histogram) = if depth + 1 < settings.max_depth {
                    // Build the smaller child's histogram; the parent's minus it is the other's.
                    let left_smaller = middle - open.start <= open.end - middle;
                    let small_rows = if left_smaller { &order[open.start..middle] } else { &order[middle..open.end] };
                    let mut small = take(&mut pool);
                    build_histogram(&binned, small_rows, &gradients, &mut small);
                    subtract_histogram(&binned, &mut histogram, &small);
                    if left_smaller { (Some(small), Some(histogram)) } else { (Some(histogram), Some(small)) }
                } else {
                    // Leaves below the last level of splits: handled above.
                    pool.push(histogram);
                    (None, None)
                };
                next.push(Open {
                    node: left,
                    start: open.start,
                    end: middle,
                    sums: split.left,
                    histogram: left_histogram,
                });
                next.push(Open {
                    node: right,
                    start: middle,
                    end: open.end,
                    sums: split.right,
                    histogram: right_histogram,
                });
            }
            level = next;
            if level.is_empty() {
                break;
            }
        }
        let tree = Tree { nodes };
        if !held_back.is_empty() {
            for (i, &r) in held_back.iter().enumerate() {
                raw[r as usize] += tree.output(&held_x[i * features..(i + 1) * features]);
            }
            losses.push(log_loss(&raw, y, &held_back));
        }
        trees.push(tree);
        if stalled(&losses) {
            break;
        }
    }
    Ok(Forest { base_score, trees })
}

/// The rows held back for early stopping: a tenth of each class (at least one row of each
/// class that has two), drawn with a fixed seed; returns (rows to fit, rows held back), each
/// in row order.
fn hold_back(y: &[bool]) -> (Vec<u32>, Vec<u32>) {
    let mut state = HOLD_BACK_SEED;
    let mut next = || {
        // splitmix64
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut held = vec![false; y.len()];
    for class in [false, true] {
        let mut rows: Vec<u32> = (0..y.len() as u32).filter(|&r| y[r as usize] == class).collect();
        let n = rows.len();
        let take = if n < 2 { 0 } else { ((n as f64 * VALIDATION_SHARE).round() as usize).clamp(1, n - 1) };
        // A partial Fisher-Yates shuffle: the first `take` rows are a uniform draw.
        for i in 0..take {
            let j = i + (next() % (n - i) as u64) as usize;
            rows.swap(i, j);
            held[rows[i] as usize] = true;
        }
    }
    (0..y.len() as u32).partition(|&r| !held[r as usize])
}

/// The mean log loss of `rows` (0 with none).
fn log_loss(raw: &[f64], y: &[bool], rows: &[u32]) -> f64 {
    if rows.is_empty() {
        return 0.0;
    }
    let sum: f64 = rows
        .iter()
        .map(|&r| {
            let z = raw[r as usize];
            // -ln(sigmoid(±z)), written to stay finite for large |z|.
            let s = if y[r as usize] { -z } else { z };
            s.max(0.0) + (-s.abs()).exp().ln_1p()
        })
        .sum();
    sum / rows.len() as f64
}

/// Whether the last [`PATIENCE`] rounds all failed to improve the held-back loss on the
/// round before them by [`TOLERANCE`] (scikit-learn's rule). Never with nothing held back.
fn stalled(losses: &[f64]) -> bool {
    if losses.len() <= PATIENCE {
        return false;
    }
    let reference = losses[losses.len() - PATIENCE - 1] - TOLERANCE;
    losses[losses.len() - PATIENCE..].iter().all(|&l| l >= reference)
}

/// Whether each bin of the split's feature goes left.
fn goes_left(binned: &Binned, split: &Candidate) -> [bool; 256] {
    let missing = binned.value_bins[split.feature];
    let mut goes_left = [false; 256];
    for (bin, left) in goes_left.iter_mut().enumerate().take(missing + 1) {
        *left = if bin == missing { split.missing_left } else { bin <= split.bin };
    }
    goes_left
}

/// Splits a node's rows in place, left ones first, each side keeping row order; returns how
/// many went left. Branch-free: which way a row goes is a coin toss to the branch predictor,
/// so each row is written to both sides and only the counts move.
fn partition(binned: &Binned, rows: &mut [u32], spare: &mut Vec<u32>, split: &Candidate) -> usize {
    let (column, goes_left) = (binned.column(split.feature), goes_left(binned, split));
    spare.clear();
    spare.resize(rows.len(), 0);
    let (mut left, mut right) = (0, 0);
    for i in 0..rows.len() {
        let row = rows[i];
        let is_left = goes_left[column[row as usize] as usize];
        rows[left] = row;
        spare[right] = row;
        left += usize::from(is_left);
        right += usize::from(!is_left);
    }
    rows[left..].copy_from_slice(&spare[..right]);
    left
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::auc;

    /// Deterministic numbers in [0, 1) (SplitMix64).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// Column-major matrix from rows.
    fn columns(rows: &[Vec<f64>]) -> Vec<f64> {
        let features = rows[0].len();
        (0..features).flat_map(|f| rows.iter().map(move |r| r[f])).collect()
    }

    fn fit_rows(rows: &[Vec<f64>], y: &[bool], params: &GbmParams) -> CompiledForest {
        fit(&columns(rows), rows.len(), rows[0].len(), y, params).expect("fits").compile()
    }

    fn in_sample_auc(forest: &CompiledForest, rows: &[Vec<f64>], y: &[bool]) -> f64 {
        let mut scratch = ForestScratch::default();
        let scores: Vec<f64> = rows.iter().map(|r| forest.predict(r, &mut scratch)).collect();
        auc(y, &scores).expect("two classes")
    }

    /// A synthetic set: a noisy outcome of two numbers' interaction, a threshold on a third,
    /// and a category; `noise` columns carry nothing.
    fn synthetic(n: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<bool>) {
        let mut rng = Rng(seed);
        let mut rows = Vec::with_capacity(n);
        let mut y = Vec::with_capacity(n);
        for _ in 0..n {
            let (a, b, c, category, noise) =
                (rng.next(), rng.next(), rng.next(), (rng.next() * 6.0).floor(), rng.next());
            let logit: f64 = 2.5 * if (a > 0.5) != (b > 0.5) { 1.0 } else { -1.0 }
                + if c > 0.7 { 1.5 } else { 0.0 }
                + if category == 2.0 || category == 4.0 { 1.0 } else { -0.5 };
            y.push(rng.next() < 1.0 / (1.0 + (-logit).exp()));
            rows.push(vec![a, b, c, category, noise]);
        }
        (rows, y)
    }

    #[test]
    fn learns_an_interaction_no_linear_model_can() {
        // XOR of two signs: each feature alone says nothing (AUC 0.5), together everything.
        let mut rng = Rng(1);
        let rows: Vec<Vec<f64>> = (0..2000).map(|_| vec![rng.next() - 0.5, rng.next() - 0.5]).collect();
        let y: Vec<bool> = rows.iter().map(|r| (r[0] > 0.0) != (r[1] > 0.0)).collect();
        for f in 0..2 {
            let alone: Vec<f64> = rows.iter().map(|r| r[f]).collect();
            assert!((auc(&y, &alone).expect("auc") - 0.5).abs() < 0.05, "feature {f} alone");
        }
        let forest = fit_rows(&rows, &y, &GbmParams::default());
        assert!(in_sample_auc(&forest, &rows, &y) > 0.99);
    }

    #[test]
    fn early_stopping_ends_the_fit_when_held_back_rows_stop_improving() {
        use crate::train::EarlyStopping;
        // Pure noise: nothing generalises, so the held-back loss stops falling at once.
        let mut rng = Rng(3);
        let rows: Vec<Vec<f64>> = (0..12_000).map(|_| vec![rng.next(), rng.next(), rng.next()]).collect();
        let y: Vec<bool> = (0..rows.len()).map(|_| rng.next() < 0.3).collect();
        let trees = |early_stopping| {
            let params = GbmParams { early_stopping, ..GbmParams::default() };
            fit(&columns(&rows), rows.len(), 3, &y, &params).expect("fits").trees.len()
        };
        let stopped = trees(EarlyStopping::Auto);
        assert!(stopped < 40, "auto above 10,000 rows stopped after {stopped} trees");
        assert!(stopped > PATIENCE, "it waits {PATIENCE} rounds first");
        assert_eq!(trees(EarlyStopping::Off), 100);
        assert_eq!(trees(EarlyStopping::On), stopped, "the same draw every time");
        // Below 10,000 rows auto fits every round.
        let small = &rows[..5_000];
        let params = GbmParams::default();
        assert_eq!(fit(&columns(small), small.len(), 3, &y[..5_000], &params).expect("fits").trees.len(), 100);
    }

    #[test]
    fn early_stopping_keeps_a_learnable_signal() {
        use crate::train::EarlyStopping;
        let (train_rows, train_y) = synthetic(12_000, 11);
        let (test_rows, test_y) = synthetic(4_000, 12);
        let auc_with = |early_stopping| {
            let forest = fit_rows(&train_rows, &train_y, &GbmParams { early_stopping, ..GbmParams::default() });
            in_sample_auc(&forest, &test_rows, &test_y)
        };
        let (on, off) = (auc_with(EarlyStopping::On), auc_with(EarlyStopping::Off));
        assert!((on - off).abs() < 0.01, "held-out AUC {on} with early stopping, {off} without");
    }

    #[test]
    fn hold_back_draws_a_tenth_of_each_class() {
        let y: Vec<bool> = (0..1000).map(|i| i % 4 == 0).collect();
        let (fit_rows, held) = hold_back(&y);
        assert_eq!(fit_rows.len() + held.len(), 1000);
        assert_eq!(held.iter().filter(|&&r| y[r as usize]).count(), 25);
        assert_eq!(held.iter().filter(|&&r| !y[r as usize]).count(), 75);
        assert!(held.windows(2).all(|w| w[0] < w[1]) && fit_rows.windows(2).all(|w| w[0] < w[1]));
        // A class of one row is never held back whole.
        let lone: Vec<bool> = (0..50).map(|i| i == 7).collect();
        assert!(!hold_back(&lone).1.contains(&7));
    }

    #[test]
    fn stalls_after_patience_rounds_without_improvement() {
        let mut losses = vec![0.7, 0.6, 0.5];
        assert!(!stalled(&losses));
        losses.extend([0.5; PATIENCE - 1]);
        assert!(!stalled(&losses), "{} flat rounds", PATIENCE - 1);
        losses.push(0.5);
        assert!(stalled(&losses), "{PATIENCE} flat rounds");
        losses.push(0.4);
        assert!(!stalled(&losses), "a late improvement counts");
    }

    #[test]
    fn held_out_auc_on_a_seeded_synthetic_set() {
        let (train_rows, train_y) = synthetic(4000, 7);
        let (test_rows, test_y) = synthetic(2000, 8);
        let forest = fit_rows(&train_rows, &train_y, &GbmParams::default());
        let held_out = in_sample_auc(&forest, &test_rows, &test_y);
        // The generating logits give 0.86 on this test set; a depth-1 model gets about 0.69.
        assert!(held_out > 0.83, "held-out AUC {held_out}");
        let stumps = fit_rows(&train_rows, &train_y, &GbmParams { max_depth: 1, ..GbmParams::default() });
        assert!(in_sample_auc(&stumps, &test_rows, &test_y) < held_out - 0.05);
    }

    #[test]
    fn missing_values_learn_their_own_direction() {
        // Missing means likely to convert; the present values say the opposite at both ends,
        // so no threshold alone could place the missing rows: they must learn a side.
        let mut rng = Rng(3);
        let mut rows = Vec::new();
        let mut y = Vec::new();
        for _ in 0..3000 {
            let u = rng.next();
            let (x, p) = if u < 0.3 { (f64::NAN, 0.9) } else { (u, 0.1) };
            rows.push(vec![x]);
            y.push(rng.next() < p);
        }
        let forest = fit_rows(&rows, &y, &GbmParams::default());
        let mut scratch = ForestScratch::default();
        let missing = 1.0 / (1.0 + (-forest.predict(&[f64::NAN], &mut scratch)).exp());
        assert!((missing - 0.9).abs() < 0.05, "missing scores {missing}");
        for x in [0.31, 0.6, 0.99, -5.0, 7.0] {
            let p = 1.0 / (1.0 + (-forest.predict(&[x], &mut scratch)).exp());
            assert!((p - 0.1).abs() < 0.06, "{x} scores {p}");
        }
        // A feature never missing in training still sends a missing value somewhere.
        let full: Vec<Vec<f64>> = rows.iter().map(|r| vec![if r[0].is_nan() { 0.0 } else { r[0] }]).collect();
        assert!(fit_rows(&full, &y, &GbmParams::default()).predict(&[f64::NAN], &mut scratch).is_finite());
    }

    #[test]
    fn categorical_codes_split_like_numbers() {
        // Codes 0..6 where only 2 and 4 convert: the trees isolate them without any order.
        let mut rng = Rng(5);
        let rows: Vec<Vec<f64>> = (0..3000).map(|_| vec![(rng.next() * 6.0).floor()]).collect();
        let y: Vec<bool> = rows.iter().map(|r| (r[0] == 2.0 || r[0] == 4.0) == (rng.next() < 0.85)).collect();
        let forest = fit_rows(&rows, &y, &GbmParams::default());
        let mut scratch = ForestScratch::default();
        for code in 0..6 {
            let p = 1.0 / (1.0 + (-forest.predict(&[f64::from(code)], &mut scratch)).exp());
            let want = if code == 2 || code == 4 { 0.85 } else { 0.15 };
            assert!((p - want).abs() < 0.06, "code {code} scores {p}");
        }
    }

    #[test]
    fn contributions_add_up_to_the_prediction() {
        let (rows, y) = synthetic(1500, 11);
        let forest = fit_rows(&rows, &y, &GbmParams::default());
        let mut strength = [0.0; 5];
        for row in rows.iter().take(300) {
            let mut scratch = ForestScratch::default();
            let (z, bias) = forest.predict_contributions(row, &mut scratch);
            assert!((z - forest.predict(row, &mut ForestScratch::default())).abs() < 1e-9);
            let contributions = scratch.contributions();
            assert_eq!(contributions.len(), row.len());
            assert!((bias + contributions.iter().sum::<f64>() - z).abs() < 1e-9);
            strength.iter_mut().zip(contributions).for_each(|(s, c)| *s += c.abs());
        }
        // The interaction's features explain more than the noise column does.
        assert!(strength[0] > 2.0 * strength[4] && strength[1] > 2.0 * strength[4], "{strength:?}");
    }

    /// A forest of random shape: leaves on every level, splits on a few shared thresholds
    /// (so rows can fall exactly on one), missing values sent either way.
    fn random_forest(rng: &mut Rng, trees: usize, depth: usize, features: usize) -> Forest {
        const THRESHOLDS: [f64; 7] = [-1.5, -0.25, 0.0, 0.5, 2.0, 3.75, ALL_VALUES];
        let trees = (0..trees)
            .map(|_| {
                let mut nodes = vec![Node { value: rng.next() - 0.5, split: None }];
                let mut open = vec![(0usize, 0usize)];
                while let Some((at, level)) = open.pop() {
                    if level == depth || (level > 0 && rng.next() < 0.25) {
                        continue;
                    }
                    let (left, right) = (nodes.len() as u32, nodes.len() as u32 + 1);
                    nodes.push(Node { value: rng.next() - 0.5, split: None });
                    nodes.push(Node { value: rng.next() - 0.5, split: None });
                    nodes[at].split = Some(Split {
                        feature: (rng.next() * features as f64) as u32,
                        threshold: THRESHOLDS[(rng.next() * 7.0) as usize],
                        missing_left: rng.next() < 0.5,
                        left,
                        right,
                    });
                    open.extend([(left as usize, level + 1), (right as usize, level + 1)]);
                }
                Tree { nodes }
            })
            .collect();
        Forest { base_score: rng.next(), trees }
    }

    #[test]
    fn every_layout_scores_bit_for_bit_like_the_node_by_node_walk() {
        // The node-by-node walk is the one batch scoring used before the level-by-level
        // layout: the same probabilities and factors, bit for bit, on values on, just
        // beside and far from the thresholds, missing and infinite.
        let mut rng = Rng(21);
        let near = |x: f64| [x, f64::from_bits(x.to_bits() + 1), f64::from_bits(x.to_bits() - 1)];
        let mut values: Vec<f64> = [-1.5, -0.25, 0.5, 2.0, 3.75, f64::MAX].into_iter().flat_map(near).collect();
        values.extend([0.0, -0.0, 1e-300, -1e-300, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e9, -1e9]);
        for (trees, depth, want) in [
            (3, 0, "shallow"),
            (1, 1, "shallow"),
            (7, 3, "shallow"),
            (22, 5, "shallow"),
            (9, 7, "deep"),
            (5, 12, "linked"),
        ] {
            let forest = random_forest(&mut rng, trees, depth, 6);
            forest.validate(6).expect("valid");
            let (fast, reference) = (forest.compile(), forest.compile_with(false));
            let layout = match fast.walk {
                Walk::Shallow(_) => "shallow",
                Walk::Deep(_) => "deep",
                Walk::Linked(_) => "linked",
            };
            assert_eq!(layout, want, "{trees} trees of depth {depth}");
            let (mut a, mut b) = (ForestScratch::default(), ForestScratch::default());
            for _ in 0..2000 {
                let row: Vec<f64> = (0..6).map(|_| values[(rng.next() * values.len() as f64) as usize]).collect();
                let (za, bias_a) = fast.predict_contributions(&row, &mut a);
                let (zb, bias_b) = reference.predict_contributions(&row, &mut b);
                assert_eq!((za.to_bits(), bias_a.to_bits()), (zb.to_bits(), bias_b.to_bits()), "{row:?}");
                let bits = |s: &ForestScratch| s.contributions().iter().map(|c| c.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&a), bits(&b), "{row:?}");
                assert_eq!(fast.predict(&row, &mut a).to_bits(), reference.predict(&row, &mut b).to_bits(), "{row:?}");
            }
        }
    }

    #[test]
    fn full_passes_of_narrow_rows_get_the_bits_of_the_node_by_node_walk() {
        // Full passes of eight rows take the byte-wide trees ([`NarrowTreeBlock`]): the same
        // contributions, bit for bit, as the node-by-node walk, on values on, beside and far
        // from the thresholds, missing and infinite; a single tree, a tree that is only a
        // leaf, trees with leaves above the last level, a last group of fewer than four
        // trees.
        let mut rng = Rng(45);
        let near = |x: f64| [x, f64::from_bits(x.to_bits() + 1), f64::from_bits(x.to_bits() - 1)];
        let mut values: Vec<f64> = [-1.5, -0.25, 0.5, 2.0, 3.75, f64::MAX].into_iter().flat_map(near).collect();
        values.extend([0.0, -0.0, f64::NAN, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e9, -1e9]);
        let only_a_leaf =
            Forest { base_score: 0.25, trees: vec![Tree { nodes: vec![Node { value: 0.5, split: None }] }] };
        let forests = [
            (random_forest(&mut rng, 1, 5, 6), 6),
            (random_forest(&mut rng, 1, 1, 3), 3),
            (random_forest(&mut rng, 5, 3, 6), 6),
            (random_forest(&mut rng, 22, 5, 6), 6),
            (random_forest(&mut rng, 40, 5, 63), 63),
            (only_a_leaf, 2),
        ];
        for (forest, features) in forests {
            let (fast, reference) = (forest.compile(), forest.compile_with(false));
            let Walk::Shallow(levelled) = &fast.walk else { panic!("a shallow forest") };
            assert!(levelled.narrow() && levelled.narrow_trees.len() == forest.trees.len());
            let width = features + 1;
            for count in [PASS_ROWS, 3 * PASS_ROWS, 2 * PASS_ROWS + 5] {
                let rows: Vec<f64> =
                    (0..count * width).map(|_| values[(rng.next() * values.len() as f64) as usize]).collect();
                assert_same_bits(&fast, &reference, &rows, width, forest.trees.len());
            }
        }
    }

    #[test]
    fn order_keys_compare_as_their_values_do() {
        // Every pair of values that are not NaN: zeros of both signs, the smallest and
        // largest numbers, subnormals, infinities, neighbours of each.
        let mut values = vec![0.0, -0.0, f64::MIN_POSITIVE, f64::MAX, f64::MIN, f64::INFINITY, f64::NEG_INFINITY];
        values.extend([1e-310, -1e-310, 5e-324, -5e-324, 1.0, -1.0, 0.1, -0.1, 2.5e9, -2.5e9, ALL_VALUES]);
        for x in values.clone() {
            if x.is_finite() && x != 0.0 {
                values.extend([f64::from_bits(x.to_bits() + 1), f64::from_bits(x.to_bits() - 1)]);
            }
        }
        for &a in &values {
            for &b in &values {
                assert_eq!(a > b, order_key(a) > order_key(b), "{a:e} > {b:e}");
            }
        }
    }

    #[test]
    fn full_passes_with_no_missing_value_get_the_bits_of_the_node_by_node_walk() {
        // A full pass of rows with no missing value takes the walk whose value and sum share
        // an index ([`Levelled::walk_pass_shared`]): the same bits as the node-by-node walk,
        // on values on, beside and far from the thresholds, zeros of both signs and
        // infinities; passes with and without a missing value in one block; forests with
        // leaves above the last level, of roots alone, and a last group of fewer than four
        // trees.
        let mut rng = Rng(46);
        let near = |x: f64| [x, f64::from_bits(x.to_bits() + 1), f64::from_bits(x.to_bits() - 1)];
        let mut values: Vec<f64> = [-1.5, -0.25, 0.5, 2.0, 3.75, f64::MAX].into_iter().flat_map(near).collect();
        values.extend([0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, 1e9, -1e9]);
        let forests = [
            (random_forest(&mut rng, 1, 5, 6), 6),
            (random_forest(&mut rng, 6, 1, 5), 5),
            (random_forest(&mut rng, 7, 3, 6), 6),
            (random_forest(&mut rng, 23, 5, 6), 6),
            (random_forest(&mut rng, 40, 5, 60), 62),
        ];
        for (forest, features) in forests {
            let (fast, reference) = (forest.compile(), forest.compile_with(false));
            let Walk::Shallow(levelled) = &fast.walk else { panic!("a shallow forest") };
            assert!(levelled.narrow());
            let width = features + 1;
            for (count, missing_in_pass) in [(PASS_ROWS, None), (3 * PASS_ROWS + 5, Some(1)), (2 * PASS_ROWS, Some(0))]
            {
                let mut rows: Vec<f64> =
                    (0..count * width).map(|_| values[(rng.next() * values.len() as f64) as usize]).collect();
                if let Some(pass) = missing_in_pass {
                    // One missing value in one pass: that pass takes the other walk.
                    rows[(pass * PASS_ROWS + 3) * width + 2] = f64::NAN;
                }
                assert_same_bits(&fast, &reference, &rows, width, forest.trees.len());
            }
        }
    }

    /// Every row's contributions from `fast` walking the block together are, bit for bit,
    /// those of `reference` walking the rows one by one.
    fn assert_same_bits(fast: &CompiledForest, reference: &CompiledForest, rows: &[f64], width: usize, trees: usize) {
        let mut together = ForestScratch::default();
        fast.contributions_of_rows(rows, width, &mut together);
        let mut alone = ForestScratch::default();
        let count = rows.len() / width;
        for (r, row) in rows.chunks_exact(width).enumerate() {
            reference.contributions_of_rows(row, width, &mut alone);
            let bits = |c: &[f64]| c.iter().map(|c| c.to_bits()).collect::<Vec<_>>();
            let block = &together.contributions()[r * width..(r + 1) * width];
            assert_eq!(bits(block), bits(alone.contributions()), "{trees} trees, row {r} of {count}");
        }
    }

    #[test]
    fn rows_walked_together_get_the_bits_of_rows_walked_one_by_one() {
        // Blocks shorter and longer than a pass, on every layout, with missing values; a
        // forest splitting on fewer features than the rows have; rows too wide for the
        // narrow buffers.
        let mut rng = Rng(33);
        let mut layouts = Vec::new();
        for (trees, depth, features) in
            [(1, 0, 3), (6, 2, 4), (22, 5, 6), (9, 7, 6), (5, 12, 6), (13, 4, 9), (40, 5, 63), (30, 5, 64), (8, 8, 200)]
        {
            let forest = random_forest(&mut rng, trees, depth, features).compile();
            let layout = match &forest.walk {
                Walk::Shallow(levelled) => (levelled.narrow(), levelled.features),
                Walk::Deep(levelled) => (levelled.narrow(), levelled.features),
                Walk::Linked(_) => (false, 0),
            };
            layouts.push(layout);
            let width = features + 2;
            for count in [1, 3, 16, 17, 40] {
                let rows: Vec<f64> = (0..count * width)
                    .map(|_| if rng.next() < 0.1 { f64::NAN } else { rng.next() * 8.0 - 3.0 })
                    .collect();
                let mut together = ForestScratch::default();
                forest.contributions_of_rows(&rows, width, &mut together);
                assert_eq!(together.contributions().len(), rows.len());
                let mut alone = ForestScratch::default();
                for (r, row) in rows.chunks_exact(width).enumerate() {
                    let (z, _) = forest.predict_contributions(row, &mut alone);
                    let bits = |c: &[f64]| c.iter().map(|c| c.to_bits()).collect::<Vec<_>>();
                    let block = &together.contributions()[r * width..(r + 1) * width];
                    assert_eq!(
                        bits(block),
                        bits(alone.contributions()),
                        "{trees} trees of depth {depth}, row {r} of {count}"
                    );
                    assert_eq!(forest.log_odds(block).to_bits(), z.to_bits());
                }
            }
        }
        // Both kinds of row buffers, up to the narrow ones' limit.
        assert!(layouts.contains(&(true, 63)) && layouts.contains(&(false, 64)), "{layouts:?}");
        assert!(layouts.iter().any(|&(narrow, features)| !narrow && features > 64), "{layouts:?}");
    }

    #[test]
    fn rows_of_the_used_features_alone_get_the_bits_of_the_node_by_node_walk() {
        // Forests splitting on a few scattered features of wide rows (the rest never split
        // on): each layout reads the used features alone ([`CompiledForest::used_features`])
        // and gives, bit for bit, what the node-by-node walk over every feature gives: the
        // used features' contributions, 0 for the others, the same log-odds; values on,
        // beside and far from the thresholds, missing, zeros of both signs, infinities;
        // passes with and without a missing value; a forest of roots alone.
        let mut rng = Rng(52);
        let near = |x: f64| [x, f64::from_bits(x.to_bits() + 1), f64::from_bits(x.to_bits() - 1)];
        let mut values: Vec<f64> = [-1.5, -0.25, 0.5, 2.0, 3.75, f64::MAX].into_iter().flat_map(near).collect();
        values.extend([0.0, -0.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e9, -1e9]);
        let scatter = |mut forest: Forest, to: &[u32]| {
            for node in forest.trees.iter_mut().flat_map(|t| t.nodes.iter_mut()) {
                if let Some(s) = &mut node.split {
                    s.feature = to[s.feature as usize];
                }
            }
            forest
        };
        let roots =
            Forest { base_score: -0.5, trees: vec![Tree { nodes: vec![Node { value: 0.25, split: None }] }; 3] };
        let forests = [
            (scatter(random_forest(&mut rng, 22, 5, 3), &[1, 4, 9]), 12, "shallow"),
            (scatter(random_forest(&mut rng, 9, 3, 4), &[0, 2, 3, 30]), 40, "shallow"),
            (scatter(random_forest(&mut rng, 40, 5, 6), &[7, 100, 101, 150, 199, 250]), 251, "shallow"),
            (scatter(random_forest(&mut rng, 9, 7, 3), &[2, 5, 11]), 14, "deep"),
            (scatter(random_forest(&mut rng, 5, 12, 3), &[0, 6, 8]), 9, "linked"),
            (roots, 5, "shallow"),
        ];
        for (forest, width, layout) in forests {
            forest.validate(width).expect("valid");
            let (fast, reference) = (forest.compile(), forest.compile_with(false));
            let used = fast.used_features().to_vec();
            let want: Vec<usize> = {
                let mut f: Vec<usize> = forest
                    .trees
                    .iter()
                    .flat_map(|t| t.nodes.iter().filter_map(|n| n.split.map(|s| s.feature as usize)))
                    .collect();
                f.sort_unstable();
                f.dedup();
                f
            };
            assert_eq!(used, want);
            let shape = match fast.walk {
                Walk::Shallow(_) => "shallow",
                Walk::Deep(_) => "deep",
                Walk::Linked(_) => "linked",
            };
            assert_eq!(shape, layout);
            for (count, missing) in [(1, false), (PASS_ROWS, false), (3 * PASS_ROWS + 5, true), (2 * PASS_ROWS, false)]
            {
                let rows: Vec<f64> = (0..count * width)
                    .map(|_| {
                        let x = values[(rng.next() * values.len() as f64) as usize];
                        if x.is_nan() && !missing { 0.5 } else { x }
                    })
                    .collect();
                let gathered: Vec<f64> =
                    rows.chunks_exact(width).flat_map(|row| used.iter().map(|&f| row[f])).collect();
                let mut together = ForestScratch::default();
                fast.contributions_of_used(&gathered, &mut together);
                let mut spread = ForestScratch::default();
                fast.contributions_of_rows(&rows, width, &mut spread);
                let mut alone = ForestScratch::default();
                for (r, row) in rows.chunks_exact(width).enumerate() {
                    let (z, bias) = reference.predict_contributions(row, &mut alone);
                    let all = alone.contributions();
                    let bits = |c: &[f64]| c.iter().map(|c| c.to_bits()).collect::<Vec<_>>();
                    let compact = &together.contributions()[r * used.len()..(r + 1) * used.len()];
                    let picked: Vec<f64> = used.iter().map(|&f| all[f]).collect();
                    assert_eq!(bits(compact), bits(&picked), "{layout}, row {r} of {count}");
                    assert!(
                        all.iter().enumerate().all(|(f, c)| used.contains(&f) || c.to_bits() == 0),
                        "an unused feature contributes: {all:?}"
                    );
                    assert_eq!(bits(&spread.contributions()[r * width..(r + 1) * width]), bits(all), "row {r}");
                    assert_eq!(fast.log_odds(compact).to_bits(), z.to_bits(), "{layout}, row {r}");
                    assert_eq!(
                        fast.predict_contributions(row, &mut ForestScratch::default()).1.to_bits(),
                        bias.to_bits()
                    );
                    assert_eq!(
                        fast.predict(row, &mut ForestScratch::default()).to_bits(),
                        reference.predict(row, &mut ForestScratch::default()).to_bits(),
                        "{layout}, row {r}"
                    );
                }
            }
        }
    }

    #[test]
    fn same_data_same_model_whatever_the_threads() {
        let (rows, y) = synthetic(6000, 13);
        let x = columns(&rows);
        let fit_on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
            pool.install(|| fit(&x, rows.len(), 5, &y, &GbmParams::default()).expect("fits"))
        };
        let one = fit_on(1);
        assert_eq!(one, fit_on(1));
        assert_eq!(one, fit_on(2));
        assert_eq!(one, fit_on(3));
    }

    #[test]
    fn bundled_histograms_give_each_features_own_sums() {
        // Features of 2 to 300 distinct values, some with missing ones: several share bundles.
        let mut rng = Rng(19);
        let rows = 3000;
        let distinct = [2usize, 3, 2, 7, 300, 5, 40, 2, 11];
        let mut x = Vec::new();
        for &d in &distinct {
            x.extend((0..rows).map(|_| if rng.next() < 0.1 { f64::NAN } else { (rng.next() * d as f64).floor() }));
        }
        let binned = Binned::new(&x, rows, distinct.len());
        assert!(binned.bundles.len() < distinct.len(), "{} bundles", binned.bundles.len());
        for bundle in &binned.bundles {
            let codes: usize = bundle.features.iter().map(|&f| binned.value_bins[f] + 1).product();
            assert!(codes <= 256, "{codes} codes");
        }
        let mut covered: Vec<usize> = binned.bundles.iter().flat_map(|b| b.features.clone()).collect();
        covered.sort();
        assert_eq!(covered, (0..distinct.len()).collect::<Vec<_>>());
        let gradients: Vec<Sums> = (0..rows).map(|_| [rng.next() - 0.5, rng.next()]).collect();
        let some_rows: Vec<u32> = (0..rows as u32).filter(|_| rng.next() < 0.6).collect();
        let mut bundled = new_histogram(binned.bundles.len());
        build_histogram(&binned, &some_rows, &gradients, &mut bundled);
        let mut features = new_histogram(distinct.len());
        feature_histograms(&binned, &bundled, &mut features);
        for (f, slots) in features.iter().enumerate() {
            let mut want = vec![[0.0; 2]; binned.value_bins[f] + 1];
            for &r in &some_rows {
                let bin = usize::from(binned.columns[f * rows + r as usize]);
                want[bin] = [want[bin][0] + gradients[r as usize][0], want[bin][1] + gradients[r as usize][1]];
            }
            for (bin, (got, want)) in slots.iter().zip(&want).enumerate() {
                assert!((got[0] - want[0]).abs() < 1e-9 && (got[1] - want[1]).abs() < 1e-9, "feature {f} bin {bin}");
            }
        }
    }

    #[test]
    fn hashing_finds_the_distinct_values_sorting_finds() {
        let mut rng = Rng(17);
        let mut table = Vec::new();
        for distinct in [1usize, 2, 7, 300, 2048] {
            let mut column: Vec<f64> =
                (0..20_000).map(|_| ((rng.next() * distinct as f64).floor() - 3.0) * 0.25).collect();
            column[5] = f64::NAN;
            column[9] = -0.0;
            column[11] = 0.0;
            let (hashed, ids) = hashed_distinct(&column, &mut table).expect("few enough");
            let mut values: Vec<f64> = column.iter().copied().filter(|v| !v.is_nan()).collect();
            let sorted = sorted_distinct(&mut values);
            let bits = |d: &[(f64, usize)]| d.iter().map(|&(v, c)| (v.to_bits(), c)).collect::<Vec<_>>();
            assert_eq!(bits(&hashed), bits(&sorted), "{distinct} values");
            for (&v, &id) in column.iter().zip(&ids) {
                assert!(if v.is_nan() { id == u32::MAX } else { hashed[id as usize].0 == v }, "{v}");
            }
        }
        let many: Vec<f64> = (0..HASHED_DISTINCT + 1).map(|i| i as f64).collect();
        assert!(hashed_distinct(&many, &mut table).is_none());
    }

    #[test]
    fn many_distinct_values_get_at_most_255_bins_of_similar_counts() {
        let mut values: Vec<f64> = (0..100_000).map(|i| f64::from(i % 10_007)).collect();
        let edges = bin_edges(&mut values);
        assert_eq!(edges.len(), MAX_BINS - 1);
        let counts = edges.windows(2).map(|w| values.iter().filter(|&&v| v > w[0] && v <= w[1]).count());
        assert!(counts.clone().all(|c| (300..500).contains(&c)), "{:?}", counts.collect::<Vec<_>>());
        let mut few = vec![3.0, 1.0, 2.0, 2.0, 1.0];
        assert_eq!(bin_edges(&mut few), vec![1.5, 2.5]);
    }
}

/// Reading model files of format version 1, whose trees were forust-ml's (`booster`). Only
/// the fields scoring needs are read; the trees become [`Forest`] trees that score the same.
pub mod legacy {
    use serde::Deserialize;

    use super::{Forest, Node, Split, Tree};
    use crate::error::{Result, ScoreError};

    #[derive(Deserialize)]
    pub struct Booster {
        base_score: f64,
        trees: Vec<LegacyTree>,
        /// The value read as missing: null (NaN) in every file Sift wrote.
        #[serde(default)]
        missing: Option<f64>,
        /// Trees used for prediction when early stopping cut the list (Sift never set it).
        #[serde(default)]
        prediction_iteration: Option<usize>,
    }

    #[derive(Deserialize)]
    struct LegacyTree {
        nodes: Vec<LegacyNode>,
    }

    #[derive(Deserialize)]
    struct LegacyNode {
        weight_value: f32,
        split_value: f64,
        split_feature: usize,
        missing_node: usize,
        left_child: usize,
        right_child: usize,
        is_leaf: bool,
    }

    /// The largest number below `x` (forust sends `x < split_value` left; a [`Split`] sends
    /// `x <= threshold` left).
    fn below(x: f64) -> f64 {
        if x.is_nan() || x == f64::NEG_INFINITY {
            return x;
        }
        if x == 0.0 {
            return -f64::from_bits(1);
        }
        let bits = x.to_bits();
        f64::from_bits(if x > 0.0 { bits - 1 } else { bits + 1 })
    }

    impl Booster {
        /// The same trees as a [`Forest`]; refuses what Sift never wrote (a missing value other
        /// than NaN, a separate branch for missing values).
        pub fn into_forest(self) -> Result<Forest> {
            if let Some(m) = self.missing {
                return Err(ScoreError::BadModelFile(format!("gbm booster treats `{m}` as missing: not supported")));
            }
            let count = self.prediction_iteration.unwrap_or(self.trees.len()).min(self.trees.len());
            let mut trees = Vec::with_capacity(count);
            for (t, tree) in self.trees.into_iter().take(count).enumerate() {
                let malformed = || ScoreError::BadModelFile(format!("tree {t} is malformed"));
                let mut nodes = Vec::with_capacity(tree.nodes.len());
                for (i, node) in tree.nodes.iter().enumerate() {
                    let value = f64::from(node.weight_value);
                    if node.is_leaf {
                        nodes.push(Node { value, split: None });
                        continue;
                    }
                    let children = [node.left_child, node.right_child];
                    if children.iter().any(|&c| c <= i || c >= tree.nodes.len()) || !node.split_value.is_finite() {
                        return Err(malformed());
                    }
                    let missing_left = if node.missing_node == node.left_child {
                        true
                    } else if node.missing_node == node.right_child {
                        false
                    } else {
                        return Err(malformed());
                    };
                    let feature = u32::try_from(node.split_feature).map_err(|_| malformed())?;
                    nodes.push(Node {
                        value,
                        split: Some(Split {
                            feature,
                            threshold: below(node.split_value),
                            missing_left,
                            left: node.left_child as u32,
                            right: node.right_child as u32,
                        }),
                    });
                }
                trees.push(Tree { nodes });
            }
            Ok(Forest { base_score: self.base_score, trees })
        }
    }

    #[cfg(test)]
    mod tests {
        use super::below;

        #[test]
        fn below_is_the_next_number_down() {
            for x in [1.0, -1.0, 0.0, 1e-300, -1e300, 0.5, 123.456] {
                let b = below(x);
                assert!(b < x, "{b} < {x}");
                assert!((b..x).contains(&b));
                // Nothing lies strictly between.
                let mid = b + (x - b) / 2.0;
                assert!(mid == b || mid == x, "{x}");
            }
        }
    }
}
