"""Shared plumbing for the PyTorch Lightning course.

One module per job, so a lesson's import says where the code lives:

- ``helpers.runtime``     where we run (Colab, TPU attached) and keeping Lightning off the network
- ``helpers.params``      checking papermill parameters
- ``helpers.idx``         reading/writing/validating IDX files (the Fashion-MNIST on-disk format)
- ``helpers.standin``     the offline, learnable Fashion-MNIST stand-in
- ``helpers.data``        Fashion-MNIST through torchvision, from the real files or the stand-in
- ``helpers.datamodule``  the ``LightningDataModule`` later lessons reuse
- ``helpers.resumable``   a shuffling train loader Lightning can resume mid-epoch from a checkpoint
- ``helpers.loading``     the article's loading path and a faster in-memory one (lesson 2, bench/)
- ``helpers.plotting``    image grids with class names
- ``helpers.model``       the course's Fashion-MNIST CNN as a ``LightningModule`` (lessons 4-7)
- ``helpers.callbacks``   reusable callbacks (metrics history, epoch timer, hook recorder) and ``monitor=`` checks
- ``helpers.loggers``     setting loggers up safely (W&B mode, writable folders, a local MLflow store)
- ``helpers.log_readers`` reading back what TensorBoard, CSV, MLflow and W&B loggers wrote (lesson 6)
- ``helpers.run_dirs``    a lesson's own output folder, emptied on every run
- ``helpers.interruptible_fit``  a deterministic fit that can be killed and resumed (the resume tests)
- ``helpers.report``      a lesson's final metrics, for learners and the headless course run
- ``helpers.colab_bootstrap``  the one source of every notebook's first (Colab bootstrap) cell
- ``helpers.xla_device``  is an XLA device usable here, which kind, how many (lesson 5)
- ``helpers.xla_metrics`` torch_xla's compile/execute/fallback counters as plain numbers
- ``helpers.xla_loop``    the reference raw torch_xla loop, a naive recompiling one, a sharded loader
- ``helpers.xla_lightning``  Lightning on the CPU XLA device (a TPU uses ``accelerator="tpu"``)
"""

__version__ = "0.1.0"
