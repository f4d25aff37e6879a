"""Shared plumbing for the PyTorch Lightning course.

One module per job, so a lesson's import says where the code lives:

- ``helpers.runtime``     where we run (Colab, TPU attached) and keeping Lightning off the network
- ``helpers.params``      checking papermill parameters
- ``helpers.idx``         reading/writing/validating IDX files (the Fashion-MNIST on-disk format)
- ``helpers.standin``     the offline, learnable Fashion-MNIST stand-in
- ``helpers.data``        Fashion-MNIST through torchvision, from the real files or the stand-in
- ``helpers.datamodule``  the ``LightningDataModule`` later lessons reuse
- ``helpers.loading``     the article's loading path and a faster in-memory one (lesson 2, bench/)
- ``helpers.plotting``    image grids with class names
"""

__version__ = "0.1.0"
