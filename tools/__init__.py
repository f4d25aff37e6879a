"""Maintainer tools: offline settings, keeping generated pieces in sync, executing and running the course."""
