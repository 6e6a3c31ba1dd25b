"""Distributing vacant stillingsandeler: hand-worked cases, the rules on random instances, and
optimality against a brute force written here from the documented objective alone."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.classification.definitions import HeltidThreshold
from survey.committee.allocation import (
    ABOVE_DESIRED,
    ABOVE_FULL_TIME,
    DUPLICATE_ALLOCATION,
    EXACT,
    FORTRINNSRETT_PASSED_OVER,
    GREEDY,
    INDIVISIBLE_SPLIT,
    INVALID_PERCENT,
    MALFORMED_ROW,
    MANUAL,
    NOT_IN_STEPS,
    NOT_POSITIVE,
    SHARE_EXCEEDED,
    UNKNOWN_CANDIDATE,
    UNKNOWN_SHARE,
    Allocation,
    Candidate,
    Share,
    UnitState,
    Weights,
    compare,
    evaluate,
    propose,
)

D = Decimal


def codes(proposal):
    return sorted(violation.code for violation in proposal.violations)


# --- hand-worked cases ------------------------------------------------------------------------


def test_lifting_50_to_80_beats_15_to_45():
    proposal = propose(
        [Share("andel", 30, divisible=False)],
        [Candidate("kari", 15, 45), Candidate("ola", 50, 80)],
    )
    assert proposal.allocations == (Allocation("andel", "ola", D(30)),)
    # (80² - 50²) / 200 = 19.5, plus 5 for reaching the wish.
    assert proposal.objective == (D("24.5"),)
    assert proposal.method == EXACT
    assert proposal.valid
    assert proposal.unallocated == {"andel": 0}


def test_fortrinnsrett_comes_before_a_larger_lift():
    proposal = propose(
        [Share("andel", 30, divisible=False)],
        [Candidate("kari", 15, 45, priority=0), Candidate("ola", 50, 80, priority=1)],
    )
    assert proposal.allocations == (Allocation("andel", "kari", D(30)),)
    assert proposal.levels == (0, 1)
    assert proposal.objective == (D(9) + 5, D(0))


def test_fortrinnsrett_to_part_of_a_share_and_the_rest_to_others():
    proposal = propose(
        [Share("andel", 30)],
        [Candidate("kari", 70, 80, priority=0), Candidate("ola", 50, 100)],
    )
    assert proposal.given == {"kari": 10, "ola": 20}
    assert proposal.unallocated == {"andel": 0}


def test_nobody_passes_their_wish_and_the_rest_stays_vacant():
    proposal = propose([Share("andel", 30)], [Candidate("kari", 60, 75)])
    assert proposal.allocations == (Allocation("andel", "kari", D(15)),)
    assert proposal.unallocated == {"andel": 15}
    assert proposal.effect.reached_desired == 1


def test_steps_follow_the_granularity():
    proposal = propose([Share("andel", 30)], [Candidate("kari", 60, 77)], granularity=10)
    assert proposal.given == {"kari": 10}
    assert proposal.unallocated == {"andel": 20}


def test_an_indivisible_share_too_large_for_everyone_stays_vacant():
    proposal = propose(
        [Share("andel", 40, divisible=False)],
        [Candidate("kari", 60, 90), Candidate("ola", 75, 100)],
    )
    assert proposal.allocations == ()
    assert proposal.unallocated == {"andel": 40}


def test_a_divisible_share_goes_whole_when_that_reaches_the_wish():
    # 37.5 is no multiple of 5: in steps Kari would stop at 97.5 %.
    proposal = propose([Share("andel", "37.5")], [Candidate("kari", "62.5", 100)])
    assert proposal.allocations == (Allocation("andel", "kari", D("37.5")),)
    assert proposal.effect.reached_desired == 1


def test_nobody_qualified_leaves_everything_vacant():
    shares = [Share("a", 50), Share("b", 100, divisible=False)]
    for candidates in ([], [Candidate("kari", 80, 80), Candidate("ola", 100, 100)]):
        proposal = propose(shares, candidates)
        assert proposal.allocations == ()
        assert proposal.unallocated == {"a": 50, "b": 100}
        assert proposal.value == 0
        assert proposal.valid


def test_ties_go_to_the_lower_id():
    candidates = [Candidate(2, 50, 80), Candidate(1, 50, 80)]
    proposal = propose([Share(7, 30)], candidates)
    assert proposal.allocations == (Allocation(7, 1, D(30)),)
    # Integer ids order as numbers.
    assert list(propose([Share(1, 30)], [Candidate(10, 50, 80), Candidate(9, 50, 80)]).given) == [
        9,
        10,
    ]


def test_involuntary_and_ansiennitet_weigh_in():
    shares = [Share("andel", 30, divisible=False)]
    equal = [Candidate("a", 50, 80), Candidate("b", 50, 80, involuntary=True)]
    assert propose(shares, equal).given == {"a": 0, "b": 30}
    senior = [Candidate("a", 50, 80), Candidate("b", 50, 80, ansiennitet_years=D(12))]
    assert propose(shares, senior).given == {"a": 0, "b": 30}
    # Without the weights the tie goes to the lower id.
    flat = Weights(involuntary=D(0), per_ansiennitet_year=D(0))
    assert propose(shares, senior, weights=flat).given == {"a": 30, "b": 0}


def test_one_whole_position_concentrated_rather_than_spread():
    proposal = propose(
        [Share("stilling", 100)],
        [Candidate("a", 50, 100), Candidate("b", 50, 100), Candidate("c", 50, 100)],
    )
    assert proposal.given == {"a": 50, "b": 50, "c": 0}


def test_pieces_come_from_as_few_shares_as_possible():
    proposal = propose(
        [Share("a", 20), Share("b", 30), Share("c", 50)],
        [Candidate("kari", 50, 80), Candidate("ola", 80, 100), Candidate("per", 50, 100)],
    )
    assert set(proposal.allocations) == {
        Allocation("b", "kari", D(30)),
        Allocation("a", "ola", D(20)),
        Allocation("c", "per", D(50)),
    }


def test_effect_on_the_unit():
    unit = UnitState(
        {"kari": D(50), "ola": D(80), "per": D(100), "liv": D(20)},
        heltid=HeltidThreshold.parse(">= 80"),
    )
    proposal = propose(
        [Share("andel", 30)],
        [Candidate("kari", 50, 80), Candidate("ekstern", 40, 50)],
        unit=unit,
    )
    effect = proposal.effect
    assert proposal.given == {"ekstern": 0, "kari": 30}
    # The candidate from another unit is counted with the unit's people.
    assert effect.population == 5
    assert effect.average_before == D(290) / 5
    assert effect.average_after == D(320) / 5
    assert (effect.heltid_before, effect.heltid_after) == (2, 3)
    assert effect.heltid_share_after == D("0.6")
    assert (effect.lifted, effect.reached_desired) == (1, 1)


def test_a_large_case_uses_the_greedy_search_and_keeps_the_rules():
    shares = [Share(s, 100 if s % 3 else "37.5", divisible=s % 4 != 0) for s in range(6)]
    candidates = [
        Candidate(c, D(10 + (c * 37) % 80), D(min(100, 40 + (c * 53) % 70)), priority=c % 3)
        for c in range(20)
    ]
    proposal = propose(shares, candidates)
    assert proposal.method == GREEDY
    assert proposal.valid
    check_rules(shares, candidates, D(5), proposal)


# --- evaluate and compare ---------------------------------------------------------------------

SHARES = [Share("a", 30), Share("b", 40, divisible=False)]
CANDIDATES = [
    Candidate("kari", 50, 80, priority=0),
    Candidate("ola", 60, 100),
    Candidate("per", 90, 100),
]


def test_evaluate_accepts_the_proposal_it_was_given():
    proposal = propose(SHARES, CANDIDATES)
    again = evaluate(proposal.allocations, SHARES, CANDIDATES)
    assert again.valid and again.method == MANUAL
    assert again.objective == proposal.objective
    assert again.given == proposal.given


def test_evaluate_reports_every_broken_rule():
    proposal = evaluate(
        [
            ("a", "kari", "27"),  # not in steps of 5
            ("b", "ola", 20),  # part of an indivisible share
            ("a", "per", "15"),  # per wants only 10 more; a gets 42 in all
            ("x", "nobody", 5),
            ("a", "kari", D(0)),
            ("a", "ola", -5),
            ("a", "ola", "fem"),
            ("a", "ola"),
            None,
        ],
        SHARES,
        CANDIDATES,
    )
    assert not proposal.valid
    assert codes(proposal) == sorted(
        [
            NOT_IN_STEPS,
            INDIVISIBLE_SPLIT,
            UNKNOWN_SHARE,
            UNKNOWN_CANDIDATE,
            NOT_POSITIVE,
            INVALID_PERCENT,
            MALFORMED_ROW,
            MALFORMED_ROW,
            SHARE_EXCEEDED,
            ABOVE_DESIRED,
            ABOVE_FULL_TIME,
        ]
    )
    rows = {v.code: v.row for v in proposal.violations}
    assert rows[NOT_IN_STEPS] == 0 and rows[INVALID_PERCENT] == 6
    assert proposal.given == {"kari": D(27), "ola": D(20), "per": D(15)}
    assert proposal.unallocated == {"a": 0, "b": 20}


def test_evaluate_flags_a_passed_over_fortrinnsrett_and_duplicates():
    # Kari (§ 14-3) has room for 30.
    proposal = evaluate(
        [("a", "ola", "10"), ("a", "ola", "10,0"), ("b", "per", "10")], SHARES, CANDIDATES
    )
    # Even a wrong piece of b is one Kari could have taken.
    assert codes(proposal) == sorted(
        [
            DUPLICATE_ALLOCATION,
            FORTRINNSRETT_PASSED_OVER,
            FORTRINNSRETT_PASSED_OVER,
            INDIVISIBLE_SPLIT,
        ]
    )
    passed = [v for v in proposal.violations if v.code == FORTRINNSRETT_PASSED_OVER]
    assert [(v.share_id, v.candidate_id, v.passed_over_id) for v in passed] == [
        ("a", "ola", "kari"),
        ("b", "per", "kari"),
    ]
    assert proposal.given["ola"] == 20


@pytest.mark.parametrize(
    "rows",
    [
        None,
        5,
        "abc",
        [[]],
        [{}],
        [("a", ["kari"], 5)],
        [({"a"}, "kari", 5)],
        [("a", "kari", 1e400)],
    ],
)
def test_evaluate_never_raises_on_form_input(rows):
    proposal = evaluate(rows, SHARES, CANDIDATES)
    assert proposal.allocations == ()


def test_compare_ranks_valid_proposals_by_objective():
    best = propose(SHARES, CANDIDATES)
    worse = evaluate([("a", "kari", 30)], SHARES, CANDIDATES)
    invalid = evaluate([("a", "kari", 30), ("b", "per", 40)], SHARES, CANDIDATES)
    comparison = compare([invalid, worse, best])
    assert comparison.order == (2, 1, 0)
    assert comparison.best == 2
    assert comparison.given["kari"] == (D(30), D(30), best.given["kari"])
    assert "per" in comparison.differing
    assert compare([]).best is None


# --- the rules and optimality on random small instances ---------------------------------------

PERCENTS = [D(p) for p in ("2.5", "12.5", "37.5", "42.5")]
SIZES = [D(p) for p in (0, 10, 15, 20, 30, 40, "47.5", 50, 60, "62.5", 70, 75, 80, 90, 95, 100)]
LIFTS = [D(p) for p in (0, 5, 10, "12.5", 15, 20, 25, 30, "37.5", 40, "42.5", 50, 60)]


@st.composite
def instances(draw):
    granularity = draw(st.sampled_from([D(5), D(10), D(20), D(25)]))
    shares = []
    for number in range(draw(st.integers(1, 3))):
        # At most 4 steps a share keeps the brute force fast.
        if draw(st.integers(0, 2)) == 0:
            percent = draw(st.sampled_from([p for p in PERCENTS if p // granularity <= 4]))
        else:
            percent = granularity * draw(st.integers(1, 4))
        shares.append(Share(f"s{number}", percent, divisible=draw(st.booleans())))
    candidates = []
    for number in range(draw(st.integers(0, 8))):
        current = draw(st.sampled_from(SIZES))
        candidates.append(
            Candidate(
                f"c{number}",
                current,
                current + draw(st.sampled_from(LIFTS)),
                priority=draw(st.sampled_from([0, 1, 1, 2])),
                involuntary=draw(st.booleans()),
                ansiennitet_years=D(draw(st.sampled_from([0, 4, 30]))),
            )
        )
    weights = draw(
        st.sampled_from([Weights(), Weights(reach_desired_bonus=D(0)), Weights(D(1), D(1))])
    )
    return shares, candidates, granularity, weights


def check_rules(shares, candidates, granularity, proposal):
    percent = {share.id: share.percent for share in shares}
    divisible = {share.id: share.divisible for share in shares}
    by_id = {candidate.id: candidate for candidate in candidates}
    per_share = dict.fromkeys(percent, D(0))
    per_candidate = dict.fromkeys(by_id, D(0))
    for share_id, candidate_id, amount in proposal.allocations:
        assert amount > 0
        whole = amount == percent[share_id]
        assert whole or (divisible[share_id] and amount % granularity == 0)
        per_share[share_id] += amount
        per_candidate[candidate_id] += amount
    for share_id, total in per_share.items():
        assert total <= percent[share_id]
        assert proposal.unallocated[share_id] == percent[share_id] - total
    for candidate_id, total in per_candidate.items():
        candidate = by_id[candidate_id]
        if total:
            assert candidate.current + total <= min(candidate.desired, 100)
        assert proposal.given[candidate_id] == total
    for share_id, holder, amount in proposal.allocations:
        step = (
            divisible[share_id] and amount % granularity == 0 and percent[share_id] >= granularity
        )
        smallest = granularity if step else amount
        for other in candidates:
            if other.priority < by_id[holder].priority:
                room = min(other.desired, 100) - other.current - per_candidate[other.id]
                assert room < smallest, "a piece went past a candidate with fortrinnsrett"


def value(candidate, amount, weights):
    """V_c from the module docstring, in exact fractions."""
    years = min(candidate.ansiennitet_years, weights.max_ansiennitet_years)
    weight = (
        1
        + (Fraction(weights.involuntary) if candidate.involuntary else 0)
        + Fraction(weights.per_ansiennitet_year) * Fraction(years)
    )
    before = Fraction(candidate.current)
    after = before + Fraction(amount)
    result = weight * (after * after - before * before) / 200
    if amount > 0 and after == min(candidate.desired, 100):
        result += Fraction(weights.reach_desired_bonus)
    return result


def objective(candidates, totals, weights):
    levels = sorted({candidate.priority for candidate in candidates})
    return tuple(
        sum(
            (
                value(c, total, weights)
                for c, total in zip(candidates, totals, strict=True)
                if c.priority == p
            ),
            Fraction(0),
        )
        for p in levels
    )


def brute_force_optimum(shares, candidates, granularity, weights):
    """Every feasible allocation, share by share; as the objective depends only on what each
    candidate gets in total, allocations with the same totals are kept once."""
    rooms = [max(min(c.desired, 100) - c.current, 0) for c in candidates]
    reachable = {tuple(D(0) for _ in candidates)}
    for share in shares:
        following = set()
        for totals in reachable:
            following.add(totals)
            for index in range(len(candidates)):
                if totals[index] + share.percent <= rooms[index]:
                    whole = list(totals)
                    whole[index] += share.percent
                    following.add(tuple(whole))
            if share.divisible:
                steps = int(share.percent // granularity)
                following.update(_spread(list(totals), 0, steps, rooms, granularity))
        reachable = following
    levels = sorted({candidate.priority for candidate in candidates})
    tables = [{} for _ in candidates]

    def cached(index, total):
        if total not in tables[index]:
            tables[index][total] = value(candidates[index], total, weights)
        return tables[index][total]

    return max(
        tuple(
            sum(
                (cached(i, total) for i, total in enumerate(totals) if candidates[i].priority == p),
                Fraction(0),
            )
            for p in levels
        )
        for totals in reachable
    )


def _spread(totals, index, steps, rooms, granularity):
    if index == len(totals) or steps == 0:
        yield tuple(totals)
        return
    original = totals[index]
    for count in range(steps + 1):
        totals[index] = original + count * granularity
        if totals[index] > rooms[index]:
            break
        yield from _spread(totals, index + 1, steps - count, rooms, granularity)
    totals[index] = original


PROPERTIES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTIES
@given(instances())
def test_the_exact_proposal_keeps_the_rules_and_is_optimal(instance):
    shares, candidates, granularity, weights = instance
    proposal = propose(shares, candidates, granularity=granularity, weights=weights)
    assert proposal.method == EXACT
    assert proposal.valid, proposal.violations
    check_rules(shares, candidates, granularity, proposal)
    ordered = sorted(candidates, key=lambda c: (c.priority, c.id))
    found = tuple(Fraction(v) for v in proposal.objective)
    assert found == objective(ordered, [proposal.given[c.id] for c in ordered], weights)
    assert found == brute_force_optimum(shares, ordered, granularity, weights)
    # The committee's check agrees with the proposal it was given.
    again = evaluate(
        proposal.allocations, shares, candidates, granularity=granularity, weights=weights
    )
    assert again.valid and again.objective == proposal.objective


@PROPERTIES
@given(instances())
def test_the_greedy_proposal_keeps_the_rules_and_is_no_better_than_exact(instance):
    shares, candidates, granularity, weights = instance
    exact = propose(shares, candidates, granularity=granularity, weights=weights)
    greedy = propose(
        shares, candidates, granularity=granularity, weights=weights, strategy="greedy"
    )
    assert greedy.method == GREEDY
    assert greedy.valid, greedy.violations
    check_rules(shares, candidates, granularity, greedy)
    assert greedy.objective <= exact.objective


@settings(PROPERTIES, max_examples=75)
@given(instances(), st.randoms(use_true_random=False))
def test_the_answer_does_not_depend_on_the_input_order(instance, random):
    shares, candidates, granularity, weights = instance
    first = propose(shares, candidates, granularity=granularity, weights=weights)
    random.shuffle(shares)
    random.shuffle(candidates)
    assert propose(shares, candidates, granularity=granularity, weights=weights) == first
