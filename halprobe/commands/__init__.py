"""One module per CLI command group (STYLE.md habit 8)."""
