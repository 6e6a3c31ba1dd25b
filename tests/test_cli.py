"""The `survey` command line: checking definitions and creating campaigns."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

BROKEN = ROOT / "tests" / "data" / "questionnaires"
LINE = re.compile(r"^(?P<file>[^:]+\.yaml):(?P<line>\d+): (?P<item>[\w.\[\]-]+): (?P<message>.+)$")


def test_shipped_questionnaires_pass(runner):
    result = runner.invoke(args=["questionnaires", "check"])
    assert result.exit_code == 0, result.output


def test_each_broken_file_gives_one_located_error(runner):
    files = ["syntax-error", "unknown-reference", "duplicate-name", "unknown-type"]
    result = runner.invoke(
        args=["questionnaires", "check", *[str(BROKEN / f"{name}.yaml") for name in files]]
    )
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 4, result.output
    parsed = {Path(m["file"]).stem: m for m in map(LINE.match, lines) if m}
    assert set(parsed) == set(files), lines
    assert parsed["syntax-error"]["item"] == "kommentar.relevant"
    assert parsed["unknown-reference"]["line"] == "15"
    assert "${aldr}" in parsed["unknown-reference"]["message"]
    assert "duplicate" in parsed["duplicate-name"]["message"]
    assert parsed["unknown-type"]["item"] == "alder.type"


def test_yaml_syntax_error_is_located(runner, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nversion: 1\npages:\n  - name: a\n   title: [unclosed\n")
    result = runner.invoke(args=["questionnaires", "check", str(broken)])
    assert result.exit_code == 1
    assert re.match(r"^.*broken\.yaml:\d+: ", result.stdout)


def test_campaign_create_and_invite(runner):
    created = runner.invoke(
        args=[
            "campaign",
            "create",
            "--questionnaire",
            "heltid-arlig",
            "--mode",
            "confidential",
            "--title",
            "Kartlegging 2026",
        ]
    )
    assert created.exit_code == 0, created.output
    campaign_id = re.search(r"campaign (\d+)", created.output).group(1)
    assert re.search(r"open link: http://\S+/s/[\w-]+", created.output)

    invited = runner.invoke(args=["campaign", "invite", campaign_id, "--count", "3"])
    assert invited.exit_code == 0, invited.output
    links = re.findall(r"^http://\S+/i/([\w-]{22})$", invited.output, re.MULTILINE)
    assert len(set(links)) == 3


def test_campaign_create_with_unknown_questionnaire_fails_clearly(runner):
    result = runner.invoke(
        args=["campaign", "create", "--questionnaire", "nope", "--mode", "anonymous"]
    )
    assert result.exit_code != 0
    assert "unknown questionnaire 'nope'" in result.output


def test_invitation_links_open_in_the_app(runner, client):
    created = runner.invoke(
        args=["campaign", "create", "--questionnaire", "arbeidsmiljo", "--mode", "anonymous"]
    )
    campaign_id = re.search(r"campaign (\d+)", created.output).group(1)
    invited = runner.invoke(args=["campaign", "invite", campaign_id, "--count", "1"])
    path = re.search(r"http://[^/]+(/i/\S+)", invited.output).group(1)
    assert client.get(path).status_code == 200


def test_console_script_is_installed():
    """`survey` is the console script of pyproject.toml; its help lists our commands."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "survey"), "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for command in ("serve", "questionnaires", "campaign", "db"):
        assert command in result.stdout


def test_campaign_list_and_close(runner, client):
    created = runner.invoke(
        args=["campaign", "create", "--questionnaire", "arbeidsmiljo", "--mode", "anonymous"]
    )
    campaign_id = re.search(r"campaign (\d+)", created.output).group(1)
    slug = re.search(r"/s/([\w-]+)", created.output).group(1)
    listed = runner.invoke(args=["campaign", "list"])
    assert f"/s/{slug}" in listed.output and "open" in listed.output

    assert runner.invoke(args=["campaign", "close", campaign_id]).exit_code == 0
    page = client.get(f"/s/{slug}").get_data(as_text=True)
    assert "stengt" in page  # «Spørreskjemaet er stengt.»
    assert 'action="/s/' not in page
    assert "closed" in runner.invoke(args=["campaign", "list"]).output
