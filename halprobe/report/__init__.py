"""Reporting: tables, CSV and (later) plots and HTML."""
