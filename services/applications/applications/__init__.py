"""Fickan applications service."""
