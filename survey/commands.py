"""CLI commands, registered on the app in the factory."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from survey import engine
from survey.accounts.models import Role
from survey.db import unit_of_work
from survey.paths import display_path


def _links_base(host: str | None = None, port: int | None = None) -> str:
    if host is not None:
        shown = "localhost" if host in ("0.0.0.0", "::", "127.0.0.1") else host
        return f"http://{shown}:{port}"
    return current_app.config["BASE_URL"].rstrip("/")


def shipped_questionnaire_files() -> list[Path]:
    return sorted(Path(current_app.config["QUESTIONNAIRE_DIR"]).glob("*.yaml"))


questionnaires_cli = AppGroup("questionnaires", help="Questionnaire definition files.")


@questionnaires_cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def check_command(paths: tuple[Path, ...]) -> None:
    """Validate definition files (default: all shipped). Prints FILE:LINE: ITEM: message."""
    files = list(paths) or shipped_questionnaire_files()
    errors = engine.check([display_path(p) for p in files])
    for error in errors:
        click.echo(str(error))
    if errors:
        click.echo(f"{len(errors)} error(s) in {len({e.file for e in errors})} file(s).", err=True)
        sys.exit(1)
    click.echo(f"{len(files)} file(s) OK.", err=True)


@questionnaires_cli.command("load")
def load_command() -> None:
    """Store the shipped definitions as questionnaire versions."""
    _load_questionnaires()


def _load_questionnaires() -> None:
    from survey.questionnaires.services import sync_directory

    try:
        results = sync_directory(current_app.config["QUESTIONNAIRE_DIR"])
    except engine.InvalidDefinition as invalid:
        for error in invalid.errors:
            click.echo(str(error), err=True)
        raise click.ClickException("questionnaires not loaded: fix the errors above") from None
    for result in results:
        if result.action != "unchanged":
            click.echo(f"{result.questionnaire_id} v{result.version}: {result.action}")


@questionnaires_cli.command("paper")
@click.argument("questionnaire")
@click.option("--lang", type=click.Choice(["nb", "nn", "en"]), default="nb", show_default=True)
@click.option("--version", type=click.IntRange(1), help="A stored version (default: the latest).")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The PDF."
)
def paper_command(questionnaire: str, lang: str, version: int | None, out: Path) -> None:
    """Write the paper version of QUESTIONNAIRE (a stored id, the id of a shipped file, or a
    .yaml file) as a PDF."""
    from survey.questionnaires.paper import paper_pdf

    definition = _definition_named(questionnaire, version, doing="no paper version")
    body = paper_pdf(definition, lang, current_app.config.get("REPORT_AUTHOR", "Heltid"))
    _write_whole(out, body)
    click.echo(f"{out}: {definition.id} v{definition.version}, {lang}, {len(body)} bytes")


@questionnaires_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "questionnaire_id", required=True, help="The questionnaire's id.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the YAML here (default: print it).",
)
def import_command(file: Path, questionnaire_id: str, out: Path | None) -> None:
    """Convert an XLSForm (.xlsx) to a definition file. Problems: FILE:SHEET:ROW: message."""
    from survey.questionnaires.xlsform import XLSFormError, xlsform_to_yaml

    try:
        text = xlsform_to_yaml(file.read_bytes(), display_path(file), questionnaire_id)
    except XLSFormError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.ClickException(
            f"{len(error.problems)} problem(s); nothing written: fix them and import again"
        ) from None
    if out is None:
        click.echo(text, nl=False)
        return
    _write_whole(out, text.encode("utf-8"))
    click.echo(f"{display_path(out)}: {questionnaire_id}", err=True)


def _write_whole(out: Path, body: bytes) -> None:
    """Write beside the target and rename over it, so a failed write leaves no half file."""
    partial = out.with_name(f".{out.name}.partial")
    try:
        partial.write_bytes(body)
        os.replace(partial, out)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"{display_path(out)}: {error.strerror or error}") from None


@questionnaires_cli.command("export")
@click.argument("questionnaire")
@click.option(
    "--format", "file_format", type=click.Choice(["xlsform"]), default="xlsform", show_default=True
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_command(questionnaire: str, file_format: str, out: Path) -> None:
    """Write QUESTIONNAIRE (a stored id's latest version, the id of a shipped file, or a
    .yaml file) as an XLSForm workbook."""
    from survey.questionnaires.xlsform import questionnaire_to_xlsform

    definition = _definition_named(questionnaire, doing="nothing exported")
    _write_whole(out, questionnaire_to_xlsform(definition))
    click.echo(f"{display_path(out)}: {definition.id} v{definition.version} as {file_format}")


def _definition_named(
    questionnaire: str, version: int | None = None, *, doing: str
) -> engine.Questionnaire:
    """A questionnaire named on the command line: a .yaml file, a stored id (its latest
    version, or `version`), or the id of a shipped file. `doing` says what the command does
    not do when the file has errors."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from survey.questionnaires.paper import stored_definition

    path = Path(questionnaire)
    if questionnaire.endswith((".yaml", ".yml")) or path.is_file():
        files = [path]
    else:
        try:
            stored = stored_definition(questionnaire, version)
        except (OperationalError, ProgrammingError):
            stored = None  # no database yet: the shipped files still can be used
        if stored is not None:
            return stored
        if version is not None:
            raise click.ClickException(
                f"unknown questionnaire {questionnaire!r} version {version}; "
                "run `survey questionnaires load` first, or give a .yaml file"
            )
        files = shipped_questionnaire_files()
    errors = engine.check(files)
    if errors:
        for error in errors:
            click.echo(str(error), err=True)
        raise click.ClickException(f"{doing}: fix the errors above")
    for file in files:
        definition = engine.load(file)
        if definition.id == questionnaire or file == path:
            return definition
    raise click.ClickException(
        f"unknown questionnaire {questionnaire!r}: neither stored nor in "
        f"{display_path(Path(current_app.config['QUESTIONNAIRE_DIR']))}"
    )


