"""Which units a report covers: the municipality of tests/reports/conftest.py, «Kommunen» with
Hjemmetjenesten, Omsorgssenter A and Psykisk helse og rus below it."""

from __future__ import annotations

import pytest

from survey.reporting.scope import Scope, UnknownScope


def test_a_scope_by_name_covers_the_unit_and_those_below(app, municipality):
    ids = municipality
    with app.test_request_context():
        whole = Scope.parse("kommune")
        assert whole.is_whole and whole.key == "kommune" and whole.unit_codes() is None
        assert whole.label() == "Hele kommunen"
        top = Scope.parse("unit:kommune")
        assert top == Scope.parse(f"unit:{ids['kommune']}")
        assert top.unit_ids == frozenset(ids.values()) and not top.is_whole
        assert top.key == f"unit:{ids['kommune']}"
        home = Scope.parse("unit:hjemme")
        assert home.unit_ids == {ids["hjemme"]}
        assert home.unit_codes() == ["hjemme"]
        assert home.label() == "Hjemmetjenesten (med underenheter)"
        for text in ("unit:nowhere", "unit:", "hjemme", "enhet:hjemme"):
            with pytest.raises(UnknownScope):
                Scope.parse(text)


def test_what_a_person_may_see_narrows_the_scope(app, municipality):
    ids = municipality
    leader = {ids["hjemme"], ids["psyk"]}
    with app.test_request_context():
        assert Scope.chosen("kommune", None) == Scope.whole()
        assert Scope.chosen("kommune", leader) is None  # a leader's scope is their units
        assert Scope.chosen(str(ids["psyk"]), leader) == Scope.parse("unit:psyk")
        assert Scope.chosen(str(ids["omsorg"]), leader) is None
        assert Scope.chosen(str(ids["kommune"]), None).unit_ids == frozenset(ids.values())
        assert Scope.chosen("999999", None) is None
        assert Scope.chosen("psyk", None) is None  # the form sends ids

        assert Scope.visible(None) == Scope.whole()
        theirs = Scope.visible(leader)
        assert theirs.unit is None and theirs.unit_ids == leader
        assert theirs.key == "units:" + ",".join(str(i) for i in sorted(leader))
        assert theirs.unit_codes() == ["hjemme", "psyk"]
        assert [unit.name for unit in theirs.units()] == ["Hjemmetjenesten", "Psykisk helse og rus"]
        assert theirs.label() == "Hjemmetjenesten, Psykisk helse og rus"
        assert Scope.visible(set()).unit_codes() == []
