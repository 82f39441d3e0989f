"""Dagster's face of lägesbild: Definitions, jobs, schedules, sensors, resources and the CLI."""
