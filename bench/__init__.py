"""The national-scale benchmark: `make bench` (python -m bench.run) and its parts.

* ``bench.data``     generate or reuse the raw folders, cached by generator parameters + code
* ``bench.baseline`` the bare-DuckDB lower bound: area_year from the same raw folder in SQL
* ``bench.measure``  run a command as a subprocess; wall time and peak RSS of its process tree
* ``bench.compare``  the correctness check: the pipeline's area_year against the baseline's
* ``bench.events``   step timings from a run's Dagster event log (the start-up split)
* ``bench.profile``  profile ``lagesbild run`` under pyinstrument
* ``bench.run``      the harness that ties them together and writes the JSON results
"""
