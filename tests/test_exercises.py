"""Every checker accepts its reference solution and a second, differently written correct answer, and rejects each
wrong answer of a table with the words a learner should read."""

import copy
import importlib
import importlib.util
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from time import perf_counter
from types import ModuleType

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from pytorch_lightning.callbacks import EarlyStopping, ModelCheckpoint
from pytorch_lightning.loggers import CSVLogger, TensorBoardLogger
from pytorch_lightning.tuner import Tuner
from sklearn.datasets import make_classification
from torch.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    DistributedSampler,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    random_split,
)
from torch.utils.data.dataloader import default_collate
from torchvision import transforms

from helpers.data.facts import CLASS_NAMES
from helpers.data.fashion_mnist import prepare_fashion_mnist
from helpers.data.standin import StandinSpec
from helpers.exercises import Verdict, lesson1, lesson2, lesson3, lesson4, lesson5, lesson6, lesson7, lesson8
from helpers.model import FashionCNN
from helpers.xla.device import TORCH_XLA_MISSING, torch_xla_installed
from tools.paths import SOLUTIONS


def solution(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SOLUTIONS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


S1, S2, S3, S4, S5, S6, S7, S8 = (solution(path.stem) for path in sorted(SOLUTIONS.glob("0*_*.py")))


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    copy = prepare_fashion_mnist(tmp_path_factory.mktemp("data"), "standin", StandinSpec(50, 10, 0))
    return copy.dataset(train=True, transform=transforms.ToTensor())


def passed(verdict: Verdict) -> bool:
    assert isinstance(verdict, Verdict) and repr(verdict) == verdict.message
    assert verdict.message.startswith("Correct (" if verdict.passed else ("Not yet (", "Not checked ("))
    assert "\n" not in verdict.message
    return verdict.passed


def check(checker: Callable[..., Verdict], answer: object, images: Dataset) -> Verdict:
    """``checker``'s verdict on ``answer``, called as the lesson's exercise cell calls it."""
    if checker in (lesson5.check_train_fixed, lesson5.check_train_compiled) and not torch_xla_installed():
        pytest.skip(TORCH_XLA_MISSING)
    if checker is lesson1.check_fashion_dicts:
        return checker(answer, images)
    if checker is lesson4.check_sgd_optimizers:  # it checks a model, not a class
        return checker(answer(learning_rate=0.05))
    return checker(answer)


# ---------------------------------------------------------------- the reference solutions pass


LESSONS = (lesson1, lesson2, lesson3, lesson4, lesson5, lesson6, lesson7, lesson8)
REFERENCE = {  # checker: its answer in the lesson's solutions/NN_topic.py
    lesson1.check_fashion_dicts: S1.FashionDicts,
    lesson1.check_standardized_table: S1.StandardizedTable,
    lesson2.check_pad_collate: S2.pad_collate,
    lesson2.check_make_loader: S2.make_loader,
    lesson2.check_worker_loader: S2.make_worker_loader,
    lesson3.check_tabular_datamodule: S3.TabularDataModule,
    lesson3.check_csv_datamodule: S3.CsvDataModule,
    lesson3.check_split_with_transforms: S3.split_with_transforms,
    lesson4.check_time_budget: S4.TimeBudget,
    lesson4.check_early_stopping: S4.early_stop,
    lesson4.check_sgd_optimizers: S4.SGDFashionCNN,
    lesson4.check_evaluate: S4.evaluate,
    lesson4.check_quick_check_trainer: S4.quick_check_trainer,
    lesson5.check_train_fixed: S5.train_fixed,
    lesson5.check_tpu_loader: S5.tpu_loader,
    lesson5.check_train_compiled: S5.train_compiled,
    lesson6.check_confusion_matrix_callback: S6.ConfusionMatrixLogger,
    lesson6.check_val_error_model: S6.ValErrorCNN,
    lesson7.check_build_trainer: S7.build_trainer,
    lesson7.check_per_class_accuracy: S7.per_class_accuracy,
    lesson7.check_find_learning_rate: S7.find_learning_rate,
    lesson7.check_precision_dtypes: S7.dtypes_in_step,
    lesson7.check_evaluate_best: S7.evaluate_best,
    lesson8.check_synced_validation: S8.SyncedValidationCNN,
    lesson8.check_accumulation: S8.accumulation,
}


@pytest.mark.parametrize("checker", REFERENCE, ids=[checker.__name__ for checker in REFERENCE])
def test_the_reference_solution_passes(checker, images):
    assert passed(check(checker, REFERENCE[checker], images))


def test_every_checker_has_a_solution_a_second_answer_and_wrong_answers():
    checkers = {function for module in LESSONS for name, function in vars(module).items() if name.startswith("check_")}
    assert checkers == set(REFERENCE) == {case.values[0] for case in ACCEPTED}
    assert checkers == {case.values[0] for case in REJECTED}


# ---------------------------------------------------------------- second answers, written another way


class FashionDictsByFields(Dataset):
    def __init__(self, source):
        self.source = source

    def __len__(self):
        return len(self.source.targets)

    def __getitem__(self, index):
        image, label = self.source[index]
        return dict(name=self.source.classes[label], label=torch.as_tensor(label, dtype=torch.long), image=image)


class NumpyStandardizedTable(Dataset):
    def __init__(self, features, targets, stats=None):
        self.stats = stats or (features.mean(axis=0), features.std(axis=0, ddof=1))
        self.rows = ((features - self.stats[0]) / self.stats[1]).astype(np.float32)
        self.targets = targets

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, index):
        return {"features": torch.from_numpy(self.rows[index]), "target": torch.tensor(self.targets[index])}


def pad_by_hand(samples):
    lengths = torch.tensor([len(sample["tokens"]) for sample in samples])
    tokens = torch.zeros(len(samples), int(lengths.max()), dtype=torch.long)
    for row, sample in enumerate(samples):
        tokens[row, : len(sample["tokens"])] = sample["tokens"]
    return {"labels": torch.tensor([sample["label"] for sample in samples]), "tokens": tokens, "lengths": lengths}


def batch_sampler_loader(dataset, batch_size, seed):
    shuffled = RandomSampler(dataset, generator=torch.Generator().manual_seed(seed))
    return DataLoader(dataset, batch_sampler=BatchSampler(shuffled, batch_size, drop_last=True))


class PermutedDataModule(pl.LightningDataModule):
    def __init__(self, dataset, batch_size=32, val_fraction=0.2, seed=0):
        super().__init__()
        self.dataset, self.batch_size, self.val_fraction, self.seed = dataset, batch_size, val_fraction, seed

    def setup(self, stage=None):
        order = torch.randperm(len(self.dataset), generator=torch.Generator().manual_seed(self.seed)).tolist()
        n_val = round(len(order) * self.val_fraction)
        self.val_set, self.train_set = Subset(self.dataset, order[:n_val]), Subset(self.dataset, order[n_val:])

    def train_dataloader(self):
        return DataLoader(self.train_set, self.batch_size, shuffle=True)

    def val_dataloader(self):
        return DataLoader(self.val_set, self.batch_size, shuffle=False)


class PandasCsvDataModule(pl.LightningDataModule):
    """With a header line, read by pandas."""

    def __init__(self, folder, batch_size=32):
        super().__init__()
        self.csv, self.batch_size = Path(folder) / "table.csv", batch_size

    def prepare_data(self):
        if not self.csv.exists():
            X, y = make_classification(n_samples=100, n_features=3, n_informative=2, n_redundant=0, random_state=1)
            pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": X[:, 2], "target": y}).to_csv(self.csv, index=False)

    def setup(self, stage=None):
        table = pd.read_csv(self.csv)
        features = torch.tensor(table.iloc[:, :-1].to_numpy(), dtype=torch.float32)
        rows = [{"features": row, "target": torch.tensor(int(t))} for row, t in zip(features, table["target"])]
        self.train_set, self.val_set = random_split(rows, [0.75, 0.25], generator=torch.Generator().manual_seed(1))

    def train_dataloader(self):
        return DataLoader(self.train_set, batch_size=self.batch_size, shuffle=True)

    def val_dataloader(self):
        return DataLoader(self.val_set, batch_size=self.batch_size)


class PerfCounterBudget(pl.Callback):
    """The clock imported by name, the start noted when the fit starts."""

    def __init__(self, seconds):
        self.seconds = seconds

    def on_fit_start(self, trainer, pl_module):
        self.deadline = perf_counter() + self.seconds

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        trainer.should_stop = trainer.should_stop or perf_counter() >= self.deadline


def optimizers_returning(configure: Callable[[FashionCNN], object]) -> type[FashionCNN]:
    """A FashionCNN whose configure_optimizers returns ``configure(self)``."""
    return type("Answer", (FashionCNN,), {"configure_optimizers": configure})


