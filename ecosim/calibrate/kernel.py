"""The perturbation kernel of the search: pyabc's multivariate normal, in units of each spread.

ABC-SMC proposes a generation's particles by perturbing the last generation's with a
multivariate normal kernel whose covariance is the particles' own, times Silverman's
bandwidth, and weights each accepted particle by its prior density over the kernel's
density at it (Beaumont et al. 2009). pyabc evaluates that density with scipy's
``multivariate_normal(allow_singular=True)``, which treats as singular every direction
whose variance is below about 2e-10 times the largest: the kernel's density then ignores
those directions altogether. A calibration's parameters often differ that much in scale
(Bass's p has a posterior spread of about 0.003, a market size in thousands of units one of
about 3,000: a ratio of variances of 1e-12), and the weights then silently ignore p.

:class:`ScaledNormalTransition` fits the same kernel to the particles divided by their
weighted standard deviations and maps its draws and densities back. In exact arithmetic it
is the same kernel (a normal kernel is affine equivariant), except where the particles span
fewer dimensions than there are parameters (:meth:`ScaledNormalTransition.fit`); in
floating point its covariance is a correlation matrix, whose eigenvalues are far from the
cut-off unless two parameters are almost exactly collinear.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyabc
import scipy.stats
from pyabc.parameters import Parameter
from pyabc.weighted_statistics import weighted_mean, weighted_std

__all__ = ["ScaledNormalTransition", "spread"]

KERNEL_BLOCK = 10_000
"""Point-particle pairs whose densities are computed at once (larger blocks were slower
here: their arrays leave the processor's cache)."""


def spread(X: pd.DataFrame, w: np.ndarray) -> pd.Series:
    """Return each parameter's weighted standard deviation, the unit of the kernel.

    A parameter without spread (one particle, or all alike) is measured in units of its
    size, as pyabc measures a single particle, or in its own units when it is 0.

    Parameters
    ----------
    X : pandas.DataFrame
        The particles, one column per parameter.
    w : numpy.ndarray
        Their weights, summing to 1.

    Returns
    -------
    pandas.Series
        One positive number per column of ``X``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> spread(pd.DataFrame({"p": [0.01, 0.03], "m": [5.0, 5.0]}), np.array([0.5, 0.5]))
    p    0.01
    m    5.00
    dtype: float64
    """
    values, weights = X.to_numpy(float), w[:, np.newaxis]
    sd = weighted_std(values, weights)
    size = np.abs(weighted_mean(values, weights))
    return pd.Series(np.where(sd > 0, sd, np.where(size > 0, size, 1.0)), index=X.columns)


class ScaledNormalTransition(pyabc.transition.Transition):
    """pyabc's :class:`~pyabc.MultivariateNormalTransition` fitted in units of each spread.

    Draws and densities are those of the kernel on the original scale: a draw is the
    scaled kernel's draw times :attr:`scale`, a density the scaled kernel's density over
    the product of :attr:`scale` (the Jacobian).

    Attributes
    ----------
    kernel : pyabc.MultivariateNormalTransition
        The kernel on the scaled particles.
    scale : pandas.Series
        The unit of each parameter (:func:`spread` of the last fit).
    """

    def __init__(self) -> None:
        self.kernel = pyabc.MultivariateNormalTransition()
        self.scale: pd.Series | None = None
        self._centres = self._weights = self._units = None
        self._jacobian = 1.0

    def fit(self, X: pd.DataFrame, w: np.ndarray) -> None:
        """Fit the kernel to the particles ``X`` with weights ``w``, each in units of its spread.

        Particles that span fewer dimensions than there are parameters (no more particles
        than parameters, as in the small bootstraps of pyabc's population-size rule, or
        parameters moving in lockstep) have a singular covariance, whose density is 0 off
        their plane; the kernel then perturbs each parameter independently, with the
        variances alone.
        """
        self.scale = spread(X, w)
        scaled = X / self.scale
        self.kernel.fit(scaled, w)
        cov = self.kernel.cov
        if np.linalg.matrix_rank(cov) < len(cov):
            self.kernel.cov = np.diag(np.diag(cov))
            self.kernel.normal = scipy.stats.multivariate_normal(
                cov=self.kernel.cov, allow_singular=True
            )
        # What a draw and a density read, as arrays: pyabc's kernel does the same
        # arithmetic on pandas objects, a tenth of a millisecond per particle.
        self._centres, self._weights = scaled.to_numpy(float), self.kernel.w
        self._units = self.scale.to_numpy()
        self._jacobian = float(np.prod(self._units))

    def rvs_single(self) -> Parameter:
        """Draw one perturbed particle.

        The draws of pyabc's :meth:`~pyabc.MultivariateNormalTransition.rvs_single`, from
        numpy's global random state, in its order: a particle by weight, then its
        perturbation.
        """
        index = np.random.choice(np.arange(len(self._centres)), p=self._weights, replace=True)  # noqa: NPY002
        step = np.random.multivariate_normal(np.zeros(len(self._units)), self.kernel.cov)  # noqa: NPY002
        values = (self._centres[index] + step) * self._units
        return Parameter(dict(zip(self.scale.index, values, strict=True)))

    def rvs(self, size: int | None = None) -> Parameter | pd.DataFrame:
        """Draw ``size`` perturbed particles (one :class:`~pyabc.parameters.Parameter` if None)."""
        if size is None:
            return self.rvs_single()
        return self.kernel.rvs(size) * self.scale

    def pdf(self, x: Parameter | pd.Series | pd.DataFrame) -> float | np.ndarray:
        """Return the kernel's density at ``x``, on the parameters' own scale.

        The densities of a table of points are those of pyabc's kernel point by point,
        computed for many points at once (pyabc loops over them in Python: most of the
        time of its population-size rule, which evaluates its bootstrapped kernels at
        every particle).
        """
        if isinstance(x, pd.DataFrame):
            return self._densities((x[self.scale.index] / self.scale).to_numpy()) / self._jacobian
        point = np.array([x[key] for key in self.scale.index]) / self._units
        density = (self.kernel.normal.pdf(point - self._centres) * self._weights).sum()
        return float(density) / self._jacobian

    def _densities(self, points: np.ndarray) -> np.ndarray:
        """Return the scaled kernel's density at each row of ``points``, in blocks of rows."""
        centres, weights = self._centres, self._weights
        rows = max(1, KERNEL_BLOCK // len(centres))
        densities = np.empty(len(points))
        for start in range(0, len(points), rows):
            block = points[start : start + rows]
            pairs = (block[:, np.newaxis, :] - centres).reshape(-1, centres.shape[1])
            each = np.reshape(self.kernel.normal.pdf(pairs), (len(block), len(centres)))
            densities[start : start + rows] = (each * weights).sum(axis=1)
        return densities