db_cli = AppGroup("db", help="Database schema.")


@db_cli.command("upgrade")
def upgrade_command() -> None:
    """Apply the migrations."""
    from survey.migrate import upgrade

    upgrade()
    click.echo("Database is up to date.")
    role = current_app.config["APP_DATABASE_ROLE"]
    if role:
        _grant_app_role(role, login=None, print_sql=False)


@db_cli.command("create-app-role")
@click.argument("name")
@click.option("--password-env", metavar="VAR", help="Set the password from this variable.")
@click.option(
    "--login/--no-login",
    default=None,
    help="Whether it may log in (default: a new role may; an existing one stays as it is).",
)
@click.option("--print-sql", is_flag=True, help="Print the SQL; change nothing.")
def create_app_role_command(
    name: str, password_env: str | None, login: bool | None, print_sql: bool
) -> None:
    """PostgreSQL, as the owner: create or update NAME, the role the app runs as. It reads
    and writes rows, owns nothing, cannot delete history. Idempotent: run it again after
    `survey db upgrade` (which does so itself for APP_DATABASE_ROLE)."""
    from survey.privileges import Login

    password = None
    if password_env:
        password = os.environ.get(password_env)
        if not password:
            raise click.ClickException(f"the variable {password_env} is empty or not set")
        if print_sql:  # show where the password comes from, not the password
            password = f"${password_env}"
    _grant_app_role(name, Login(login, password), print_sql)


def _grant_app_role(role: str, login, print_sql: bool) -> None:
    from sqlalchemy.exc import DBAPIError

    from survey.extensions import db
    from survey.privileges import PrivilegeError, apply

    try:
        with db.engine.begin() as connection:
            statements = apply(connection, role, login, execute=not print_sql)
    except PrivilegeError as error:
        raise click.ClickException(str(error)) from None
    except DBAPIError as error:  # e.g. an owner without CREATEROLE (docs/operations.md)
        raise click.ClickException(
            f"{str(error.orig).strip()}: run it as the database owner; creating a role also "
            "needs CREATEROLE (docs/operations.md § Least privilege)"
        ) from None
    if print_sql:
        for statement in statements:
            click.echo(f"{statement};")
    else:
        click.echo(f"Role {role}: {len(statements)} statements applied.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def revision_command(message: str) -> None:
    """Write a new migration from the models (for developers)."""
    from survey.migrate import make_revision

    make_revision(message)


campaign_cli = AppGroup("campaign", help="Survey rounds and personal invitations.")


@campaign_cli.command("create")
@click.option("--questionnaire", "questionnaire_id", required=True)
@click.option(
    "--mode", type=click.Choice(["anonymous", "confidential", "identified"]), required=True
)
@click.option("--title", help="The title in bokmål.")
@click.option("--title-nn", help="The title in nynorsk.")
@click.option("--title-en", help="The title in English.")
@click.option("--opens", type=click.DateTime(["%Y-%m-%d"]), help="First day answers are taken.")
@click.option("--closes", type=click.DateTime(["%Y-%m-%d"]), help="Last day answers are taken.")
@click.option(
    "--remind",
    "reminder_days",
    type=int,
    multiple=True,
    help="Remind those who have not answered this many days before --closes (repeatable).",
)
@click.option(
    "--language",
    type=click.Choice(["nb", "nn", "en"]),
    default="nb",
    show_default=True,
    help="The language of invitations, reminders and letters.",
)
@unit_of_work()
def campaign_create(
    questionnaire_id: str,
    mode: str,
    title: str | None,
    title_nn: str | None,
    title_en: str | None,
    opens,
    closes,
    reminder_days: tuple[int, ...],
    language: str,
) -> None:
    """Create a campaign; prints its id and open link. A language without a title shows the
    questionnaire's own title in that language."""
    from survey.campaigns.services import UnknownQuestionnaire, create_campaign
    from survey.problems import ProblemError

    try:
        campaign = create_campaign(
            questionnaire_id,
            mode,
            title,
            title_nn=title_nn,
            title_en=title_en,
            opens_on=opens.date() if opens else None,
            closes_on=closes.date() if closes else None,
            reminder_days=reminder_days,
            language=language,
        )
    except UnknownQuestionnaire:
        raise click.ClickException(
            f"unknown questionnaire {questionnaire_id!r}; run `survey questionnaires load` first"
        ) from None
    except ProblemError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"campaign {campaign.id}")
    click.echo(f"open link: {_links_base()}/s/{campaign.slug}")
    if not campaign.accepts_open_link:
        click.echo("(this mode needs personal links: `survey campaign invite`)")


