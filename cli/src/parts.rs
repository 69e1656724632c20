//! Runs that survive and scale: checkpoints, resumption, shards and their files.
//!
//! A run's mergeable state is the library's [`Partial`]: the nodes of the fixed merge
//! tree over chunks of [`CHUNK`] paths that the chunks done so far complete. This module
//! saves it to a **part file**, reads it back and refuses files that do not belong to
//! the run at hand. A part file is
//!
//! ```text
//! saddle-part 1\n
//! {"version": …, "command": …, "argv": […], "input": {…}, "shard": [k, n] | null,
//!  "chunks": [begin, end], "done": next, "complete": bool}\n      (one JSON line)
//! <postcard encoding of the Partial>                              (f64 bit for bit)
//! <CRC-32 of everything above, 4 bytes little-endian>
//! ```
//!
//! so `head -2 FILE` says what it is, and a truncated or corrupted file fails its
//! checksum instead of loading wrong numbers.

use crate::output::{VERSION, write_atomic_bytes};
use anyhow::{Context, bail};
use saddle_sde::ensemble::{CHUNK, Merge, Partial};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const MAGIC: &str = "saddle-part 1\n";

/// The flags of a run that can be checkpointed, resumed and sharded.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PartArgs {
    /// Run only shard K of N (`K/N`, 1 ≤ K ≤ N): the K-th of N contiguous blocks of path
    /// indices, written with its mergeable state to --out FILE; `saddle merge` combines
    /// the N files into the result of the whole run, bit for bit.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,
    /// Save the run's mergeable state to FILE (atomically) every --checkpoint-secs
    /// seconds, on SIGINT or SIGTERM (then stop), and at the end.
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
    /// Seconds between checkpoints (0: after every batch of 64 chunks of paths).
    #[arg(long, default_value_t = 30.0, allow_negative_numbers = true)]
    pub checkpoint_secs: f64,
    /// Continue the run saved in FILE by --checkpoint (the same command, parameters
    /// and version; anything else is refused). Checkpoints go on to --checkpoint, or
    /// to FILE itself.
    #[arg(long, value_name = "FILE")]
    pub resume: Option<PathBuf>,
}

/// The flags of a run that can be checkpointed and resumed but not sharded (its
/// units of work are not a range of paths, or it is cheap to run whole).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CheckpointArgs {
    /// Save the run's state (the units of work finished, bit for bit) to FILE
    /// (atomically) every --checkpoint-secs seconds, on SIGINT or SIGTERM (then stop),
    /// and at the end.
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
    /// Seconds between checkpoints (0: after every unit of work).
    #[arg(long, default_value_t = 30.0, allow_negative_numbers = true)]
    pub checkpoint_secs: f64,
    /// Continue the run saved in FILE by --checkpoint (the same command, parameters
    /// and version; anything else is refused). Checkpoints go on to --checkpoint, or
    /// to FILE itself.
    #[arg(long, value_name = "FILE")]
    pub resume: Option<PathBuf>,
}

impl CheckpointArgs {
    /// The same flags as [`PartArgs`] (no shard).
    pub fn parts(&self) -> PartArgs {
        PartArgs {
            shard: None,
            checkpoint: self.checkpoint.clone(),
            checkpoint_secs: self.checkpoint_secs,
            resume: self.resume.clone(),
        }
    }

    /// Whether a checkpoint is written or read.
    pub fn any(&self) -> bool {
        self.checkpoint.is_some() || self.resume.is_some()
    }
}

fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let bad = || format!("invalid value {s:?} for --shard: must be K/N with 1 <= K <= N");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (u64, u64) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// The header line of a part file.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Header {
    /// The crate version that wrote it.
    pub version: String,
    /// The subcommand.
    pub command: String,
    /// The subcommand's arguments as typed (to rebuild it in `saddle merge`).
    pub argv: Vec<String>,
    /// The run's full input, as the subcommand records it in its results.
    pub input: Value,
    /// `[k, n]` for a shard.
    pub shard: Option<(u64, u64)>,
    /// The chunks the part is to cover.
    pub chunks: (u64, u64),
    /// The next chunk to run.
    pub done: u64,
    /// Whether every chunk of the part is done.
    pub complete: bool,
}

