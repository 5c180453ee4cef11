"""One module per CLI command group (docs/style.md habit 8)."""