def sgd(model: FashionCNN, **options) -> torch.optim.SGD:
    return torch.optim.SGD(model.parameters(), **({"lr": model.hparams.learning_rate, "momentum": 0.9} | options))


def sgd_with(scheduler: Callable[[torch.optim.Optimizer], object], **options) -> type[FashionCNN]:
    """A FashionCNN returning ``{"optimizer": SGD(**options), "lr_scheduler": scheduler(that SGD)}``."""

    def configure(model):
        optimizer = sgd(model, **options)
        return {"optimizer": optimizer, "lr_scheduler": scheduler(optimizer)}

    return optimizers_returning(configure)


def step_lr(step_size: int = 2, gamma: float = 0.5, **config) -> Callable[[torch.optim.Optimizer], object]:
    """A StepLR for an optimizer, in a scheduler dict with ``config`` when there is one."""

    def make(optimizer):
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=step_size, gamma=gamma)
        return {"scheduler": scheduler, **config} if config else scheduler

    return make


def mp_loader_loop(model, loader, steps):
    """A drop_last copy of the loader through MpDeviceLoader, SGD with momentum, xm.optimizer_step."""
    import torch_xla
    import torch_xla.core.xla_model as xm
    from torch_xla.distributed.parallel_loader import MpDeviceLoader

    device = torch_xla.device()
    model.to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    full_batches = DataLoader(loader.dataset, batch_size=loader.batch_size, shuffle=True, drop_last=True)
    losses = []
    while len(losses) < steps:
        for images, labels in MpDeviceLoader(full_batches, device):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(images), labels)
            loss.backward()
            xm.optimizer_step(optimizer)
            xm.add_step_closure(lambda value: losses.append(value.cpu().tolist()), args=(loss,))
            torch_xla.sync()
            if len(losses) == steps:
                break
    return losses


def batch_sampler_shard(dataset, batch_size, world_size, rank):
    shard = DistributedSampler(dataset, world_size, rank, shuffle=True, seed=7)
    return DataLoader(dataset, batch_sampler=BatchSampler(shard, batch_size, drop_last=True))


class ImshowConfusion(pl.Callback):
    """Counts by hand with bincount, drawn with imshow."""

    def on_validation_epoch_start(self, trainer, pl_module):
        self.counts = torch.zeros(10, 10, dtype=torch.long)

    def on_validation_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, dataloader_idx=0):
        images, labels = batch
        predicted = pl_module(images).argmax(dim=1)
        self.counts += torch.bincount(labels * 10 + predicted, minlength=100).reshape(10, 10)

    def on_validation_epoch_end(self, trainer, pl_module):
        if trainer.sanity_checking:
            return
        figure = plt.figure()
        figure.gca().imshow(self.counts.numpy(), cmap="Blues")
        trainer.logger.experiment.add_figure("confusion_matrix", figure, trainer.global_step)


class ValErrorFromCounts(FashionCNN):
    def on_validation_epoch_start(self):
        self.wrong, self.seen = 0, 0

    def validation_step(self, batch, batch_idx):
        super().validation_step(batch, batch_idx)
        images, labels = batch
        self.wrong += int((self(images).argmax(dim=1) != labels).sum())
        self.seen += len(labels)

    def on_validation_epoch_end(self):
        self.log("val_error", self.wrong / self.seen)


def two_checkpoint_callbacks(run_dir, max_epochs):
    """The lesson's own pattern: the best checkpoint from one ModelCheckpoint, last.ckpt from another."""
    folder = Path(run_dir) / "checkpoints"
    return pl.Trainer(
        max_epochs=max_epochs,
        callbacks=[
            ModelCheckpoint(dirpath=folder, filename="best-{epoch}", monitor="val_acc", mode="max", save_top_k=1),
            ModelCheckpoint(dirpath=folder, every_n_train_steps=50, save_top_k=0, save_last=True),
            EarlyStopping("val_loss", patience=2),
        ],
        logger=[CSVLogger(run_dir, name="csv")],
        enable_progress_bar=False,
    )


class SyncedWith(FashionCNN):
    """A validation_step logging val_loss and val_acc with the class's ``options`` (and its ``names``)."""

    options: dict = {"sync_dist": True}
    names = ("val_loss", "val_acc")

    def validation_step(self, batch, batch_idx):
        images, labels = batch
        logits = self(images)
        loss_name, acc_name = self.names
        self.log(loss_name, F.cross_entropy(logits, labels), **self.options)
        self.log(acc_name, (logits.argmax(dim=1) == labels).float().mean(), **self.options)


def synced(**changes) -> type:
    return type("Answer", (SyncedWith,), changes)


class SyncedByDict(FashionCNN):
    def validation_step(self, batch, batch_idx):
        images, labels = batch
        logits = self(images)
        accuracy = (logits.argmax(1) == labels).float().mean()
        self.log_dict({"val_acc": accuracy, "val_loss": F.cross_entropy(logits, labels)}, sync_dist=True)


class LossOfOtherLabels(FashionCNN):
    def validation_step(self, batch, batch_idx):
        images, labels = batch
        logits = self(images)
        self.log("val_loss", F.cross_entropy(logits, (labels + 1) % 10), sync_dist=True)
        self.log("val_acc", (logits.argmax(dim=1) == labels).float().mean(), sync_dist=True)


def accumulation_via_divmod(effective, batch, devices):
    steps, left = divmod(effective, batch * devices)
    if left or not steps:
        raise ValueError(f"{effective} is not a multiple of {batch * devices}: change effective_batch or batch_size")
    return steps


def accumulation_floored(effective, batch, devices):
    return effective // (batch * devices)


def accumulation_ignoring_devices(effective, batch, devices):
    if effective % batch:
        raise ValueError("not a multiple of the batch")
    return effective // batch


def accumulation_as_float(effective, batch, devices):
    if effective % (batch * devices):
        raise ValueError("not a multiple")
    return effective / (batch * devices)


def accumulation_silent_error(effective, batch, devices):
    if effective % (batch * devices):
        raise ValueError()
    return effective // (batch * devices)


def sampler_worker_loader(dataset, batch_size):
    batches = BatchSampler(SequentialSampler(dataset), batch_size, drop_last=False)
    return DataLoader(dataset, batch_sampler=batches, num_workers=2, persistent_workers=True)


def copies_per_side(dataset, val_size, seed, train_transform, eval_transform):
    """The lesson's pitfall avoided with a shallow copy of the dataset per side, each with its own transform."""
    train_part, val_part = random_split(
        dataset, [len(dataset) - val_size, val_size], generator=torch.Generator().manual_seed(seed)
    )
    train_copy, val_copy = copy.copy(dataset), copy.copy(dataset)
    train_copy.transform, val_copy.transform = train_transform, eval_transform
    return Subset(train_copy, train_part.indices), Subset(val_copy, val_part.indices)


class MappedItems(Dataset):
    def __init__(self, dataset, indices, transform):
        self.dataset, self.indices, self.transform = dataset, indices, transform

    def __len__(self):
        return len(self.indices)

    def __getitem__(self, index):
        image, label = self.dataset[self.indices[index]]
        return self.transform(image), label


def permuted_wrappers(dataset, val_size, seed, train_transform, eval_transform):
    order = torch.randperm(len(dataset), generator=torch.Generator().manual_seed(seed)).tolist()
    return MappedItems(dataset, order[val_size:], train_transform), MappedItems(
        dataset, order[:val_size], eval_transform
    )


def evaluate_in_inference_mode(network, loader):
    """Tensor sums under inference_mode, the network put back in the mode it was in."""
    was_training = network.training
    network.eval()
    loss_sum, right, count = torch.zeros(()), torch.zeros(()), 0
    with torch.inference_mode():
        for images, labels in loader:
            logits = network(images)
            loss_sum += F.cross_entropy(logits, labels) * len(labels)
            right += (logits.argmax(1) == labels).sum()
            count += len(labels)
    network.train(was_training)
    return float(loss_sum / count), float(right / count)


def evaluate_concatenated(network, loader):
    network.eval()
    with torch.no_grad():
        outputs = [(network(images), labels) for images, labels in loader]
    network.train()
    logits, labels = torch.cat([o for o, _ in outputs]), torch.cat([t for _, t in outputs])
    return F.cross_entropy(logits, labels).item(), (logits.argmax(dim=1) == labels).float().mean().item()


def limits_trainer():
    return pl.Trainer(
        max_steps=1,
        limit_train_batches=1,
        limit_val_batches=1,
        num_sanity_val_steps=0,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
    )


def train_in_compile_block(model, loader, steps):
    """torch_xla.compile() as a with-block around each step, full_graph, the losses read with one stack."""
    import itertools

    import torch_xla

    device = torch_xla.device()
    model.to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for images, labels in itertools.islice(itertools.cycle(loader), steps):
        with torch_xla.compile(full_graph=True):
            optimizer.zero_grad(set_to_none=True)
            loss = torch.nn.CrossEntropyLoss()(model(images.to(device)), labels.to(device))
            loss.backward()
            optimizer.step()
        losses.append(loss)
    return torch.stack(losses).cpu().tolist()


