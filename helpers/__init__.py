"""The installable package every lesson imports: what earlier lessons built, and the plumbing that is not the point.

Where each piece lives (a lesson's import line says which):

- ``helpers.data``       Fashion-MNIST: the IDX format, the real dataset's facts, the offline stand-in,
                         which copy to read, lesson 2's in-memory dataset, lesson 3's DataModule
- ``helpers.model``      lesson 4's ``LightningModule`` (the course's CNN)
- ``helpers.callbacks``  callbacks the lessons reuse, and a check that every ``monitor=`` name is logged
- ``helpers.loggers``    setting up experiment loggers so they never prompt or fail half-way (lesson 6)
- ``helpers.log_readers``  reading back what TensorBoard, CSV, MLflow and W&B wrote (lesson 6)
- ``helpers.plotting``   a batch of images as a titled grid
- ``helpers.xla``        lesson 5: is an XLA device usable, torch_xla's counters, Lightning on the CPU XLA device
- ``helpers.exercises``  the checkers of every lesson's exercises
- ``helpers.course``     course plumbing: runtime checks, Colab, parameters, run folders, final metrics
"""

__version__ = "0.2.0"
