import nbformat

from helpers.course.report import metrics_bundle
from tools.run_course import final_metrics, format_summary


def test_final_metrics_are_read_from_the_display_bundle():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show_final_metrics(...)")
    cell.outputs = [nbformat.v4.new_output("display_data", data=metrics_bundle({"val_acc": 0.9, "epochs": 2}))]
    nb.cells = [nbformat.v4.new_markdown_cell("# x"), cell]
    assert final_metrics(nb) == {"val_acc": 0.9, "epochs": 2}


def test_summary_table():
    rows = [
        {"notebook": "01_dataset.ipynb", "seconds": 7.25, "status": "ok", "metrics": {"acc": 0.91234}, "error": ""},
        {
            "notebook": "02_x.ipynb",
            "seconds": 3.0,
            "status": "FAILED",
            "metrics": {},
            "error": "PapermillExecutionError: boom",
        },
    ]
    table = format_summary(rows).splitlines()
    assert table[0].split() == ["notebook", "seconds", "status", "final", "metrics"]
    assert table[2].split() == ["01_dataset.ipynb", "7.2", "ok", "acc=0.9123"]
    assert table[3].split() == ["02_x.ipynb", "3.0", "FAILED", "-"]
    assert table[4] == "02_x.ipynb: PapermillExecutionError: boom"
