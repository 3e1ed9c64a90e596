import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from riskhub_assets.ml import plots


@pytest.mark.parametrize("draw", [plots.roc_figure, plots.calibration_figure, plots.gains_figure])
def test_figures_render_without_opening_windows(draw):
    rng = np.random.default_rng(0)
    p = rng.random(500)
    y = (rng.random(500) < p).astype(int)
    figure = draw(y, p)
    assert isinstance(figure, Figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    assert buffer.getvalue().startswith(b"\x89PNG")
    assert plt.get_fignums() == []
