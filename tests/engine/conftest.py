from pathlib import Path

import pytest

from survey.engine import load

DATA = Path(__file__).parent.parent / "data" / "questionnaires"


@pytest.fixture
def full():
    """A questionnaire with every question type and three levels of branching."""
    return load(DATA / "valid-full.yaml")
