//! `saddle escape --mpi`: one run split over the ranks of `mpirun -np R`.
//!
//! Rank `r` runs shard `r + 1` of `R` — the paths and random numbers of
//! `--shard (r+1)/R` — and encodes its mergeable state as the bytes of a part file.
//! Rank 0 gathers the `R` buffers, decodes them and merges them with
//! [`parts::merge_loaded`], the checks and the fixed merge tree of `saddle merge`, so
//! the result is bit for bit the single process's; it alone prints it and writes
//! `--out`.
//!
//! A rank that fails still takes part in the collectives, with its error message in
//! place of a state, so that no rank waits for it: rank 0 reports the failure in one
//! line naming the rank, and every rank exits with status 2. The ranks agree that all of
//! them accepted their parameters before any path is run, so a refusal on one rank
//! stops the others at once.

use crate::escape::{self, EscapeArgs};
use crate::parts;
use anyhow::bail;
use mpi::Count;
use mpi::collective::SystemOperation;
use mpi::datatype::PartitionMut;
use mpi::traits::*;
use saddle_sde::ensemble::Partial;
use saddle_sde::escape::ExitStats;

/// The failure of an MPI run, already reported by rank 0: the process exits with status
/// 2 and prints nothing more.
#[derive(Debug)]
pub struct ReportedByRoot;

impl std::fmt::Display for ReportedByRoot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the MPI run failed (reported by rank 0)")
    }
}

impl std::error::Error for ReportedByRoot {}

/// First byte of a rank's buffer: a part file follows.
const STATE: u8 = 0;
/// First byte of a rank's buffer: a UTF-8 error message follows.
const FAILED: u8 = 1;
/// A rank's whole buffer when it did not run because another rank failed its checks.
const SKIPPED: u8 = 2;

/// Runs this process's rank of `saddle escape --mpi`.
///
/// # Errors
/// [`ReportedByRoot`] on every rank when the run failed anywhere, after rank 0 has
/// printed why (a rank's failure, named, or shards that do not merge).
pub fn escape(args: &EscapeArgs) -> anyhow::Result<()> {
    let Some((universe, _)) = mpi::initialize_with_threading(mpi::Threading::Funneled) else {
        bail!("--mpi: MPI could not be initialised (it already was)");
    };
    let world = universe.world();
    let (rank, size) = (world.rank(), world.size());
    let root = world.process_at_rank(0);
    let lead = rank == 0;

    // every rank checks its parameters, and learns whether all ranks passed, before the
    // paths are run: a refusal on one rank does not wait for the others' work
    let (k, n) = (
        u64::try_from(rank).expect("a rank is >= 0") + 1,
        u64::try_from(size).expect("a size is > 0"),
    );
    let prepared = refuse_part_flags(args).and_then(|()| {
        escape::prepare_shard(args, k, n, lead).map_err(|e| {
            if n > 1 && e.to_string().contains("shards") {
                e.context(format!("--mpi with {n} ranks"))
            } else {
                e
            }
        })
    });
    let mut all_ready: i32 = 0;
    world.all_reduce_into(
        &i32::from(prepared.is_ok()),
        &mut all_ready,
        SystemOperation::min(),
    );

    // this rank's shard, its failure, or nothing (another rank failed), as bytes
    let mine = match prepared {
        Err(e) => fail_bytes(&format!("{e:#}")),
        Ok(_) if all_ready == 0 => vec![SKIPPED],
        Ok(shard) => match shard.run() {
            Ok((header, part)) => match parts::encode(&header, &part) {
                Ok(bytes) => [&[STATE][..], &bytes].concat(),
                Err(e) => fail_bytes(&format!("{e:#}")),
            },
            Err(e) => fail_bytes(&format!("{e:#}")),
        },
    };
    let mine = if Count::try_from(mine.len()).is_ok() {
        mine
    } else {
        fail_bytes(&format!(
            "its state has {} bytes, more than one MPI message carries",
            mine.len()
        ))
    };
    let len = Count::try_from(mine.len()).expect("checked above");

    // every rank learns every length, so all agree whether one gather can carry them
    let mut lens = vec![0 as Count; usize::try_from(size).expect("a positive size")];
    world.all_gather_into(&len, &mut lens[..]);
    let total: Option<Count> = lens.iter().try_fold(0 as Count, |a, &l| a.checked_add(l));

    if !lead {
        if total.is_some() {
            root.gather_varcount_into(&mine[..]);
        }
        let mut status = 0u8;
        root.broadcast_into(&mut status);
        return if status == 0 {
            Ok(())
        } else {
            Err(ReportedByRoot.into())
        };
    }

    let result = match total {
        None => Err(anyhow::anyhow!(
            "--mpi: the {size} ranks' states total more than 2^31 bytes, more than one MPI \
             gather carries (use fewer ranks or fewer --time-bins)"
        )),
        Some(total) => {
            let mut all = vec![0u8; usize::try_from(total).expect("non-negative")];
            let displs: Vec<Count> = lens
                .iter()
                .scan(0 as Count, |at, &l| {
                    let d = *at;
                    *at += l;
                    Some(d)
                })
                .collect();
            {
                let mut partition = PartitionMut::new(&mut all[..], &lens[..], &displs[..]);
                root.gather_varcount_into_root(&mine[..], &mut partition);
            }
            let buffers: Vec<&[u8]> = displs
                .iter()
                .zip(&lens)
                .map(|(&d, &l)| &all[d as usize..(d + l) as usize])
                .collect();
            merge_and_report(args, &buffers)
        }
    };
    // said before the other ranks are let go: mpirun ends the job once one of them
    // exits with an error, and rank 0 must have spoken by then
    if let Err(e) = &result {
        eprintln!("error: {e:#}");
    }
    let mut status = u8::from(result.is_err());
    root.broadcast_into(&mut status);
    result.map_err(|_| ReportedByRoot.into())
}

