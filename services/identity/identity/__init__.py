"""Fickan identity service."""
