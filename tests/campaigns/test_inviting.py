"""Invitations for the people on the roster (issue 12, item 1): who is selected, what the
preview counts, one invitation per person and campaign however often it runs, the people who
left marked and never deleted, channels, pre-fill, the derived link, and the command."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from survey.accounts.models import Person, Unit
from survey.campaigns.inviting import RosterSelection, invite_roster, preview
from survey.campaigns.models import Campaign, Channel, Invitation
from survey.campaigns.services import create_campaign, derived_token, find_invitation
from survey.db import unit_of_work
from survey.extensions import db
from survey.problems import ProblemError
from survey.roster.models import Ansettelsesform, Position

FAST, MIDLERTIDIG = Ansettelsesform.FAST, Ansettelsesform.MIDLERTIDIG

# ansattnummer: (name, e-mail, mobile, [(unit, yrkesgruppe, percent, form)])
PEOPLE = {
    "1": ("Kari", "kari@kommune.no", None, [("HJT", "Sykepleier", "80", FAST)]),
    "2": ("Per", None, "+4791234567", [("HJT-N", "Assistent", "100", FAST)]),
    "3": (
        "Åse",
        None,
        None,
        [("OSA", "Helsefagarbeider", "60", FAST), ("HJT", "Helsefagarbeider", "40", MIDLERTIDIG)],
    ),
    "4": ("Ola", "ola@kommune.no", "+4741234567", [("HJT-N", "sykepleier", "50", MIDLERTIDIG)]),
}
UNITS = [("HO", "Helse og omsorg", None), ("HJT", "Hjemmetjenesten", "HO")]
UNITS += [("HJT-N", "Hjemmetjenesten nord", "HJT"), ("OSA", "Omsorgssenter A", "HO")]


def add_person(number, name, email, mobile, positions, *, left_on=None) -> int:
    units = {u.code: u for u in db.session.scalars(select(Unit))}
    person = Person(name=name, ansattnummer=number, email=email, mobile=mobile)
    person.left_roster_on = left_on
    person.unit = units[positions[0][0]]
    db.session.add(person)
    db.session.flush()
    for code, yrkesgruppe, percent, form in positions:
        db.session.add(
            Position(
                person_id=person.id,
                unit=units[code],
                yrkesgruppe=yrkesgruppe,
                stillingsprosent=Decimal(percent),
                ansettelsesform=form,
            )
        )
    db.session.flush()
    return person.id


@pytest.fixture
def roster(app):
    """Four people on the roster, one who left, and a staff account without positions;
    returns ansattnummer -> person id."""
    with app.app_context(), unit_of_work():
        created = {}
        for code, name, parent in UNITS:
            created[code] = Unit(code=code, name=name, parent=created.get(parent))
            db.session.add(created[code])
        db.session.flush()
        ids = {number: add_person(number, *values) for number, values in PEOPLE.items()}
        ids["5"] = add_person(
            "5", "Gone", "gone@kommune.no", None, [("HJT", "Sykepleier", "100", FAST)],
            left_on=dt.date(2026, 1, 31),
        )  # fmt: skip
        db.session.add(Person(name="Prosjektleder", email="pl@kommune.no"))
    return ids


@pytest.fixture
def campaign_id(app):
    with app.app_context(), unit_of_work():
        return create_campaign("heltid-arlig", "identified", "Årlig").id


def invite(app, campaign_id, selection=None, day=None):
    with app.app_context(), unit_of_work():
        campaign = db.session.get(Campaign, campaign_id)
        result = invite_roster(campaign, selection or RosterSelection(), day=day)
        return (
            sorted(i.person_id for i in result.invitations),
            result.already,
            result.marked_left,
            dict(result.by_channel),
        )


def invitations(app, campaign_id) -> dict[int | None, Invitation]:
    with app.app_context():
        rows = db.session.scalars(select(Invitation).where(Invitation.campaign_id == campaign_id))
        found = {i.person_id: i for i in rows}
        db.session.expunge_all()
        return found


def selected(app, campaign_id, **selection) -> set[str]:
    with app.app_context(), unit_of_work():
        campaign = db.session.get(Campaign, campaign_id)
        result = invite_roster(campaign, RosterSelection(**selection))
        numbers = {db.session.get(Person, i.person_id).ansattnummer for i in result.invitations}
        db.session.rollback()  # try the next selection on the same roster
        return numbers


# --- the preview --------------------------------------------------------------------------------


def test_preview_counts_people_per_unit_and_channel(app, roster, campaign_id):
    with app.app_context():
        shown = preview(db.session.get(Campaign, campaign_id), RosterSelection())
    assert (shown.people, shown.new, shown.already_invited, shown.left) == (4, 4, 0, 0)
    assert (shown.with_email, shown.with_mobile_only, shown.with_neither) == (2, 1, 1)
    assert [
        (r.unit_code, r.unit_name, r.people, r.new, r.email, r.mobile_only, r.neither)
        for r in shown.units
    ] == [
        ("HJT", "Hjemmetjenesten", 1, 1, 1, 0, 0),
        ("HJT-N", "Hjemmetjenesten nord", 2, 2, 1, 1, 0),
        ("OSA", "Omsorgssenter A", 1, 1, 0, 0, 1),  # Åse's main position
    ]
    assert invitations(app, campaign_id) == {}  # a preview writes nothing

    invite(app, campaign_id, RosterSelection(unit_code="HJT"))
    with app.app_context():
        shown = preview(db.session.get(Campaign, campaign_id), RosterSelection())
    assert (shown.people, shown.new, shown.already_invited) == (4, 3, 1)


# --- inviting -----------------------------------------------------------------------------------


def test_one_invitation_per_person_with_channel_prefill_and_derived_link(app, roster, campaign_id):
    new, already, left, channels = invite(app, campaign_id, day=dt.date(2026, 3, 2))
    people = [roster[n] for n in ("1", "2", "3", "4")]
    assert (new, already, left) == (sorted(people), 0, 0)
    assert channels == {Channel.EMAIL: 2, Channel.SMS: 1, Channel.LETTER: 1}

    found = invitations(app, campaign_id)
    assert set(found) == set(people)  # not the one who left, not the staff account
    kari, per, ase, ola = (found[roster[n]] for n in ("1", "2", "3", "4"))
    assert [kari.channel, per.channel, ase.channel, ola.channel] == [
        Channel.EMAIL,
        Channel.SMS,
        Channel.LETTER,
        Channel.EMAIL,  # e-mail before SMS
    ]
    assert ase.prefill == {
        "enhet": "OSA",
        "yrkesgruppe": "Helsefagarbeider",
        "stillingsprosent": "100",  # the positions added up
        "ansettelsesform": "fast",  # the main position's
    }
    assert kari.prefill == {
        "enhet": "HJT",
        "yrkesgruppe": "Sykepleier",
        "stillingsprosent": "80",
        "ansettelsesform": "fast",
    }
    with app.app_context():
        units = dict(db.session.execute(select(Unit.code, Unit.id)).all())
    assert (ase.unit_id, ase.yrkesgruppe) == (units["OSA"], "Helsefagarbeider")
    assert (ola.unit_id, ola.yrkesgruppe) == (units["HJT-N"], "sykepleier")
    assert {i.created_on for i in found.values()} == {dt.date(2026, 3, 2)}
    assert all(i.used_on is None and i.left_on is None for i in found.values())
    assert len({i.token_salt for i in found.values()}) == 4

    with app.app_context():
        for invitation in found.values():
            token = derived_token(app.config["SECRET_KEY"], invitation.token_salt)
            assert find_invitation(token).id == invitation.id
            assert invitation.token_hash != token  # only the hash is stored


def test_prefill_is_the_one_the_interview_guide_uses(app, roster):
    from survey.conversations.services import roster_prefill

    with app.app_context():
        ase = db.session.get(Person, roster["3"])
        assert roster_prefill(ase) == {
            "enhet": "OSA",
            "yrkesgruppe": "Helsefagarbeider",
            "stillingsprosent": "100",
            "ansettelsesform": "fast",
        }
        staff = db.session.scalars(select(Person).where(Person.name == "Prosjektleder")).one()
        assert roster_prefill(staff) == {}


def test_inviting_again_adds_only_newcomers(app, roster, campaign_id):
    first = invite(app, campaign_id)
    assert len(first[0]) == 4
    assert invite(app, campaign_id)[:3] == ([], 4, 0)
    with app.app_context(), unit_of_work():
        newcomer = add_person("6", "Nina", None, "+4798765432", [("OSA", "Sykepleier", "75", FAST)])
    assert invite(app, campaign_id)[:3] == ([newcomer], 4, 0)
    with app.app_context():
        total = db.session.scalar(
            select(func.count())
            .select_from(Invitation)
            .where(Invitation.campaign_id == campaign_id)
        )
    assert total == 5


def test_people_who_left_are_marked_not_deleted(app, roster, campaign_id):
    invite(app, campaign_id, day=dt.date(2026, 3, 2))
    with app.app_context(), unit_of_work():
        # Per left the roster, Kari was erased, Ola left after answering.
        db.session.get(Person, roster["2"]).left_roster_on = dt.date(2026, 3, 5)
        db.session.get(Person, roster["4"]).left_roster_on = dt.date(2026, 3, 5)
        ola = db.session.scalars(
            select(Invitation).where(Invitation.person_id == roster["4"])
        ).one()
        ola.used_on = dt.date(2026, 3, 3)
        kari_id = db.session.scalars(
            select(Invitation.id).where(Invitation.person_id == roster["1"])
        ).one()
        db.session.delete(db.session.get(Person, roster["1"]))  # erased: the person is gone
    with app.app_context():
        shown = preview(db.session.get(Campaign, campaign_id), RosterSelection())
    assert (shown.people, shown.already_invited, shown.left) == (1, 1, 2)

    assert invite(app, campaign_id, day=dt.date(2026, 3, 9))[:3] == ([], 1, 2)
    found = invitations(app, campaign_id)
    assert len(found) == 4
    assert found[roster["2"]].left_on == dt.date(2026, 3, 9)
    assert found[None].id == kari_id and found[None].left_on == dt.date(2026, 3, 9)
    assert found[roster["4"]].left_on is None  # used: it counts as an answer
    assert found[roster["3"]].left_on is None

    # Marked once: the day stays. Per back on the roster: invited again with the same link.
    assert invite(app, campaign_id, day=dt.date(2026, 3, 10))[2] == 0
    with app.app_context(), unit_of_work():
        db.session.get(Person, roster["2"]).left_roster_on = None
    assert invite(app, campaign_id, day=dt.date(2026, 3, 11))[:3] == ([], 2, 0)
    back = invitations(app, campaign_id)[roster["2"]]
    assert back.left_on is None and back.token_salt == found[roster["2"]].token_salt


def test_links_printed_for_nobody_are_never_marked(app, roster, campaign_id):
    from survey.campaigns.services import create_invitations

    with app.app_context(), unit_of_work():
        create_invitations(db.session.get(Campaign, campaign_id), 2)
    assert invite(app, campaign_id)[2] == 0
    assert all(i.left_on is None for i in invitations(app, campaign_id).values())


@pytest.mark.parametrize(
    ("selection", "numbers"),
    [
        ({}, {"1", "2", "3", "4"}),
        ({"unit_code": "HJT"}, {"1"}),  # Åse's main position is at OSA
        ({"unit_code": "HJT", "with_subunits": True}, {"1", "2", "4"}),
        ({"unit_code": "Hjemmetjenesten nord"}, {"2", "4"}),  # by name too
        ({"unit_code": "HO", "with_subunits": True}, {"1", "2", "3", "4"}),
        ({"unit_code": "HO"}, set()),
        ({"yrkesgrupper": ("SYKEPLEIER ",)}, {"1", "4"}),
        ({"yrkesgrupper": ("sykepleier", "Assistent")}, {"1", "2", "4"}),
        ({"part_time_only": True}, {"1", "4"}),  # Åse has 60 + 40
        ({"unit_code": "HJT", "with_subunits": True, "part_time_only": True}, {"1", "4"}),
    ],
)
def test_selections(app, roster, campaign_id, selection, numbers):
    assert selected(app, campaign_id, **selection) == numbers


def test_an_unknown_unit_is_refused(app, roster, campaign_id):
    with app.app_context(), pytest.raises(ProblemError) as raised:
        preview(db.session.get(Campaign, campaign_id), RosterSelection(unit_code="XYZ"))
    assert raised.value.problem.code == "unknown_unit"


@pytest.mark.parametrize("mode", ["anonymous", "confidential"])
def test_every_mode_may_invite_the_roster(app, roster, mode):
    with app.app_context(), unit_of_work():
        campaign_id = create_campaign("heltid-arlig", mode).id
    assert len(invite(app, campaign_id)[0]) == 4


def test_a_campaign_that_has_closed_invites_nobody(app, roster):
    with app.app_context(), unit_of_work():
        campaign_id = create_campaign(
            "heltid-arlig", "identified", closes_on=dt.date(2026, 3, 31)
        ).id
    assert len(invite(app, campaign_id, day=dt.date(2026, 3, 31))[0]) == 4
    with pytest.raises(ProblemError) as raised:
        invite(app, campaign_id, day=dt.date(2026, 4, 1))
    assert str(raised.value) == (
        "The campaign closed on 31.03.2026. Move its closing date to invite more people."
    )


def test_inviting_is_set_based(app, campaign_id):
    """The number of statements does not grow with the roster."""

    def statements_for(count: int, start: int) -> int:
        with app.app_context(), unit_of_work():
            unit = db.session.scalars(select(Unit)).first()
            if unit is None:
                db.session.add(unit := Unit(code="HJT", name="Hjemmetjenesten"))
                db.session.flush()
            people = [
                Person(name=f"P{n}", ansattnummer=str(n)) for n in range(start, start + count)
            ]
            db.session.add_all(people)
            db.session.flush()
            db.session.add_all(
                Position(
                    person_id=p.id,
                    unit=unit,
                    stillingsprosent=Decimal(50),
                    ansettelsesform=FAST,
                )
                for p in people
            )
        seen = []
        with app.app_context():
            listen = lambda *args: seen.append(args[2])  # noqa: E731
            event.listen(db.engine, "before_cursor_execute", listen)
            try:
                with unit_of_work():
                    campaign = db.session.get(Campaign, campaign_id)
                    result = invite_roster(campaign, RosterSelection())
                    assert len(result.invitations) == count
            finally:
                event.remove(db.engine, "before_cursor_execute", listen)
        return len(seen)

    few = statements_for(10, 1)
    many = statements_for(1500, 100)
    assert many <= few + 2, (few, many)  # + batches of the one multi-row INSERT


# --- the command --------------------------------------------------------------------------------


def test_cli_previews_then_invites(app, runner, roster, campaign_id):
    args = ["campaign", "invite", str(campaign_id), "--roster"]
    dry = runner.invoke(args=[*args, "--unit", "HJT", "--with-subunits", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "HJT Hjemmetjenesten: 1 people (1 e-mail, 0 mobile only, 0 neither), 1 new" in dry.output
    assert "HJT-N Hjemmetjenesten nord: 2 people (1 e-mail, 1 mobile only, 0 neither), 2 new" in (
        dry.output
    )
    assert (
        "3 people on the roster: 2 with e-mail, 1 with mobile only, 0 with neither; "
        "3 new, 0 already invited; 0 invitations of people who left"
    ) in dry.output
    assert "dry run" in dry.output
    assert invitations(app, campaign_id) == {}

    done = runner.invoke(args=[*args, "--unit", "HJT", "--with-subunits"])
    assert done.exit_code == 0, done.output
    assert (
        "3 invitations created (2 e-mail, 1 SMS, 0 letter); 0 already invited; 0 marked as left"
    ) in done.output
    assert len(invitations(app, campaign_id)) == 3

    everyone = runner.invoke(args=[*args, "--yrkesgruppe", "Helsefagarbeider"])
    assert everyone.exit_code == 0, everyone.output
    assert "1 invitations created (0 e-mail, 0 SMS, 1 letter); 0 already invited" in (
        everyone.output
    )
    assert "survey campaign letters" in everyone.output

    again = runner.invoke(args=args)
    assert "0 invitations created (0 e-mail, 0 SMS, 0 letter); 4 already invited" in again.output


def test_cli_options(app, runner, roster, campaign_id):
    invite = ["campaign", "invite", str(campaign_id)]
    for args, message in [
        ([], "give either --count or --roster"),
        (["--count", "2", "--roster"], "give either --count or --roster"),
        (["--count", "2", "--unit", "HJT"], "need --roster"),
        (["--roster", "--with-subunits"], "--with-subunits needs --unit"),
    ]:
        result = runner.invoke(args=[*invite, *args])
        assert result.exit_code == 2 and message in result.output, (args, result.output)
    unknown = runner.invoke(args=[*invite, "--roster", "--unit", "XYZ"])
    assert unknown.exit_code == 1 and "unknown unit 'XYZ'" in unknown.output
    assert runner.invoke(args=["campaign", "invite", "999", "--roster"]).exit_code == 1
    links = runner.invoke(args=[*invite, "--count", "2"])
    assert links.exit_code == 0 and links.output.count("/i/") == 2
    assert len(invitations(app, campaign_id)) == 1  # two for nobody: person_id None


def test_a_run_at_the_same_time_is_neither_doubled_nor_claimed(app, roster, campaign_id):
    """Between reading who is invited and inserting, another run invited Per: the insert
    skips him (no error), and his invitation is not returned as this run's."""
    from survey.campaigns import inviting
    from survey.campaigns.services import new_salt

    with app.app_context(), unit_of_work():
        campaign = db.session.get(Campaign, campaign_id)
        other = {"campaign_id": campaign_id, "token_hash": "x" * 64, "token_salt": new_salt()}
        db.session.add(Invitation(**other, person_id=roster["2"]))
        db.session.flush()
        rows = [
            {
                "campaign_id": campaign_id,
                "token_hash": f"{n}" * 64,
                "token_salt": new_salt(),
                "person_id": roster[n],
                "prefill": {},
                "reminders_sent": 0,
                "created_on": dt.date(2026, 3, 2),
            }
            for n in ("1", "2")
        ]
        made = inviting._insert_new(campaign, rows)
        assert [i.person_id for i in made] == [roster["1"]]
    assert len(invitations(app, campaign_id)) == 2
