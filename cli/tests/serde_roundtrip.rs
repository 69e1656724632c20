//! Every result and summary type saves and reloads through serde (the library's `serde`
//! feature, which the command line turns on): JSON out, JSON in, equal bit for bit.

use saddle_sde::ensemble::{Ensemble, Histogram, SnapshotObs, TerminalObs};
use saddle_sde::escape::{ExitDomain, ExitSpec, ExitStats, exact};
use saddle_sde::integrate::{Grid, Side, StopReason};
use saddle_sde::models::SaddleSde;
use saddle_sde::scheme::EulerMaruyama;
use saddle_sde::uncertainty::Proportion;
use serde::{Serialize, de::DeserializeOwned};

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(v: &T) {
    let text = serde_json::to_string(v).unwrap();
    let back: T = serde_json::from_str(&text).unwrap();
    assert_eq!(&back, v, "{text}");
}

#[test]
fn summaries_round_trip() {
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let g = Grid::new(1.0, 0.01).unwrap();
    // grids and exit specs are inputs: they serialise (to record a run) but are rebuilt
    // through their checked constructors, never read back unchecked
    assert!(serde_json::to_string(&g).unwrap().contains("\"steps\":100"));
    let obs = TerminalObs::new()
        .histogram(Histogram::new(-3.0, 3.0, 30).unwrap())
        .unwrap();
    let t = Ensemble::new(&m, &EulerMaruyama)
        .start(0.1)
        .grid(g)
        .paths(500)
        .observe(&obs)
        .unwrap();
    round_trip(&t);
    round_trip(&t.moments);
    round_trip(t.histogram.as_ref().unwrap());
    let s = Ensemble::new(&m, &EulerMaruyama)
        .start(0.1)
        .grid(g)
        .paths(100)
        .observe(&SnapshotObs::new(&g, &[0.5, 1.0], 3).unwrap())
        .unwrap();
    round_trip(&s);
    let spec = ExitSpec::new(ExitDomain::interval(-0.5, 0.5).unwrap(), 0.1, 5.0, 1e-2).unwrap();
    assert!(
        serde_json::to_string(&spec)
            .unwrap()
            .contains("\"time_bins\":1000")
    );
    let e: ExitStats = Ensemble::new(&m, &EulerMaruyama)
        .paths(200)
        .exits(&spec)
        .unwrap();
    round_trip(&e);
    round_trip(&e.p_upper().unwrap());
    round_trip(&e.mean_exit_time_given_exit().unwrap());
    round_trip(&Proportion::new(0, 10).unwrap().wilson(0.95).unwrap());
    round_trip(&StopReason::Exited {
        side: Side::Upper,
        t: 0.25,
    });
    round_trip(&exact::interval_exit(&m, 0.1, -0.5, 0.5).unwrap());
    round_trip(&exact::level_passage(&m, 0.1, 0.5).unwrap());
}
