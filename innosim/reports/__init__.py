"""Outputs: CSV, Excel and Parquet tables with their provenance record, and the model document."""
