"""Fickan's BFF for the phone app; see README.md."""
