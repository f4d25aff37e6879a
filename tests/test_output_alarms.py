"""tools.output_alarms: warnings, error lines and tracebacks a rehearsed lesson shows and its committed copy lacks."""

import nbformat

from tools.output_alarms import RICH_ALARM, TRACEBACK, alarms_in_text, new_alarms

V4 = nbformat.v4


def notebook(*outputs_per_cell):
    cells = [
        V4.new_code_cell(f"step_{i}()", outputs=list(outputs), execution_count=i + 1)
        for i, outputs in enumerate(outputs_per_cell)
    ]
    return V4.new_notebook(cells=cells)


def stderr(text):
    return V4.new_output("stream", name="stderr", text=text)


def test_python_warnings_are_compared_without_their_file_and_line():
    text = (
        "/usr/lib/python3/site-packages/lightning/x.py:123: PossibleUserWarning: The 'train_dataloader' does not "
        "have many workers\n  warnings.warn(\n"
    )
    assert alarms_in_text(text) == ["PossibleUserWarning: The 'train_dataloader' does not have many workers"]


def test_log_lines_tracebacks_and_addresses():
    text = (
        "WARNING:root:Defaulting to PJRT_DEVICE=CPU\nERROR: pip's dependency resolver does not currently take into "
        "account\nTraceback (most recent call last):\nok at 0x7f3a\nUserWarning: at 0x7fab12"
    )
    assert alarms_in_text(text) == [
        "WARNING: root:Defaulting to PJRT_DEVICE=CPU",
        "ERROR: pip's dependency resolver does not currently take into account",
        TRACEBACK,
        "UserWarning: at 0x…",
    ]
    assert alarms_in_text("GPU available: False, used: False\nEpoch 0: 100%") == []


def test_only_alarms_the_committed_notebook_lacks_are_new_each_named_once_with_its_cell():
    known = stderr("x.py:1: UserWarning: known one\n")
    committed = notebook([known], [])
    executed = notebook(
        [known],
        [
            stderr("y.py:9: PossibleUserWarning: GPU available but not used.\n"),
            stderr("y.py:9: PossibleUserWarning: GPU available but not used.\n"),
        ],
        [V4.new_output("error", ename="ModuleNotFoundError", evalue="No module named 'torch_xla'", traceback=[])],
    )
    found = new_alarms(executed, committed)
    assert [alarm.message for alarm in found] == ["PossibleUserWarning: GPU available but not used.", TRACEBACK]
    assert str(found[0]) == "cell [2] 'step_1()': PossibleUserWarning: GPU available but not used."
    assert new_alarms(committed, committed) == []


def test_a_table_drawn_by_rich_in_a_display_is_new_where_the_committed_cell_shows_plain_text():
    rich_summary = V4.new_output("display_data", data={"text/plain": "┏━━━┳━━━━━━━┓\n┃   ┃ Name  ┃\n"})
    plain_summary = V4.new_output("stream", name="stdout", text="  | Name | Type   | Params\n")
    found = new_alarms(notebook([rich_summary, plain_summary]), notebook([plain_summary]))
    assert [alarm.message for alarm in found] == [RICH_ALARM]
    picture = V4.new_output("display_data", data={"text/plain": "<Figure size 640x480 with 1 Axes>"})
    assert new_alarms(notebook([picture]), notebook([])) == []
