"""Flink SQL: templates/ rendered into sql/ for one environment."""
