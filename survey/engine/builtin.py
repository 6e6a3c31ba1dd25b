"""Choices and texts the engine supplies itself: likert scales, yes/no and «Annet»."""

from __future__ import annotations

from survey.engine.definition import Choice, Text

OTHER_VALUE = "annet"
OTHER_SUFFIX = "_annet"
OTHER_MAX_LENGTH = 500

OTHER_CHOICE = Choice(OTHER_VALUE, Text({"nb": "Annet", "nn": "Anna", "en": "Other"}))
OTHER_LABEL = Text(
    {"nb": "Annet, spesifiser", "nn": "Anna, spesifiser", "en": "Other, please specify"}
)

YES_NO_CHOICES = (
    Choice("yes", Text({"nb": "Ja", "nn": "Ja", "en": "Yes"})),
    Choice("no", Text({"nb": "Nei", "nn": "Nei", "en": "No"})),
)

_DISAGREE = {"nb": "Helt uenig", "nn": "Heilt usamd", "en": "Strongly disagree"}
_AGREE = {"nb": "Helt enig", "nn": "Heilt samd", "en": "Strongly agree"}


def _agreement_scale(points: int) -> tuple[Choice, ...]:
    # Only the endpoints carry words; the points between are read as steps on the same line.
    ends = {1: _DISAGREE, points: _AGREE}
    choices = []
    for point in range(1, points + 1):
        if point in ends:
            label = Text({lang: f"{point} – {word}" for lang, word in ends[point].items()})
        else:
            label = Text.same(str(point))
        choices.append(Choice(str(point), label, score=point))
    return tuple(choices)


def _extent_scale() -> tuple[Choice, ...]:
    labels = {
        4: {"nb": "I stor grad", "nn": "I stor grad", "en": "To a great extent"},
        3: {"nb": "I noen grad", "nn": "I nokon grad", "en": "To some extent"},
        2: {"nb": "I liten grad", "nn": "I liten grad", "en": "To a small extent"},
        1: {"nb": "Ikke i det hele tatt", "nn": "Ikkje i det heile", "en": "Not at all"},
    }
    return tuple(Choice(str(point), Text(text), score=point) for point, text in labels.items())


LIKERT_SCALES: dict[str, tuple[Choice, ...]] = {
    "1-5": _agreement_scale(5),
    "1-6": _agreement_scale(6),
    "grad": _extent_scale(),
}