/// What a part file holds after its header: the mergeable [`Partial`] of a run over
/// paths, or the state of a run made of other units of work (the rows of
/// `escape-study`, the batches of an adaptive MLMC run), saved bit for bit.
pub trait State: Serialize + DeserializeOwned {
    /// The header's `chunks`, `done` and `complete` for this state.
    fn marks(&self) -> ((u64, u64), u64, bool);
    /// Whether the state holds together (its header marks aside).
    fn sound(&self) -> bool {
        true
    }
    /// What is done, for the message of an interrupted run ("… of … paths").
    fn done_text(&self) -> String;
}

impl<A: Merge + Serialize + DeserializeOwned> State for Partial<A> {
    fn marks(&self) -> ((u64, u64), u64, bool) {
        let c = self.chunks();
        ((c.start, c.end), self.next_chunk(), self.is_complete())
    }
    fn sound(&self) -> bool {
        self.check().is_ok() && self.group() == CHUNK
    }
    fn done_text(&self) -> String {
        let r = self.path_range();
        format!("{} of {} paths", self.paths_done(), r.end - r.start)
    }
}

/// Writes `part` to `path` atomically.
pub fn save<S: State>(path: &Path, header: &Header, part: &S) -> anyhow::Result<()> {
    write_atomic_bytes(path, &encode(header, part)?)
}

/// The bytes of a part file holding `part` (the header's chunk fields are set from it).
pub fn encode<S: State>(header: &Header, part: &S) -> anyhow::Result<Vec<u8>> {
    let mut h = header.clone();
    (h.chunks, h.done, h.complete) = part.marks();
    let mut bytes = MAGIC.as_bytes().to_vec();
    bytes.extend(serde_json::to_string(&h)?.as_bytes());
    bytes.push(b'\n');
    bytes.extend(postcard::to_stdvec(part)?);
    let crc = crc32fast::hash(&bytes);
    bytes.extend(crc.to_le_bytes());
    Ok(bytes)
}

/// Reads a part file: its header and its state.
///
/// # Errors
/// A message naming the file if it is not a part file, is truncated or corrupted
/// (checksum), or was written by another version.
pub fn load<S: State>(path: &Path, command: Option<&str>) -> anyhow::Result<(Header, S)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    decode(&bytes, &path.display().to_string(), command)
}

/// Decodes the bytes of a part file (from a file or another process) called `name` in
/// messages, refusing them as [`load`] does.
///
/// # Errors
/// As [`load`].
pub fn decode<S: State>(
    bytes: &[u8],
    name: &str,
    command: Option<&str>,
) -> anyhow::Result<(Header, S)> {
    if !bytes.starts_with(MAGIC.as_bytes()) {
        bail!("{name} is not a saddle part file (written by --checkpoint or --shard)");
    }
    if bytes.len() < MAGIC.len() + 4 {
        bail!("{name} is truncated (no checksum)");
    }
    let (body, crc) = bytes.split_at(bytes.len() - 4);
    let want = u32::from_le_bytes(crc.try_into().expect("4 bytes"));
    if crc32fast::hash(body) != want {
        bail!("{name} is truncated or corrupted (its checksum does not match); it cannot be used");
    }
    let rest = &body[MAGIC.len()..];
    let nl = rest
        .iter()
        .position(|&b| b == b'\n')
        .with_context(|| format!("{name}: no header line"))?;
    let header: Header = serde_json::from_slice(&rest[..nl])
        .with_context(|| format!("{name}: unreadable header"))?;
    if header.version != VERSION {
        bail!(
            "{name} was written by saddle {}, this is {VERSION}: results of different versions \
             are not mixed (finish or merge it with saddle {})",
            header.version,
            header.version
        );
    }
    if let Some(c) = command
        && c != header.command
    {
        bail!("{name} is of `saddle {}`, not `saddle {c}`", header.command);
    }
    let part: S = postcard::from_bytes(&rest[nl + 1..])
        .with_context(|| format!("{name}: unreadable state"))?;
    if !part.sound() || part.marks() != (header.chunks, header.done, header.complete) {
        bail!("{name}: the header and the state disagree; the file cannot be used");
    }
    Ok((header, part))
}

