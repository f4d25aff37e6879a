import nbformat

from tools.lesson_metrics import METRICS, MIMETYPE, final_metrics, format_metrics, metrics_cell
from tools.paths import notebook_paths
from tools.run_course import format_summary


def test_final_metrics_are_read_from_the_hidden_bundle():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("...")
    cell.outputs = [nbformat.v4.new_output("display_data", data={MIMETYPE: {"val_acc": 0.9, "epochs": 2}})]
    nb.cells = [nbformat.v4.new_markdown_cell("# x"), cell]
    assert final_metrics(nb) == {"val_acc": 0.9, "epochs": 2}


def test_every_lesson_has_metrics_and_its_cell_displays_them(monkeypatch):
    assert sorted(METRICS) == [path.name for path in notebook_paths()]
    monkeypatch.setitem(METRICS, "x.ipynb", {"epochs": "len(rows)", "acc": "round(0.91234, 2)"})
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda bundle, raw: shown.append(bundle))
    exec(metrics_cell("x.ipynb").source, {"rows": [1, 2]})
    assert shown == [{MIMETYPE: {"epochs": 2, "acc": 0.91}}]
    assert format_metrics(shown[0][MIMETYPE]) == "epochs=2, acc=0.91"


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
