"""The request edge: nothing malformed reaches the bot's code, crashes it, or makes it
call out (issue 14, points 6-9).  Every request goes through the real Slack endpoint
(or the Teams endpoint), signed by the driver unless the test forges it."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from urllib.parse import urlencode

import pytest
from aiohttp import web
from sqlalchemy import select
from sqlalchemy import text as text_sql

from bot.models import Base, Person, Session
from bot.slack.ids import Action, View
from tests.conftest import example
from tests.e2e.conftest import AMB_LINDE, TREKKER, cli_env, harness_env, invitations_to, run_cli
from tests.slack_emulator.driver import VERIFICATION_TOKEN

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
async def listener():
    """A loopback HTTP server standing in for a URL an attacker chose: records every request."""
    got: list[tuple[str, str, bytes]] = []

    async def record(request: web.Request) -> web.Response:
        got.append((request.method, request.path, await request.read()))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/hook", got
    finally:
        await runner.cleanup()


async def database_dump(h, skip: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
    """Every row of every table but ``skip`` (to show that a refused request changed nothing)."""
    out = {}
    async with h.ctx.db.sessionmaker() as s:
        for table in Base.metadata.sorted_tables:
            if table.name in skip:
                continue
            rows = (await s.execute(select(table))).all()
            out[table.name] = sorted((tuple(map(repr, r)) for r in rows))
    return out


def problems_in(records: list[logging.LogRecord]) -> list[str]:
    """Log records that show a crash: errors, or anything with a traceback."""
    return [f"{r.name}: {r.getMessage()}" for r in records if r.levelno >= logging.ERROR or r.exc_info]


def command_fields(h, user_id: str | None, response_url: str, text: str = "help") -> dict:
    fields = {"token": VERIFICATION_TOKEN, "team_id": "T0001", "team_domain": "dialoog", "channel_id": "C0GENERAL",
              "channel_name": "general", "user_name": "trekker", "command": "/dialoog", "text": text,
              "api_app_id": h.drv.api_app_id, "response_url": response_url, "trigger_id": "1.2.abc"}
    if user_id is not None:
        fields["user_id"] = user_id
    return fields


# -- point 6: verify before anything else ----------------------------------------------------

MALFORMED_TIMESTAMPS = ("abc", "1e9", "", " ", "9" * 5000, "1" * 13, "-1", "+1700000000", "1.5", "١٢٣", "0x10")


async def test_malformed_timestamps_get_a_bare_401_and_nothing_calls_out(harness, listener, caplog):
    h = harness
    url, got = listener
    await h.import_example()
    h.emu.reset_calls()
    caplog.set_level(logging.INFO)
    body = urlencode(command_fields(h, h.uid(TREKKER), url, "uitnodigen start")).encode()
    for ts in MALFORMED_TIMESTAMPS:
        # Signed with that very timestamp: only the timestamp is wrong.
        r = await h.drv.post(body, FORM, headers={"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": h.drv.sign(body, ts)})
        assert r.status == 401 and r.body_text == "", (ts[:20], r.status, r.body_text)
    now = str(int(time.time()))
    for signature in ("", "v0=", "v0=" + "é" * 64, "v1=" + "0" * 64, h.drv.sign(body, now)[:-1], h.drv.sign(body, now) + "0"):
        r = await h.drv.post(body, FORM, headers={"X-Slack-Request-Timestamp": now, "X-Slack-Signature": signature})
        assert r.status == 401 and r.body_text == ""
    await asyncio.sleep(0.3)  # anything the bot would send after answering has been sent by now
    assert got == []
    assert h.emu.calls == [] and h.emu.responses() == []
    assert problems_in(caplog.records) == []
    assert await h.drain() == 0


async def test_the_error_handler_answers_a_verified_request_only(harness, listener, caplog):
    """A real fault (a table gone) while handling a command: the verified command hears
    "Er ging iets mis"; the same request with a malformed timestamp gets a 401 and nothing."""
    h = harness
    url, got = listener
    await h.import_example()
    async with h.ctx.db.engine.begin() as conn:
        await conn.execute(text_sql("ALTER TABLE person RENAME TO person_gone"))
    body = urlencode(command_fields(h, h.uid(TREKKER), url, "mijn")).encode()
    r = await h.drv.post(body, FORM, headers={"X-Slack-Request-Timestamp": "1e9", "X-Slack-Signature": h.drv.sign(body, "1e9")})
    assert r.status == 401
    await asyncio.sleep(0.3)
    assert got == []
    r = await h.drv.post(body, FORM)
    for _ in range(100):
        if got:
            break
        await asyncio.sleep(0.05)
    assert len(got) == 1 and "Er ging iets mis" in got[0][2].decode()


# -- point 7: no 500 from malformed bodies ------------------------------------------------------

MALFORMED_BODIES = [
    (b"payload=%7Bnot+json", FORM),
    (b"payload=" + json.dumps([1, 2]).encode(), FORM),
    (b"[1, 2]", "application/json"),
    (b'"text"', "application/json"),
    (b"\xff\xfe{}", "application/json"),
    (b"payload=\xff\xfe", FORM),
    (b"{" + b'"a":[' * 50_000 + b"]" * 50_000 + b"}", "application/json"),
    (b"payload=" + b"%5B" * 50_000, FORM),
    (b"{not json", "application/json"),
]


async def test_unsigned_malformed_bodies_get_401_before_parsing(harness, listener, caplog):
    h = harness
    caplog.set_level(logging.INFO)
    for body, content_type in MALFORMED_BODIES:
        r = await h.drv.post(body, content_type, signature="v0=" + "0" * 64)
        assert r.status == 401, (body[:30], r.status)
    assert h.emu.calls == [] and problems_in(caplog.records) == []


async def test_signed_malformed_bodies_get_400_and_one_short_log_line(harness, caplog):
    h = harness
    caplog.set_level(logging.INFO)
    for body, content_type in MALFORMED_BODIES:
        r = await h.drv.post(body, content_type)
        assert r.status == 400, (body[:30], r.status)
    assert h.emu.calls == [] and problems_in(caplog.records) == []
    refusals = [r for r in caplog.records if r.name == "dialoogbot.edge"]
    assert len(refusals) == len(MALFORMED_BODIES)
    assert all("\n" not in r.getMessage() and len(r.getMessage()) < 120 for r in refusals)


def click_payload(h, user_id: str, action_id: str, value, response_url: str | None = None, **extra) -> dict:
    payload = {
        "type": "block_actions", "user": {"id": user_id, "username": "x", "team_id": "T0001"},
        "api_app_id": h.drv.api_app_id, "token": VERIFICATION_TOKEN, "trigger_id": h.emu.new_trigger_id(user_id),
        "team": {"id": "T0001", "domain": "dialoog"},
        "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": value,
                     "action_ts": f"{time.time():.6f}"}],
    }
    if response_url is not None:
        payload.update(response_url=response_url, container={"type": "message", "channel_id": "C0GENERAL"},
                       channel={"id": "C0GENERAL", "name": "general"})
    payload.update(extra)
    return payload


def submission_payload(h, user_id: str, callback_id: str, metadata) -> dict:
    view = {"id": "V0CRAFTED", "type": "modal", "callback_id": callback_id, "private_metadata": metadata,
            "blocks": [], "state": {"values": {}}, "hash": "1.x"}
    return {"type": "view_submission", "team": {"id": "T0001", "domain": "dialoog"},
            "user": {"id": user_id, "username": "x", "team_id": "T0001"}, "api_app_id": h.drv.api_app_id,
            "token": VERIFICATION_TOKEN, "trigger_id": h.emu.new_trigger_id(user_id), "view": view}


async def test_signed_payloads_without_what_listeners_need_get_400_and_change_nothing(harness, listener, caplog):
    h = harness
    url, got = listener
    await h.import_example()
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    h.emu.reset_calls()
    before = await database_dump(h)
    caplog.set_level(logging.INFO)
    uid = h.uid(AMB_LINDE)
    click = click_payload(h, uid, Action.RSVP_YES, "1", response_url=url)
    misshapen = [
        {**click, "actions": []},
        {**click, "actions": [None]},
        {**click, "actions": [{"value": "1"}]},
        {**click, "actions": "rsvp_yes"},
        {k: v for k, v in click.items() if k != "user"},
        {**click, "user": uid},
        {**click, "user": {"name": "x"}},
        {**click, "user": {"id": 12}},
        {**click, "view": "V1"},
        {**submission_payload(h, uid, View.DELEGATE, "1"), "view": None},
        {k: v for k, v in submission_payload(h, uid, View.DELEGATE, "1").items() if k != "user"},
        {"type": "event_callback", "event": "app_home_opened", "team_id": "T0001"},
        {"type": "something_else", "user": {"id": uid}},
    ]
    for payload in misshapen:
        r = await h.drv._post_payload(payload)
        assert r.status == 400, (payload, r.status, r.body_text)
    for fields in (command_fields(h, None, url), {**command_fields(h, uid, url), "user_id": ""}):
        r = await h.drv._post_form(fields)
        assert r.status == 400
    await asyncio.sleep(0.3)
    assert got == [] and h.emu.calls == []
    assert problems_in(caplog.records) == []
    assert await database_dump(h) == before


BAD_IDS = ["1" * 30, "9" * 19, str(2**31), "0", "-1", "", "abc", "1:2", "1e3", "１２", None, 12.5, [1], {"id": 1}]
BUTTONS = [a for a in Action if a not in (Action.CALENDAR_LINK,)]


async def test_signed_clicks_with_foreign_or_huge_ids_are_refused_politely(harness, caplog):
    h = harness
    await h.import_example()
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    before = await database_dump(h)
    h.emu.reset_calls()
    caplog.set_level(logging.INFO)
    for who in (TREKKER, AMB_LINDE):
        for action_id in BUTTONS:
            for value in BAD_IDS:
                url = h.emu.new_response_url(h.uid(who), "C0GENERAL")
                r = await h.drv._post_payload(click_payload(h, h.uid(who), action_id, value, response_url=url))
                assert r.status in (200, 400, 404), (action_id, value, r.status)
    await asyncio.sleep(0.3)
    assert problems_in(caplog.records) == []
    assert await database_dump(h) == before
    assert [c.method for c in h.emu.calls if not c.ok] == []
    assert not any(c.method.startswith("chat.") for c in h.emu.calls)
    errors = [b for b in h.emu.responses() if "Er ging iets mis" in json.dumps(b)]
    assert errors == []


BAD_METADATA = ["", "abc", "12", "1:2", "[1]", "null", "{}", '{"v":1}', '{"v":1,"invitation_id":' + "1" * 30 + "}",
                '{"v":1,"commitment_id":' + "1" * 30 + ',"to":"done","origin":"message"}', "[" * 5000, '"\\u0000"']


async def test_signed_submissions_with_damaged_private_metadata_get_field_errors(harness, caplog):
    h = harness
    await h.import_example()
    before = await database_dump(h)
    h.emu.reset_calls()
    caplog.set_level(logging.INFO)
    for who in (TREKKER, AMB_LINDE):
        for callback_id in View:
            for metadata in BAD_METADATA:
                r = await h.drv._post_payload(submission_payload(h, h.uid(who), callback_id, metadata))
                assert r.status == 200, (callback_id, metadata, r.status)
                answer = r.json
                assert isinstance(answer, dict) and answer.get("response_action") in ("errors", "update"), (callback_id, metadata, r.body_text)
    assert problems_in(caplog.records) == []
    assert await database_dump(h) == before
    assert [c.method for c in h.emu.calls if c.method != "auth.test"] == []


# -- point 8: characters no database keeps -----------------------------------------------------

UNSTORABLE = "\x00\ud800"


def clean(value) -> bool:
    return not any(c in json.dumps(value, ensure_ascii=False) for c in UNSTORABLE) and "\\u0000" not in json.dumps(value)


async def test_nul_and_lone_surrogates_in_a_slack_commitment_note_are_taken_out(harness, caplog):
    from tests.e2e.test_commitments import LINDE, commitment, history, remind_linde

    h = harness
    caplog.set_level(logging.INFO)
    message = await remind_linde(h)
    await h.drv.click(h.uid(LINDE), message, text="Bezig")
    r = await h.drv.submit_view(h.uid(LINDE), values={"note": f"MT{UNSTORABLE} op dinsdag\x00"})
    assert r.status == 200 and not r.body_text
    assert (await commitment(h, "protocol-linde")).last_note == "MT op dinsdag"
    assert (await history(h, "protocol-linde"))[-1].note == "MT op dinsdag"
    assert problems_in(caplog.records) == []


async def test_nul_in_a_slack_command_and_evaluation_answers_is_taken_out(harness, caplog):
    from tests.e2e.flows import evaluation_rows, fill_in, to_prompt_time

    h = harness
    caplog.set_level(logging.INFO)
    await h.import_example()
    r = await h.command(TREKKER, "uitnodigen\x00 start")  # the words without the NUL: a real round
    await h.drain()
    assert "Er ging iets mis" not in h.reply(r)
    [message] = invitations_to(h.emu, h.uid(AMB_LINDE))
    await h.drv.click(h.uid(AMB_LINDE), message, text="Ik kom")
    await h.drain()
    await to_prompt_time(h)
    r = await fill_in(h, AMB_LINDE, rating=4, choice="Ja", risico=f"Hitte{UNSTORABLE} in de nacht\x00")
    assert not r.body_text, r.body_text
    _, _, [response] = await evaluation_rows(h)
    assert clean(response.answers) and "Hitte in de nacht" in response.answers.values()
    assert problems_in(caplog.records) == []


ESCAPES = [("name: Dialogen afbakenen", 'name: "Dialogen\\0 afbakenen"'),
           ("name: Dialogen afbakenen", 'name: "Dialogen\\x00 afbakenen"'),
           ("name: Dialogen afbakenen", 'name: "Dialogen\\u0000 afbakenen"'),
           ("name: Dialogen afbakenen", 'name: "Dialogen\\ud800 afbakenen"')]


def with_escape(tmp_path, original: str, replacement: str):
    text = example("hitteplan.yaml").read_text()
    line = next(i for i, l in enumerate(text.splitlines(), start=1) if original in l)
    path = tmp_path / "hitteplan.yaml"
    path.write_text(text.replace(original, replacement, 1))
    return path, line


async def test_check_refuses_escaped_nul_and_surrogates_with_file_and_line(tmp_path):
    for original, replacement in ESCAPES:
        path, line = with_escape(tmp_path, original, replacement)
        result = await run_cli("check", str(path), env=cli_env(), cwd=tmp_path)
        assert result.code == 2, (replacement, result.both)
        assert f"{path}:{line}: " in result.err and "niet opgeslagen" in result.err, result.err
        assert "Traceback" not in result.both


async def test_import_refuses_them_on_both_databases_and_stores_nothing(harness, tmp_path):
    h = harness
    for original, replacement in ESCAPES[:1] + ESCAPES[3:]:
        path, line = with_escape(tmp_path, original, replacement)
        result = await run_cli("import", str(path), env=harness_env(h), cwd=tmp_path)
        assert result.code == 2, result.both
        assert f"{path}:{line}: " in result.err and "Traceback" not in result.both
    async with h.ctx.db.sessionmaker() as s:
        assert (await s.execute(select(Person))).first() is None
        assert (await s.execute(select(Session))).first() is None


# -- the Teams endpoint: the same rule ---------------------------------------------------------

from bot.teams.ids import Verb  # noqa: E402
from tests.teams_connector.harness import slack_emails, teams_token, th, with_slack  # noqa: E402,F401  (fixtures)

CARD_FIELDS = ["invitation_id", "commitment_id", "trajectory_id", "memo_id", "recipient_id", "prompt_id",
               "evaluation_id", "session_id", "request_id", "to", "answer", "kind", "origin", "card", "colleague"]
BAD_VALUES = ["1" * 30, str(2**31), [1], {"id": 1}, None, -1, "x:y", 2**40, "", "１２"]


async def test_teams_malformed_activities_get_400_and_one_short_log_line(th, caplog):
    caplog.set_level(logging.INFO)
    await th.import_example()
    uid = th.tid(TREKKER)
    base = th.teams._base(uid, "message", th.teams.personal(uid), text="help")
    invoke = th.teams._base(uid, "invoke", th.teams.personal(uid), name="adaptiveCard/action")
    activities = [
        [], "x", {"type": "invoke"}, {**base, "from": None}, {**base, "from": {"id": 5}}, {**base, "conversation": "x"},
        {**base, "conversation": {"id": 5}}, {**base, "channelData": "x"}, {**base, "text": 5}, {**base, "serviceUrl": 5},
        {**base, "entities": "x"}, {**base, "value": [1]},
        *({**invoke, "value": value} for value in (None, [], "x", {"action": None}, {"action": []},
                                                     {"action": {"verb": "rsvp", "data": [1]}},
                                                     {"action": {"verb": ["x"], "data": {}}},
                                                     {"action": {"verb": "nope", "data": {}}})),
    ]
    for activity in activities:
        r = await th.teams.post(activity)
        assert r.status == 400, (activity, r.status)
    for raw in (b"\xff\xfe", b"[" * 100_000, b"{bad", b'{"a":' * 5000):
        async with th.teams._http.post(th.teams.url, data=raw, headers={"Content-Type": "application/json"}) as r:
            assert r.status == 400
    assert problems_in(caplog.records) == []
    refusals = [r.getMessage() for r in caplog.records if r.name == "dialoogbot.teams"]
    assert len(refusals) == len(activities) + 4 and all("\n" not in m and len(m) < 160 for m in refusals), refusals


async def test_teams_card_actions_with_foreign_or_huge_ids_answer_politely(th, caplog):
    await th.import_example()
    for email in (TREKKER, AMB_LINDE):
        await th.say(email, "help")  # first contact: the bot notes the person's Teams chat
    before = await database_dump(th, skip=("processed_event",))  # activity ids, de-duplicated
    caplog.set_level(logging.INFO)
    # Every verb with every bad value, from the trekker and an ambassador in turn (each
    # pair once: the suite's time goes to coverage, not to repeating it per person).
    pairs = [(i + j, verb, bad) for i, verb in enumerate(Verb) for j, bad in enumerate(BAD_VALUES)]
    for n, verb, bad in pairs:
        uid = th.tid((TREKKER, AMB_LINDE)[n % 2])
        data = {"verb": verb.value, **{f: bad for f in CARD_FIELDS}}
        execute = th.teams._base(uid, "invoke", th.teams.personal(uid), name="adaptiveCard/action", replyToId="r1",
                                 value={"action": {"type": "Action.Execute", "verb": verb.value, "data": data}})
        r = await th.teams.post(execute)
        assert r.status in (200, 400), (verb, bad, r.status)
        assert "Er ging iets mis" not in json.dumps(r.body), (verb, bad, r.body)
        submit = th.teams._base(uid, "message", th.teams.personal(uid), replyToId="r1", value=data)
        r = await th.teams.post(submit)
        assert r.status < 300, (verb, bad, r.status)
    assert problems_in(caplog.records) == []
    assert not [p for p in th.conn.posted if "Er ging iets mis" in json.dumps(p.activity)]
    assert await database_dump(th, skip=("processed_event",)) == before


async def test_teams_nul_in_a_commitment_note_is_taken_out(th, caplog):
    from tests.e2e.test_teams_commitments import LINDE, commitment, ready, reminder

    caplog.set_level(logging.INFO)
    await ready(th)
    card = await reminder(th)
    await th.teams.execute(th.tid(LINDE), card, "Bezig")
    await th.teams.execute(th.tid(LINDE), card, "Opslaan", {"note": f"MT{UNSTORABLE} op dinsdag\x00"})
    assert (await commitment(th, "protocol-linde")).last_note == "MT op dinsdag"
    assert problems_in(caplog.records) == []
