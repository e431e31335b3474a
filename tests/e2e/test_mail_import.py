"""``import`` says who is reached where when e-mail is configured; without it, as before."""

from __future__ import annotations

import pytest

from tests.conftest import example
from tests.e2e.conftest import AMB_GGD, AMB_LINDE, harness_env, run_cli

pytestmark = pytest.mark.one_database  # how a platform shows it; the rules run on both databases elsewhere

MAIL = {"SMTP_URL": "smtp://127.0.0.1:2525", "MAIL_FROM": "Dialoogbot <dialoog@voorbeeldstad.example>"}


@pytest.fixture
def unknown_emails():
    return {AMB_GGD, AMB_LINDE}


async def test_import_lists_slack_and_email(harness, tmp_path):
    result = await run_cli("import", str(example("hitteplan.yaml")), env=harness_env(harness, **MAIL), cwd=tmp_path)
    assert result.code == 0, result.both
    assert "Bereikt: 6 via Slack, 0 via Teams, 2 per e-mail, 0 nergens." in result.out, result.out
    assert "Niet gevonden in Slack" not in result.out


async def test_without_mail_the_import_lists_who_is_not_found(harness, tmp_path):
    result = await run_cli("import", str(example("hitteplan.yaml")), env=harness_env(harness), cwd=tmp_path)
    assert result.code == 0, result.both
    assert "Bereikt:" not in result.out and "Niet gevonden in Slack (2)" in result.out, result.out
