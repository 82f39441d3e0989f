"""The public tables are tested on the same session build of the sample as the marts."""

from tests.marts.conftest import marts, sample_build  # noqa: F401  (pytest fixtures)