def train_decorated_with_options(model, loader, steps):
    """@torch_xla.compile(name=...) as a decorator, xm.optimizer_step, the batches moved inside the step."""
    import torch_xla
    import torch_xla.core.xla_model as xm

    device = torch_xla.device()
    model.to(device).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)

    @torch_xla.compile(name="sgd_step")
    def one_step(batch):
        images, labels = (tensor.to(device) for tensor in batch)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        xm.optimizer_step(optimizer)
        return loss

    batches = iter(loader)
    losses = [one_step(next(batches)) for _ in range(steps)]
    return [float(loss.detach().cpu()) for loss in losses]


def tuner_updates_the_model(model, datamodule):
    """lr_find's own update_attr sets hparams.learning_rate; the answer read back from the model."""
    trainer = pl.Trainer(
        logger=False, enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False
    )
    Tuner(trainer).lr_find(model, datamodule=datamodule, min_lr=1e-4, max_lr=0.1, num_training=30, update_attr=True)
    return float(model.hparams.learning_rate)


def named_attribute_search(model, datamodule):
    finder = Tuner(pl.Trainer(accelerator="cpu", logger=False, enable_checkpointing=False)).lr_find(
        model, datamodule=datamodule, num_training=30, max_lr=0.1, min_lr=0.0001, attr_name="learning_rate"
    )
    return finder.suggestion()


class HookedProbe(pl.LightningModule):
    """The dtypes noted by a forward hook on the first layer of a Sequential (it runs inside training_step)."""

    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
        self.net[0].register_forward_hook(self.note)

    def note(self, module, args, output):
        self.hooked = (module.weight.dtype, output.dtype)

    def training_step(self, batch, batch_idx):
        return F.cross_entropy(self.net(batch[0]).float(), batch[1])

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters())


def dtypes_by_hook(precision):
    model = HookedProbe()
    loader = DataLoader(TensorDataset(torch.randn(4, 4), torch.tensor([0, 1, 0, 1])), batch_size=4)
    pl.Trainer(precision=precision, fast_dev_run=True, accelerator="cpu").fit(model, loader)
    return model.hooked


ACCEPTED = [
    pytest.param(lesson1.check_fashion_dicts, FashionDictsByFields, id="fashion_dicts-classes_as_tensor"),
    pytest.param(lesson1.check_standardized_table, NumpyStandardizedTable, id="standardized_table-numpy_ddof1"),
    pytest.param(lesson2.check_pad_collate, pad_by_hand, id="pad_collate-zeros_and_slices"),
    pytest.param(lesson2.check_make_loader, batch_sampler_loader, id="make_loader-batch_sampler"),
    pytest.param(
        lesson2.check_worker_loader,
        lambda dataset, batch_size: DataLoader(
            dataset, batch_size, shuffle=False, num_workers=2, persistent_workers=True, prefetch_factor=1
        ),
        id="worker_loader-positional_prefetch_1",
    ),
    pytest.param(lesson2.check_worker_loader, sampler_worker_loader, id="worker_loader-batch_sampler"),
    pytest.param(lesson3.check_tabular_datamodule, PermutedDataModule, id="tabular-randperm_subsets"),
    pytest.param(lesson3.check_csv_datamodule, PandasCsvDataModule, id="csv-pandas_with_header"),
    pytest.param(lesson3.check_split_with_transforms, copies_per_side, id="split_transforms-copy_per_side"),
    pytest.param(lesson3.check_split_with_transforms, permuted_wrappers, id="split_transforms-randperm_wrappers"),
    pytest.param(lesson4.check_time_budget, PerfCounterBudget, id="time_budget-perf_counter_imported_by_name"),
    pytest.param(lesson4.check_early_stopping, EarlyStopping("val_acc", 0.005, 3, True, "max"), id="early-positional"),
    pytest.param(lesson4.check_sgd_optimizers, sgd_with(step_lr(1, frequency=2)), id="sgd-steplr_frequency_2"),
    pytest.param(
        lesson4.check_sgd_optimizers,
        sgd_with(lambda optimizer: torch.optim.lr_scheduler.LambdaLR(optimizer, lambda epoch: 0.5 ** (epoch // 2))),
        id="sgd-lambdalr",
    ),
    pytest.param(lesson4.check_evaluate, evaluate_in_inference_mode, id="evaluate-inference_mode_tensor_sums"),
    pytest.param(lesson4.check_evaluate, evaluate_concatenated, id="evaluate-concatenated_outputs"),
    pytest.param(lesson4.check_quick_check_trainer, limits_trainer, id="quick_check-limits_no_sanity"),
    pytest.param(
        lesson4.check_quick_check_trainer,
        lambda: pl.Trainer(fast_dev_run=1, accelerator="cpu", enable_model_summary=False),
        id="quick_check-fast_dev_run_1",
    ),
    pytest.param(lesson5.check_train_fixed, mp_loader_loop, id="train_fixed-mp_device_loader_momentum"),
    pytest.param(lesson5.check_tpu_loader, batch_sampler_shard, id="tpu_loader-batch_sampler"),
    pytest.param(lesson5.check_train_compiled, train_in_compile_block, id="train_compiled-with_block_stacked"),
    pytest.param(lesson5.check_train_compiled, train_decorated_with_options, id="train_compiled-decorator_named"),
    pytest.param(lesson6.check_confusion_matrix_callback, ImshowConfusion, id="confusion-bincount_imshow"),
    pytest.param(lesson6.check_val_error_model, ValErrorFromCounts, id="val_error-counted_per_epoch"),
    pytest.param(lesson7.check_build_trainer, two_checkpoint_callbacks, id="build_trainer-two_checkpoints"),
    pytest.param(
        lesson7.check_per_class_accuracy,
        lambda matrix: torch.nan_to_num(matrix.diagonal() / matrix.sum(dim=1)),
        id="per_class-nan_to_num",
    ),
    pytest.param(lesson7.check_find_learning_rate, tuner_updates_the_model, id="find_lr-update_attr"),
    pytest.param(lesson7.check_find_learning_rate, named_attribute_search, id="find_lr-attr_name"),
    pytest.param(lesson7.check_precision_dtypes, dtypes_by_hook, id="dtypes-forward_hook_fast_dev_run"),
    pytest.param(
        lesson7.check_evaluate_best,
        lambda trainer, model, datamodule: trainer.test(
            model, datamodule=datamodule, ckpt_path=trainer.checkpoint_callback.best_model_path, verbose=False
        )[0],
        id="evaluate_best-best_model_path",
    ),
    pytest.param(
        lesson7.check_evaluate_best,
        lambda trainer, model, datamodule: trainer.test(datamodule=datamodule, verbose=False)[0],
        id="evaluate_best-no_model_means_best",
    ),
    pytest.param(
        lesson8.check_synced_validation, synced(options={"sync_dist": True, "on_epoch": True}), id="synced-on_epoch"
    ),
    pytest.param(lesson8.check_synced_validation, SyncedByDict, id="synced-log_dict"),
    pytest.param(lesson8.check_accumulation, accumulation_via_divmod, id="accumulation-divmod"),
]


@pytest.mark.parametrize(("checker", "answer"), ACCEPTED)
def test_a_second_correct_answer_passes(checker, answer, images):
    assert passed(check(checker, answer, images))


# ---------------------------------------------------------------- wrong answers, and what the learner reads


def fashion_dicts_with(change: Callable[[dict], object]) -> type[Dataset]:
    """The reference FashionDicts with ``change`` applied to every item."""
    return type(
        "Answer", (S1.FashionDicts,), {"__getitem__": lambda self, i: change(S1.FashionDicts.__getitem__(self, i))}
    )


class FashionDictsStarter(S1.FashionDicts):
    def __getitem__(self, index):
        raise NotImplementedError("return a dict with 'image', 'label' and 'name'")


def table_answer(standardize: Callable[[torch.Tensor, tuple | None], tuple]) -> type[Dataset]:
    """A StandardizedTable whose features and stats come from ``standardize(features, stats) -> (rows, stats)``."""

    class Answer(S1.StandardizedTable):
        def __init__(self, features, targets, stats=None):
            super().__init__(features, targets, stats)
            self.features, self.stats = standardize(torch.as_tensor(features, dtype=torch.float32), stats)

    return Answer


class StandardizedTableStarter(S1.StandardizedTable):
    def __init__(self, features, targets, stats=None):
        self.features = torch.as_tensor(features, dtype=torch.float32)
        self.targets = torch.as_tensor(targets, dtype=torch.long)


class InPlaceTable(S1.StandardizedTable):
    def __init__(self, features, targets, stats=None):
        rows = torch.from_numpy(features)  # shares the caller's array
        self.stats = stats or (rows.mean(0), rows.std(0))
        rows -= self.stats[0]
        rows /= self.stats[1]
        self.features, self.targets = rows.float(), torch.as_tensor(targets)


def collate_with(change: Callable[[dict], dict]) -> Callable[[list[dict]], dict]:
    """The reference pad_collate with ``change`` applied to its batch."""
    return lambda samples: change(S2.pad_collate(samples))


def pad_in_place(samples):
    longest = max(len(sample["tokens"]) for sample in samples)
    for sample in samples:
        sample["tokens"] = F.pad(sample["tokens"], (0, longest - len(sample["tokens"])))
    return default_collate(samples) | {"lengths": torch.tensor([longest] * len(samples))}


def loader_answer(**options) -> Callable[[Dataset, int, int], DataLoader]:
    """make_loader built from the reference's keyword arguments with ``options`` changed."""

    def make_loader(dataset, batch_size, seed):
        reference = {"batch_size": batch_size, "shuffle": True, "drop_last": True}
        return DataLoader(dataset, **(reference | {"generator": torch.Generator().manual_seed(seed)} | options))

    return make_loader


def globally_seeded_loader(dataset, batch_size, seed):
    torch.manual_seed(seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=True, drop_last=True)


def datamodule_with(**methods) -> type[pl.LightningDataModule]:
    """The reference TabularDataModule with some methods replaced."""
    return type("Answer", (S3.TabularDataModule,), methods)


def split_with(generator: Callable[[pl.LightningDataModule], torch.Generator | None], fraction: float | None = None):
    """A setup splitting by ``fraction`` (the module's own when None) with ``generator(module)``."""

    def setup(self, stage=None):
        val = fraction or self.val_fraction
        self.train_set, self.val_set = random_split(self.dataset, [1 - val, val], generator=generator(self))

    return setup


class TabularStarter(pl.LightningDataModule):
    def __init__(self, dataset, batch_size=32, val_fraction=0.2, seed=0):
        super().__init__()
        self.dataset = dataset
        self.batch_size = batch_size

    def setup(self, stage=None):
        self.train_set = self.val_set = self.dataset

    def train_dataloader(self):
        return DataLoader(self.train_set, batch_size=self.batch_size)

    def val_dataloader(self):
        return DataLoader(self.val_set, batch_size=self.batch_size)


def csv_module_with(**methods) -> type[pl.LightningDataModule]:
    """The reference CsvDataModule with some methods replaced."""
    return type("Answer", (S3.CsvDataModule,), methods)


def csv_setup(read: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]], split: bool = True):
    """A setup reading table.csv into (features, targets) with ``read``, split 80/20 unless ``split`` is False."""

    def setup(self, stage=None):
        features, targets = read(np.loadtxt(self.csv, delimiter=","))
        rows = S3._Rows(np.column_stack([features, targets]))
        rows.targets = torch.as_tensor(targets)  # the dtype read gave
        parts = random_split(rows, [0.8, 0.2]) if split else (rows, rows)
        self.train_set, self.val_set = parts

    return setup


def own_rows_setup(self, stage=None):
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    self.train_set, self.val_set = random_split(S3._Rows(np.column_stack([X, y])), [0.8, 0.2])


def prepare_and_setup(self):
    S3.CsvDataModule.prepare_data(self)
    S3.CsvDataModule.setup(self)  # sets train_set in prepare_data: another process never sees it


def always_write(self):
    np.savetxt(
        self.csv,
        np.column_stack(make_classification(n_samples=50, n_features=3, n_redundant=0, random_state=0)),
        delimiter=",",
    )


class CsvStarter(pl.LightningDataModule):
    def __init__(self, folder, batch_size=32):
        super().__init__()
        self.folder = folder
        self.batch_size = batch_size

    def prepare_data(self):
        pass  # write folder/table.csv, once

    def setup(self, stage=None):
        pass  # read it: self.train_set, self.val_set


def budget(stop_when: Callable[[pl.Callback, pl.Trainer], bool], hook: str = "on_train_batch_end", start: str = "fit"):
    """A TimeBudget(seconds) that notes time.monotonic() in ``__init__`` or at the start of the fit or of every
    epoch (``start``: init, fit, epoch), and stops when ``stop_when(self, trainer)`` in ``hook``."""

    class Answer(pl.Callback):
        def __init__(self, seconds):
            self.seconds = seconds
            if start == "init":
                self.start = time.monotonic()

        def on_train_start(self, trainer, pl_module):
            if start == "fit":
                self.start = time.monotonic()

        def on_train_epoch_start(self, trainer, pl_module):
            if start == "epoch":
                self.start = time.monotonic()

    setattr(Answer, hook, lambda self, trainer, *args: setattr(trainer, "should_stop", stop_when(self, trainer)))
    return Answer


def spent(callback: pl.Callback, trainer: pl.Trainer) -> bool:
    return time.monotonic() - callback.start >= callback.seconds


class BudgetStarter(pl.Callback):
    def __init__(self, seconds):
        self.seconds = seconds


def train_loop(model, loader, steps, *, device=None, item=False, every_batch=False, update=True, sync=True, momentum=0):
    """Lesson 5's fixed loop with mistakes switched on: ``device`` cpu, ``.item()``, the smaller batches too (a new
    graph, and with ``momentum`` one more for the first step), no optimizer step, no sync after each step."""
    import torch_xla
    import torch_xla.core.xla_model as xm

    device = device or torch_xla.device()
    model.to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=momentum)
    batches = (b for _ in range(steps) for b in loader if every_batch or len(b[0]) == loader.batch_size)
    losses = []
    for _, (images, labels) in zip(range(steps), batches):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images.to(device)), labels.to(device))
        loss.backward()
        if update:
            optimizer.step()
        if item:
            losses.append(loss.item())
        else:
            xm.add_step_closure(lambda value: losses.append(float(value.cpu())), args=(loss.detach(),))
        if sync:
            torch_xla.sync()
    torch_xla.sync(wait=True)
    return losses


