"""XLSForm in and out: `xlsform_to_yaml` reads a workbook (KoboToolbox, ODK) into the
product's YAML, `questionnaire_to_xlsform` writes a questionnaire as a workbook that pyxform
converts. The mapping is in docs/questionnaires.md § XLSForm; openpyxl is imported only when
a workbook is read or written."""

from survey.questionnaires.xlsform_format import XLSFormError
from survey.questionnaires.xlsform_reading import xlsform_to_yaml
from survey.questionnaires.xlsform_sheets import settings_form_id
from survey.questionnaires.xlsform_writing import questionnaire_to_xlsform

__all__ = ["XLSFormError", "questionnaire_to_xlsform", "settings_form_id", "xlsform_to_yaml"]
