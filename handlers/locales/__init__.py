"""Message catalogs, one module per language (see handlers/i18n.py)."""
