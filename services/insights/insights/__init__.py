"""Fickan insights service: key figures from Kolada beside comparison municipalities, and guides."""
