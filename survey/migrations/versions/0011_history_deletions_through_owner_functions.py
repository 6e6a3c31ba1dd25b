"""history deletions through two SECURITY DEFINER functions, so the app role needs no permit

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 18:20:00

On PostgreSQL the app runs as a role that may read and write rows but not delete history
(`survey db create-app-role`, survey/privileges.py): it has no UPDATE or DELETE on
`audit_entry`, `living_revision` and `reporting_revision_facts`, and no rights at all on
`history_permit` (with INSERT there it could write itself a permit). The two deletions of
history the app does run as functions owned by the database owner (SECURITY DEFINER), which
write the permit of migration 0009, do the one deletion and remove the permit again, all in
the caller's transaction:

- `heltid_purge_audit(keep_days)` deletes audit entries older than now() - keep_days and
  refuses keep_days below 30. The floor is what a compromised app role could at worst erase:
  the audit log answers «who read my data» and shows an intrusion, and those are noticed
  within weeks; a month of entries stays whatever the caller asks.
- `heltid_erase_history(person_id)` deletes the person's report facts and living documents
  (the revisions cascade) and clears them as author of revisions in others' documents:
  what an erasure (survey/admin/erasure.py) removes of history. The caller deletes the person
  row afterwards; nothing historical is left to cascade.

The trigger function of 0006 that fills `reporting_revision_facts` from each new revision
becomes SECURITY DEFINER too: it sets `valid_until` on earlier rows, and the app role has no
UPDATE there (it may insert rows: an erasure keeps anonymous copies, migration 0012).

All three set `search_path = public, pg_temp` (a SECURITY DEFINER function must not resolve names
through a schema the caller can write) and EXECUTE is revoked from PUBLIC: create-app-role
grants it to the app role only. The triggers of 0009 still check every row. SQLite has no
roles: nothing changes there (survey.audit.services writes the permit itself).
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

PURGE_FLOOR_DAYS = 30

PURGE_AUDIT = f"""
CREATE FUNCTION heltid_purge_audit(keep_days integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    cutoff timestamptz;
    deleted integer;
    permit integer;
BEGIN
    IF keep_days IS NULL OR keep_days < {PURGE_FLOOR_DAYS} THEN
        RAISE EXCEPTION 'audit entries are kept at least {PURGE_FLOOR_DAYS} days, not %',
            keep_days;
    END IF;
    cutoff := now() - make_interval(days => keep_days);
    INSERT INTO history_permit (kind, audit_before) VALUES ('audit_purge', cutoff)
        RETURNING id INTO permit;
    DELETE FROM audit_entry WHERE at < cutoff;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    DELETE FROM history_permit WHERE id = permit;
    RETURN deleted;
END $$
"""

ERASE_HISTORY = """
CREATE FUNCTION heltid_erase_history(erased_person_id integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    permit integer;
BEGIN
    INSERT INTO history_permit (kind, person_id) VALUES ('erasure', erased_person_id)
        RETURNING id INTO permit;
    DELETE FROM reporting_revision_facts WHERE person_id = erased_person_id;
    DELETE FROM living_document WHERE person_id = erased_person_id;
    UPDATE living_revision SET author_id = NULL WHERE author_id = erased_person_id;
    DELETE FROM history_permit WHERE id = permit;
END $$
"""

FUNCTIONS = ("heltid_purge_audit(integer)", "heltid_erase_history(integer)")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(PURGE_AUDIT)
    op.execute(ERASE_HISTORY)
    for function in FUNCTIONS:
        op.execute(f"REVOKE EXECUTE ON FUNCTION {function} FROM PUBLIC")
    op.execute(
        "ALTER FUNCTION reporting_revision_facts_fill() "
        "SECURITY DEFINER SET search_path = public, pg_temp"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER FUNCTION reporting_revision_facts_fill() SECURITY INVOKER RESET search_path")
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
