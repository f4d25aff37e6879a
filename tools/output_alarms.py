"""Warnings, errors and tracebacks in a notebook's outputs, and those an executed copy has that the committed one lacks.

A rehearsal (:mod:`tools.colab_rehearsal`) runs a lesson on other package versions than the committed outputs
were made with; :func:`new_alarms` says what it shows that the committed lesson does not: a Python warning
(``…/file.py:12: UserWarning: message`` is compared as ``UserWarning: message``), a ``WARNING``/``ERROR`` line
(pip, logging), a traceback, or a table drawn by Rich (where ``rich`` is installed, as on Colab, Lightning draws
its model summary and results with it, through IPython's display).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import nbformat

PYTHON_WARNING = re.compile(r"\b([A-Z]\w*Warning): (.*)")
LOG_LINE = re.compile(r"^(WARNING|ERROR)\b[:\s]\s*(.*)")
TRACEBACK = "Traceback (most recent call last)"
RICH_TABLE = "┏━"  # the top left corner of Rich's tables
RICH_ALARM = "a table drawn by Rich (Lightning's Rich model summary or results table)"
ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


@dataclass(frozen=True)
class Alarm:
    """One warning, error line or traceback, with the cell it is in (its execution count and first line)."""

    message: str
    cell: str = ""

    def __str__(self) -> str:
        return f"{self.cell}: {self.message}" if self.cell else self.message


def alarms_in_text(text: str) -> list[str]:
    """The warnings, ``WARNING``/``ERROR`` lines and tracebacks in an output's text, normalised for comparison."""
    found = []
    for line in text.splitlines():
        line = ADDRESS.sub("0x…", line.strip())
        if warning := PYTHON_WARNING.search(line):
            found.append(f"{warning[1]}: {warning[2].strip()}")
        elif log := LOG_LINE.match(line):
            found.append(f"{log[1]}: {log[2].strip()}")
        elif TRACEBACK in line:
            found.append(TRACEBACK)
        elif RICH_TABLE in line:
            found.append(RICH_ALARM)
    return found


def output_text(output: dict) -> str:
    """The text of an output: a stream's, an error's, or a display's plain text (where Rich draws)."""
    if output.get("output_type") == "stream":
        return output.get("text", "")
    if output.get("output_type") == "error":
        return f"{TRACEBACK}\n{output.get('ename', '')}: {output.get('evalue', '')}"
    text = output.get("data", {}).get("text/plain", "")
    return "".join(text) if isinstance(text, list) else text


def notebook_alarms(nb: nbformat.NotebookNode) -> list[Alarm]:
    """Every alarm in ``nb``'s code cells' outputs, in order."""
    alarms = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        first = (cell.source.strip().splitlines() or [""])[0][:60]
        where = f"cell [{cell.get('execution_count') or ' '}] {first!r}"
        for output in cell.get("outputs", []):
            alarms += [Alarm(message, where) for message in alarms_in_text(output_text(output))]
    return alarms


def new_alarms(executed: nbformat.NotebookNode, committed: nbformat.NotebookNode) -> list[Alarm]:
    """The alarms of ``executed`` whose message the ``committed`` notebook never shows (each message once)."""
    known = {alarm.message for alarm in notebook_alarms(committed)}
    new, seen = [], set()
    for alarm in notebook_alarms(executed):
        if alarm.message not in known and alarm.message not in seen:
            new.append(alarm)
            seen.add(alarm.message)
    return new
