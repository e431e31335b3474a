"""A real Dovecot on loopback for every test here (skipped without the binary, unless
REQUIRE_IMAP=1: then a missing ``dovecot`` is a failure)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.imap.dovecot import Dovecot, binary


def _serve(tls: bool):
    exe = binary()
    if exe is None:
        if os.environ.get("REQUIRE_IMAP") == "1":
            pytest.fail("REQUIRE_IMAP=1 but dovecot is not installed (apt-get install dovecot-imapd)")
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd); REQUIRE_IMAP=1 makes this a failure")
    # Not pytest's tmp_path: its folders are private to the user, and Dovecot's mail
    # processes run as the `dovecot` user when the tests run as root.
    base = Path(tempfile.mkdtemp(prefix="dialoogbot-dovecot-"))
    base.chmod(0o755)
    server = Dovecot(base, tls=tls)
    try:
        server.start(exe)
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def dovecot():
    """Dovecot without TLS (plain text on loopback)."""
    yield from _serve(tls=False)


@pytest.fixture
def dovecot_tls():
    """Dovecot with a self-signed certificate: imaps:// and STARTTLS."""
    yield from _serve(tls=True)


@pytest.fixture
def public_url() -> str | None:
    """Calendar entries as links (no file uploads): these tests are about the replies."""
    from tests.e2e.conftest import PUBLIC

    return PUBLIC
