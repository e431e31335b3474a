"""A real Dovecot IMAP server on loopback for the tests, with its own temporary config.

Only the ``dovecot`` binary is needed (Debian ``dovecot-imapd``, which brings
``openssl``); the system service is not used.  One user ``bot`` (password ``geheim``)
with a maildir INBOX; plaintext login on loopback.  With ``tls=True`` the server has a
self-signed certificate for 127.0.0.1 (``cert``): implicit TLS on ``tls_port`` and
STARTTLS on ``port``.  As root, mail is stored as the ``dovecot`` system user (Dovecot
refuses mail access as uid 0); otherwise everything runs as the current user.
"""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

USER = "bot"
PASSWORD = "geheim"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {login_user}
default_internal_group = {login_group}
default_login_user = {login_user}
first_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{base}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


def binary() -> str | None:
    for candidate in (shutil.which("dovecot"), "/usr/sbin/dovecot"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Dovecot:
    """``start()`` writes the config under ``base`` and starts Dovecot in the foreground."""

    def __init__(self, base: Path, tls: bool = False):
        self.base = base
        self.tls = tls
        self.port = free_port()
        self.tls_port = free_port() if tls else 0
        self.cert = base / "cert.pem"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"imap://{USER}:{PASSWORD}@127.0.0.1:{self.port}/INBOX"

    @property
    def imaps_url(self) -> str:
        return f"imaps://{USER}:{PASSWORD}@127.0.0.1:{self.tls_port}/INBOX"

    def _ssl(self) -> str:
        if not self.tls:
            return "ssl = no"
        key = self.base / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(self.cert)],
            check=True, capture_output=True,
        )
        lines = ["ssl = yes", f"ssl_cert = <{self.cert}", f"ssl_key = <{key}"]
        if Path("/usr/share/dovecot/dh.pem").is_file():
            lines.append("ssl_dh = </usr/share/dovecot/dh.pem")
        return "\n".join(lines)

    def _owner(self) -> tuple[str, str, int, int]:
        if os.geteuid() == 0:
            entry = pwd.getpwnam("dovecot")
            return "dovecot", grp.getgrgid(entry.pw_gid).gr_name, entry.pw_uid, entry.pw_gid
        entry = pwd.getpwuid(os.geteuid())
        return entry.pw_name, grp.getgrgid(os.getegid()).gr_name, entry.pw_uid, os.getegid()

    def start(self, exe: str) -> None:
        login_user, login_group, uid, gid = self._owner()
        for folder in ("run", "state", "mail", "home"):
            (self.base / folder).mkdir(parents=True, exist_ok=True)
        (self.base / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        config = self.base / "dovecot.conf"
        config.write_text(CONFIG.format(
            base=self.base, port=self.port, tls_port=self.tls_port, ssl=self._ssl(), uid=uid, gid=gid, login_user=login_user, login_group=login_group
        ))
        for folder in ("mail", "home"):
            os.chown(self.base / folder, uid, gid)
        self.proc = subprocess.Popen([exe, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dovecot stopped: {self.proc.stdout.read().decode()} {self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)  # waiting for a process to listen, not a timing assertion
        raise RuntimeError(f"dovecot did not listen on port {self.port}: {self.log()}")

    def log(self) -> str:
        path = self.base / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    # -- what a mail client would do ----------------------------------------------------

    def client(self) -> imaplib.IMAP4:
        box = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        box.login(USER, PASSWORD)
        return box

    def append(self, raw: bytes, flags: str = "") -> None:
        """Deliver a mail into INBOX (IMAP APPEND), as a mail server would."""
        box = self.client()
        try:
            typ, data = box.append("INBOX", f"({flags})" if flags else None, None, raw)
            assert typ == "OK", data
        finally:
            box.logout()

    def flags(self) -> dict[int, set[str]]:
        """UID -> flags of every mail in INBOX."""
        box = self.client()
        try:
            box.select("INBOX", readonly=True)
            typ, data = box.uid("FETCH", "1:*", "(FLAGS)")
            found: dict[int, set[str]] = {}
            for line in data:
                if not line:
                    continue
                text = line.decode() if isinstance(line, bytes) else line[0].decode()
                uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
                flags = text.split("FLAGS (")[1].split(")")[0]
                found[uid] = set(flags.split())
            return found
        finally:
            box.logout()
