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
- ``helpers.report``      a lesson's final metrics, for learners and the headless course run
- ``helpers.colab_bootstrap``  the one source of every notebook's first (Colab bootstrap) cell
- ``helpers.xla_device``  is an XLA device usable here, which kind, how many (lesson 5)
- ``helpers.xla_metrics`` torch_xla's compile/execute/fallback counters as plain numbers
- ``helpers.xla_loop``    the reference raw torch_xla loop, a naive recompiling one, a sharded loader
- ``helpers.xla_lightning``  Lightning on the CPU XLA device (a TPU uses ``accelerator="tpu"``)
"""

__version__ = "0.1.0"
