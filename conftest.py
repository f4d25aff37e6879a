"""Test-wide settings: the stand-in data and no network, for this process and every notebook kernel it starts."""

from tools.offline import apply_offline_env

apply_offline_env()