def reporting(change: Callable[[list[float]], list]) -> Callable:
    """The reference train_fixed, returning ``change(its losses)``."""
    return lambda model, loader, steps: change(S5.train_fixed(model, loader, steps))


def shard_loader(drop_last: bool = True, **sampler) -> Callable[[Dataset, int, int, int], DataLoader]:
    """tpu_loader with the reference's sampler arguments changed by ``sampler``."""

    def tpu_loader(dataset, batch_size, world_size, rank):
        reference = {"num_replicas": world_size, "rank": rank, "shuffle": True, "seed": 0, "drop_last": True}
        shard = DistributedSampler(dataset, **(reference | sampler))
        return DataLoader(dataset, batch_size=batch_size, sampler=shard, drop_last=drop_last)

    return tpu_loader


def reseeded_shard(dataset, batch_size, world_size, rank):
    return shard_loader(seed=int(torch.randint(2**31, ())))(dataset, batch_size, world_size, rank)


class ConfusionStarter(pl.Callback):
    def on_validation_epoch_start(self, trainer, pl_module):
        pass  # a new confusion matrix

    def on_validation_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, dataloader_idx=0):
        images, labels = batch  # update it with this batch's predictions

    def on_validation_epoch_end(self, trainer, pl_module):
        pass  # draw it and add the figure to TensorBoard


class BlankFigure(pl.Callback):
    def on_validation_epoch_end(self, trainer, pl_module):
        trainer.logger.experiment.add_figure("confusion_matrix", plt.figure(), trainer.global_step)


class NeverReset(S6.ConfusionMatrixLogger):
    def on_validation_epoch_start(self, trainer, pl_module):
        if not hasattr(self, "matrix"):
            super().on_validation_epoch_start(trainer, pl_module)


class LabelsAsPredictions(S6.ConfusionMatrixLogger):
    def on_validation_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, dataloader_idx=0):
        self.matrix.update(batch[1], batch[1])


def confusion_logger(draw: Callable[[torch.Tensor], torch.Tensor], step: Callable[[pl.Trainer], int]) -> type:
    """The reference ConfusionMatrixLogger, showing ``draw(its matrix)`` with imshow, at ``step(trainer)``."""

    def on_validation_epoch_end(self, trainer, pl_module):
        figure = plt.figure()
        figure.gca().imshow(draw(self.matrix.compute()).numpy())
        trainer.logger.experiment.add_figure("confusion_matrix", figure, global_step=step(trainer))

    return type("Answer", (S6.ConfusionMatrixLogger,), {"on_validation_epoch_end": on_validation_epoch_end})


class ValErrorEveryStep(FashionCNN):
    def validation_step(self, batch, batch_idx):
        super().validation_step(batch, batch_idx)
        images, labels = batch
        self.log("val_error", (self(images).argmax(dim=1) != labels).float().mean(), on_step=True, on_epoch=False)