/// Whether `path` is a sound part file whose header says its run is unfinished (of
/// any command: a checkpoint of another run is not overwritten either).
fn unfinished(path: &Path) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    let Some(body) = bytes
        .strip_prefix(MAGIC.as_bytes())
        .filter(|_| bytes.len() >= MAGIC.len() + 4)
        .map(|_| &bytes[..bytes.len() - 4])
    else {
        return false;
    };
    let crc = u32::from_le_bytes(bytes[bytes.len() - 4..].try_into().expect("4 bytes"));
    if crc32fast::hash(body) != crc {
        return false;
    }
    let rest = &body[MAGIC.len()..];
    rest.iter()
        .position(|&b| b == b'\n')
        .and_then(|nl| serde_json::from_slice::<Header>(&rest[..nl]).ok())
        .is_some_and(|h| !h.complete)
}

/// Why two inputs differ: the first key whose values differ, as `key = a` against `b`.
pub fn input_difference(have: &Value, want: &Value) -> Option<String> {
    let (Some(h), Some(w)) = (have.as_object(), want.as_object()) else {
        return (have != want).then(|| format!("{have} against {want}"));
    };
    let mut keys: Vec<&String> = h.keys().chain(w.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter().find_map(|k| {
        let (a, b) = (
            h.get(k).unwrap_or(&Value::Null),
            w.get(k).unwrap_or(&Value::Null),
        );
        (a != b).then(|| format!("{k} = {a} in the file, {b} here"))
    })
}

/// Set by the signal handler when a checkpointing run should save and stop.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// Whether a checkpointing run is under way (then SIGINT/SIGTERM save and stop it).
static CHECKPOINTING: AtomicBool = AtomicBool::new(false);

/// Installs the SIGINT/SIGTERM handler: during a checkpointing run it asks the run to
/// save its state and stop after the current batch; otherwise it removes the temporary
/// files of writes in flight and exits with status 130.
pub fn install_signal_handler() {
    let _ = ctrlc::set_handler(|| {
        // a second signal does not wait for the batch to end
        if CHECKPOINTING.load(Ordering::SeqCst) && !INTERRUPTED.swap(true, Ordering::SeqCst) {
            eprintln!(
                "saving the state after the current batch of work (a second signal stops at once)"
            );
        } else {
            crate::output::remove_temporaries();
            std::process::exit(130);
        }
    });
}

/// A checkpointing run stopped by SIGINT or SIGTERM after saving its state (the
/// process then exits with status 130).
#[derive(Debug)]
pub struct Interrupted(pub String);

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Interrupted {}

/// What a part run ended with.
pub enum Outcome<A> {
    /// The whole run's summary.
    Done(A),
    /// A shard finished and was written to its file.
    ShardWritten {
        /// The file.
        path: PathBuf,
        /// The path indices it covers.
        paths: std::ops::Range<u64>,
    },
}

/// Runs `run` on the part these flags ask for (the whole run, a shard, or a resumed
/// checkpoint), checkpointing as asked. `out` is `--out`, the shard file's path when
/// `--shard` is given.
///
/// # Errors
/// Refusals of a resume file (another command, input, shard or version; truncated or
/// corrupted), a shard without `--out`, a failed save, what `run` returns, and an
/// interruption (after the state was saved).
pub fn drive<A, R>(
    flags: &PartArgs,
    mut header: Header,
    paths: u64,
    out: Option<&Path>,
    run: R,
) -> anyhow::Result<Outcome<A>>
where
    A: Merge + Serialize + DeserializeOwned,
    R: FnOnce(
        &mut Partial<A>,
        &mut (dyn FnMut(&Partial<A>) -> ControlFlow<()> + Send),
    ) -> anyhow::Result<()>,
{
    check_secs(flags.checkpoint_secs)?;
    header.shard = flags.shard;
    if flags.shard.is_some() && out.is_none() {
        bail!("--shard needs --out FILE: the shard's mergeable state is written there");
    }
    // every file this run will write is checked before it starts
    if let (Some(_), Some(o)) = (flags.shard, out) {
        crate::output::check_out(o)?;
    }
    let part = checkpointed(
        flags,
        &header,
        || {
            Ok(match flags.shard {
                Some((k, n)) => Partial::shard(paths, CHUNK, k, n)?,
                None => Partial::whole(paths, CHUNK)?,
            })
        },
        run,
    )?;
    if flags.shard.is_some() {
        let path = out.expect("checked above").to_path_buf();
        save(&path, &header, &part)?;
        return Ok(Outcome::ShardWritten {
            path,
            paths: part.path_range(),
        });
    }
    Ok(Outcome::Done(part.finish()?))
}

fn check_secs(secs: f64) -> anyhow::Result<()> {
    if !(0.0..=1e9).contains(&secs) {
        bail!("invalid parameter checkpoint-secs = {secs}: must be in [0, 1e9]");
    }
    Ok(())
}

/// Runs `run` on a new state (`fresh()`) or on the one saved in `--resume`, saving it
/// to `--checkpoint` (or back to the resume file) as the flags ask: every
/// `--checkpoint-secs` seconds when `run` calls its callback after a unit of work, on
/// SIGINT or SIGTERM (then the callback stops the run), and at the end. The state
/// returned is complete. `header` is of this run (its `shard` included).
///
/// # Errors
/// Refusals of a resume file (another command, input, shard or version; truncated or
/// corrupted) and of a checkpoint file holding an unfinished run without `--resume`,
/// a failed save, what `fresh` and `run` return, and an interruption (after the state
/// was saved).
pub fn checkpointed<S, R>(
    flags: &PartArgs,
    header: &Header,
    fresh: impl FnOnce() -> anyhow::Result<S>,
    run: R,
) -> anyhow::Result<S>
where
    S: State,
    R: FnOnce(&mut S, &mut (dyn FnMut(&S) -> ControlFlow<()> + Send)) -> anyhow::Result<()>,
{
    check_secs(flags.checkpoint_secs)?;
    for f in [&flags.checkpoint, &flags.resume].into_iter().flatten() {
        crate::output::check_out(f)
            .map_err(|e| anyhow::anyhow!("{}", e.to_string().replace("--out", "--checkpoint")))?;
    }
    if let (Some(ck), None) = (&flags.checkpoint, &flags.resume)
        && ck.exists()
        && unfinished(ck)
    {
        bail!(
            "--checkpoint {}: the file holds an unfinished run; continue it with --resume {} \
             or remove it",
            ck.display(),
            ck.display()
        );
    }
    let mut part = match &flags.resume {
        Some(file) => {
            let (h, part) =
                load::<S>(file, Some(&header.command)).map_err(|e| e.context("--resume"))?;
            let name = file.display();
            if let Some(d) = input_difference(&h.input, &header.input) {
                bail!(
                    "--resume {name}: the file is of another run ({d}); resume with the same \
                     parameters"
                );
            }
            if h.shard != header.shard {
                bail!(
                    "--resume {name}: the file is of shard {}, this command asks for {}",
                    shard_text(h.shard),
                    shard_text(header.shard)
                );
            }
            part
        }
        None => fresh()?,
    };
    let target = flags.checkpoint.clone().or_else(|| flags.resume.clone());
    let every = Duration::from_secs_f64(flags.checkpoint_secs);
    let mut last = Instant::now();
    let mut failure: Option<anyhow::Error> = None;
    let mut interrupted = false;
    if target.is_some() {
        CHECKPOINTING.store(true, Ordering::SeqCst);
    }
    let result = {
        let mut after = |p: &S| {
            let stop = INTERRUPTED.load(Ordering::SeqCst);
            if let Some(t) = &target
                && (stop || last.elapsed() >= every)
            {
                if let Err(e) = save(t, header, p) {
                    failure = Some(e);
                    return ControlFlow::Break(());
                }
                last = Instant::now();
            }
            if stop {
                interrupted = true;
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        };
        if part.marks().2 {
            Ok(())
        } else {
            run(&mut part, &mut after)
        }
    };
    CHECKPOINTING.store(false, Ordering::SeqCst);
    result?;
    if let Some(e) = failure {
        return Err(e.context("saving the checkpoint"));
    }
    if let Some(t) = &target {
        save(t, header, &part)?;
    }
    if (interrupted || INTERRUPTED.load(Ordering::SeqCst)) && !part.marks().2 {
        let t = target.expect("interruptions stop only checkpointing runs");
        return Err(Interrupted(format!(
            "interrupted after {}; the state is saved in {} (continue with --resume {})",
            part.done_text(),
            t.display(),
            t.display()
        ))
        .into());
    }
    Ok(part)
}

fn shard_text(s: Option<(u64, u64)>) -> String {
    s.map_or("none (the whole run)".into(), |(k, n)| format!("{k}/{n}"))
}

/// The header of a new part of `command` with this `input`, recording the arguments
/// typed after the subcommand.
pub fn header(command: &str, input: &Value) -> Header {
    // as parsed: negative values joined to their options; lossy only for file names
    // that are not UTF-8, which `saddle merge` replaces anyway
    let argv: Vec<String> = crate::join_negative_values(std::env::args_os())
        .into_iter()
        .skip(2)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    Header {
        version: VERSION.to_string(),
        command: command.to_string(),
        argv,
        input: input.clone(),
        shard: None,
        chunks: (0, 0),
        done: 0,
        complete: false,
    }
}

/// The line printed when a shard is done.
pub fn shard_done(path: &Path, paths: &std::ops::Range<u64>, flags: &PartArgs) {
    let (k, n) = flags.shard.unwrap_or((1, 1));
    println!(
        "shard {k}/{n}: paths {}..{} done, written to {} (combine the {n} shard files with \
         `saddle merge`)",
        paths.start,
        paths.end,
        path.display()
    );
}

/// Arguments of `saddle merge`.
#[derive(Debug, Clone, clap::Args)]
pub struct MergeArgs {
    /// The shard files (written by --shard K/N --out FILE), in any order.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also write the result to FILE (.json or .csv), atomically.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Reads shard files of one run and merges their states.
///
/// # Errors
/// Unreadable files, files of different runs or versions, and missing, duplicated or
/// overlapping shards, each named.
pub fn merge_files<A: Merge + Serialize + DeserializeOwned>(
    files: &[PathBuf],
) -> anyhow::Result<(Header, A)> {
    let mut headers = Vec::new();
    let mut parts = Vec::new();
    // each file is read once; the later ones must be of the first one's command
    // (checked before their state is decoded)
    for f in files {
        let command = headers.first().map(|h: &Header| h.command.clone());
        let (h, p) = load::<Partial<A>>(f, command.as_deref())?;
        headers.push(h);
        parts.push(p);
    }
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    merge_loaded(&names, headers, parts)
}

/// Merges the decoded shards of one run, `names[i]` naming shard `i` in messages: the
/// checks and the fixed merge tree of `saddle merge`, for shard files and for the
/// states gathered from MPI ranks alike.
///
/// # Errors
/// Shards of different commands, runs or versions, and missing, duplicated or
/// overlapping shards, each named.
pub fn merge_loaded<A: Merge>(
    names: &[String],
    mut headers: Vec<Header>,
    parts: Vec<Partial<A>>,
) -> anyhow::Result<(Header, A)> {
    let Some(first) = headers.first() else {
        bail!("no shards to merge");
    };
    for (h, f) in headers.iter().zip(names).skip(1) {
        if h.command != first.command {
            bail!(
                "{} is of `saddle {}` and {f} of `saddle {}`: shards of different runs",
                names[0],
                first.command,
                h.command
            );
        }
        if let Some(d) = input_difference(&first.input, &h.input) {
            bail!(
                "{} and {f} are shards of different runs ({d})",
                names[0],
                d = d
                    .replace("in the file", "in the first")
                    .replace("here", "in the second")
            );
        }
    }
    let which = |ix: &[usize]| {
        ix.iter()
            .map(|&i| names[i].as_str())
            .collect::<Vec<_>>()
            .join(" and ")
    };
    let merged = Partial::merge_all_checked(parts).map_err(|e| {
        let which = if e.parts.is_empty() {
            String::new()
        } else {
            format!("{}: ", which(&e.parts))
        };
        anyhow::anyhow!("{which}{}", e.error)
    })?;
    let first = headers.swap_remove(0);
    let summary = merged.finish().map_err(|e| {
        anyhow::anyhow!("the shards do not cover the whole run (shards are missing): {e}")
    })?;
    Ok((first, summary))
}
