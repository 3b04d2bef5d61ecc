"""The backtest model of the decay CUSUM: GARCH(1,1)-t fit, t location, the t LLR score."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from stratmon.decay import fit_backtest_model, student_t_llr
from stratmon.decay.model import garch_filter


def _garch_t(n_steps: int, n: int, seed: int, nu: float = 6.0) -> np.ndarray:
    """GARCH(1,1)-t returns (alpha 0.10, beta 0.88, unit unconditional variance)."""
    rng = np.random.default_rng(seed)
    omega, alpha, beta = 0.02, 0.10, 0.88
    s2 = np.ones(n)
    out = np.empty((n_steps, n))
    scale = np.sqrt((nu - 2) / nu)
    for t in range(-300, n_steps):
        x = np.sqrt(s2) * rng.standard_t(nu, n) * scale
        if t >= 0:
            out[t] = x
        s2 = omega + alpha * x * x + beta * s2
    return out


def test_fit_agrees_with_arch_on_sp500() -> None:
    from arch import arch_model
    from arch.data import sp500

    r = sp500.load()["Adj Close"].pct_change().dropna().to_numpy()[:2520]
    ref = arch_model(r * 100, mean="Constant", vol="GARCH", p=1, q=1, dist="t").fit(disp="off")
    m = fit_backtest_model(r[:, None])
    assert m.alpha[0] == pytest.approx(ref.params["alpha[1]"], abs=0.01)
    assert m.alpha[0] + m.beta[0] == pytest.approx(
        ref.params["alpha[1]"] + ref.params["beta[1]"], abs=0.01
    )
    assert m.nu[0] == pytest.approx(ref.params["nu"], rel=0.1)
    # the t location's standard error agrees with arch's for mu (returns in %)
    assert m.location_se[0] * m.sd[0] * 100 == pytest.approx(ref.std_err["mu"], rel=0.1)
    assert m.location[0] * m.sd[0] * 100 == pytest.approx(
        ref.params["mu"], abs=2 * ref.std_err["mu"]
    )


def test_iid_gaussian_backtest_gives_constant_variance_and_the_sample_mean() -> None:
    x = np.random.default_rng(5).normal(0.0005, 0.01, (2520, 3))
    m = fit_backtest_model(x)
    assert np.all(m.alpha < 0.03)
    assert np.all(m.nu > 30)
    # the t location with ~Gaussian tails and ~constant variance is the sample mean
    assert np.all(np.abs(m.location - m.mean) < 0.1 * m.location_se)
    np.testing.assert_allclose(m.location_se, 1 / np.sqrt(2520), rtol=0.05)


def test_t_location_is_more_precise_than_the_mean_and_its_se_is_honest() -> None:
    x = _garch_t(1500, 120, seed=7) * 0.01 + 0.0004
    m = fit_backtest_model(x)
    loc = m.location * m.sd
    naive = x.mean(axis=0)
    se = m.location_se * m.sd
    assert np.std(loc) < 0.85 * np.std(naive)  # heavy tails + clustering: t-ML wins
    assert np.mean(se) == pytest.approx(np.std(loc), rel=0.2)  # reported se matches spread
    assert np.mean(m.alpha) == pytest.approx(0.10, abs=0.03)
    assert np.median(m.nu) == pytest.approx(6.0, rel=0.25)


def test_garch_filter_by_hand_and_missing_days() -> None:
    x = np.array([[0.5], [np.nan], [-1.0]])
    one = np.array([1.0])
    f, nxt = garch_filter(x, 0.1 * one, 0.2 * one, 0.1 * one, 0.7 * one, one, 0.05 * one)
    q1 = 0.2 + 0.1 * 0.4**2 + 0.7 * 1.0
    q3 = 0.2 + 0.1 * 1.1**2 + 0.7 * q1
    np.testing.assert_allclose(f[:, 0], [1.0, q1, q1])
    assert nxt[0] == pytest.approx(q3)


@pytest.mark.parametrize("nu", [3.0, 6.6, 30.0])
def test_student_t_llr_matches_scipy_densities(nu: float) -> None:
    z = np.linspace(-8, 8, 33)
    d = 0.3
    c = np.sqrt(nu / (nu - 2))  # unit-variance t: f(z) = c * t_nu(c z)
    ref = stats.t.logpdf((z + d) * c, nu) - stats.t.logpdf(z * c, nu)
    np.testing.assert_allclose(student_t_llr(z, np.full_like(z, d), np.full_like(z, nu)), ref)


def test_student_t_llr_gaussian_limit_and_bounded_influence() -> None:
    z = np.array([-2.0, 0.0, 1.5])
    big = student_t_llr(z, np.full(3, 0.2), np.full(3, 1e7))
    np.testing.assert_allclose(big, -0.2 * (z + 0.1), rtol=1e-5)
    # a crash day moves the fat-tailed statistic by less than a moderate loss does
    nu = np.array([5.0])
    crash = student_t_llr(np.array([-40.0]), np.array([0.2]), nu)[0]
    moderate = student_t_llr(np.array([-2.0]), np.array([0.2]), nu)[0]
    assert 0 < crash < moderate
