//! Bad input returns typed errors naming the parameter; nothing in the public API
//! panics on arbitrary f64 input.

use nalgebra::DMatrix;
use proptest::prelude::*;
use saddle_sde::ensemble::Ensemble;
use saddle_sde::integrate::{Grid, terminal};
use saddle_sde::models::{Gbm, LocalSaddle, OrnsteinUhlenbeck, SaddleSde};
use saddle_sde::noise::{BrownianPath, LevyArea, StepNoise, correlated_increments, path_rng};
use saddle_sde::scheme::{EulerMaruyama, Milstein};
use saddle_sde::{Correlation, Error};

fn names(e: &Error, name: &str) -> bool {
    matches!(e, Error::Param(p) if p.name == name) && e.to_string().contains(name)
}

#[test]
fn named_errors() {
    assert!(names(
        &SaddleSde::new(1.0, 1.0, 0.5, 1.5).unwrap_err(),
        "rho"
    ));
    assert!(names(
        &SaddleSde::new(1.0, -0.1, 0.5, 0.0).unwrap_err(),
        "sigma"
    ));
    assert!(names(
        &SaddleSde::new(f64::NAN, 1.0, 0.5, 0.0).unwrap_err(),
        "a"
    ));
    assert!(names(
        &SaddleSde::new(1.0, 1.0, f64::INFINITY, 0.0).unwrap_err(),
        "tau"
    ));
    assert!(names(&Grid::new(1.0, 0.0).unwrap_err(), "dt"));
    assert!(names(&Grid::new(1.0, -1e-3).unwrap_err(), "dt"));
    assert!(names(&Grid::new(-1.0, 1e-3).unwrap_err(), "t_end"));
    let m = SaddleSde::new(1.0, 1.0, 0.5, 0.3).unwrap();
    let g = Grid::new(1.0, 0.1).unwrap();
    assert!(names(
        &Ensemble::new(&m, &EulerMaruyama)
            .start(0.1)
            .grid(g)
            .paths(0)
            .seed(1)
            .terminal()
            .unwrap_err(),
        "paths"
    ));
    assert!(names(
        &terminal(&m, &EulerMaruyama, f64::NAN, &g, &mut path_rng(0, 0)).unwrap_err(),
        "x0"
    ));
    assert!(names(&LevyArea::with_terms(0, 0.1).unwrap_err(), "terms"));
    assert!(names(&LevyArea::with_terms(3, -0.1).unwrap_err(), "h"));
    assert!(names(&LevyArea::for_step(1e-14).unwrap_err(), "h"));
    // Low-level samplers validate too: a bad step, a sampler for another step, or buffers
    // of the wrong length are typed errors, never NaN or a panic.
    let mut rng = path_rng(0, 0);
    assert!(names(
        &StepNoise::<2>::sample(&mut rng, f64::NAN, None).unwrap_err(),
        "h"
    ));
    let la = LevyArea::for_step(0.1).unwrap();
    assert!(names(
        &StepNoise::<2>::sample(&mut rng, 0.2, Some(&la)).unwrap_err(),
        "h"
    ));
    assert!(names(
        &BrownianPath::<2>::sample(&mut rng, 1.0, 20, Some(&la)).unwrap_err(),
        "h"
    ));
    let c = Correlation::two(0.5).unwrap();
    let (mut dz, mut db) = ([0.0; 3], [0.0; 2]);
    assert!(matches!(
        correlated_increments(&mut rng, &c, 0.1, &mut dz, &mut db),
        Err(Error::Dimension { .. })
    ));
    assert!(names(
        &correlated_increments(&mut rng, &c, -0.1, &mut dz[..2], &mut db).unwrap_err(),
        "h"
    ));
    assert!(matches!(
        c.correlate(&[1.0], &mut db),
        Err(Error::Dimension { .. })
    ));
    assert!(matches!(
        la.sample_all(&mut rng, &[0.1, 0.2, 0.3], &mut [0.0; 2], &mut [0.0; 9]),
        Err(Error::Dimension { .. })
    ));
    let e = SaddleSde::new(1.0, 1.0, 0.5, 1.5).unwrap_err().to_string();
    assert_eq!(e, "invalid parameter rho = 1.5: must be in [-1, 1]");
    let not_psd = DMatrix::from_row_slice(3, 3, &[1.0, 0.9, -0.9, 0.9, 1.0, 0.9, -0.9, 0.9, 1.0]);
    let e = Correlation::new(not_psd).unwrap_err();
    assert!(
        matches!(e, Error::Correlation { .. }) && e.to_string().contains("positive semidefinite")
    );
}

proptest! {
    #![proptest_config(crate::common::proptest_config(256))]

    #[test]
    fn saddle_constructor_never_panics(a in any::<f64>(), s in any::<f64>(), t in any::<f64>(), r in any::<f64>()) {
        match SaddleSde::new(a, s, t, r) {
            Ok(m) => prop_assert!(m.a().is_finite() && m.sigma() >= 0.0 && m.tau().is_finite() && m.rho().abs() <= 1.0),
            Err(e) => prop_assert!(matches!(e, Error::Param(_))),
        }
    }

    #[test]
    fn step_noise_is_finite_or_an_error(h in any::<f64>(), p in 0usize..4) {
        let mut rng = path_rng(4, 5);
        let la = LevyArea::with_terms(p, h);
        if let Ok(n) = StepNoise::<2>::sample(&mut rng, h, la.as_ref().ok()) {
            prop_assert!(n.dz.iter().chain(n.iterated.iter().flatten()).all(|v| v.is_finite()));
        }
    }

    #[test]
    fn grid_and_levy_area_never_panic(t in any::<f64>(), dt in any::<f64>()) {
        if let Ok(g) = Grid::new(t, dt) {
            prop_assert!(g.h() > 0.0 && g.h() <= dt * (1.0 + 1e-9));
        }
        if let Ok(l) = LevyArea::for_step(dt) {
            prop_assert!(l.terms() >= 1);
        }
    }

    #[test]
    fn small_runs_never_panic(a in any::<f64>(), s in any::<f64>(), x0 in any::<f64>(), dt in any::<f64>(), paths in 0u64..3) {
        if let (Ok(m), Ok(g)) = (SaddleSde::new(a, s.abs(), 0.5, 0.3), Grid::new(0.05, dt))
            && g.steps() <= 10_000
        {
            let _ = terminal(&m, &Milstein, x0, &g, &mut path_rng(1, 2));
            let _ = Ensemble::new(&m, &EulerMaruyama)
                .start(x0)
                .grid(g)
                .paths(paths)
                .seed(3)
                .terminal();
        }
        let _ = Gbm::new(a, s);
        let _ = OrnsteinUhlenbeck::new(a, x0, s);
    }

    #[test]
    fn correlation_never_panics(v in proptest::collection::vec(any::<f64>(), 9)) {
        let _ = Correlation::new(DMatrix::from_row_slice(3, 3, &v));
        let _ = Correlation::new(DMatrix::from_row_slice(1, 1, &v[..1]));
        let _ = LocalSaddle::new(v[..2].to_vec(), v[2..4].to_vec(), v[4..6].to_vec(), Correlation::identity(4));
        let _ = LocalSaddle::with_pairwise_rho(v[..1].to_vec(), v[1..2].to_vec(), v[2..3].to_vec(), &v[3..4]);
    }
}