/// The flags that do not combine with --mpi, refused.
fn refuse_part_flags(args: &EscapeArgs) -> anyhow::Result<()> {
    if args.parts.shard.is_some() {
        bail!("--mpi and --shard exclude each other: --mpi runs shard r+1 of R on rank r");
    }
    if args.parts.checkpoint.is_some() || args.parts.resume.is_some() {
        bail!("--mpi does not checkpoint: --checkpoint and --resume are for single processes");
    }
    Ok(())
}

/// The bytes of a rank that failed: [`FAILED`] and its message.
fn fail_bytes(message: &str) -> Vec<u8> {
    let mut b = vec![FAILED];
    b.extend(message.as_bytes());
    b
}

/// Rank 0: reports the first failed rank, or merges the states in the fixed merge
/// tree and prints the result as the single process does.
fn merge_and_report(args: &EscapeArgs, buffers: &[&[u8]]) -> anyhow::Result<()> {
    let size = buffers.len();
    let failed: Vec<(usize, String)> = buffers
        .iter()
        .enumerate()
        .filter(|(_, b)| b.first() == Some(&FAILED))
        .map(|(r, b)| {
            (
                r,
                String::from_utf8_lossy(b.get(1..).unwrap_or(&[])).into_owned(),
            )
        })
        .collect();
    if let Some((_, message)) = failed.first() {
        // the ranks that failed with the first failure's message, and how many otherwise
        let same: Vec<usize> = failed
            .iter()
            .filter(|(_, m)| m == message)
            .map(|&(r, _)| r)
            .collect();
        let also = match failed.len() - same.len() {
            0 => String::new(),
            1 => " (1 other rank failed otherwise)".to_string(),
            m => format!(" ({m} other ranks failed otherwise)"),
        };
        // rank 0's own refusal (a parameter, --out) is said as one process says it
        if same[0] == 0 {
            bail!("{message}{also}");
        }
        bail!("{} of {size}: {message}{also}", rank_list(&same));
    }
    // (a rank skips its run only when another failed, so this is not expected)
    if let Some(r) = buffers.iter().position(|b| b.first() != Some(&STATE)) {
        bail!("rank {r} of {size} sent no state");
    }
    let names: Vec<String> = (0..size).map(|r| format!("rank {r}")).collect();
    let mut headers = Vec::with_capacity(size);
    let mut states = Vec::with_capacity(size);
    for (name, b) in names.iter().zip(buffers) {
        let (h, p) = parts::decode::<Partial<ExitStats>>(&b[1..], name, Some("escape"))?;
        headers.push(h);
        states.push(p);
    }
    let (_, stats) = parts::merge_loaded(&names, headers, states)?;
    escape::report(args, &stats)
}

/// `rank 1`, `ranks 1 and 3`, `ranks 1, 2 and 5`.
fn rank_list(ranks: &[usize]) -> String {
    match ranks {
        [] => String::new(),
        [r] => format!("rank {r}"),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(usize::to_string).collect();
            format!("ranks {} and {last}", init.join(", "))
        }
    }
}
