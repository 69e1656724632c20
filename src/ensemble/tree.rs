//! The fixed merge tree over chunk indices, and the part of a run it makes mergeable.
//!
//! A run of `paths` paths is cut into `C = ⌈paths/group⌉` chunks of `group` consecutive
//! path indices. Chunk summaries are merged along one fixed binary tree: the node of
//! level `l` covering chunks `[m·2ˡ, (m+1)·2ˡ)` is `left.merge(right)` of its two
//! children, and the run's result folds the roots of the forest that covers `[0, C)`
//! (the binary digits of `C`, largest first) from left to right. Floating-point merges
//! are not associative, so this fixed tree is what lets a run be **split and put back
//! together bit for bit**:
//!
//! - a **shard** (a contiguous range of chunks) keeps only the `O(log C)` tree nodes
//!   that lie inside its range; [`Partial::append`] joins two adjacent parts and
//!   completes every node whose two halves are now known;
//! - a **checkpoint** is the [`Partial`] of the chunks done so far: resuming pushes the
//!   remaining chunks onto it;
//! - threads only compute leaves; leaves are pushed in index order.
//!
//! Whatever the split (threads, shards, interruptions), every node is computed from
//! the same two children, so [`Partial::finish`] returns the same summary, bit for bit,
//! as an uninterrupted single run.

use super::{BATCH, Merge};
use crate::error::{Error, Result, param};
use rayon::prelude::*;
use std::ops::{ControlFlow, Range};

/// One complete node of the merge tree: chunks `[first, first + 2^level)`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct Node<A> {
    level: u32,
    first: u64,
    acc: A,
}

/// The mergeable state of the chunks `[begin, next)` of a run that is to cover the
/// chunks `[begin, end)`: the tree nodes inside that range (at most two per level).
/// Chunk summaries are merged along one fixed binary tree over chunk indices (the node
/// covering chunks `[m·2ˡ, (m+1)·2ˡ)` is the merge of its two halves; the result folds
/// the roots left to right), so any split of a run into parts — shards, checkpoints,
/// threads — merges back to the single run's bits.
///
/// ```
/// use saddle_sde::ensemble::{MeanVar, Partial, run_ordered_part};
/// use std::ops::ControlFlow;
/// // the mean of f(i) = i² over 10 000 indices, in one run and in three shards
/// let f = |r: std::ops::Range<u64>, acc: &mut MeanVar| r.for_each(|i| acc.push((i * i) as f64));
/// let mut whole = Partial::new(10_000, 256, 0..40)?;
/// run_ordered_part(&mut whole, MeanVar::default, f, |_| ControlFlow::Continue(()));
/// let mut parts = Vec::new();
/// for k in 1..=3 {
///     let mut p = Partial::shard(10_000, 256, k, 3)?;
///     run_ordered_part(&mut p, MeanVar::default, f, |_| ControlFlow::Continue(()));
///     parts.push(p);
/// }
/// let merged = Partial::merge_all(parts)?.finish()?;
/// assert_eq!(merged, whole.finish()?); // bit for bit
/// # Ok::<(), saddle_sde::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Partial<A> {
    paths: u64,
    group: u64,
    begin: u64,
    end: u64,
    next: u64,
    nodes: Vec<Node<A>>,
}

fn shape(paths: u64, group: u64) -> Result<u64> {
    if paths == 0 {
        return Err(param("paths", 0.0, ">= 1"));
    }
    if group == 0 {
        return Err(param("group", 0.0, ">= 1"));
    }
    Ok(paths.div_ceil(group))
}

