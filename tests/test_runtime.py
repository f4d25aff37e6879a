import sys

from helpers.course.runtime import avoid_tpu_metadata_lookup, choose_pjrt_device, on_colab, tpu_chips_attached

TPU_V5E, GVNIC, INTEL = ("0x1ae0", "0x0063"), ("0x1ae0", "0x0042"), ("0x8086", "0x0063")


def fake_pci(tmp_path, devices):
    for i, (vendor, device_id) in enumerate(devices):
        device = tmp_path / f"0000:00:0{i}.0"
        device.mkdir()
        (device / "vendor").write_text(vendor + "\n")
        (device / "device").write_text(device_id + "\n")
    return tmp_path


def test_counts_tpu_chips_only(tmp_path):
    """Google's virtual NIC shares the vendor id; another vendor may reuse a device id: neither is a TPU."""
    assert tpu_chips_attached(fake_pci(tmp_path, [INTEL, TPU_V5E, GVNIC, TPU_V5E])) == 2
    assert tpu_chips_attached(tmp_path / "missing") == 0


def test_sets_the_offline_answer_where_no_tpu(tmp_path):
    env = {}
    assert avoid_tpu_metadata_lookup(env, fake_pci(tmp_path, [INTEL, GVNIC])) is True
    assert env == {"TPU_SKIP_MDS_QUERY": "1", "TPU_ACCELERATOR_TYPE": "v4-8"}


def test_leaves_a_real_tpu_alone(tmp_path):
    env = {}
    assert avoid_tpu_metadata_lookup(env, fake_pci(tmp_path, [TPU_V5E])) is False
    assert env == {}


def test_respects_an_explicit_choice(tmp_path):
    env = {"TPU_SKIP_MDS_QUERY": "0"}
    assert avoid_tpu_metadata_lookup(env, tmp_path) is False
    assert env == {"TPU_SKIP_MDS_QUERY": "0"}


def test_on_colab(monkeypatch):
    assert on_colab() is False
    monkeypatch.setitem(sys.modules, "google.colab", object())
    assert on_colab() is True


def test_a_cpu_trainer_asks_for_no_tpu_metadata():
    """With the test environment in place, Lightning's TPU probe answers 0 without a lookup."""
    import pytorch_lightning as pl
    from lightning_fabric.accelerators.xla import XLAAccelerator

    pl.Trainer(accelerator="cpu", logger=False, enable_checkpointing=False, enable_progress_bar=False)
    assert XLAAccelerator.auto_device_count() == 0


def test_pjrt_device_is_chosen_as_torch_xla_would_without_its_warning(tmp_path):
    env = {}
    assert choose_pjrt_device(env, fake_pci(tmp_path, [INTEL]), xla_installed=True) == "CPU"
    assert env == {"PJRT_DEVICE": "CPU"}
    tpu = tmp_path / "tpu"
    tpu.mkdir()
    env = {}
    assert choose_pjrt_device(env, fake_pci(tpu, [TPU_V5E]), xla_installed=True) == "TPU"
    assert choose_pjrt_device(env := {"PJRT_DEVICE": "TPU"}, tmp_path, xla_installed=True) is None
    assert env == {"PJRT_DEVICE": "TPU"}
    assert choose_pjrt_device(env := {}, tmp_path, xla_installed=False) is None and env == {}
