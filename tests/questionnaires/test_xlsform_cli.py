"""`survey questionnaires import` and `export`: the administrator's XLSForm commands."""

from __future__ import annotations

from survey import engine

from .conftest import XLSFORMS, pyxform_convert, sheets, without_origin


def test_import_prints_the_yaml(runner):
    result = runner.invoke(
        args=["questionnaires", "import", str(XLSFORMS / "kobo_style.xlsx"), "--id", "deltid"]
    )
    assert result.exit_code == 0, result.output
    definition = engine.load_text(result.stdout, "deltid.yaml")
    assert definition.id == "deltid"
    assert definition.question("samarbeid_leder").grid.name == "samarbeid"


def test_import_writes_the_file_that_check_accepts(runner, tmp_path):
    out = tmp_path / "deltid.yaml"
    result = runner.invoke(
        args=[
            "questionnaires",
            "import",
            str(XLSFORMS / "every_feature.xlsx"),
            "--id",
            "deltid",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    checked = runner.invoke(args=["questionnaires", "check", str(out)])
    assert checked.exit_code == 0, checked.output
    assert engine.load(out).question("stillingsprosent").type == "percent"


def test_a_broken_form_writes_nothing(runner, tmp_path):
    folder = tmp_path / "forms"
    folder.mkdir()
    out = folder / "unsupported.yaml"
    result = runner.invoke(
        args=[
            "questionnaires",
            "import",
            str(XLSFORMS / "unsupported.xlsx"),
            "--id",
            "x",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert any(
        line.endswith("unsupported.xlsx:survey:5: type 'calculate': calculations are not supported")
        for line in lines
    )
    assert "8 problem(s); nothing written" in result.stderr
    assert not out.exists()
    assert list(folder.iterdir()) == []


def test_a_broken_form_leaves_an_existing_file_as_it_was(runner, tmp_path):
    out = tmp_path / "form.yaml"
    out.write_text("as before\n")
    result = runner.invoke(
        args=[
            "questionnaires",
            "import",
            str(XLSFORMS / "broken_duplicate_name.xlsx"),
            "--id",
            "x",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 1
    assert "broken_duplicate_name.xlsx:survey:4: duplicate name 'navn' (first on row 3)" in (
        result.stderr
    )
    assert out.read_text() == "as before\n"


def test_export_a_stored_questionnaire(app, runner, tmp_path):
    from survey.questionnaires.services import latest_version

    with app.app_context():
        stored = latest_version("arbeidsmiljo").version
    out = tmp_path / "arbeidsmiljo.xlsx"
    result = runner.invoke(
        args=["questionnaires", "export", "arbeidsmiljo", "--format", "xlsform", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert f"arbeidsmiljo v{stored} as xlsform" in result.stdout
    settings = sheets(out.read_bytes())["settings"][0]
    assert (settings["form_id"], settings["version"]) == ("arbeidsmiljo", str(stored))
    pyxform_convert(out.read_bytes(), tmp_path, "converted.xlsx")


def test_export_a_yaml_file_then_import_it_again(runner, tmp_path):
    source = tmp_path / "deltid.yaml"
    imported = runner.invoke(
        args=[
            "questionnaires",
            "import",
            str(XLSFORMS / "kobo_style.xlsx"),
            "--id",
            "deltid",
            "--out",
            str(source),
        ]
    )
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "deltid.xlsx"
    result = runner.invoke(args=["questionnaires", "export", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["questionnaires", "import", str(out), "--id", "deltid"])
    assert again.exit_code == 0, again.output
    assert without_origin(engine.load_text(again.stdout, "a.yaml")) == without_origin(
        engine.load(source)
    )


def test_export_of_an_unknown_questionnaire(runner, tmp_path):
    out = tmp_path / "x.xlsx"
    result = runner.invoke(args=["questionnaires", "export", "finnes-ikke", "--out", str(out)])
    assert result.exit_code == 1
    assert "unknown questionnaire 'finnes-ikke'" in result.output
    assert not out.exists()


def test_an_out_file_in_a_missing_folder_is_one_clear_line(runner, tmp_path):
    out = tmp_path / "finnes-ikke" / "deltid.yaml"
    result = runner.invoke(
        args=[
            "questionnaires",
            "import",
            str(XLSFORMS / "kobo_style.xlsx"),
            "--id",
            "deltid",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 1
    assert "deltid.yaml: No such file or directory" in result.stderr
    assert not out.parent.exists()
