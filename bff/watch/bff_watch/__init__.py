"""Fickan's BFF for the watch; see README.md."""
