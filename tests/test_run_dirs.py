import pytest

from helpers.course.run_dirs import MARKER, fresh_run_dir


def test_creates_then_empties_its_own_folder(tmp_path):
    folder = fresh_run_dir(tmp_path / "runs" / "04")
    (folder / "last.ckpt").write_text("x")
    assert fresh_run_dir(folder) == folder
    assert sorted(p.name for p in folder.iterdir()) == [MARKER]


def test_refuses_a_folder_it_did_not_create(tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="nothing was deleted"):
        fresh_run_dir(tmp_path)
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_an_empty_folder_is_fine_and_a_file_is_refused(tmp_path):
    assert fresh_run_dir(tmp_path).exists()
    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError, match="is a file"):
        fresh_run_dir(tmp_path / "file")


def test_a_symlink_is_refused_and_its_target_kept(tmp_path):
    target = fresh_run_dir(tmp_path / "real")
    (target / "last.ckpt").write_text("x")
    (tmp_path / "link").symlink_to(target)
    with pytest.raises(ValueError, match="symbolic link"):
        fresh_run_dir(tmp_path / "link")
    assert (target / "last.ckpt").exists()
