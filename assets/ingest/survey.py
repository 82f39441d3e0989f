"""trygghet/: survey results on perceived safety (data-contract §2.8)."""

from __future__ import annotations

from assets.ingest.loader import RowLoader
from assets.ingest.sources import SURVEY


class SurveyLoader(RowLoader):
    """RowLoader for trygghet/; the questions come from staging.survey_question (referens)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, spec=SURVEY, **kwargs)
