"""Fashion-MNIST for the course: the on-disk format, the real dataset's facts, the offline stand-in, and loaders.

- ``facts``          class names, file names, mean and std of the real dataset
- ``idx``            the IDX file format: write a file, check one before torchvision reads it
- ``standin``        the offline, learnable stand-in, written in the real dataset's format
- ``fashion_mnist``  which copy a lesson uses (real or stand-in), making it ready, and reading it
- ``in_memory``      lesson 2's fast path: the whole dataset as one tensor, a batch per indexing operation
- ``throughput``     lesson 2's measurement of images per second, per-image path against in-memory path
- ``datamodule``     lesson 3's ``LightningDataModule``, packaged for lessons 4-8
- ``resumable``      the DataModule's train loader, which Lightning can resume mid-epoch
"""
