"""A real SMTP server for the tests (aiosmtpd on loopback, a free port) that keeps every
mail it accepts and can refuse on cue: a 4xx or 5xx reply for chosen recipients (always,
or the first N times), or a temporary error for a share of all mails.

    with SmtpSink() as smtp:            # SmtpSink(tls=self_signed(tmp_path)): with STARTTLS
        env["SMTP_URL"] = smtp.url
        smtp.refuse("gone@example.org", "550 5.1.1 Mailbox unknown")
        smtp.refuse("busy@example.org", "451 4.3.0 Try again later", times=2)
        ...
        [mail] = smtp.to("someone@example.org")   # email.message.EmailMessage

Also a pytest fixture, ``smtp_sink``.
"""

from __future__ import annotations

import random
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.parser import BytesHeaderParser
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def mail(self) -> EmailMessage:
        """The mail parsed with Python's ``email`` package (on first use: the benchmark
        does not pay for parsing 2,000 mails while it measures)."""
        if not hasattr(self, "_parsed"):
            self._parsed = message_from_bytes(self.raw, policy=policy.default)
        return self._parsed

    def header(self, name: str) -> str | None:
        """One header without parsing the whole mail."""
        value = BytesHeaderParser(policy=policy.default).parsebytes(self.raw).get(name)
        return str(value) if value is not None else None


def self_signed(folder) -> tuple[str, str]:
    """A certificate for 127.0.0.1 and its key (PEM files in ``folder``): the sink's STARTTLS."""
    import datetime
    import ipaddress
    from pathlib import Path

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = Path(folder) / "smtp-cert.pem", Path(folder) / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class _Rule:
    reply: str
    times: int | None  # None: always


class _Handler:
    def __init__(self, sink: "SmtpSink"):
        self.sink = sink

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with self.sink._lock:
            self.sink.greetings += 1
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.sink._refusal(address.lower())
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        sink = self.sink
        with sink._lock:
            sink.attempts += 1
            if sink.temporary_share and sink._rng.random() < sink.temporary_share:
                sink.injected += 1
                return "451 4.3.0 Temporary failure, try again"
        raw = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode("utf-8")
        if session.ssl:
            with sink._lock:
                sink.over_tls += 1
        with sink._lock:
            sink.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), raw))
        return "250 Message accepted"


@dataclass
class SmtpSink:
    temporary_share: float = 0.0  # this share of all mails gets "451" at DATA
    seed: int = 11
    received: list[Received] = field(default_factory=list)
    attempts: int = 0
    injected: int = 0
    greetings: int = 0  # EHLOs: one per SMTP connection (a client that keeps its connection greets once)
    over_tls: int = 0  # mails that came after STARTTLS
    tls: tuple[str, str] | None = None  # (certificate, key) files: offer STARTTLS (see ``self_signed``)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (address, reply) given

    def __post_init__(self):
        self._rules: dict[str, _Rule] = {}
        self._lock = threading.Lock()
        self._rng = random.Random(self.seed)
        self.port = free_port()
        tls = None
        if self.tls is not None:
            import ssl

            tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls.load_cert_chain(*self.tls)
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, ready_timeout=10, tls_context=tls)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def refuse(self, address: str, reply: str, times: int | None = None) -> None:
        """Answer RCPT for ``address`` with ``reply`` ("550 5.1.1 ..." / "451 ..."), always or ``times`` times."""
        self._rules[address.lower()] = _Rule(reply, times)

    def _refusal(self, address: str) -> str | None:
        with self._lock:
            rule = self._rules.get(address)
            if rule is None:
                return None
            if rule.times is not None:
                if rule.times <= 0:
                    return None
                rule.times -= 1
            self.refused.append((address, rule.reply))
            return rule.reply

    def to(self, address: str) -> list[EmailMessage]:
        return [r.mail for r in self.received if address.lower() in (a.lower() for a in r.recipients)]

    @property
    def mails(self) -> list[EmailMessage]:
        return [r.mail for r in self.received]

    def start(self) -> "SmtpSink":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> "SmtpSink":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@pytest.fixture
def smtp_sink():
    with SmtpSink() as sink:
        yield sink


def main() -> None:
    """``python -m tests.smtp_server --port N --temporary 0.02 --out DIR``: a sink in its own
    process (the benchmark), writing each accepted mail to ``DIR/<n>.eml``; stops on SIGTERM."""
    import argparse
    import signal
    from pathlib import Path

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--temporary", type=float, default=0.0)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    sink = SmtpSink(temporary_share=args.temporary)
    sink.port = args.port
    sink._controller.port = args.port
    out = Path(args.out)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with sink:
        print("ready", flush=True)
        while not stop.wait(0.2):
            pass
    for index, received in enumerate(sink.received):
        (out / f"{index:06d}.eml").write_bytes(received.raw)
    (out / "counts.txt").write_text(f"{sink.attempts} {sink.injected}\n")


if __name__ == "__main__":
    main()
