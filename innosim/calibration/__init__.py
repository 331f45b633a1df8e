"""Calibration against the observed record (history mode) and against the stated targets (plan mode)."""
