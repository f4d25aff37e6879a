"""Importing this module sets up a Colab runtime for the course: each lesson's first cell imports it on Colab.

See :func:`helpers.course.colab.set_up` for what it does. Importing it twice in one kernel does nothing more.
"""

from helpers.course.colab import set_up

set_up()