@campaign_cli.command("invite")
@click.argument("campaign_id", type=int)
@click.option("--count", type=click.IntRange(1, 10000), help="Print COUNT links for nobody.")
@click.option("--roster", is_flag=True, help="Invite the people on the roster, each once.")
@click.option("--unit", "unit_code", help="Only people whose main position is in this unit.")
@click.option("--with-subunits", is_flag=True, help="With --unit: and in the units below it.")
@click.option(
    "--yrkesgruppe", "yrkesgrupper", multiple=True, help="Only this yrkesgruppe (repeatable)."
)
@click.option("--part-time-only", is_flag=True, help="Only people under 100 % in all.")
@click.option("--dry-run", is_flag=True, help="Show whom it would invite; change nothing.")
@unit_of_work()
def campaign_invite(
    campaign_id: int,
    count: int | None,
    roster: bool,
    unit_code: str | None,
    with_subunits: bool,
    yrkesgrupper: tuple[str, ...],
    part_time_only: bool,
    dry_run: bool,
) -> None:
    """Invite the people on the roster (--roster), or print COUNT one-time personal links
    tied to nobody (--count). --roster queues each person's invitation by e-mail or SMS
    (`survey outbox send` delivers them); those with neither get a letter
    (`survey campaign letters`). Running it again invites only people new on the roster."""
    from survey.campaigns.services import campaign_by_id, create_invitations

    if (count is None) == (not roster):
        raise click.UsageError("give either --count or --roster")
    roster_options = unit_code or with_subunits or yrkesgrupper or part_time_only or dry_run
    if count is not None and roster_options:
        raise click.UsageError(
            "--unit, --yrkesgruppe, --part-time-only and --dry-run need --roster"
        )
    if with_subunits and unit_code is None:
        raise click.UsageError("--with-subunits needs --unit")
    campaign = campaign_by_id(campaign_id)
    if campaign is None:
        raise click.ClickException(f"no campaign {campaign_id}")
    if count is not None:
        for token in create_invitations(campaign, count):
            click.echo(f"{_links_base()}/i/{token}")
        return
    from survey.campaigns.inviting import RosterSelection

    selection = RosterSelection(unit_code, with_subunits, tuple(yrkesgrupper), part_time_only)
    _invite_roster(campaign, selection, dry_run)


def _invite_roster(campaign, selection, dry_run: bool) -> None:
    from survey.campaigns import inviting, messaging
    from survey.campaigns.models import Channel
    from survey.problems import ProblemError

    try:
        preview = inviting.preview(campaign, selection)
    except ProblemError as error:
        raise click.ClickException(str(error)) from None
    for row in preview.units:
        click.echo(
            f"{row.unit_code} {row.unit_name}: {row.people} people ({row.email} e-mail, "
            f"{row.mobile_only} mobile only, {row.neither} neither), {row.new} new"
        )
    click.echo(
        f"{preview.people} people on the roster: {preview.with_email} with e-mail, "
        f"{preview.with_mobile_only} with mobile only, {preview.with_neither} with neither; "
        f"{preview.new} new, {preview.already_invited} already invited; "
        f"{preview.left} invitations of people who left"
    )
    if dry_run:
        click.echo("dry run: nothing was changed")
        return
    try:
        result = inviting.invite_roster(campaign, selection)
    except ProblemError as error:
        raise click.ClickException(str(error)) from None
    channels = result.by_channel
    click.echo(
        f"{len(result.invitations)} invitations created ({channels[Channel.EMAIL]} e-mail, "
        f"{channels[Channel.SMS]} SMS, {channels[Channel.LETTER]} letter); "
        f"{result.already} already invited; {result.marked_left} marked as left"
    )
    queued = messaging.queue_invitations(campaign, result.invitations)
    click.echo(
        f"messages queued: {queued.email} e-mail, {queued.sms} SMS; "
        f"{queued.letter} letters to print; {queued.skipped} skipped"
    )
    if queued.letter:
        click.echo(
            f"letters: `survey campaign letters {campaign.id} -o letters.pdf` "
            "writes them for printing"
        )


