//! A progress bar for long ensemble runs (hidden when stderr is not a terminal).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::{Duration, Instant};

/// Returns a callback `(done, total)` that shows a bar once a run has lasted 1 s.
pub fn bar(label: &'static str) -> impl FnMut(u64, u64) {
    let start = Instant::now();
    let mut pb: Option<ProgressBar> = None;
    move |done, total| {
        if pb.is_none() && start.elapsed() > Duration::from_secs(1) && done < total {
            let p = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} paths, eta {eta}")
            {
                p.set_style(style);
            }
            p.set_message(label);
            pb = Some(p);
        }
        if let Some(p) = &pb {
            p.set_position(done);
            if done >= total {
                p.finish_and_clear();
            }
        }
    }
}
