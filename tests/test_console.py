import subprocess
import sys

from helpers.course.console import console_to_file


def child(code: str) -> None:
    """Run ``code`` in a child Python, unbuffered: its lines reach the file in the order printed, with or without
    PYTHONUNBUFFERED in the environment (without it, stdout is flushed only at exit, after stderr's line)."""
    subprocess.run([sys.executable, "-u", "-c", code], check=True)


def test_a_child_process_output_goes_to_the_file(tmp_path, capfd):
    log = tmp_path / "console.log"
    with console_to_file(log):
        child("import sys; print('out'); print('err', file=sys.stderr)")
    assert log.read_text().split() == ["out", "err"]
    assert capfd.readouterr() == ("", "")


def test_only_the_given_descriptors_are_redirected_and_the_file_is_appended(tmp_path, capfd):
    log = tmp_path / "console.log"
    log.write_text("before\n")
    with console_to_file(log, fds=(2,)):
        child("import sys; print('out'); print('err', file=sys.stderr)")
    assert log.read_text().split() == ["before", "err"]
    assert capfd.readouterr().out == "out\n"
