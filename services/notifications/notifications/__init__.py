"""Fickan notifications service."""
