"""softdtw_learn: learning with soft-DTW (Cuturi & Blondel, ICML 2017).

Fast Numba kernels for soft-DTW, its gradient, the soft-DTW divergence and
DTW, with scikit-learn compatible tools built on them.
"""

__version__ = "0.1.0.dev0"

__all__ = ["__version__"]
