"""The yearly lägesbild: a self-contained Swedish HTML report rendered from the public tables.

Modules: ``data`` (loads the public tables for a year), ``text`` (Swedish formats and
sentences), ``tables``/``document`` (the report's structure), ``figures`` (Plotly charts),
``mapsvg`` (the SVG map), ``findings``/``areas``/``themes``/``sources`` (the sections),
``render`` (templates and atomic write) and ``assets`` (the Dagster asset).
"""
