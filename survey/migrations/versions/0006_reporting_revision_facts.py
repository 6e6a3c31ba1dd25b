"""reporting revision facts: typed report fields per living-document revision

The table, the view `reporting_revision_json_facts` that reads the fields out of the JSON,
and the AFTER INSERT trigger on living_revision that fills the table (see
survey/reporting/models.py and survey/reporting/revision_facts.py); then the rows of the
revisions saved so far. The SQL below is the output of
`python -m survey.reporting.revision_facts sqlite|postgresql` at this revision, frozen here.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 17:06:43.520031
"""

from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

SQLITE_UPGRADE = [
    """
CREATE VIEW reporting_revision_json_facts AS SELECT living_revision.id AS revision_id,
    living_revision.document_id,
    living_document.person_id,
    living_revision.number,
    living_revision.effective_on,
    (CASE WHEN substr((living_revision.data -> '$.stillingsprosent'), 1, 1) IN ('-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9') THEN CAST((living_revision.data -> '$.stillingsprosent') AS REAL) END) AS stilling,
    (CASE WHEN substr((living_revision.data -> '$.onsket_prosent'), 1, 1) IN ('-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9') THEN CAST((living_revision.data -> '$.onsket_prosent') AS REAL) END) AS onsket_prosent,
    (CASE WHEN substr((living_revision.data -> '$.onsket_prosent_mindre'), 1, 1) IN ('-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9') THEN CAST((living_revision.data -> '$.onsket_prosent_mindre') AS REAL) END) AS onsket_prosent_mindre,
    (CASE WHEN substr((living_revision.data -> '$.oppstart_uker'), 1, 1) IN ('-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9') THEN CAST((living_revision.data -> '$.oppstart_uker') AS REAL) END) AS oppstart_uker,
    (CASE WHEN substr((living_revision.data -> '$.onsket_endring'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.onsket_endring'), '$') END) AS onsket_endring,
    (CASE WHEN substr((living_revision.data -> '$.yrkesgruppe'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.yrkesgruppe'), '$') END) AS yrkesgruppe,
    (CASE WHEN substr((living_revision.data -> '$.ansettelsesform'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.ansettelsesform'), '$') END) AS ansettelsesform,
    (CASE WHEN substr((living_revision.data -> '$.villig_helger'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.villig_helger'), '$') END) AS villig_helger,
    (CASE WHEN substr((living_revision.data -> '$.villig_andre_enheter'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.villig_andre_enheter'), '$') END) AS villig_andre_enheter,
    coalesce((CASE (living_revision.data -> '$.leder') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END), CASE WHEN ((CASE WHEN substr((living_revision.data -> '$.leder'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.leder'), '$') END) = 'yes') THEN 1 WHEN ((CASE WHEN substr((living_revision.data -> '$.leder'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.leder'), '$') END) = 'no') THEN 0 END) AS leder,
    coalesce((CASE (living_revision.data -> '$.onsket_fast') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END), CASE WHEN ((CASE WHEN substr((living_revision.data -> '$.onsket_fast'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.onsket_fast'), '$') END) = 'yes') THEN 1 WHEN ((CASE WHEN substr((living_revision.data -> '$.onsket_fast'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.onsket_fast'), '$') END) = 'no') THEN 0 END) AS onsket_fast,
    coalesce((CASE (living_revision.data -> '$.villig_langvakter') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END), CASE WHEN ((CASE WHEN substr((living_revision.data -> '$.villig_langvakter'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.villig_langvakter'), '$') END) = 'yes') THEN 1 WHEN ((CASE WHEN substr((living_revision.data -> '$.villig_langvakter'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.villig_langvakter'), '$') END) = 'no') THEN 0 END) AS villig_langvakter,
    coalesce((CASE (living_revision.data -> '$.tar_ledige_vakter') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END), CASE WHEN ((CASE WHEN substr((living_revision.data -> '$.tar_ledige_vakter'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.tar_ledige_vakter'), '$') END) = 'yes') THEN 1 WHEN ((CASE WHEN substr((living_revision.data -> '$.tar_ledige_vakter'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.tar_ledige_vakter'), '$') END) = 'no') THEN 0 END) AS tar_ledige_vakter,
    coalesce((CASE (living_revision.data -> '$.ubundet_tid') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END), CASE WHEN ((CASE WHEN substr((living_revision.data -> '$.ubundet_tid'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.ubundet_tid'), '$') END) = 'yes') THEN 1 WHEN ((CASE WHEN substr((living_revision.data -> '$.ubundet_tid'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.ubundet_tid'), '$') END) = 'no') THEN 0 END) AS ubundet_tid,
    coalesce((CASE (living_revision.data -> '$.fagbrev') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END), CASE WHEN ((CASE WHEN substr((living_revision.data -> '$.fagbrev'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.fagbrev'), '$') END) = 'yes') THEN 1 WHEN ((CASE WHEN substr((living_revision.data -> '$.fagbrev'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.fagbrev'), '$') END) = 'no') THEN 0 END) AS fagbrev,
    coalesce((CASE (living_revision.data -> '$.venter_barnehageplass') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END), CASE WHEN ((CASE WHEN substr((living_revision.data -> '$.venter_barnehageplass'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.venter_barnehageplass'), '$') END) = 'yes') THEN 1 WHEN ((CASE WHEN substr((living_revision.data -> '$.venter_barnehageplass'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.venter_barnehageplass'), '$') END) = 'no') THEN 0 END) AS venter_barnehageplass,
    coalesce((CASE (living_revision.data -> '$.onske_skriftlig') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END), CASE WHEN ((CASE WHEN substr((living_revision.data -> '$.onske_skriftlig'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.onske_skriftlig'), '$') END) = 'yes') THEN 1 WHEN ((CASE WHEN substr((living_revision.data -> '$.onske_skriftlig'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.onske_skriftlig'), '$') END) = 'no') THEN 0 END) AS onske_skriftlig,
    coalesce((CASE (living_revision.data -> '$.kvalifisert') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END), CASE WHEN ((CASE WHEN substr((living_revision.data -> '$.kvalifisert'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.kvalifisert'), '$') END) = 'yes') THEN 1 WHEN ((CASE WHEN substr((living_revision.data -> '$.kvalifisert'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.kvalifisert'), '$') END) = 'no') THEN 0 END) AS kvalifisert,
    coalesce((CASE (living_revision.data -> '$.forsokt_flere_timer') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END), CASE WHEN ((CASE WHEN substr((living_revision.data -> '$.forsokt_flere_timer'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.forsokt_flere_timer'), '$') END) = 'yes') THEN 1 WHEN ((CASE WHEN substr((living_revision.data -> '$.forsokt_flere_timer'), 1, 1) = '"' THEN json_extract((living_revision.data -> '$.forsokt_flere_timer'), '$') END) = 'no') THEN 0 END) AS forsokt_flere_timer,
    (CASE WHEN substr((living_revision.data -> '$.andre_vakter'), 1, 1) = '[' THEN instr(',' || substr((living_revision.data -> '$.andre_vakter'), 2, length((living_revision.data -> '$.andre_vakter')) - 2) || ',', ',"dag",') > 0 END) AS vakt_dag,
    (CASE WHEN substr((living_revision.data -> '$.andre_vakter'), 1, 1) = '[' THEN instr(',' || substr((living_revision.data -> '$.andre_vakter'), 2, length((living_revision.data -> '$.andre_vakter')) - 2) || ',', ',"kveld",') > 0 END) AS vakt_kveld,
    (CASE WHEN substr((living_revision.data -> '$.andre_vakter'), 1, 1) = '[' THEN instr(',' || substr((living_revision.data -> '$.andre_vakter'), 2, length((living_revision.data -> '$.andre_vakter')) - 2) || ',', ',"natt",') > 0 END) AS vakt_natt,
    (CASE WHEN substr((living_revision.data -> '$.arsaker_deltid'), 1, 1) = '[' THEN instr(',' || substr((living_revision.data -> '$.arsaker_deltid'), 2, length((living_revision.data -> '$.arsaker_deltid')) - 2) || ',', ',"helse",') > 0 END) AS arsak_helse,
    (CASE WHEN substr((living_revision.data -> '$.arsaker_deltid'), 1, 1) = '[' THEN instr(',' || substr((living_revision.data -> '$.arsaker_deltid'), 2, length((living_revision.data -> '$.arsaker_deltid')) - 2) || ',', ',"omsorg",') > 0 END) AS arsak_omsorg,
    (CASE WHEN substr((living_revision.data -> '$.arsaker_deltid'), 1, 1) = '[' THEN instr(',' || substr((living_revision.data -> '$.arsaker_deltid'), 2, length((living_revision.data -> '$.arsaker_deltid')) - 2) || ',', ',"studier",') > 0 END) AS arsak_studier,
    (CASE WHEN substr((living_revision.data -> '$.arsaker_deltid'), 1, 1) = '[' THEN instr(',' || substr((living_revision.data -> '$.arsaker_deltid'), 2, length((living_revision.data -> '$.arsaker_deltid')) - 2) || ',', ',"jobb_annet_sted",') > 0 END) AS arsak_jobb_annet_sted,
    (CASE WHEN substr((living_revision.data -> '$.arsaker_deltid'), 1, 1) = '[' THEN instr(',' || substr((living_revision.data -> '$.arsaker_deltid'), 2, length((living_revision.data -> '$.arsaker_deltid')) - 2) || ',', ',"okonomi_nok",') > 0 END) AS arsak_okonomi_nok,
    (CASE WHEN substr((living_revision.data -> '$.arsaker_deltid'), 1, 1) = '[' THEN instr(',' || substr((living_revision.data -> '$.arsaker_deltid'), 2, length((living_revision.data -> '$.arsaker_deltid')) - 2) || ',', ',"for_toft",') > 0 END) AS arsak_for_toft,
    (CASE WHEN substr((living_revision.data -> '$.arsaker_deltid'), 1, 1) = '[' THEN instr(',' || substr((living_revision.data -> '$.arsaker_deltid'), 2, length((living_revision.data -> '$.arsaker_deltid')) - 2) || ',', ',"helgearbeid",') > 0 END) AS arsak_helgearbeid,
    (CASE WHEN substr((living_revision.data -> '$.arsaker_deltid'), 1, 1) = '[' THEN instr(',' || substr((living_revision.data -> '$.arsaker_deltid'), 2, length((living_revision.data -> '$.arsaker_deltid')) - 2) || ',', ',"ikke_tilbudt",') > 0 END) AS arsak_ikke_tilbudt,
    (CASE WHEN substr((living_revision.data -> '$.arsaker_deltid'), 1, 1) = '[' THEN instr(',' || substr((living_revision.data -> '$.arsaker_deltid'), 2, length((living_revision.data -> '$.arsaker_deltid')) - 2) || ',', ',"pensjon",') > 0 END) AS arsak_pensjon,
    (CASE WHEN substr((living_revision.data -> '$.arsaker_deltid'), 1, 1) = '[' THEN instr(',' || substr((living_revision.data -> '$.arsaker_deltid'), 2, length((living_revision.data -> '$.arsaker_deltid')) - 2) || ',', ',"fritid",') > 0 END) AS arsak_fritid 
FROM living_revision JOIN living_document ON living_document.id = living_revision.document_id
""",
    """
CREATE TRIGGER reporting_revision_facts_fill AFTER INSERT ON living_revision
BEGIN UPDATE reporting_revision_facts SET valid_until = NEW.effective_on
WHERE document_id = NEW.document_id AND (effective_on, number) < (NEW.effective_on, NEW.number) AND (valid_until IS NULL OR valid_until > NEW.effective_on)
; INSERT INTO reporting_revision_facts (revision_id, document_id, person_id, number, effective_on, stilling, onsket_prosent, onsket_prosent_mindre, oppstart_uker, onsket_endring, yrkesgruppe, ansettelsesform, villig_helger, villig_andre_enheter, leder, onsket_fast, villig_langvakter, tar_ledige_vakter, ubundet_tid, fagbrev, venter_barnehageplass, onske_skriftlig, kvalifisert, forsokt_flere_timer, vakt_dag, vakt_kveld, vakt_natt, arsak_helse, arsak_omsorg, arsak_studier, arsak_jobb_annet_sted, arsak_okonomi_nok, arsak_for_toft, arsak_helgearbeid, arsak_ikke_tilbudt, arsak_pensjon, arsak_fritid, valid_until) SELECT v.revision_id,
    v.document_id,
    v.person_id,
    v.number,
    v.effective_on,
    v.stilling,
    v.onsket_prosent,
    v.onsket_prosent_mindre,
    v.oppstart_uker,
    v.onsket_endring,
    v.yrkesgruppe,
    v.ansettelsesform,
    v.villig_helger,
    v.villig_andre_enheter,
    v.leder,
    v.onsket_fast,
    v.villig_langvakter,
    v.tar_ledige_vakter,
    v.ubundet_tid,
    v.fagbrev,
    v.venter_barnehageplass,
    v.onske_skriftlig,
    v.kvalifisert,
    v.forsokt_flere_timer,
    v.vakt_dag,
    v.vakt_kveld,
    v.vakt_natt,
    v.arsak_helse,
    v.arsak_omsorg,
    v.arsak_studier,
    v.arsak_jobb_annet_sted,
    v.arsak_okonomi_nok,
    v.arsak_for_toft,
    v.arsak_helgearbeid,
    v.arsak_ikke_tilbudt,
    v.arsak_pensjon,
    v.arsak_fritid,
    (SELECT min(effective_on) FROM reporting_revision_facts WHERE document_id = NEW.document_id AND (effective_on, number) > (NEW.effective_on, NEW.number))
FROM reporting_revision_json_facts AS v
WHERE v.revision_id = NEW.id
; END
""",
    """
INSERT INTO reporting_revision_facts (revision_id, document_id, person_id, number, effective_on, stilling, onsket_prosent, onsket_prosent_mindre, oppstart_uker, onsket_endring, yrkesgruppe, ansettelsesform, villig_helger, villig_andre_enheter, leder, onsket_fast, villig_langvakter, tar_ledige_vakter, ubundet_tid, fagbrev, venter_barnehageplass, onske_skriftlig, kvalifisert, forsokt_flere_timer, vakt_dag, vakt_kveld, vakt_natt, arsak_helse, arsak_omsorg, arsak_studier, arsak_jobb_annet_sted, arsak_okonomi_nok, arsak_for_toft, arsak_helgearbeid, arsak_ikke_tilbudt, arsak_pensjon, arsak_fritid, valid_until) SELECT v.revision_id,
    v.document_id,
    v.person_id,
    v.number,
    v.effective_on,
    v.stilling,
    v.onsket_prosent,
    v.onsket_prosent_mindre,
    v.oppstart_uker,
    v.onsket_endring,
    v.yrkesgruppe,
    v.ansettelsesform,
    v.villig_helger,
    v.villig_andre_enheter,
    v.leder,
    v.onsket_fast,
    v.villig_langvakter,
    v.tar_ledige_vakter,
    v.ubundet_tid,
    v.fagbrev,
    v.venter_barnehageplass,
    v.onske_skriftlig,
    v.kvalifisert,
    v.forsokt_flere_timer,
    v.vakt_dag,
    v.vakt_kveld,
    v.vakt_natt,
    v.arsak_helse,
    v.arsak_omsorg,
    v.arsak_studier,
    v.arsak_jobb_annet_sted,
    v.arsak_okonomi_nok,
    v.arsak_for_toft,
    v.arsak_helgearbeid,
    v.arsak_ikke_tilbudt,
    v.arsak_pensjon,
    v.arsak_fritid,
    (SELECT min(effective_on) FROM living_revision WHERE document_id = v.document_id AND (effective_on, number) > (v.effective_on, v.number))
FROM reporting_revision_json_facts AS v
""",
]
SQLITE_DOWNGRADE = [
    """
DROP TRIGGER IF EXISTS reporting_revision_facts_fill
""",
    """
DROP VIEW IF EXISTS reporting_revision_json_facts
""",
]
POSTGRESQL_UPGRADE = [
    """
CREATE VIEW reporting_revision_json_facts AS SELECT living_revision.id AS revision_id,
    living_revision.document_id,
    living_document.person_id,
    living_revision.number,
    living_revision.effective_on,
    (CASE WHEN jsonb_typeof((living_revision.data -> 'stillingsprosent')) = 'number' THEN ((living_revision.data -> 'stillingsprosent') #>> '{}')::float8 END) AS stilling,
    (CASE WHEN jsonb_typeof((living_revision.data -> 'onsket_prosent')) = 'number' THEN ((living_revision.data -> 'onsket_prosent') #>> '{}')::float8 END) AS onsket_prosent,
    (CASE WHEN jsonb_typeof((living_revision.data -> 'onsket_prosent_mindre')) = 'number' THEN ((living_revision.data -> 'onsket_prosent_mindre') #>> '{}')::float8 END) AS onsket_prosent_mindre,
    (CASE WHEN jsonb_typeof((living_revision.data -> 'oppstart_uker')) = 'number' THEN ((living_revision.data -> 'oppstart_uker') #>> '{}')::float8 END) AS oppstart_uker,
    (CASE WHEN jsonb_typeof((living_revision.data -> 'onsket_endring')) = 'string' THEN (living_revision.data -> 'onsket_endring') #>> '{}' END) AS onsket_endring,
    (CASE WHEN jsonb_typeof((living_revision.data -> 'yrkesgruppe')) = 'string' THEN (living_revision.data -> 'yrkesgruppe') #>> '{}' END) AS yrkesgruppe,
    (CASE WHEN jsonb_typeof((living_revision.data -> 'ansettelsesform')) = 'string' THEN (living_revision.data -> 'ansettelsesform') #>> '{}' END) AS ansettelsesform,
    (CASE WHEN jsonb_typeof((living_revision.data -> 'villig_helger')) = 'string' THEN (living_revision.data -> 'villig_helger') #>> '{}' END) AS villig_helger,
    (CASE WHEN jsonb_typeof((living_revision.data -> 'villig_andre_enheter')) = 'string' THEN (living_revision.data -> 'villig_andre_enheter') #>> '{}' END) AS villig_andre_enheter,
    coalesce((CASE jsonb_typeof((living_revision.data -> 'leder')) WHEN 'boolean' THEN (CASE WHEN (living_revision.data -> 'leder') = 'true'::jsonb THEN 1 ELSE 0 END) END), CASE WHEN ((CASE WHEN jsonb_typeof((living_revision.data -> 'leder')) = 'string' THEN (living_revision.data -> 'leder') #>> '{}' END) = 'yes') THEN 1 WHEN ((CASE WHEN jsonb_typeof((living_revision.data -> 'leder')) = 'string' THEN (living_revision.data -> 'leder') #>> '{}' END) = 'no') THEN 0 END) AS leder,
    coalesce((CASE jsonb_typeof((living_revision.data -> 'onsket_fast')) WHEN 'boolean' THEN (CASE WHEN (living_revision.data -> 'onsket_fast') = 'true'::jsonb THEN 1 ELSE 0 END) END), CASE WHEN ((CASE WHEN jsonb_typeof((living_revision.data -> 'onsket_fast')) = 'string' THEN (living_revision.data -> 'onsket_fast') #>> '{}' END) = 'yes') THEN 1 WHEN ((CASE WHEN jsonb_typeof((living_revision.data -> 'onsket_fast')) = 'string' THEN (living_revision.data -> 'onsket_fast') #>> '{}' END) = 'no') THEN 0 END) AS onsket_fast,
    coalesce((CASE jsonb_typeof((living_revision.data -> 'villig_langvakter')) WHEN 'boolean' THEN (CASE WHEN (living_revision.data -> 'villig_langvakter') = 'true'::jsonb THEN 1 ELSE 0 END) END), CASE WHEN ((CASE WHEN jsonb_typeof((living_revision.data -> 'villig_langvakter')) = 'string' THEN (living_revision.data -> 'villig_langvakter') #>> '{}' END) = 'yes') THEN 1 WHEN ((CASE WHEN jsonb_typeof((living_revision.data -> 'villig_langvakter')) = 'string' THEN (living_revision.data -> 'villig_langvakter') #>> '{}' END) = 'no') THEN 0 END) AS villig_langvakter,
    coalesce((CASE jsonb_typeof((living_revision.data -> 'tar_ledige_vakter')) WHEN 'boolean' THEN (CASE WHEN (living_revision.data -> 'tar_ledige_vakter') = 'true'::jsonb THEN 1 ELSE 0 END) END), CASE WHEN ((CASE WHEN jsonb_typeof((living_revision.data -> 'tar_ledige_vakter')) = 'string' THEN (living_revision.data -> 'tar_ledige_vakter') #>> '{}' END) = 'yes') THEN 1 WHEN ((CASE WHEN jsonb_typeof((living_revision.data -> 'tar_ledige_vakter')) = 'string' THEN (living_revision.data -> 'tar_ledige_vakter') #>> '{}' END) = 'no') THEN 0 END) AS tar_ledige_vakter,
    coalesce((CASE jsonb_typeof((living_revision.data -> 'ubundet_tid')) WHEN 'boolean' THEN (CASE WHEN (living_revision.data -> 'ubundet_tid') = 'true'::jsonb THEN 1 ELSE 0 END) END), CASE WHEN ((CASE WHEN jsonb_typeof((living_revision.data -> 'ubundet_tid')) = 'string' THEN (living_revision.data -> 'ubundet_tid') #>> '{}' END) = 'yes') THEN 1 WHEN ((CASE WHEN jsonb_typeof((living_revision.data -> 'ubundet_tid')) = 'string' THEN (living_revision.data -> 'ubundet_tid') #>> '{}' END) = 'no') THEN 0 END) AS ubundet_tid,
    coalesce((CASE jsonb_typeof((living_revision.data -> 'fagbrev')) WHEN 'boolean' THEN (CASE WHEN (living_revision.data -> 'fagbrev') = 'true'::jsonb THEN 1 ELSE 0 END) END), CASE WHEN ((CASE WHEN jsonb_typeof((living_revision.data -> 'fagbrev')) = 'string' THEN (living_revision.data -> 'fagbrev') #>> '{}' END) = 'yes') THEN 1 WHEN ((CASE WHEN jsonb_typeof((living_revision.data -> 'fagbrev')) = 'string' THEN (living_revision.data -> 'fagbrev') #>> '{}' END) = 'no') THEN 0 END) AS fagbrev,
    coalesce((CASE jsonb_typeof((living_revision.data -> 'venter_barnehageplass')) WHEN 'boolean' THEN (CASE WHEN (living_revision.data -> 'venter_barnehageplass') = 'true'::jsonb THEN 1 ELSE 0 END) END), CASE WHEN ((CASE WHEN jsonb_typeof((living_revision.data -> 'venter_barnehageplass')) = 'string' THEN (living_revision.data -> 'venter_barnehageplass') #>> '{}' END) = 'yes') THEN 1 WHEN ((CASE WHEN jsonb_typeof((living_revision.data -> 'venter_barnehageplass')) = 'string' THEN (living_revision.data -> 'venter_barnehageplass') #>> '{}' END) = 'no') THEN 0 END) AS venter_barnehageplass,
    coalesce((CASE jsonb_typeof((living_revision.data -> 'onske_skriftlig')) WHEN 'boolean' THEN (CASE WHEN (living_revision.data -> 'onske_skriftlig') = 'true'::jsonb THEN 1 ELSE 0 END) END), CASE WHEN ((CASE WHEN jsonb_typeof((living_revision.data -> 'onske_skriftlig')) = 'string' THEN (living_revision.data -> 'onske_skriftlig') #>> '{}' END) = 'yes') THEN 1 WHEN ((CASE WHEN jsonb_typeof((living_revision.data -> 'onske_skriftlig')) = 'string' THEN (living_revision.data -> 'onske_skriftlig') #>> '{}' END) = 'no') THEN 0 END) AS onske_skriftlig,
    coalesce((CASE jsonb_typeof((living_revision.data -> 'kvalifisert')) WHEN 'boolean' THEN (CASE WHEN (living_revision.data -> 'kvalifisert') = 'true'::jsonb THEN 1 ELSE 0 END) END), CASE WHEN ((CASE WHEN jsonb_typeof((living_revision.data -> 'kvalifisert')) = 'string' THEN (living_revision.data -> 'kvalifisert') #>> '{}' END) = 'yes') THEN 1 WHEN ((CASE WHEN jsonb_typeof((living_revision.data -> 'kvalifisert')) = 'string' THEN (living_revision.data -> 'kvalifisert') #>> '{}' END) = 'no') THEN 0 END) AS kvalifisert,
    coalesce((CASE jsonb_typeof((living_revision.data -> 'forsokt_flere_timer')) WHEN 'boolean' THEN (CASE WHEN (living_revision.data -> 'forsokt_flere_timer') = 'true'::jsonb THEN 1 ELSE 0 END) END), CASE WHEN ((CASE WHEN jsonb_typeof((living_revision.data -> 'forsokt_flere_timer')) = 'string' THEN (living_revision.data -> 'forsokt_flere_timer') #>> '{}' END) = 'yes') THEN 1 WHEN ((CASE WHEN jsonb_typeof((living_revision.data -> 'forsokt_flere_timer')) = 'string' THEN (living_revision.data -> 'forsokt_flere_timer') #>> '{}' END) = 'no') THEN 0 END) AS forsokt_flere_timer,
    (CASE WHEN jsonb_typeof((living_revision.data -> 'andre_vakter')) = 'array' THEN (CASE WHEN (living_revision.data -> 'andre_vakter') @> '["dag"]'::jsonb THEN 1 ELSE 0 END) END) AS vakt_dag,
    (CASE WHEN jsonb_typeof((living_revision.data -> 'andre_vakter')) = 'array' THEN (CASE WHEN (living_revision.data -> 'andre_vakter') @> '["kveld"]'::jsonb THEN 1 ELSE 0 END) END) AS vakt_kveld,
    (CASE WHEN jsonb_typeof((living_revision.data -> 'andre_vakter')) = 'array' THEN (CASE WHEN (living_revision.data -> 'andre_vakter') @> '["natt"]'::jsonb THEN 1 ELSE 0 END) END) AS vakt_natt,
    (CASE WHEN jsonb_typeof((living_revision.data -> 'arsaker_deltid')) = 'array' THEN (CASE WHEN (living_revision.data -> 'arsaker_deltid') @> '["helse"]'::jsonb THEN 1 ELSE 0 END) END) AS arsak_helse,
    (CASE WHEN jsonb_typeof((living_revision.data -> 'arsaker_deltid')) = 'array' THEN (CASE WHEN (living_revision.data -> 'arsaker_deltid') @> '["omsorg"]'::jsonb THEN 1 ELSE 0 END) END) AS arsak_omsorg,
    (CASE WHEN jsonb_typeof((living_revision.data -> 'arsaker_deltid')) = 'array' THEN (CASE WHEN (living_revision.data -> 'arsaker_deltid') @> '["studier"]'::jsonb THEN 1 ELSE 0 END) END) AS arsak_studier,
    (CASE WHEN jsonb_typeof((living_revision.data -> 'arsaker_deltid')) = 'array' THEN (CASE WHEN (living_revision.data -> 'arsaker_deltid') @> '["jobb_annet_sted"]'::jsonb THEN 1 ELSE 0 END) END) AS arsak_jobb_annet_sted,
    (CASE WHEN jsonb_typeof((living_revision.data -> 'arsaker_deltid')) = 'array' THEN (CASE WHEN (living_revision.data -> 'arsaker_deltid') @> '["okonomi_nok"]'::jsonb THEN 1 ELSE 0 END) END) AS arsak_okonomi_nok,
    (CASE WHEN jsonb_typeof((living_revision.data -> 'arsaker_deltid')) = 'array' THEN (CASE WHEN (living_revision.data -> 'arsaker_deltid') @> '["for_toft"]'::jsonb THEN 1 ELSE 0 END) END) AS arsak_for_toft,
    (CASE WHEN jsonb_typeof((living_revision.data -> 'arsaker_deltid')) = 'array' THEN (CASE WHEN (living_revision.data -> 'arsaker_deltid') @> '["helgearbeid"]'::jsonb THEN 1 ELSE 0 END) END) AS arsak_helgearbeid,
    (CASE WHEN jsonb_typeof((living_revision.data -> 'arsaker_deltid')) = 'array' THEN (CASE WHEN (living_revision.data -> 'arsaker_deltid') @> '["ikke_tilbudt"]'::jsonb THEN 1 ELSE 0 END) END) AS arsak_ikke_tilbudt,
    (CASE WHEN jsonb_typeof((living_revision.data -> 'arsaker_deltid')) = 'array' THEN (CASE WHEN (living_revision.data -> 'arsaker_deltid') @> '["pensjon"]'::jsonb THEN 1 ELSE 0 END) END) AS arsak_pensjon,
    (CASE WHEN jsonb_typeof((living_revision.data -> 'arsaker_deltid')) = 'array' THEN (CASE WHEN (living_revision.data -> 'arsaker_deltid') @> '["fritid"]'::jsonb THEN 1 ELSE 0 END) END) AS arsak_fritid 
FROM living_revision JOIN living_document ON living_document.id = living_revision.document_id
""",
    """
CREATE FUNCTION reporting_revision_facts_fill() RETURNS trigger AS $$
BEGIN UPDATE reporting_revision_facts SET valid_until = NEW.effective_on
WHERE document_id = NEW.document_id AND (effective_on, number) < (NEW.effective_on, NEW.number) AND (valid_until IS NULL OR valid_until > NEW.effective_on)
; INSERT INTO reporting_revision_facts (revision_id, document_id, person_id, number, effective_on, stilling, onsket_prosent, onsket_prosent_mindre, oppstart_uker, onsket_endring, yrkesgruppe, ansettelsesform, villig_helger, villig_andre_enheter, leder, onsket_fast, villig_langvakter, tar_ledige_vakter, ubundet_tid, fagbrev, venter_barnehageplass, onske_skriftlig, kvalifisert, forsokt_flere_timer, vakt_dag, vakt_kveld, vakt_natt, arsak_helse, arsak_omsorg, arsak_studier, arsak_jobb_annet_sted, arsak_okonomi_nok, arsak_for_toft, arsak_helgearbeid, arsak_ikke_tilbudt, arsak_pensjon, arsak_fritid, valid_until) SELECT v.revision_id,
    v.document_id,
    v.person_id,
    v.number,
    v.effective_on,
    v.stilling,
    v.onsket_prosent,
    v.onsket_prosent_mindre,
    v.oppstart_uker,
    v.onsket_endring,
    v.yrkesgruppe,
    v.ansettelsesform,
    v.villig_helger,
    v.villig_andre_enheter,
    v.leder,
    v.onsket_fast,
    v.villig_langvakter,
    v.tar_ledige_vakter,
    v.ubundet_tid,
    v.fagbrev,
    v.venter_barnehageplass,
    v.onske_skriftlig,
    v.kvalifisert,
    v.forsokt_flere_timer,
    v.vakt_dag,
    v.vakt_kveld,
    v.vakt_natt,
    v.arsak_helse,
    v.arsak_omsorg,
    v.arsak_studier,
    v.arsak_jobb_annet_sted,
    v.arsak_okonomi_nok,
    v.arsak_for_toft,
    v.arsak_helgearbeid,
    v.arsak_ikke_tilbudt,
    v.arsak_pensjon,
    v.arsak_fritid,
    (SELECT min(effective_on) FROM reporting_revision_facts WHERE document_id = NEW.document_id AND (effective_on, number) > (NEW.effective_on, NEW.number))
FROM reporting_revision_json_facts AS v
WHERE v.revision_id = NEW.id
; RETURN NULL
; END $$ LANGUAGE plpgsql
""",
    """
CREATE TRIGGER reporting_revision_facts_fill AFTER INSERT ON living_revision FOR EACH ROW EXECUTE FUNCTION reporting_revision_facts_fill()
""",
    """
INSERT INTO reporting_revision_facts (revision_id, document_id, person_id, number, effective_on, stilling, onsket_prosent, onsket_prosent_mindre, oppstart_uker, onsket_endring, yrkesgruppe, ansettelsesform, villig_helger, villig_andre_enheter, leder, onsket_fast, villig_langvakter, tar_ledige_vakter, ubundet_tid, fagbrev, venter_barnehageplass, onske_skriftlig, kvalifisert, forsokt_flere_timer, vakt_dag, vakt_kveld, vakt_natt, arsak_helse, arsak_omsorg, arsak_studier, arsak_jobb_annet_sted, arsak_okonomi_nok, arsak_for_toft, arsak_helgearbeid, arsak_ikke_tilbudt, arsak_pensjon, arsak_fritid, valid_until) SELECT v.revision_id,
    v.document_id,
    v.person_id,
    v.number,
    v.effective_on,
    v.stilling,
    v.onsket_prosent,
    v.onsket_prosent_mindre,
    v.oppstart_uker,
    v.onsket_endring,
    v.yrkesgruppe,
    v.ansettelsesform,
    v.villig_helger,
    v.villig_andre_enheter,
    v.leder,
    v.onsket_fast,
    v.villig_langvakter,
    v.tar_ledige_vakter,
    v.ubundet_tid,
    v.fagbrev,
    v.venter_barnehageplass,
    v.onske_skriftlig,
    v.kvalifisert,
    v.forsokt_flere_timer,
    v.vakt_dag,
    v.vakt_kveld,
    v.vakt_natt,
    v.arsak_helse,
    v.arsak_omsorg,
    v.arsak_studier,
    v.arsak_jobb_annet_sted,
    v.arsak_okonomi_nok,
    v.arsak_for_toft,
    v.arsak_helgearbeid,
    v.arsak_ikke_tilbudt,
    v.arsak_pensjon,
    v.arsak_fritid,
    (SELECT min(effective_on) FROM living_revision WHERE document_id = v.document_id AND (effective_on, number) > (v.effective_on, v.number))
FROM reporting_revision_json_facts AS v
""",
]
POSTGRESQL_DOWNGRADE = [
    """
DROP TRIGGER IF EXISTS reporting_revision_facts_fill ON living_revision
""",
    """
DROP FUNCTION IF EXISTS reporting_revision_facts_fill()
""",
    """
DROP VIEW IF EXISTS reporting_revision_json_facts
""",
]


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table('reporting_revision_facts',
    sa.Column('revision_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('stilling', sa.Float(), nullable=True),
    sa.Column('onsket_prosent', sa.Float(), nullable=True),
    sa.Column('onsket_prosent_mindre', sa.Float(), nullable=True),
    sa.Column('oppstart_uker', sa.Float(), nullable=True),
    sa.Column('onsket_endring', sa.String(), nullable=True),
    sa.Column('yrkesgruppe', sa.String(), nullable=True),
    sa.Column('ansettelsesform', sa.String(), nullable=True),
    sa.Column('villig_helger', sa.String(), nullable=True),
    sa.Column('villig_andre_enheter', sa.String(), nullable=True),
    sa.Column('leder', sa.SmallInteger(), nullable=True),
    sa.Column('onsket_fast', sa.SmallInteger(), nullable=True),
    sa.Column('villig_langvakter', sa.SmallInteger(), nullable=True),
    sa.Column('tar_ledige_vakter', sa.SmallInteger(), nullable=True),
    sa.Column('ubundet_tid', sa.SmallInteger(), nullable=True),
    sa.Column('fagbrev', sa.SmallInteger(), nullable=True),
    sa.Column('venter_barnehageplass', sa.SmallInteger(), nullable=True),
    sa.Column('onske_skriftlig', sa.SmallInteger(), nullable=True),
    sa.Column('kvalifisert', sa.SmallInteger(), nullable=True),
    sa.Column('forsokt_flere_timer', sa.SmallInteger(), nullable=True),
    sa.Column('vakt_dag', sa.SmallInteger(), nullable=True),
    sa.Column('vakt_kveld', sa.SmallInteger(), nullable=True),
    sa.Column('vakt_natt', sa.SmallInteger(), nullable=True),
    sa.Column('arsak_helse', sa.SmallInteger(), nullable=True),
    sa.Column('arsak_omsorg', sa.SmallInteger(), nullable=True),
    sa.Column('arsak_studier', sa.SmallInteger(), nullable=True),
    sa.Column('arsak_jobb_annet_sted', sa.SmallInteger(), nullable=True),
    sa.Column('arsak_okonomi_nok', sa.SmallInteger(), nullable=True),
    sa.Column('arsak_for_toft', sa.SmallInteger(), nullable=True),
    sa.Column('arsak_helgearbeid', sa.SmallInteger(), nullable=True),
    sa.Column('arsak_ikke_tilbudt', sa.SmallInteger(), nullable=True),
    sa.Column('arsak_pensjon', sa.SmallInteger(), nullable=True),
    sa.Column('arsak_fritid', sa.SmallInteger(), nullable=True),
    sa.ForeignKeyConstraint(['revision_id'], ['living_revision.id'], name=op.f('fk_reporting_revision_facts_revision_id_living_revision'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('revision_id', name=op.f('pk_reporting_revision_facts'))
    )
    with op.batch_alter_table('reporting_revision_facts', schema=None) as batch_op:
        batch_op.create_index('ix_reporting_revision_facts_document', ['document_id', 'effective_on', 'number'], unique=False)

    # View, trigger, and the rows of the existing revisions (the last statement).
    for statement in POSTGRESQL_UPGRADE if _postgresql() else SQLITE_UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    for statement in POSTGRESQL_DOWNGRADE if _postgresql() else SQLITE_DOWNGRADE:
        op.execute(statement)
    with op.batch_alter_table('reporting_revision_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_reporting_revision_facts_document')

    op.drop_table('reporting_revision_facts')
