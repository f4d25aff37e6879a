"""Course plumbing that is not what a lesson teaches.

- ``runtime``          where the course runs (Colab, a TPU attached) and keeping torch_xla's TPU probe offline
- ``lightning_setup``  what every training lesson does before its first Trainer
- ``colab``            setting up a Colab runtime (each lesson's first cell): the TPU check, then what Colab lacks
- ``params``           checking papermill parameters
- ``run_dirs``         a lesson's own output folder, emptied on every run
- ``report``           a lesson's final metrics, for learners and the headless course run
- ``trainers``         a quiet ``Trainer`` for side fits (checkers, lessons' checks, tests)
- ``console``          C-level console output of a block (a DDP fit's workers) sent to a file
"""
