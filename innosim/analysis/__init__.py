"""Analyses over cases: batch runs, ensembles, Monte Carlo, sensitivity, goal seeking, attribution."""