class ValErrorIsAccuracy(FashionCNN):
    def validation_step(self, batch, batch_idx):
        super().validation_step(batch, batch_idx)
        images, labels = batch
        self.log("val_error", (self(images).argmax(dim=1) == labels).float().mean())


class ValErrorSummed(FashionCNN):
    def validation_step(self, batch, batch_idx):
        super().validation_step(batch, batch_idx)
        images, labels = batch
        self.log("val_error", (self(images).argmax(dim=1) != labels).float().mean(), reduce_fx="sum")


def trainer_answer(stop: dict | None = None, best: dict | None = None, logger=None, epochs: int | None = None):
    """build_trainer from the reference's arguments, with EarlyStopping's, ModelCheckpoint's, the logger or the
    epochs changed."""

    def build_trainer(run_dir, max_epochs):
        stop_options = {"monitor": "val_loss", "mode": "min", "patience": 2} | (stop or {})
        best_options = {"dirpath": f"{run_dir}/checkpoints", "monitor": "val_acc", "mode": "max", "save_last": True}
        callbacks = [EarlyStopping(**stop_options), ModelCheckpoint(**(best_options | (best or {})))]
        return pl.Trainer(
            max_epochs=epochs or max_epochs,
            callbacks=callbacks,
            logger=logger(run_dir) if logger else CSVLogger(run_dir),
            enable_progress_bar=False,
        )

    return build_trainer


def patching_empty_rows(matrix):
    matrix[matrix.sum(dim=1) == 0] = 1  # no 0 / 0 any more, but in the caller's matrix
    return matrix.diagonal() / matrix.sum(dim=1)


def worker_loader(**options) -> Callable[[Dataset, int], DataLoader]:
    """make_worker_loader from the reference's keyword arguments with ``options`` changed."""
    return lambda dataset, batch_size: DataLoader(
        dataset, **({"batch_size": batch_size, "num_workers": 2, "persistent_workers": True} | options)
    )


def split_sharing(before: bool, after: bool, seed: int | None = None, val_size: int | None = None):
    """random_split of the dataset itself, its transform set to train_transform ``before`` the split, and
    ``val_set.dataset.transform`` to eval_transform ``after`` it; seeded with ``seed`` (the one given when None)."""

    def split_with_transforms(dataset, val_size_, seed_, train_transform, eval_transform):
        if before:
            dataset.transform = train_transform
        n_val = val_size or val_size_
        generator = torch.Generator().manual_seed(seed_ if seed is None else seed)
        train_set, val_set = random_split(dataset, [len(dataset) - n_val, n_val], generator=generator)
        if after:
            val_set.dataset.transform = eval_transform
        return train_set, val_set

    return split_with_transforms


def wrapped_split(change: Callable[[tuple], tuple] = lambda transforms: transforms, **split):
    """The reference split_with_transforms with its (train, eval) transforms passed through ``change``, or with
    ``split``'s options for random_split (a generator)."""

    def split_with_transforms(dataset, val_size, seed, train_transform, eval_transform):
        train_transform, eval_transform = change((train_transform, eval_transform))
        options = {"generator": torch.Generator().manual_seed(seed)} | split
        train_part, val_part = random_split(dataset, [len(dataset) - val_size, val_size], **options)
        return S3.Transformed(train_part, train_transform), S3.Transformed(val_part, eval_transform)

    return split_with_transforms


class WholeItemTransformed(S3.Transformed):
    def __getitem__(self, index):
        return self.transform(self.items[index])


def evaluate_answer(*, eval_mode=True, no_grad=True, train_after=True, weighted=True, as_tensors=False, count=False):
    """evaluate with one thing changed: no eval(), gradients on, left in eval mode, the mean of the batch means,
    tensors returned, the accuracy as a count of right predictions."""

    def evaluate(network, loader):
        if eval_mode:
            network.eval()
        losses, rights, sizes = [], [], []
        with torch.set_grad_enabled(not no_grad):
            for images, labels in loader:
                logits = network(images)
                losses.append(F.cross_entropy(logits, labels).detach())
                rights.append((logits.argmax(dim=1) == labels).sum())
                sizes.append(len(labels))
        if train_after:
            network.train()
        sizes_ = torch.tensor(sizes)
        if weighted:
            loss = (torch.stack(losses) * sizes_).sum() / sizes_.sum()
            accuracy = torch.stack(rights).sum() / sizes_.sum()
        else:
            loss, accuracy = torch.stack(losses).mean(), (torch.stack(rights) / sizes_).mean()
        if count:
            return loss.item(), int(torch.stack(rights).sum())
        return (loss, accuracy) if as_tensors else (loss.item(), accuracy.item())

    return evaluate


def evaluate_loss_weighted_only(network, loader):
    loss, _ = S4.evaluate(network, loader)
    _, mean_of_batches = evaluate_answer(weighted=False)(network, loader)
    return loss, mean_of_batches


def quick_trainer(**options) -> Callable[[], pl.Trainer]:
    return lambda: pl.Trainer(**({"enable_progress_bar": False} | options))


def compiled_loop(model, loader, steps, *, device=None, item=False, wrap=True, sync=False, lr=0.05, split=False):
    """train_compiled with mistakes switched on: another ``device``, ``.item()`` in the step, the step not wrapped
    in torch_xla.compile (``sync``: torch_xla.sync() after it instead), another ``lr``, only the forward pass
    compiled (``split``)."""
    import torch_xla

    device = device or torch_xla.device()
    model.to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)

    def forward(images, labels):
        return F.cross_entropy(model(images), labels)

    def update(loss):
        loss.backward()
        optimizer.step()

    def step(images, labels):
        optimizer.zero_grad()
        loss = forward(images, labels)
        update(loss)
        return loss.item() if item else loss

    losses = []
    for _, (images, labels) in zip(range(steps), loader):
        images, labels = images.to(device), labels.to(device)
        if split:
            loss = torch_xla.compile(forward)(images, labels)
            update(loss)
        else:
            loss = (torch_xla.compile(step) if wrap else step)(images, labels)
        if sync:
            torch_xla.sync()
        losses.append(loss)
    return [loss.item() if torch.is_tensor(loss) else loss for loss in losses]


def compiled_reporting(change: Callable[[list[float]], list]) -> Callable:
    """The reference train_compiled, returning ``change(its losses)``."""
    return lambda model, loader, steps: change(S5.train_compiled(model, loader, steps))


def lr_search(result: str = "suggestion", **settings) -> Callable:
    """find_learning_rate with lr_find's ``settings`` changed, returning the suggestion (set as the learning rate
    unless ``result`` is "unset") or the learning rate of the lowest loss ("lowest")."""

    def find_learning_rate(model, datamodule):
        trainer = pl.Trainer(accelerator="cpu", logger=False, enable_checkpointing=False, enable_progress_bar=False)
        options = {"min_lr": 1e-4, "max_lr": 1e-1, "num_training": 30, "update_attr": False} | settings
        finder = Tuner(trainer).lr_find(model, datamodule=datamodule, **options)
        if result == "lowest":
            losses = finder.results["loss"]
            return finder.results["lr"][losses.index(min(losses))]
        if result != "unset":
            model.hparams.learning_rate = finder.suggestion()
        return finder.suggestion()

    return find_learning_rate


def sweep_by_hand(model, datamodule):
    """Three one-step fits at rising learning rates, on the model itself: its weights move."""
    losses = {}
    for rate in (1e-4, 1e-3, 1e-2):
        model.hparams.learning_rate = rate
        trainer = pl.Trainer(max_steps=1, logger=False, enable_checkpointing=False, enable_progress_bar=False)
        trainer.fit(model, datamodule=datamodule)
        losses[rate] = float(trainer.callback_metrics.get("train_loss", torch.tensor(0.0)))
    model.hparams.learning_rate = min(losses, key=losses.get)
    return model.hparams.learning_rate


def dtypes_answer(order=(0, 1), precision_used: bool = True, after_fit: bool = False, weight_before: bool = False):
    """dtypes_in_step with the pair's ``order`` changed, the precision not passed, the dtypes read after the fit
    (the weight's, and the layer's output on an input of the weight's dtype), or the weight's read before it."""

    def dtypes_in_step(precision):
        model = S7.DtypeProbe()
        weight_dtype = model.layer.weight.dtype
        loader = DataLoader(TensorDataset(torch.randn(8, 4), torch.randint(0, 2, (8,))), batch_size=4)
        options = {"precision": precision} if precision_used else {}
        pl.Trainer(max_steps=1, logger=False, enable_checkpointing=False, **options).fit(model, loader)
        if after_fit:
            weight = model.layer.weight
            seen = (weight.dtype, model.layer(torch.randn(2, 4, dtype=weight.dtype)).dtype)
        else:
            seen = (weight_dtype, model.dtypes[1]) if weight_before else model.dtypes
        return tuple(seen[i] for i in order)

    return dtypes_in_step


