"""Time-series datasets: archive readers and the sets bundled with the package.

:func:`load_ucr` loads any archive dataset: bundled, cached or downloaded.

The bundled sets (ECG200, CBF, GunPoint) come from the UCR Time Series
Classification Archive:

    H. A. Dau, A. Bagnall, K. Kamgar, C.-C. M. Yeh, Y. Zhu, S. Gharghabi,
    C. A. Ratanamahatana, E. Keogh. "The UCR Time Series Archive",
    IEEE/CAA Journal of Automatica Sinica, 2019.
"""

from ._bundled import bundled_path, load_cbf, load_ecg200, load_gunpoint
from ._fetcher import load_ucr
from ._frames import from_long_dataframe, from_nested_dataframe, to_long_dataframe
from ._generators import make_cylinder_bell_funnel
from ._readers import read_ucr_file

__all__ = [
    "bundled_path",
    "from_long_dataframe",
    "from_nested_dataframe",
    "load_cbf",
    "load_ecg200",
    "load_gunpoint",
    "load_ucr",
    "make_cylinder_bell_funnel",
    "read_ucr_file",
    "to_long_dataframe",
]