@campaign_cli.command("list")
def campaign_list() -> None:
    """List campaigns with their open links and response counts."""
    from survey.answering.services import campaign_summaries

    for row in campaign_summaries():
        state = "open" if row["is_open"] else "closed"
        click.echo(
            f"{row['id']:>4}  {row['questionnaire_id']:<16} {row['mode']:<12} {state:<6} "
            f"{row['submitted']:>5} submitted  {_links_base()}/s/{row['slug']}  {row['title'] or ''}"
        )


@campaign_cli.command("close")
@click.argument("campaign_id", type=int)
@click.option("--reopen", is_flag=True, help="Open a closed campaign again.")
@unit_of_work()
def campaign_close(campaign_id: int, reopen: bool) -> None:
    """Stop (or with --reopen, resume) receiving answers."""
    from survey.campaigns.services import campaign_by_id, set_open

    campaign = campaign_by_id(campaign_id)
    if campaign is None:
        raise click.ClickException(f"no campaign {campaign_id}")
    set_open(campaign, reopen)
    click.echo(f"campaign {campaign_id} is now {'open' if reopen else 'closed'}")


@campaign_cli.command("remind")
@click.argument("campaign_id", type=int, required=False)
@click.option(
    "--now", is_flag=True, help="Remind everyone not yet answered (not reminded today) at once."
)
@unit_of_work()
def campaign_remind(campaign_id: int | None, now: bool) -> None:
    """The daily reminder job: remind those who have not submitted, on the campaigns' reminder
    days (a missed day is caught up, a second run the same day sends nothing). With --now,
    remind CAMPAIGN_ID's non-respondents at once. `survey outbox send` delivers them."""
    from survey.campaigns import messaging
    from survey.campaigns.services import campaign_by_id
    from survey.db import today

    if now:
        campaign = campaign_by_id(campaign_id) if campaign_id is not None else None
        if campaign is None:
            raise click.ClickException(
                "--now needs a campaign" if campaign_id is None else f"no campaign {campaign_id}"
            )
        counts = messaging.remind_now(campaign)
        if counts.closed:
            raise click.ClickException(f"campaign {campaign_id} does not take answers today")
    else:
        counts = messaging.remind_due(today(), campaign_id=campaign_id)
    click.echo(
        f"{counts.email + counts.sms} reminders queued ({counts.email} e-mail, {counts.sms} SMS); "
        f"{counts.letter} without e-mail or mobile (letters)"
    )


