"""Fickan's web BFF: the resident's pages, rendered on the server; see README.md."""
