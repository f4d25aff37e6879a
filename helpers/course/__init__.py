"""Course plumbing that is not what a lesson teaches.

- ``runtime``          where the course runs (Colab, a TPU attached) and keeping torch_xla's TPU probe offline
- ``lightning_setup``  what every training lesson does before its first Trainer
- ``colab``            on a Colab TPU runtime, matching torch and torch_xla (called by each lesson's first cell)
- ``params``           checking papermill parameters
- ``run_dirs``         a lesson's own output folder, emptied on every run
- ``report``           a lesson's final metrics, for learners and the headless course run
"""