@campaign_cli.command("letters")
@click.argument("campaign_id", type=int)
@click.option("--all", "include_all", is_flag=True, help="A letter for everyone invited.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def campaign_letters(campaign_id: int, include_all: bool, output: Path) -> None:
    """Write a PDF with one letter per page: by default for those invited who have neither
    e-mail nor a mobile number (or no SMS service), with --all for everyone invited."""
    from survey.campaigns.letters import letters_for, letters_pdf
    from survey.campaigns.services import campaign_by_id

    campaign = campaign_by_id(campaign_id)
    if campaign is None:
        raise click.ClickException(f"no campaign {campaign_id}")
    count = len(letters_for(campaign, include_all))
    try:
        output.write_bytes(letters_pdf(campaign, include_all))
    except OSError as error:
        raise click.ClickException(f"could not write {output}: {error}") from None
    click.echo(f"{count} letters written to {display_path(output)}")


@campaign_cli.command("texts")
@click.argument("campaign_id", type=int)
@click.option("--lang", type=click.Choice(["nb", "nn", "en"]), help="Default: the campaign's.")
def campaign_texts(campaign_id: int, lang: str | None) -> None:
    """Print the invitation, reminder and «fortsett» texts as they will be sent, filled in
    with an example name and link."""
    from survey.campaigns import messaging
    from survey.campaigns.services import campaign_by_id

    campaign = campaign_by_id(campaign_id)
    if campaign is None:
        raise click.ClickException(f"no campaign {campaign_id}")
    for key, text in messaging.preview(campaign, lang or campaign.language).items():
        heading = f"== {key}" + (" (edited)" if text["edited"] else "")
        if text["sms"]:
            heading += f" ({text['length']}/{text['limit']} characters)"
        click.echo(heading)
        click.echo(text["text"])
        for problem in text["problems"]:
            click.echo(f"!! {problem}")
        click.echo()


users_cli = AppGroup("users", help="People, roles and log-in links.")


@users_cli.command("create")
@click.argument("email")
@click.option(
    "--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in Role])
)
@click.option("--unit", help="Unit code or name (for enhetsleder, and the person's own unit).")
@click.option("--name")
@click.option("--password", is_flag=True, help="Prompt for a password (staff).")
@unit_of_work()
def users_create(
    email: str, roles: tuple[str, ...], unit: str | None, name: str | None, password: bool
) -> None:
    """Create a person with one or more roles."""
    from survey.accounts import services
    from survey.accounts.models import Role
    from survey.accounts.passwords import PasswordRejected
    from survey.audit.services import Action, record

    unit_row = None
    if unit:
        unit_row = services.find_unit(unit)
        if unit_row is None:
            raise click.ClickException(f"unknown unit {unit!r}")
    try:
        person = services.create_person(email, name, unit=unit_row)
        for role in roles:
            services.grant_role(person, Role(role), unit_row)
        if password:
            services.set_password(
                person, click.prompt("Password", hide_input=True, confirmation_prompt=True)
            )
    except services.AccountError as error:
        raise click.ClickException(
            {
                "email_taken": f"{email} already has an account",
                "invalid_email": f"{email!r} is not an e-mail address",
                "unit_required": "enhetsleder needs --unit",
            }[error.reason]
        ) from None
    except PasswordRejected as rejected:
        raise click.ClickException(f"password rejected: {rejected.reason}") from None
    record(Action.PERSON_CREATED, subject_id=person.id, detail={"roles": list(roles), "via": "cli"})
    click.echo(f"person {person.id}: {person.email} ({', '.join(roles)})")


@users_cli.command("link")
@click.argument("email")
@unit_of_work()
def users_link(email: str) -> None:
    """Print a one-time login link for a person."""
    import datetime as dt

    from survey.accounts import services
    from survey.accounts.models import TokenPurpose
    from survey.audit.services import Action, record

    person = services.find_by_email(email)
    if person is None:
        raise click.ClickException(f"no person with e-mail {email}")
    days = current_app.config["LOGIN_LINK_DAYS"]
    token = services.issue_token(person, TokenPurpose.LOGIN, dt.timedelta(days=days))
    record(Action.LOGIN_LINK_CREATED, subject_id=person.id, detail={"via": "cli"})
    click.echo(f"{_links_base()}/lenke/{token}  (valid {days} days, once)")


audit_cli = AppGroup("audit", help="The audit log.")


@audit_cli.command("purge")
@unit_of_work()
def audit_purge() -> None:
    """Delete audit entries older than AUDIT_RETENTION_DAYS (run daily from cron)."""
    from survey.audit.services import purge

    days = current_app.config["AUDIT_RETENTION_DAYS"]
    click.echo(f"deleted {purge(days)} entries older than {days} days")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Create demo data when the database is empty.")
def serve_command(host: str, port: int, demo: bool) -> None:
    """Migrate, load questionnaires (and demo data), then serve."""
    from werkzeug.serving import run_simple

    from survey.migrate import upgrade

    upgrade()
    _load_questionnaires()
    base = _links_base(host, port)
    if demo:
        from survey.demo import create_demo_data

        links = create_demo_data(base)
        if links:
            click.echo("Demo data created. Try these links:")
        else:
            click.echo("The database already has data; no demo data added. Campaign links")
            click.echo(
                "(personal links are shown only once; make new ones with `survey campaign invite`):"
            )
            from survey.demo import existing_links

            links = existing_links(base)
        for label, url in links:
            click.echo(f"  {label}: {url}")
    click.echo(f"Serving on {base}/  (Ctrl+C stops)")
    app = current_app._get_current_object()
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


def init_app(app: Flask) -> None:
    app.cli.add_command(questionnaires_cli)
    app.cli.add_command(db_cli)
    app.cli.add_command(campaign_cli)
    app.cli.add_command(serve_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
    os.environ.setdefault("FLASK_APP", "survey")
