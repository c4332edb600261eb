"""Fickan contact service."""
