"""Renderers: report-data objects in, file bytes out (PDF, SIE, CSV/XLSX); no queries."""