impl<A: Merge> Partial<A> {
    /// An empty part of a run of `paths` paths in chunks of `group`, to cover the
    /// chunks `range` (`range.end ≤ ⌈paths/group⌉`).
    ///
    /// # Errors
    /// A parameter error naming `paths` or `group` (zero) or `chunks` (a range that is
    /// reversed or past the last chunk).
    pub fn new(paths: u64, group: u64, range: Range<u64>) -> Result<Self> {
        let chunks = shape(paths, group)?;
        if range.start > range.end || range.end > chunks {
            return Err(param(
                "chunks",
                range.end as f64,
                format!("a range {}..{} within 0..{chunks}", range.start, range.end),
            ));
        }
        Ok(Self {
            paths,
            group,
            begin: range.start,
            end: range.end,
            next: range.start,
            nodes: Vec::new(),
        })
    }

    /// The whole run: chunks `0..⌈paths/group⌉`.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn whole(paths: u64, group: u64) -> Result<Self> {
        let chunks = shape(paths, group)?;
        Self::new(paths, group, 0..chunks)
    }

    /// Shard `k` of `n` (`1 ≤ k ≤ n`): the `k`-th of `n` contiguous blocks of chunks,
    /// chunks `⌊(k−1)C/n⌋ .. ⌊kC/n⌋` of `C = ⌈paths/group⌉`.
    ///
    /// # Errors
    /// A parameter error naming `shards` if `n` is zero or more than `C` (a shard
    /// would be empty), or `shard` if `k` is not in `1..=n`.
    pub fn shard(paths: u64, group: u64, k: u64, n: u64) -> Result<Self> {
        let chunks = shape(paths, group)?;
        if n == 0 || n > chunks {
            return Err(param(
                "shards",
                n as f64,
                format!("1..={chunks} (the run has {chunks} chunks of {group} paths)"),
            ));
        }
        if k == 0 || k > n {
            return Err(param("shard", k as f64, format!("1..={n}")));
        }
        let at = |j: u64| (u128::from(j) * u128::from(chunks) / u128::from(n)) as u64;
        Self::new(paths, group, at(k - 1)..at(k))
    }

    /// Paths of the whole run.
    pub fn paths(&self) -> u64 {
        self.paths
    }
    /// Paths per chunk.
    pub fn group(&self) -> u64 {
        self.group
    }
    /// The chunks this part is to cover.
    pub fn chunks(&self) -> Range<u64> {
        self.begin..self.end
    }
    /// The path indices this part is to cover.
    pub fn path_range(&self) -> Range<u64> {
        self.chunk_paths(self.begin).start..self.chunk_paths(self.end).start
    }
    /// Paths of this part already folded in.
    pub fn paths_done(&self) -> u64 {
        self.chunk_paths(self.next).start - self.chunk_paths(self.begin).start
    }
    /// The next chunk to run (`end` when complete).
    pub fn next_chunk(&self) -> u64 {
        self.next
    }
    /// Whether every chunk of the part has been folded in.
    pub fn is_complete(&self) -> bool {
        self.next == self.end
    }
    /// The path indices of chunk `c` (empty past the last path).
    pub fn chunk_paths(&self, c: u64) -> Range<u64> {
        let lo = c.saturating_mul(self.group).min(self.paths);
        lo..lo.saturating_add(self.group).min(self.paths)
    }

    /// Checks the part's own consistency (for a part read from a file): chunks within
    /// the run, done chunks within the part, and tree nodes that are aligned and tile
    /// exactly the chunks done, with no two siblings left unmerged.
    ///
    /// # Errors
    /// A parameter error naming `paths`, `group` or `chunks`, or `nodes`.
    pub fn check(&self) -> Result<()> {
        let chunks = shape(self.paths, self.group)?;
        if !(self.begin <= self.next && self.next <= self.end && self.end <= chunks) {
            return Err(param(
                "chunks",
                self.next as f64,
                format!("begin <= next <= end <= {chunks}"),
            ));
        }
        let mut at = self.begin;
        for (i, n) in self.nodes.iter().enumerate() {
            let size = 1u64.checked_shl(n.level).unwrap_or(0);
            let sibling_of_previous = i > 0 && {
                let p = &self.nodes[i - 1];
                p.level == n.level && p.first.is_multiple_of(size << 1)
            };
            if size == 0 || n.first != at || !n.first.is_multiple_of(size) || sibling_of_previous {
                return Err(param(
                    "nodes",
                    i as f64,
                    "aligned tree nodes that tile the chunks done",
                ));
            }
            at = n.first + size;
        }
        if at != self.next {
            return Err(param(
                "nodes",
                at as f64,
                format!("nodes up to chunk {}", self.next),
            ));
        }
        Ok(())
    }

    /// Folds the summary of chunk [`next_chunk`](Self::next_chunk) in.
    ///
    /// # Errors
    /// A parameter error naming `chunks` if the part is already complete.
    pub fn push(&mut self, acc: A) -> Result<()> {
        if self.next >= self.end {
            return Err(param(
                "chunks",
                self.next as f64,
                format!("< {} (this part is complete)", self.end),
            ));
        }
        self.push_node(Node {
            level: 0,
            first: self.next,
            acc,
        });
        self.next += 1;
        Ok(())
    }

    /// Pushes an aligned node that starts where the stack ends, completing every node
    /// whose left half is on top of the stack.
    fn push_node(&mut self, mut node: Node<A>) {
        while let Some(top) = self.nodes.last() {
            let size = 1u64 << top.level;
            let siblings = top.level == node.level
                && top.first.is_multiple_of(size << 1)
                && top.first + size == node.first;
            if !siblings {
                break;
            }
            let mut left = self.nodes.pop().expect("checked above");
            left.acc.merge(&node.acc);
            node = Node {
                level: left.level + 1,
                first: left.first,
                acc: left.acc,
            };
        }
        self.nodes.push(node);
    }

    /// Joins `other`, the part that follows this one, onto it: both must be complete
    /// and of the same run layout, and `other` must start at the chunk where this one
    /// ends.
    ///
    /// # Errors
    /// A parameter error naming `paths` or `group` (parts of different layouts),
    /// `chunks` (an incomplete part, or a part that does not start where this one
    /// ends: a gap or an overlap).
    pub fn append(&mut self, other: Self) -> Result<()> {
        self.same_layout(&other)?;
        for p in [&*self, &other] {
            if !p.is_complete() {
                return Err(param(
                    "chunks",
                    p.next as f64,
                    format!(
                        "a complete part (chunks {}..{} are done of {}..{})",
                        p.begin, p.next, p.begin, p.end
                    ),
                ));
            }
        }
        if other.begin != self.end {
            let what = if other.begin > self.end {
                "a gap"
            } else {
                "an overlap"
            };
            return Err(param(
                "chunks",
                other.begin as f64,
                format!(
                    "{} (the next part must start at chunk {}; this is {what})",
                    self.end, self.end
                ),
            ));
        }
        for node in other.nodes {
            self.push_node(node);
        }
        self.end = other.end;
        self.next = other.next;
        Ok(())
    }

    fn same_layout(&self, other: &Self) -> Result<()> {
        if other.paths != self.paths {
            return Err(param(
                "paths",
                other.paths as f64,
                format!("{} (parts of different runs)", self.paths),
            ));
        }
        if other.group != self.group {
            return Err(param(
                "group",
                other.group as f64,
                format!("{} (parts of different runs)", self.group),
            ));
        }
        Ok(())
    }

    /// Joins complete parts given in any order into one: they must tile a contiguous
    /// range of chunks. Returned errors say which part is missing, duplicated or
    /// overlapping (by its chunk range); [`merge_all_checked`](Self::merge_all_checked)
    /// says it by the parts' positions.
    ///
    /// # Errors
    /// As [`merge_all_checked`](Self::merge_all_checked).
    pub fn merge_all(parts: Vec<Self>) -> Result<Self> {
        Self::merge_all_checked(parts).map_err(|e| e.error)
    }

    /// As [`merge_all`](Self::merge_all), with the positions (in `parts`) of the parts
    /// an error is about.
    ///
    /// # Errors
    /// [`PartError`]: no parts; parts of different layouts; an incomplete part; two
    /// parts with the same range (duplicated) or overlapping ranges; a gap between
    /// parts (missing chunks).
    pub fn merge_all_checked(parts: Vec<Self>) -> std::result::Result<Self, PartError> {
        let mut order: Vec<(usize, Self)> = parts.into_iter().enumerate().collect();
        let Some(first) = order.first() else {
            return Err(PartError::new(vec![], param("parts", 0.0, ">= 1")));
        };
        let (paths, group) = (first.1.paths, first.1.group);
        for (i, p) in &order {
            if p.paths != paths || p.group != group {
                return Err(PartError::new(
                    vec![0, *i],
                    param(
                        "paths",
                        p.paths as f64,
                        format!("{paths} paths in chunks of {group} (parts of different runs)"),
                    ),
                ));
            }
            if !p.is_complete() {
                return Err(PartError::new(
                    vec![*i],
                    param(
                        "chunks",
                        p.next as f64,
                        format!(
                            "a complete part (only chunks {}..{} of {}..{} are done)",
                            p.begin, p.next, p.begin, p.end
                        ),
                    ),
                ));
            }
        }
        order.sort_by_key(|(_, p)| (p.begin, p.end));
        for w in order.windows(2) {
            let ((i, a), (j, b)) = (&w[0], &w[1]);
            let ranges = format!("chunks {}..{} and {}..{}", a.begin, a.end, b.begin, b.end);
            if a.begin == b.begin && a.end == b.end {
                return Err(PartError::new(
                    vec![*i, *j],
                    param(
                        "chunks",
                        b.begin as f64,
                        format!("each range once ({ranges}: duplicated)"),
                    ),
                ));
            }
            if b.begin < a.end {
                return Err(PartError::new(
                    vec![*i, *j],
                    param(
                        "chunks",
                        b.begin as f64,
                        format!("disjoint ranges ({ranges}: overlapping)"),
                    ),
                ));
            }
            if b.begin > a.end {
                return Err(PartError::new(
                    vec![*i, *j],
                    param(
                        "chunks",
                        b.begin as f64,
                        format!(
                            "contiguous ranges ({ranges}: chunks {}..{} are missing)",
                            a.end, b.begin
                        ),
                    ),
                ));
            }
        }
        let mut it = order.into_iter().map(|(_, p)| p);
        let mut total = it.next().expect("at least one part");
        for p in it {
            total.append(p).map_err(|e| PartError::new(vec![], e))?;
        }
        Ok(total)
    }

    /// The summary of this part's chunks done so far, folded left to right (`None` if
    /// none is done): a shard's own statistics, e.g. for batch means over the shards of
    /// one run, whose merge ([`merge_all`](Self::merge_all)) is still the whole run.
    pub fn fold(&self) -> Option<A>
    where
        A: Clone,
    {
        let mut it = self.nodes.iter();
        let mut acc = it.next()?.acc.clone();
        for n in it {
            acc.merge(&n.acc);
        }
        Some(acc)
    }

    /// The run's summary: the roots of the tree folded left to right.
    ///
    /// # Errors
    /// A parameter error naming `chunks` unless the part covers the whole run (chunks
    /// `0..⌈paths/group⌉`, all done).
    pub fn finish(self) -> Result<A> {
        let chunks = self.paths.div_ceil(self.group);
        if self.begin != 0 || self.next != chunks {
            return Err(param(
                "chunks",
                self.next as f64,
                format!(
                    "the whole run, chunks 0..{chunks} (this part has chunks {}..{} done; \
                     merge the other shards or resume it first)",
                    self.begin, self.next
                ),
            ));
        }
        let mut it = self.nodes.into_iter();
        let mut acc = it.next().expect("a run has at least one chunk").acc;
        for n in it {
            acc.merge(&n.acc);
        }
        Ok(acc)
    }
}

