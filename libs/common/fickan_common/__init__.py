"""Shared building blocks of Fickan's services; see README.md."""
