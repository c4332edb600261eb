"""The resident's pages, one blueprint per area."""
