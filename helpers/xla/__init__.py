"""Lesson 5's XLA pieces: is an XLA device usable here, torch_xla's counters, and Lightning on the CPU XLA device.

- ``device``       which XLA device this process can use (a TPU, or torch_xla's CPU device), and why not
- ``metrics``      graph compilations, executions and CPU fallbacks as plain numbers
- ``accelerator``  ``Trainer`` arguments for the XLA device (a TPU, or the CPU XLA device in CI)

The training loops themselves are written in lesson 5.
"""
