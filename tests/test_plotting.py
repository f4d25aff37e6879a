import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from helpers.data.facts import CLASS_NAMES  # noqa: E402
from helpers.plotting import plot_image_grid  # noqa: E402


def test_grid_titles_are_class_names_and_at_most_max_images():
    labels = torch.arange(40) % 10
    fig = plot_image_grid(torch.rand(40, 1, 28, 28), labels, CLASS_NAMES)
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == 32 and titles[:3] == ["T-shirt/top", "Trouser", "Pullover"]
    assert fig.axes[0].get_subplotspec().get_gridspec().get_geometry() == (4, 8)
    plt.close(fig)


def test_predictions_are_marked_right_and_wrong():
    labels = torch.tensor([0, 1, 2, 3])
    fig = plot_image_grid(torch.rand(4, 28, 28), labels, CLASS_NAMES, ncols=2, predictions=[0, 1, 5, 3])
    wrong = fig.axes[2]
    assert wrong.get_title() == "Sandal\n(is Pullover)" and wrong.title.get_color() == "red"
    assert fig.axes[0].title.get_color() == "green"
    plt.close(fig)


@pytest.mark.parametrize(("count", "grid"), [(1, (1, 1)), (5, (1, 5)), (12, (2, 8))])
def test_a_small_batch_is_shown_whole(count, grid):
    fig = plot_image_grid(torch.rand(count, 1, 28, 28), [0] * count, CLASS_NAMES)
    assert fig.axes[0].get_subplotspec().get_gridspec().get_geometry() == grid
    assert sum(bool(ax.get_title()) for ax in fig.axes) == count
    plt.close(fig)


def test_an_empty_batch_is_refused():
    with pytest.raises(ValueError, match="no images"):
        plot_image_grid(torch.rand(0, 1, 28, 28), [], CLASS_NAMES)
