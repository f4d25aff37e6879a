"""Course plumbing that is not what a lesson teaches.

- ``runtime``          where the course runs (Colab, a TPU attached) and keeping torch_xla's TPU probe offline
- ``lesson``           the one call that starts every lesson: parameters checked, Lightning set up, run folder
- ``lightning_setup``  what every lesson does before its first Trainer
- ``colab``            setting up a Colab runtime: the TPU check, then what Colab lacks (``colab_setup`` runs it)
- ``params``           the one validator of parameters and arguments
- ``run_dirs``         a lesson's own output folder, emptied on every run
- ``trainers``         a quiet ``Trainer`` for side fits (exercise checkers, tests, benchmarks)
- ``console``          C-level console output of a block (a DDP fit's workers) sent to a file
"""
