"""Developer tools that are not part of the pipeline (data generators, benchmarks)."""