/// An error of [`Partial::merge_all_checked`], with the positions of the parts it is
/// about.
#[derive(Debug)]
pub struct PartError {
    /// Positions in the list given of the parts concerned.
    pub parts: Vec<usize>,
    /// What is wrong.
    pub error: Error,
}

impl PartError {
    fn new(parts: Vec<usize>, error: Error) -> Self {
        Self { parts, error }
    }
}

impl std::fmt::Display for PartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.error)
    }
}

impl std::error::Error for PartError {}

/// Runs the remaining chunks of `part` in parallel batches of [`BATCH`]: chunk `c`'s
/// summary is `f(paths of c, &mut init())`, pushed onto `part` in index order. After
/// each batch `after_batch(&part)` may save it (a checkpoint) or stop the run with
/// [`ControlFlow::Break`]; the part then holds every chunk finished so far and can be
/// continued by another call. Deterministic for any thread count.
pub fn run_ordered_part<A, F, P>(
    part: &mut Partial<A>,
    init: impl Fn() -> A + Sync,
    f: F,
    mut after_batch: P,
) where
    A: Send + Merge,
    F: Fn(Range<u64>, &mut A) + Sync,
    P: FnMut(&Partial<A>) -> ControlFlow<()>,
{
    while part.next < part.end {
        let (c0, c1) = (part.next, (part.next + BATCH).min(part.end));
        let ranges: Vec<Range<u64>> = (c0..c1).map(|c| part.chunk_paths(c)).collect();
        let parts: Vec<A> = ranges
            .into_par_iter()
            // each chunk a piece of its own: rayon's default splits a batch into a few
            // pieces of many chunks, and a thread done with its pieces waited for the
            // other's last one (two chunks' time at each batch's end, measured)
            .with_max_len(1)
            .map(|r| {
                let mut acc = init();
                f(r, &mut acc);
                acc
            })
            .collect();
        for p in parts {
            part.push(p).expect("the batch lies within the part");
        }
        if after_batch(part).is_break() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ensemble::MeanVar;

    fn leaf(c: u64) -> MeanVar {
        let mut m = MeanVar::default();
        // values whose sums round differently in different orders
        for j in 0..3 {
            m.push(((c * 7 + j) as f64).sqrt() * 1e3 + 0.1);
        }
        m
    }

    fn run(p: &mut Partial<MeanVar>) {
        while !p.is_complete() {
            let c = p.next_chunk();
            p.push(leaf(c)).unwrap();
        }
    }

    #[test]
    fn any_split_gives_the_single_run_bit_for_bit() {
        for chunks in [1u64, 2, 3, 5, 8, 13, 64, 100, 1000] {
            let mut whole = Partial::whole(chunks * 3, 3).unwrap();
            run(&mut whole);
            let want = whole.finish().unwrap();
            for n in [1u64, 2, 3, 7] {
                if n > chunks {
                    continue;
                }
                let mut parts: Vec<_> = (1..=n)
                    .map(|k| {
                        let mut p = Partial::shard(chunks * 3, 3, k, n).unwrap();
                        run(&mut p);
                        p
                    })
                    .collect();
                parts.reverse(); // any order
                let got = Partial::merge_all(parts).unwrap().finish().unwrap();
                assert_eq!(got, want, "{chunks} chunks in {n} shards");
            }
        }
    }

    #[test]
    fn the_tree_is_not_the_left_fold() {
        // a power test: with 1000 chunks, the left fold differs in the last bits, so
        // the test above would catch a merge that ignored the tree
        let mut whole = Partial::whole(3000, 3).unwrap();
        run(&mut whole);
        let tree = whole.finish().unwrap();
        let mut left = leaf(0);
        for c in 1..1000 {
            left.merge(&leaf(c));
        }
        assert_eq!(left.count(), tree.count());
        assert_ne!(left, tree);
    }

    #[test]
    fn bad_sets_of_parts_are_refused_by_name() {
        let shard = |k, n| {
            let mut p = Partial::<MeanVar>::shard(3000, 3, k, n).unwrap();
            run(&mut p);
            p
        };
        let msg = |v: Vec<Partial<MeanVar>>| Partial::merge_all_checked(v).unwrap_err();
        let e = msg(vec![shard(1, 3), shard(3, 3)]);
        assert!(e.to_string().contains("missing"), "{e}");
        let e = msg(vec![shard(1, 3), shard(2, 3), shard(2, 3), shard(3, 3)]);
        assert!(e.to_string().contains("duplicated"), "{e}");
        assert_eq!(e.parts, vec![1, 2]);
        let e = msg(vec![shard(1, 2), shard(2, 3), shard(3, 3)]);
        assert!(e.to_string().contains("overlapping"), "{e}");
        let mut other = Partial::<MeanVar>::whole(3001, 3).unwrap();
        run(&mut other);
        let e = msg(vec![shard(1, 1), other]);
        assert!(e.to_string().contains("different runs"), "{e}");
        let half = Partial::<MeanVar>::shard(3000, 3, 1, 2).unwrap();
        let e = msg(vec![half]);
        assert!(e.to_string().contains("complete"), "{e}");
        // an incomplete whole cannot finish
        let e = Partial::<MeanVar>::shard(3000, 3, 1, 2)
            .unwrap()
            .finish()
            .unwrap_err();
        assert!(e.to_string().contains("whole run"), "{e}");
        assert!(Partial::<MeanVar>::shard(3000, 3, 0, 2).is_err());
        assert!(Partial::<MeanVar>::shard(3000, 3, 1, 1001).is_err());
        assert!(Partial::<MeanVar>::whole(0, 3).is_err());
    }

    #[test]
    fn every_part_built_by_pushes_passes_its_check() {
        for n in [1u64, 2, 3, 7] {
            for k in 1..=n {
                let mut p = Partial::<MeanVar>::shard(300, 3, k, n).unwrap();
                while !p.is_complete() {
                    p.check().unwrap();
                    p.push(leaf(p.next_chunk())).unwrap();
                }
                p.check().unwrap();
            }
        }
        let mut p = Partial::<MeanVar>::whole(300, 3).unwrap();
        run(&mut p);
        let mut bad = p.clone();
        bad.nodes.pop();
        assert!(bad.check().is_err());
        let mut bad = p.clone();
        bad.nodes[0].first += 1;
        assert!(bad.check().is_err());
        let mut bad = p;
        bad.next = 1000;
        assert!(bad.check().is_err());
    }

    #[test]
    fn resuming_after_any_batch_gives_the_same_result() {
        let f = |r: Range<u64>, acc: &mut MeanVar| r.for_each(|i| acc.push((i as f64).ln_1p()));
        let mut whole = Partial::whole(100_000, 256).unwrap();
        run_ordered_part(&mut whole, MeanVar::default, f, |_| {
            ControlFlow::Continue(())
        });
        let want = whole.finish().unwrap();
        for stop_after in 1..=6 {
            let mut p = Partial::whole(100_000, 256).unwrap();
            let mut batches = 0;
            run_ordered_part(&mut p, MeanVar::default, f, |_| {
                batches += 1;
                if batches == stop_after {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            });
            assert!(!p.is_complete());
            let saved = p.clone();
            run_ordered_part(&mut p, MeanVar::default, f, |_| ControlFlow::Continue(()));
            assert_eq!(p.clone().finish().unwrap(), want);
            let mut again = saved;
            run_ordered_part(&mut again, MeanVar::default, f, |_| {
                ControlFlow::Continue(())
            });
            assert_eq!(again.finish().unwrap(), want);
        }
    }
}
