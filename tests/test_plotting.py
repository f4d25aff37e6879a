import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from helpers.data import CLASS_NAMES  # noqa: E402
from helpers.plotting import plot_image_grid  # noqa: E402


def test_grid_titles_are_class_names():
    labels = torch.arange(32) % 10
    fig = plot_image_grid(torch.rand(40, 1, 28, 28), labels, CLASS_NAMES, nrows=4, ncols=8)
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == 32 and titles[:3] == ["T-shirt/top", "Trouser", "Pullover"]
    plt.close(fig)


def test_predictions_are_marked_right_and_wrong():
    labels = torch.tensor([0, 1, 2, 3])
    fig = plot_image_grid(torch.rand(4, 28, 28), labels, CLASS_NAMES, nrows=2, ncols=2, predictions=[0, 1, 5, 3])
    wrong = fig.axes[2]
    assert wrong.get_title() == "Sandal\n(is Pullover)" and wrong.title.get_color() == "red"
    assert fig.axes[0].title.get_color() == "green"
    plt.close(fig)


def test_too_few_images():
    with pytest.raises(ValueError, match="needs 32 images, got 5"):
        plot_image_grid(torch.rand(5, 1, 28, 28), [0] * 5, CLASS_NAMES)
