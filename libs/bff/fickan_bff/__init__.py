"""Shared parts of Fickan's BFFs; see README.md."""