def wrong(checker: Callable[..., Verdict], **cases: tuple[object, str]) -> list:
    """Test cases of wrong answers to ``checker``, from ``name=(answer, words its verdict must contain)``."""
    prefix = checker.__name__.removeprefix("check_")
    return [pytest.param(checker, answer, says, id=f"{prefix}-{name}") for name, (answer, says) in cases.items()]


REJECTED = [  # each checker's wrong answers: name=(answer, words the learner must read)
    *wrong(
        lesson1.check_fashion_dicts,
        starter=(FashionDictsStarter, "NotImplementedError"),
        int_label=(fashion_dicts_with(lambda item: item | {"label": int(item["label"])}), "torch.long tensor"),
        float_label=(fashion_dicts_with(lambda item: item | {"label": item["label"].float()}), "torch.long tensor"),
        wrong_key=(
            fashion_dicts_with(lambda item: {"img": item["image"], "label": item["label"], "name": item["name"]}),
            "use 'image', 'label', 'name'",
        ),
        tuple=(fashion_dicts_with(lambda item: (item["image"], item["label"])), "not a dict"),
        name_off_by_one=(
            fashion_dicts_with(lambda item: item | {"name": CLASS_NAMES[(int(item["label"]) + 1) % 10]}),
            "name is",
        ),
        image_changed=(
            fashion_dicts_with(lambda item: item | {"image": item["image"] * 2 - 1}),
            "not the source's image",
        ),
        len_off_by_one=(type("Answer", (S1.FashionDicts,), {"__len__": lambda self: len(self.source) - 1}), "len() is"),
    ),
    *wrong(
        lesson1.check_standardized_table,
        starter=(StandardizedTableStarter, "means are not 0"),
        ignores_given_stats=(
            table_answer(
                lambda rows, stats: ((rows - rows.mean(0)) / rows.std(0), stats or (rows.mean(0), rows.std(0)))
            ),
            "must standardize with those",
        ),
        mutates_input=(InPlaceTable, "changed the array"),
        one_std_for_all=(
            table_answer(lambda rows, stats: ((rows - rows.mean(0)) / rows.std(), (rows.mean(0), rows.std()))),
            "standard deviations are not 1",
        ),
        stats_swapped=(
            table_answer(lambda rows, stats: ((rows - rows.mean(0)) / rows.std(0), (rows.std(0), rows.mean(0)))),
            "stats must be (mean, std)",
        ),
        float64=(
            table_answer(
                lambda rows, stats: (((rows - rows.mean(0)) / rows.std(0)).double(), (rows.mean(0), rows.std(0)))
            ),
            "expected torch.float32",
        ),
        wrong_keys=(
            type("Answer", (S1.StandardizedTable,), {"__getitem__": lambda self, i: {"x": self.features[i], "y": 0}}),
            "use 'features' and 'target'",
        ),
    ),
    *wrong(
        lesson2.check_pad_collate,
        starter=(default_collate, "stack expects each tensor"),
        minus_one=(
            collate_with(lambda batch: batch | {"tokens": batch["tokens"].masked_fill(batch["tokens"] == 0, -1)}),
            "padded with 0",
        ),
        left=(
            lambda samples: (
                S2.pad_collate(samples)
                | {"tokens": torch.nn.utils.rnn.pad_sequence([s["tokens"] for s in samples], True, 0, "left")}
            ),
            "does not start with its own tokens",
        ),
        wrong_key=(
            collate_with(
                lambda batch: {"tokens": batch["tokens"], "lengths": batch["lengths"], "label": batch["labels"]}
            ),
            "use tokens, lengths, labels",
        ),
        float_labels=(
            collate_with(lambda batch: batch | {"labels": batch["labels"].float()}),
            "labels must be a long tensor",
        ),
        float_tokens=(collate_with(lambda batch: batch | {"tokens": batch["tokens"].float()}), "expected torch.long"),
        to_the_dataset_longest=(
            collate_with(lambda batch: batch | {"tokens": F.pad(batch["tokens"], (0, 9 - batch["tokens"].shape[1]))}),
            "one tensor [4, 6]",
        ),
        into_the_samples=(pad_in_place, "changed the samples"),
    ),
    *wrong(
        lesson2.check_make_loader,
        starter=(
            lambda dataset, batch_size, seed: DataLoader(dataset, batch_size=batch_size, shuffle=True),
            "seeded torch.Generator",
        ),
        manual_seed=(globally_seeded_loader, "global random numbers"),
        unseeded_generator=(
            lambda dataset, batch_size, seed: DataLoader(
                dataset, batch_size, True, drop_last=True, generator=torch.Generator()
            ),
            "seeds 0 and 1",
        ),
        last_batch=(loader_answer(drop_last=False), "drop_last=True"),
        in_order=(loader_answer(shuffle=False), "shuffle them"),
        fixed_batch=(loader_answer(batch_size=32), "batch_size=16"),
    ),
    *wrong(
        lesson2.check_worker_loader,
        starter=(lambda dataset, batch_size: DataLoader(dataset, batch_size=batch_size), "in the main process"),
        main_process=(worker_loader(num_workers=0, persistent_workers=False), "ask for 2 worker processes"),
        one_worker=(worker_loader(num_workers=1), "loaded by 1 worker process(es)"),
        three_workers=(worker_loader(num_workers=3), "loaded by 3 worker process(es)"),
        not_persistent=(worker_loader(persistent_workers=False), "new worker processes: the DataLoader starts"),
        shuffled=(worker_loader(shuffle=True), "shuffled: keep them in order"),
        batch_size=(worker_loader(batch_size=8), "batches of [8] items for batch_size=4"),
        a_list=(lambda dataset, batch_size: list(worker_loader()(dataset, batch_size)), "a list, not a DataLoader"),
    ),
    *wrong(
        lesson3.check_split_with_transforms,
        starter=(split_sharing(before=False, after=False), "validation items are not transformed"),
        transform_then_split=(
            split_sharing(before=True, after=False),
            "validation items go through train_transform: both Subsets of one random_split read the same dataset",
        ),
        set_after_split=(
            split_sharing(before=True, after=True),
            "training items go through eval_transform: both Subsets of one random_split read the same dataset",
        ),
        eval_on_both=(
            wrapped_split(lambda transforms: (transforms[1], transforms[1])),
            "training items go through eval_transform: give them train_transform",
        ),
        swapped=(wrapped_split(lambda transforms: transforms[::-1]), "validation items go through train_transform"),
        unseeded=(wrapped_split(generator=None), "the same seed gave another split"),
        seed_ignored=(
            lambda dataset, val_size, seed, tt, et: S3.split_with_transforms(dataset, val_size, 0, tt, et),
            "seeds 0 and 1 gave the same split",
        ),
        val_size_ignored=(
            lambda dataset, val_size, seed, tt, et: wrapped_split()(dataset, 4, seed, tt, et),
            "train/val sizes (16, 4), expected (14, 6)",
        ),
        whole_item=(
            lambda dataset, val_size, seed, tt, et: tuple(
                WholeItemTransformed(side.items, side.transform)
                for side in S3.split_with_transforms(dataset, val_size, seed, tt, et)
            ),
            "apply the transform to the image only",
        ),
        not_a_pair=(lambda dataset, val_size, seed, tt, et: dataset, "return two datasets"),
    ),
    *wrong(
        lesson3.check_tabular_datamodule,
        starter=(TabularStarter, "expected (80, 20)"),
        unseeded=(datamodule_with(setup=split_with(lambda module: None)), "seed random_split"),
        seed_ignored=(
            datamodule_with(setup=split_with(lambda module: torch.Generator().manual_seed(0))),
            "seeds 0 and 1 gave the same split",
        ),
        fraction_ignored=(
            datamodule_with(setup=split_with(lambda module: torch.Generator().manual_seed(module.seed), fraction=0.2)),
            "val_fraction=0.5",
        ),
        val_shuffled_the_same_each_time=(
            datamodule_with(
                val_dataloader=lambda self: DataLoader(
                    self.val_set, self.batch_size, shuffle=True, generator=torch.Generator().manual_seed(self.seed)
                )
            ),
            "the validation loader shuffles",
        ),
        train_not_shuffled=(
            datamodule_with(train_dataloader=lambda self: DataLoader(self.train_set, self.batch_size)),
            "shuffle=True",
        ),
        batch_size_ignored=(
            datamodule_with(train_dataloader=lambda self: DataLoader(self.train_set, 32, shuffle=True)),
            "pass batch_size",
        ),
    ),
    *wrong(
        lesson3.check_csv_datamodule,
        starter=(CsvStarter, "did not write table.csv"),
        no_split=(
            csv_module_with(setup=csv_setup(lambda t: (t[:, :-1], t[:, -1].astype(int)), split=False)),
            "split table.csv's rows",
        ),
        own_rows=(csv_module_with(setup=own_rows_setup), "but table.csv 50"),
        state_in_prepare_data=(
            csv_module_with(prepare_data=prepare_and_setup, setup=lambda self, stage=None: None),
            "must set train_set and val_set",
        ),
        rewrite=(csv_module_with(prepare_data=always_write), "rewrote"),
        float_target=(csv_module_with(setup=csv_setup(lambda t: (t[:, :-1], t[:, -1]))), "make it a torch.long tensor"),
        target_first=(csv_module_with(setup=csv_setup(lambda t: (t[:, 1:], t[:, 0].astype(int)))), "not table.csv's"),
        target_among_features=(
            csv_module_with(setup=csv_setup(lambda t: (t, t[:, -1].astype(int)))),
            "not table.csv's",
        ),
    ),
    *wrong(
        lesson4.check_time_budget,
        starter=(BudgetStarter, "stop after the first batch"),
        only_zero=(budget(lambda cb, t: cb.seconds == 0), "not 14"),
        start_in_init=(budget(spent, start="init"), "not 14"),
        start_every_epoch=(budget(spent, start="epoch"), "not 14"),
        checked_per_epoch=(budget(spent, hook="on_train_epoch_end"), "ran 10 steps"),
        minutes=(budget(lambda cb, t: time.monotonic() - cb.start >= 60 * cb.seconds), "not 14"),
        always_stops=(budget(lambda cb, t: True), "an hour to spare"),
        plain=(type("Answer", (), {"__init__": lambda self, s: None}), "subclass"),
    ),
    *wrong(
        lesson4.check_early_stopping,
        starter=(EarlyStopping(monitor="val_loss"), "watch 'val_acc'"),
        mode_min=(EarlyStopping(monitor="val_acc", mode="min", min_delta=0.005, patience=3), "use mode='max'"),
        min_delta_0_05=(
            EarlyStopping(monitor="val_acc", mode="max", min_delta=0.05, patience=3),
            "a rise of at least 0.005",
        ),
        negative_min_delta=(
            EarlyStopping(monitor="val_acc", mode="max", min_delta=-0.005, patience=3),
            "a rise of at least 0.005",
        ),
        patience_off_by_one=(EarlyStopping(monitor="val_acc", mode="max", min_delta=0.005, patience=2), "patience=2"),
        ckpt=(ModelCheckpoint(monitor="val_acc", mode="max"), "not an EarlyStopping"),
    ),
    *wrong(
        lesson4.check_sgd_optimizers,
        starter=(FashionCNN, "returned Adam, not a dict"),
        per_step=(sgd_with(step_lr(interval="step")), "halve it every 2 epochs"),
        gamma_0_1=(sgd_with(step_lr(gamma=0.1)), "halve it"),
        every_epoch=(sgd_with(step_lr(step_size=1)), "halve it"),
        scheduler_of_another_optimizer=(
            sgd_with(lambda optimizer: step_lr()(torch.optim.SGD(optimizer.param_groups[0]["params"], lr=0.05))),
            "halve it",
        ),
        no_momentum=(sgd_with(step_lr(), momentum=0), "momentum=0"),
        fixed_lr=(sgd_with(step_lr(), lr=0.01), "hparams.learning_rate"),
        lists=(
            optimizers_returning(lambda model: ([optimizer := sgd(model)], [step_lr()(optimizer)])),
            "returned tuple, not a dict",
        ),
        wrong_key=(
            optimizers_returning(
                lambda model: {"optimizer": (optimizer := sgd(model)), "scheduler": step_lr()(optimizer)}
            ),
            "use optimizer and lr_scheduler",
        ),
        adam=(
            optimizers_returning(
                lambda model: {
                    "optimizer": (optimizer := torch.optim.Adam(model.parameters())),
                    "lr_scheduler": step_lr()(optimizer),
                }
            ),
            "not SGD",
        ),
        classifier_only=(
            optimizers_returning(
                lambda model: {
                    "optimizer": (optimizer := torch.optim.SGD(model.classifier.parameters(), lr=0.05, momentum=0.9)),
                    "lr_scheduler": step_lr()(optimizer),
                }
            ),
            "all the model's parameters",
        ),
    ),
    *wrong(
        lesson4.check_evaluate,
        starter=(lambda network, loader: (0.0, 0.0), "the network never ran"),
        mean_of_batch_means=(
            evaluate_answer(weighted=False),
            "the loss is the mean of the 3 batch means, but the last batch holds 2 images",
        ),
        accuracy_mean_of_batch_means=(evaluate_loss_weighted_only, "the accuracy is the mean of the 3 batch means"),
        no_eval=(evaluate_answer(eval_mode=False), "call network.eval() before the pass"),
        no_no_grad=(evaluate_answer(no_grad=False), "run it under torch.no_grad()"),
        left_in_eval=(evaluate_answer(train_after=False), "put it back with network.train() at the end"),
        count=(evaluate_answer(count=True), "the accuracy is 4, a count"),
        tensors=(evaluate_answer(as_tensors=True), "return two Python floats (a tensor's .item())"),
        one_value=(lambda network, loader: S4.evaluate(network, loader)[0], "return two values: (loss, accuracy)"),
    ),
    *wrong(
        lesson4.check_quick_check_trainer,
        starter=(quick_trainer(), "still training after 20 batches"),
        fast_dev_run_5=(quick_trainer(fast_dev_run=5), "ran 5 training and 5 validation batch(es)"),
        overfit_batches=(quick_trainer(overfit_batches=1), "still training after 20 batches"),
        one_train_batch=(
            quick_trainer(limit_train_batches=1, max_epochs=1, logger=False, enable_checkpointing=False),
            "ran 1 training and 8 validation batch(es)",
        ),
        sanity_check=(
            quick_trainer(
                limit_train_batches=1, limit_val_batches=1, max_epochs=1, logger=False, enable_checkpointing=False
            ),
            "also ran 1 validation batch(es) in its sanity check",
        ),
        max_steps_only=(
            quick_trainer(max_steps=1, num_sanity_val_steps=0, logger=False, enable_checkpointing=False),
            "ran 1 training and 0 validation batch(es)",
        ),
        default_logger=(
            quick_trainer(max_steps=1, limit_train_batches=1, limit_val_batches=1, num_sanity_val_steps=0),
            "the fit wrote lightning_logs/version_0/",
        ),
        checkpointing=(
            quick_trainer(
                max_steps=1, limit_train_batches=1, limit_val_batches=1, num_sanity_val_steps=0, logger=False
            ),
            "the fit saved checkpoints/epoch=0-step=1.ckpt: a quick check saves no checkpoint",
        ),
        kwargs=(lambda: {"fast_dev_run": True}, "returned a dict"),
    ),
    *wrong(
        lesson5.check_train_fixed,
        starter=(partial(train_loop, item=True, every_batch=True), ".item() copies"),
        fake_losses=(lambda model, loader, steps: [0.0] * 6, "never ran"),
        on_cpu=(partial(train_loop, device="cpu"), "ran on ['cpu']"),
        zeros=(reporting(lambda losses: [0.0] * 6), "not those of the model's"),
        no_step=(partial(train_loop, update=False), "did not change"),
        one_graph=(partial(train_loop, sync=False), "torch_xla.sync()"),
        small_batch=(partial(train_loop, every_batch=True), "skip the smaller"),
        small_batch_momentum=(partial(train_loop, every_batch=True, momentum=0.9), "3 graph compilations"),
        one_short=(reporting(lambda losses: losses[:-1]), "5 losses"),
        tensors=(reporting(lambda losses: list(map(torch.tensor, losses))), "floats"),
    ),
    *wrong(
        lesson5.check_train_compiled,
        starter=(partial(compiled_loop, wrap=False, item=True, sync=True), "values were read from the device"),
        item_in_step=(partial(compiled_loop, item=True), "values were read from the device during training"),
        on_cpu=(partial(compiled_loop, device="cpu", wrap=False), "ran on ['cpu']"),
        fake_losses=(lambda model, loader, steps: [0.0] * steps, "the model never ran"),
        not_wrapped=(partial(compiled_loop, wrap=False), "the forward pass ran outside torch_xla.compile"),
        synced_not_wrapped=(
            partial(compiled_loop, wrap=False, sync=True),
            "the forward pass ran outside torch_xla.compile",
        ),
        forward_only=(partial(compiled_loop, split=True), "optimizer.step() ran outside torch_xla.compile"),
        other_lr=(partial(compiled_loop, lr=0.1), "not those of 5 SGD steps (lr=0.05, momentum=0.9)"),
        zeros=(compiled_reporting(lambda losses: [0.0] * len(losses)), "the losses are not those"),
        one_short=(compiled_reporting(lambda losses: losses[:-1]), "4 losses for 5 steps"),
        tensors=(compiled_reporting(lambda losses: list(map(torch.tensor, losses))), "a list of Python floats"),
    ),
    *wrong(
        lesson5.check_tpu_loader,
        starter=(
            lambda dataset, batch_size, world_size, rank: DataLoader(dataset, batch_size=batch_size, shuffle=True),
            "DistributedSampler",
        ),
        not_shuffled=(shard_loader(shuffle=False), "in order"),
        rank_ignored=(shard_loader(rank=0), "same sample"),
        one_replica=(shard_loader(num_replicas=1, rank=0), "same sample"),
        last_batch=(shard_loader(drop_last=False), "hold 8"),
        random_seed=(reseeded_shard, "changes from run to run"),
    ),
    *wrong(
        lesson6.check_confusion_matrix_callback,
        starter=(ConfusionStarter, "no figure tagged"),
        blank=(BlankFigure, "no 10 x 10 matrix"),
        never_reset=(NeverReset, "holds 64 predictions"),
        transposed=(confusion_logger(lambda matrix: matrix.T, lambda trainer: trainer.global_step), "transposed"),
        labels=(LabelsAsPredictions, "is not that validation's"),
        epoch_as_step=(confusion_logger(lambda matrix: matrix, lambda trainer: trainer.current_epoch), "global_step="),
    ),
    *wrong(
        lesson6.check_val_error_model,
        starter=(FashionCNN, "no val_error in the log"),
        every_step=(ValErrorEveryStep, "on_epoch only"),
        accuracy=(ValErrorIsAccuracy, "!= 1 - val_acc"),
        summed=(ValErrorSummed, "!= 1 - val_acc"),
    ),
    *wrong(
        lesson7.check_build_trainer,
        starter=(
            lambda run_dir, max_epochs: pl.Trainer(max_epochs=max_epochs, enable_progress_bar=False, logger=False),
            "0 EarlyStopping callbacks",
        ),
        no_last=(trainer_answer(best={"save_last": False}), "save_last=True"),
        top_0=(trainer_answer(best={"save_top_k": 0}), "save_top_k=0"),
        stops_on_accuracy=(
            trainer_answer(stop={"monitor": "val_acc", "mode": "max"}),
            "use val_loss, mode 'min', patience 2",
        ),
        patience_3=(trainer_answer(stop={"patience": 3}), "patience 2"),
        best_min=(trainer_answer(best={"mode": "min"}), "with mode 'max'"),
        checkpoints_elsewhere=(trainer_answer(best={"dirpath": None}), "run_dir/checkpoints"),
        tensorboard=(trainer_answer(logger=lambda run_dir: TensorBoardLogger(run_dir)), "one CSVLogger"),
        logs_elsewhere=(
            trainer_answer(logger=lambda run_dir: CSVLogger(Path(run_dir).parent / "logs")),
            "CSV logs in run_dir",
        ),
        epochs=(trainer_answer(epochs=10), "not the 7 asked for"),
    ),
    *wrong(
        lesson7.check_per_class_accuracy,
        starter=(lambda matrix: matrix.diagonal() / matrix.sum(), "over each row's total"),
        empty_class=(lambda m: m.diagonal() / m.sum(dim=1), "gave nan"),
        integer_division=(lambda m: m.diagonal() // m.sum(dim=1).clamp(min=1), "return a float tensor"),
        column_totals=(lambda m: m.diagonal() / m.sum(dim=0).clamp(min=1), "over each row's total"),
        in_place=(patching_empty_rows, "changed the matrix"),
        keepdim=(lambda m: (m.diagonal() / m.sum(dim=1).clamp(min=1)).unsqueeze(1), "shape (3, 1)"),
        hard_coded=(lambda m: torch.tensor([0.8, 0.75, 0.0]), "for 4 classes"),
        list=(lambda m: (m.diagonal() / m.sum(dim=1).clamp(min=1)).tolist(), "return a float tensor"),
    ),
    *wrong(
        lesson7.check_find_learning_rate,
        starter=(lambda model, datamodule: model.hparams.learning_rate, "the model never trained"),
        lowest_loss=(lr_search("lowest"), "0.1 is the learning rate of the lowest loss"),
        not_set=(lr_search("unset"), "model.hparams.learning_rate is 0.01: set it to the suggestion"),
        min_lr=(lr_search(min_lr=1e-5), "the search started at lr=1e-05: min_lr=1e-4"),
        max_lr=(lr_search(max_lr=1.0), "the search ended at lr=1: max_lr=1e-1"),
        num_training=(lr_search(num_training=100), "the search took 100 training steps: num_training=30 takes 30"),
        constant=(lambda model, datamodule: 3e-3, "the model never trained"),
        by_hand=(sweep_by_hand, "the model's weights changed during the search"),
        none=(lambda model, datamodule: None, "returned NoneType"),
    ),
    *wrong(
        lesson7.check_precision_dtypes,
        starter=(lambda precision: (torch.float32, torch.float32), "precision='bf16-mixed' gave (float32, float32)"),
        precision_ignored=(
            dtypes_answer(precision_used=False),
            "mixed precision keeps the weights in float32 and runs the layer under autocast",
        ),
        swapped=(
            dtypes_answer(order=(1, 0)),
            "precision='bf16-mixed' gave (bfloat16, float32), the right dtypes swapped",
        ),
        read_after_fit=(dtypes_answer(after_fit=True), "autocast is on only inside the step"),
        weight_before_fit=(
            dtypes_answer(weight_before=True),
            "precision='bf16-true' gave (float32, bfloat16), expected (bfloat16, bfloat16): true precision converts",
        ),
        strings=(lambda precision: ("torch.float32", "torch.float32"), "return two torch.dtype values"),
    ),
    *wrong(
        lesson7.check_evaluate_best,
        starter=(
            lambda trainer, model, datamodule: trainer.test(model, datamodule=datamodule, verbose=False)[0],
            "these are the metrics of the last epoch's weights",
        ),
        last_checkpoint=(
            lambda trainer, model, datamodule: trainer.test(datamodule=datamodule, ckpt_path="last", verbose=False)[0],
            "these are the metrics of the last epoch's weights",
        ),
        whole_list=(
            lambda trainer, model, datamodule: trainer.test(datamodule=datamodule, ckpt_path="best", verbose=False),
            "evaluate_best returned list",
        ),
        validated=(
            lambda trainer, model, datamodule: trainer.validate(datamodule=datamodule, ckpt_path="best")[0],
            "no test metrics in what you returned",
        ),
    ),
    *wrong(
        lesson8.check_synced_validation,
        starter=(synced(options={}), "val_loss is logged without sync_dist=True"),
        sync_off=(synced(options={"sync_dist": False}), "val_loss is logged without sync_dist=True"),
        every_step=(synced(options={"sync_dist": True, "on_step": True}), "on_step=True logs every batch"),
        summed=(synced(options={"sync_dist": True, "reduce_fx": "sum"}), "keep reduce_fx='mean'"),
        loss_name=(synced(names=("loss", "val_acc")), "validation_step logs no 'val_loss'"),
        acc_name=(synced(names=("val_loss", "accuracy")), "validation_step logs no 'val_acc'"),
        other_labels=(LossOfOtherLabels, "val_loss is not the batch's cross-entropy"),
        lesson4s_model=(FashionCNN, "val_loss is logged without sync_dist=True"),
    ),
    *wrong(
        lesson8.check_accumulation,
        starter=(lambda effective, batch, devices: effective // batch, "returned 8, expected 4"),
        floored=(accumulation_floored, "never add up to 96; raise a ValueError"),
        no_devices=(accumulation_ignoring_devices, "accumulation(256, 32, 2) returned 8, expected 4"),
        float_answer=(accumulation_as_float, "accumulate_grad_batches is a whole number"),
        silent_error=(accumulation_silent_error, "raised ValueError without saying what to change"),
        always_one=(lambda effective, batch, devices: 1, "accumulation(256, 32, 2) returned 1, expected 4"),
    ),
]


@pytest.mark.parametrize(("checker", "answer", "says"), REJECTED)
def test_a_wrong_answer_is_rejected_with_what_to_fix(checker, answer, says, images):
    verdict = check(checker, answer, images)
    assert not passed(verdict)
    assert says in verdict.message


def test_a_crash_in_the_learners_code_is_reported_in_one_line():
    def broken(samples):
        raise KeyError("tokens")

    verdict = lesson2.check_pad_collate(broken)
    assert verdict.message.startswith("Not yet (pad_collate): your code raised KeyError: 'tokens' (line ")
    assert "\n" not in verdict.message


def test_a_checker_leaves_the_global_random_numbers_alone():
    torch.manual_seed(123)
    expected = torch.rand(1)
    torch.manual_seed(123)
    lesson2.check_make_loader(globally_seeded_loader)
    assert torch.equal(torch.rand(1), expected)


def test_checkers_are_quick():
    start = time.perf_counter()
    lesson4.check_time_budget(S4.TimeBudget)
    assert time.perf_counter() - start < 30
