"""Exponential Hawkes: fit time (decay estimated / fixed) and likelihood cost, vs tick,
hawkeslib and hawkesbook.

Run from the repository root in an environment with incidentstats importable (and tick for
the comparison; see setup_env.sh)::

    python benchmarks/bench_hawkes.py --out benchmarks/results/hawkes.json [--quick]

Both libraries fit the *same* simulated events (μ = 0.5, n = 0.6, β = 1.2 per unit time,
as in shared/PEERS.md) in one run. tick cannot estimate the decay (its issues #227, #270):
its likelihood learner gets β fixed at the truth, which favours tick. incidentstats
estimates all three parameters. Times are in seconds (``unit="s"``) so that 10^6 events fit
in a pandas window.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import library_version, median_time, parse_args, record, write_records

MU, N, BETA = 0.5, 0.6, 1.2


def simulate(n_events: int, seed: int) -> tuple[np.ndarray, float]:
    """Cluster (branching) simulation of the exponential model, ~n_events events."""
    rng = np.random.default_rng(seed)
    T = n_events * (1 - N) / MU
    gen = rng.uniform(0, T, rng.poisson(MU * T))
    out = [gen]
    while gen.size:
        par = np.repeat(gen, rng.poisson(N, gen.size))
        gen = par + rng.exponential(1 / BETA, par.size)
        gen = gen[gen < T]
        out.append(gen)
    return np.sort(np.concatenate(out)), T


def peer_fits(t: np.ndarray, T: float, n: int, repeat: int) -> list[dict]:
    """hawkeslib (L-BFGS-B) and hawkesbook (MLE with gradient), decay estimated; each peer's
    log-likelihood is evaluated with ours at its estimate (same window), so Δℓ compares the
    optima reached. Conventions (PEERS.md): hawkeslib (mu, alpha = n, theta = beta);
    hawkesbook (lambda = mu, alpha = n·beta, beta)."""
    from incidentstats.hawkes.likelihood import loglikelihood

    task = "exponential Hawkes fit, decay estimated"
    out = []
    label = library_version("hawkeslib", "hawkeslib")
    if label is None:
        out.append(record(task, "hawkeslib", n, None, notes="hawkeslib not installed"))
    else:
        from hawkeslib import UnivariateExpHawkesProcess

        def fit_hl(t: np.ndarray = t) -> tuple[float, float, float]:
            proc = UnivariateExpHawkesProcess()
            proc.fit(t, T=T, method="gd")  # L-BFGS-B on the likelihood
            return proc.get_params()

        sec, (mu, alpha, theta) = median_time(fit_hl, repeat=repeat)
        ll = loglikelihood(t, T, {"baseline": mu, "branching_ratio": alpha, "decay": theta})
        out.append(record(task, label, n, sec, loglik=ll, notes="fit(method='gd'): L-BFGS-B"))
    label = library_version("hawkesbook", "hawkesbook")
    if label is None:
        out.append(record(task, "hawkesbook", n, None, notes="hawkesbook not installed"))
    else:
        from hawkesbook import exp_mle_with_grad

        sec, theta_hat = median_time(lambda t=t: exp_mle_with_grad(t, T), repeat=repeat)
        lam, a, b = (float(v) for v in theta_hat)
        ll = loglikelihood(t, T, {"baseline": lam, "branching_ratio": a / b, "decay": b})
        out.append(record(task, label, n, sec, loglik=ll, notes="exp_mle_with_grad, default start"))
    return out


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    import incidentstats as ist
    from incidentstats.hawkes import _likelihood_numba as nb

    recs = []
    tick_label = library_version("tick", "tick")
    for n_target in sizes:
        t, T = simulate(n_target, seed=n_target)
        n = t.size
        ev = ist.EventSeries.from_offsets(t, end=T, unit="s")
        proc = ist.HawkesProcess(unit="s")
        sec, res = median_time(lambda ev=ev, proc=proc: proc.fit(ev), repeat=args.repeat)
        recs.append(
            record(
                "exponential Hawkes fit, decay estimated",
                "incidentstats",
                n,
                sec,
                loglik=res.loglik,
                notes=f"median of {args.repeat}; default settings (n_starts="
                f"{4 if n <= 20_000 else 1}); includes observed-information errors; "
                f"converged={res.converged}; params={res.params.round(4).to_dict()}",
            )
        )
        g = np.empty(3)
        tt = ev.times("s")
        sec_g, _ = median_time(
            lambda tt=tt, T=T, g=g: nb.exp_loglik_grad(tt, T, MU, N, BETA, g), repeat=5
        )
        recs.append(
            record(
                "exponential Hawkes log-likelihood + gradient (per event)",
                "incidentstats",
                n,
                sec_g,
                accuracy=sec_g / n * 1e9,
                notes="accuracy = nanoseconds per event; fused numba O(n) pass",
            )
        )
        recs += peer_fits(t, float(T), n, args.repeat)
        # the decay-fixed fit, the like-for-like comparison with tick
        proc_fixed = ist.HawkesProcess(unit="s", fixed={"decay": BETA})
        sec_f, res_f = median_time(lambda ev=ev, proc=proc_fixed: proc.fit(ev), repeat=args.repeat)
        recs.append(
            record(
                "exponential Hawkes fit, decay fixed at the truth",
                "incidentstats",
                n,
                sec_f,
                loglik=res_f.loglik,
                notes=f"median of {args.repeat}; fixed={{'decay': {BETA}}}; with errors",
            )
        )
        if tick_label is None:
            recs.append(
                record(
                    "exponential Hawkes fit, decay fixed (tick) / estimated",
                    "tick",
                    n,
                    None,
                    notes="tick not installed",
                )
            )
            continue
        from tick.hawkes import HawkesExpKern, ModelHawkesExpKernLogLik

        def fit_tick(t=t):
            learner = HawkesExpKern(BETA, gofit="likelihood", solver="bfgs", penalty="l2", C=1e10)
            learner.fit([t])
            return learner

        sec_t, learner = median_time(fit_tick, repeat=args.repeat)
        model = ModelHawkesExpKernLogLik(BETA)
        model.fit([t], end_times=float(t[-1]))
        coeffs = np.array([float(learner.baseline[0]), float(learner.adjacency[0, 0])])
        # tick's loss is -(loglik + N T)/N ... report our log-likelihood at tick's point instead
        from incidentstats.hawkes.likelihood import loglikelihood

        ll_tick = loglikelihood(
            t, float(T), {"baseline": coeffs[0], "branching_ratio": coeffs[1], "decay": BETA}
        )
        recs.append(
            record(
                "exponential Hawkes fit, decay estimated",
                tick_label,
                n,
                sec_t,
                loglik=ll_tick,
                notes="tick cannot estimate the decay: HawkesExpKern(decays=true beta, "
                "likelihood, bfgs, l2 C=1e10), window end = last event; loglik = ours at "
                "tick's point on our window",
            )
        )
        recs.append(
            record(
                "exponential Hawkes fit, decay fixed at the truth",
                tick_label,
                n,
                sec_t,
                loglik=ll_tick,
                notes="HawkesExpKern(decays=true beta, likelihood, bfgs, l2 C=1e10)",
            )
        )
        sec_tg, _ = median_time(
            lambda model=model, coeffs=coeffs: model.loss_and_grad(coeffs), repeat=5
        )
        recs.append(
            record(
                "exponential Hawkes log-likelihood + gradient (per event)",
                tick_label,
                n,
                sec_tg,
                accuracy=sec_tg / n * 1e9,
                notes="ModelHawkesExpKernLogLik.loss_and_grad after its precompute (beta fixed)",
            )
        )
    write_records(recs, args.out)


if __name__ == "__main__":
    main()
