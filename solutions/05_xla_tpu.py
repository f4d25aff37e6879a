"""Lesson 5: reference solutions."""

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, DistributedSampler


def train_fixed(model, loader, steps):
    """SGD on the XLA device for ``steps`` steps: full batches only, the loss read in a step closure."""
    import torch_xla
    import torch_xla.core.xla_model as xm

    device = torch_xla.device()
    model.to(device).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    losses, step = [], 0
    while step < steps:
        for images, labels in loader:
            if len(images) < loader.batch_size:  # a smaller batch would be a new shape: a new graph
                continue
            images, labels = images.to(device), labels.to(device)
            optimizer.zero_grad()
            loss = F.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
            xm.add_step_closure(lambda value: losses.append(float(value.cpu())), args=(loss.detach(),))
            torch_xla.sync()
            step += 1
            if step == steps:
                break
    torch_xla.sync(wait=True)
    return losses


def tpu_loader(dataset, batch_size, world_size, rank):
    """Process ``rank``'s shard of ``dataset``, reshuffled reproducibly, every batch full."""
    sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=0, drop_last=True)
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler, drop_last=True)


def train_compiled(model, loader, steps):
    """SGD as in train_raw, each step compiled by torch_xla.compile; the losses read once training is over."""
    import torch_xla

    device = torch_xla.device()
    model.to(device).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

    @torch_xla.compile
    def step(images, labels):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        return loss

    losses = []
    while len(losses) < steps:
        for images, labels in loader:
            losses.append(step(images.to(device), labels.to(device)))
            if len(losses) == steps:
                break
    return [loss.item() for loss in losses]
