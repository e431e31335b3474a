"""Tests of the Slack emulator and driver themselves (not of the bot).

The emulator is exercised through slack_sdk's AsyncWebClient, exactly as the bot
uses it; the driver against a tiny aiohttp app that verifies Slack signatures
with slack_sdk's SignatureVerifier.
"""
from __future__ import annotations

import json
import time
from urllib.parse import parse_qs

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

try:  # tests/ as a package (rootdir on sys.path) or as a plain directory
    from tests.slack_emulator import SlackDriver, SlackEmulator, limits
except ImportError:  # pragma: no cover
    from slack_emulator import SlackDriver, SlackEmulator, limits

TOKEN = "xoxb-test"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def section(text: str, **extra) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(text: str, action_id: str, value: str = "v") -> dict:
    return {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": action_id, "value": value}


def modal(blocks: list | None = None, **extra) -> dict:
    return {"type": "modal", "callback_id": "cb", "title": {"type": "plain_text", "text": "Evaluatie"},
            "submit": {"type": "plain_text", "text": "Verstuur"}, "blocks": blocks or [section("hoi")], **extra}


class FakeClock:
    """A manual clock for the emulator (trigger expiry, buckets) without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def emu():
    async with SlackEmulator(token=TOKEN) as emulator:
        emulator.add_user("U1", "Ann@Example.org", "ann", real_name="Ann de Vries")
        emulator.add_user("U2", "bob@example.org", "bob")
        emulator.add_user("UGONE", "gone@example.org", "gone", deleted=True)
        yield emulator


@pytest.fixture
async def client(emu):
    return AsyncWebClient(token=TOKEN, base_url=emu.api_url)


# --- basics: auth, bodies, users -------------------------------------------------------------

@pytest.mark.asyncio
async def test_auth_test_and_bad_tokens(emu, client):
    resp = await client.auth_test()
    assert (resp["user_id"], resp["bot_id"], resp["team_id"]) == ("UBOT", "B0001", "T0001")

    with pytest.raises(SlackApiError) as bad:
        await AsyncWebClient(token="xoxb-wrong", base_url=emu.api_url).auth_test()
    assert bad.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as missing:
        await AsyncWebClient(base_url=emu.api_url).auth_test()
    assert missing.value.response["error"] == "not_authed"
    with pytest.raises(SlackApiError) as unknown:
        await client.api_call("chat.frobnicate", json={})
    assert unknown.value.response["error"] == "unknown_method"


@pytest.mark.asyncio
async def test_json_form_and_multipart_bodies_all_work(emu, client):
    blocks = [section("*hallo*")]
    await client.chat_postMessage(channel="U1", text="json", blocks=blocks)  # JSON body
    await client.api_call("chat.postMessage", data={"channel": "U1", "text": "form",
                                                     "blocks": json.dumps(blocks)})  # urlencoded
    form = aiohttp.FormData({"channel": "U1", "text": "multipart", "blocks": json.dumps(blocks)})
    form.add_field("dummy", b"x", filename="x.bin")  # forces multipart/form-data
    async with aiohttp.ClientSession() as session:
        async with session.post(emu.api_url + "chat.postMessage", data=form,
                                headers={"Authorization": f"Bearer {TOKEN}"}) as resp:
            assert (await resp.json())["ok"] is True

    messages = emu.dm("U1")
    assert [m.text for m in messages] == ["json", "form", "multipart"]
    assert all(m.blocks[0]["text"]["text"] == "*hallo*" for m in messages)


@pytest.mark.asyncio
async def test_users_lookup_by_email_and_info(emu, client):
    found = await client.users_lookupByEmail(email="ann@EXAMPLE.org")
    assert found["user"]["id"] == "U1"
    assert found["user"]["profile"]["email"] == "Ann@Example.org"
    with pytest.raises(SlackApiError) as missing:
        await client.users_lookupByEmail(email="nobody@example.org")
    assert missing.value.response["error"] == "users_not_found"

    info = await client.users_info(user="U1")
    assert info["user"]["real_name"] == "Ann de Vries" and info["user"]["tz"] == "Europe/Amsterdam"
    with pytest.raises(SlackApiError) as unknown:
        await client.users_info(user="U404")
    assert unknown.value.response["error"] == "user_not_found"


# --- chat.* ------------------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_post_message_to_user_id_returns_dm_channel(emu, client):
    first = await client.chat_postMessage(channel="U1", text="een")
    opened = await client.conversations_open(users="U1")
    second = await client.chat_postMessage(channel=opened["channel"]["id"], text="twee")

    assert first["channel"].startswith("D")
    assert first["channel"] == opened["channel"]["id"] == second["channel"]
    assert float(first["ts"]) < float(second["ts"])
    assert first["message"]["user"] == "UBOT" and first["message"]["text"] == "een"
    assert [m.text for m in emu.dm("U1")] == ["een", "twee"]
    assert emu.messages(first["channel"]) == emu.dm("U1")


@pytest.mark.asyncio
@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
async def test_post_message_errors(emu, client):
    emu.add_channel("C1", "bot-in", members=["UBOT", "U1"])
    emu.add_channel("C2", "bot-out", members=["U1"])
    cases = {"C404": "channel_not_found", "U404": "channel_not_found", "UGONE": "user_not_found",
             "C2": "not_in_channel"}
    for channel, error in cases.items():
        with pytest.raises(SlackApiError) as exc:
            await client.chat_postMessage(channel=channel, text="x")
        assert exc.value.response["error"] == error, channel
    with pytest.raises(SlackApiError) as no_text:
        await client.chat_postMessage(channel="C1", text="")
    assert no_text.value.response["error"] == "no_text"
    with pytest.raises(SlackApiError) as too_long:
        await client.chat_postMessage(channel="C1", text="x" * 40_001)
    assert too_long.value.response["error"] == "msg_too_long"

    ok = await client.chat_postMessage(channel="#bot-in", text="hallo kanaal")
    assert ok["channel"] == "C1" and emu.messages("C1")[0].text == "hallo kanaal"


@pytest.mark.asyncio
async def test_chat_update_changes_stored_message_and_keeps_versions(emu, client):
    posted = await client.chat_postMessage(channel="U1", text="oud", blocks=[section("oud")])
    await client.chat_update(channel=posted["channel"], ts=posted["ts"], text="nieuw", blocks=[section("nieuw")])

    [message] = emu.dm("U1")
    assert message.text == "nieuw" and message.blocks[0]["text"]["text"] == "nieuw"
    assert [v["text"] for v in message.versions] == ["oud", "nieuw"]
    with pytest.raises(SlackApiError) as missing:
        await client.chat_update(channel=posted["channel"], ts="1.000001", text="x")
    assert missing.value.response["error"] == "message_not_found"


@pytest.mark.asyncio
async def test_ephemeral_history_and_threads(emu, client):
    posted = await client.chat_postMessage(channel="U1", text="ouder",
                                           metadata={"event_type": "invite", "event_payload": {"id": 1}})
    await client.chat_postMessage(channel="U1", text="antwoord", thread_ts=posted["ts"])
    await client.chat_postMessage(channel="U1", text="nieuwer")
    eph = await client.chat_postEphemeral(channel=posted["channel"], user="U1", text="alleen jij")

    assert eph["message_ts"] and emu.ephemerals("U1")[0].text == "alleen jij"
    history = await client.conversations_history(channel=posted["channel"], include_all_metadata=True)
    assert [m["text"] for m in history["messages"]] == ["nieuwer", "ouder"]
    assert history["messages"][1]["metadata"]["event_type"] == "invite"
    assert emu.dm("U1")[1].thread_ts == posted["ts"]


# --- Block Kit limits ---------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_block_limit_violations_are_rejected_and_change_nothing(emu, client):
    bad = [
        [section("x")] * 51,
        [section("x" * 3001)],
        [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
        [{"type": "actions", "elements": [button("b" * 76, "a")]}],
        [{"type": "actions", "elements": [button("ok", "a", value="v" * 2001)]}],
        [{"type": "actions", "elements": [button("ok", "same"), button("ok2", "same")]}],
        [section("a", block_id="dup"), section("b", block_id="dup")],
        [{"type": "actions", "elements": [button("", "a")]}],
        [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
    ]
    for blocks in bad:
        with pytest.raises(SlackApiError) as exc:
            await client.chat_postMessage(channel="U1", text="fallback", blocks=blocks)
        assert exc.value.response["error"] == "invalid_blocks"
        assert exc.value.response["errors"][0].startswith("/blocks")
    assert emu.dm("U1") == []

    posted = await client.chat_postMessage(channel="U1", text="goed", blocks=[section("goed")])
    with pytest.raises(SlackApiError):
        await client.chat_update(channel=posted["channel"], ts=posted["ts"], text="x", blocks=[section("x" * 3001)])
    assert emu.dm("U1")[0].blocks[0]["text"]["text"] == "goed"
    assert len(emu.dm("U1")[0].versions) == 1


def test_limit_checks_report_paths():
    problems = limits.check_message_blocks([section("ok"), section("x" * 3001)])
    assert [p.path for p in problems] == ["/blocks/1/text/text"]
    assert "3000" in problems[0]

    select = {"type": "static_select", "action_id": "s",
              "options": [{"text": {"type": "plain_text", "text": "o"}, "value": str(i)} for i in range(101)]}
    assert limits.check_message_blocks([section("s", accessory=select)])[0].path == "/blocks/0/accessory/options"
    checkboxes = {"type": "checkboxes", "action_id": "c",
                  "options": [{"text": {"type": "plain_text", "text": "o"}, "value": str(i)} for i in range(11)]}
    assert limits.check_message_blocks([{"type": "actions", "elements": [checkboxes]}])
    long_input = {"type": "input", "label": {"type": "plain_text", "text": "L"},
                  "element": {"type": "plain_text_input", "action_id": "t", "max_length": 3001}}
    assert limits.check_view(modal([long_input]))[0].path == "/blocks/0/element/max_length"

    view = modal(title={"type": "plain_text", "text": "t" * 25}, private_metadata="m" * 3001)
    assert {p.path for p in limits.check_view(view)} == {"/title/text", "/private_metadata"}
    assert limits.check_view(modal([section("x")] * 101))
    assert limits.check_view(modal()) == []


# --- rate limits and faults ------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_rate_limit_answers_429_with_integer_retry_after(emu, client):
    emu.set_rate_limit("users.info", per_minute=2)
    await client.users_info(user="U1")
    await client.users_info(user="U1")
    with pytest.raises(SlackApiError) as exc:
        await client.users_info(user="U1")
    assert exc.value.response.status_code == 429
    assert exc.value.response["error"] == "ratelimited"
    retry_after = exc.value.response.headers["Retry-After"]
    assert retry_after.isdigit() and int(retry_after) >= 1
    assert [c.status for c in emu.calls_to("users.info")] == [200, 200, 429]


@pytest.mark.asyncio
async def test_slack_sdk_retry_handler_honours_retry_after(emu):
    client = AsyncWebClient(token=TOKEN, base_url=emu.api_url,
                            retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)])
    emu.ratelimit_next("chat.postMessage", retry_after=1)
    started = time.monotonic()
    await client.chat_postMessage(channel="U1", text="na even wachten")
    assert time.monotonic() - started >= 1.0
    assert [c.status for c in emu.calls_to("chat.postMessage")] == [429, 200]
    assert [m.text for m in emu.dm("U1")] == ["na even wachten"]


@pytest.mark.asyncio
async def test_channel_rate_limit_is_per_channel_and_changes_nothing(emu, client):
    emu.set_channel_rate_limit("chat.postMessage", per_second=1.0)
    await client.chat_postMessage(channel="U1", text="een")
    await client.chat_postMessage(channel="U2", text="ander kanaal")
    with pytest.raises(SlackApiError) as exc:
        await client.chat_postMessage(channel=emu.dm_channel_id("U1"), text="te snel")
    assert exc.value.response.status_code == 429
    assert [m.text for m in emu.dm("U1")] == ["een"]


@pytest.mark.asyncio
async def test_injected_faults_change_no_state(emu, client):
    emu.fail_next("chat.postMessage", error="channel_not_found")
    emu.http_error_next("chat.postMessage", status=503)
    emu.ratelimit_next("chat.postMessage", retry_after=7)
    for expected_status in (200, 503, 429):
        with pytest.raises(SlackApiError) as exc:
            await client.chat_postMessage(channel="U1", text="x")
        assert exc.value.response.status_code == expected_status
    assert exc.value.response.headers["Retry-After"] == "7"
    assert emu.dm("U1") == []

    await client.chat_postMessage(channel="U1", text="nu wel")
    assert [c.status for c in emu.calls_to("chat.postMessage")] == [200, 503, 429, 200]
    assert len(emu.successful("chat.postMessage")) == 1
    assert emu.calls_to("chat.postMessage")[0].error == "channel_not_found"


@pytest.mark.asyncio
async def test_delay_provokes_client_timeout(emu):
    slow_client = AsyncWebClient(token=TOKEN, base_url=emu.api_url, timeout=1)
    emu.delay_next("auth.test", 1.5)
    with pytest.raises(Exception):
        await slow_client.auth_test()
    assert (await slow_client.auth_test())["ok"]


@pytest.mark.asyncio
async def test_random_faults_are_seeded(emu, client):
    emu.set_random_faults("users.info", p_ratelimit=0.3, p_server_error=0.2, seed=7)
    outcomes = []
    for _ in range(30):
        try:
            await client.users_info(user="U1")
            outcomes.append(200)
        except SlackApiError as exc:
            outcomes.append(exc.response.status_code)
    assert {200, 429, 500} <= set(outcomes)
    emu.clear_faults()
    assert (await client.users_info(user="U1"))["ok"]


# --- views and trigger ids ------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_trigger_id_is_single_use_and_expires():
    clock = FakeClock()
    async with SlackEmulator(token=TOKEN, clock=clock) as emu:
        emu.add_user("U1", "ann@example.org", "ann")
        client = AsyncWebClient(token=TOKEN, base_url=emu.api_url)
        trigger = emu.new_trigger_id("U1")
        opened = await client.views_open(trigger_id=trigger, view=modal())
        assert opened["view"]["id"].startswith("V") and opened["view"]["state"] == {"values": {}}
        assert emu.open_views("U1")[0]["id"] == opened["view"]["id"]

        with pytest.raises(SlackApiError) as reused:
            await client.views_open(trigger_id=trigger, view=modal())
        assert reused.value.response["error"] == "expired_trigger_id"

        late = emu.new_trigger_id("U1")
        clock.now += 3.5
        with pytest.raises(SlackApiError) as expired:
            await client.views_open(trigger_id=late, view=modal())
        assert expired.value.response["error"] == "expired_trigger_id"
        with pytest.raises(SlackApiError) as invented:
            await client.views_open(trigger_id="123.456.abc", view=modal())
        assert invented.value.response["error"] == "invalid_trigger_id"


@pytest.mark.asyncio
async def test_invalid_view_is_rejected_and_trigger_stays_usable(emu, client):
    trigger = emu.new_trigger_id("U1")
    with pytest.raises(SlackApiError) as exc:
        await client.views_open(trigger_id=trigger, view=modal(title={"type": "plain_text", "text": "t" * 25}))
    assert exc.value.response["error"] == "invalid_arguments"
    assert "/view/title/text" in exc.value.response["response_metadata"]["messages"][0]
    assert emu.open_views("U1") == []
    assert (await client.views_open(trigger_id=trigger, view=modal()))["ok"]


@pytest.mark.asyncio
async def test_modal_stack_update_and_home(emu, client):
    await client.views_open(trigger_id=emu.new_trigger_id("U1"), view=modal())
    await client.views_push(trigger_id=emu.new_trigger_id("U1"), view=modal())
    await client.views_push(trigger_id=emu.new_trigger_id("U1"), view=modal())
    with pytest.raises(SlackApiError) as exc:
        await client.views_push(trigger_id=emu.new_trigger_id("U1"), view=modal())
    assert exc.value.response["error"] == "push_limit_reached"

    top = emu.open_views("U1")[-1]
    await client.views_update(view_id=top["id"], view=modal([section("bijgewerkt")]))
    assert emu.open_views("U1")[-1]["blocks"][0]["text"]["text"] == "bijgewerkt"

    home = {"type": "home", "blocks": [section("Welkom")]}
    published = await client.views_publish(user_id="U1", view=home)
    assert emu.home("U1")["id"] == published["view"]["id"] and emu.home("U2") is None


# --- files ------------------------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_file_upload_v2_stores_bytes(emu, client):
    content = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    dm = emu.dm_channel_id("U1")
    resp = await client.files_upload_v2(channel=dm, content=content, filename="sessie.ics",
                                        title="Agenda", initial_comment="Je uitnodiging")
    file_id = resp["file"]["id"]
    stored = emu.files[file_id]
    assert stored["bytes"] == content and stored["filename"] == "sessie.ics"
    assert (stored["title"], stored["channel_id"], stored["initial_comment"]) == ("Agenda", dm, "Je uitnodiging")
    assert emu.dm("U1")[-1].files == [file_id]
    assert [c.method for c in emu.calls] == ["files.getUploadURLExternal", "(upload)",
                                             "files.completeUploadExternal"]

    never_uploaded = await client.files_getUploadURLExternal(filename="x.txt", length=3)
    with pytest.raises(SlackApiError) as exc:
        await client.files_completeUploadExternal(files=[{"id": never_uploaded["file_id"], "title": "x"}],
                                                  channel_id=dm)
    assert exc.value.response["error"] == "file_upload_failed"


@pytest.mark.asyncio
async def test_upload_length_mismatch_is_noted(emu, client):
    url = await client.files_getUploadURLExternal(filename="x.txt", length=10)
    async with aiohttp.ClientSession() as session:
        async with session.post(url["upload_url"], data=b"abc") as resp:
            assert resp.status == 200 and await resp.text() == "OK - 3"
    assert "length mismatch" in emu.calls[-1].note and emu.problems


# --- response_url -----------------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_response_url_allows_five_uses(emu):
    url = emu.new_response_url("U1", "C0GENERAL")
    async with aiohttp.ClientSession() as session:
        statuses = []
        for i in range(6):
            async with session.post(url, json={"text": f"antwoord {i}"}) as resp:
                statuses.append(resp.status)
        async with session.post(emu.new_response_url("U1"), json={"blocks": [section("x" * 3001)]}) as resp:
            assert resp.status == 400
    assert statuses == [200] * 5 + [404]
    assert [r["text"] for r in emu.responses(url)] == [f"antwoord {i}" for i in range(5)]
    assert len(emu.ephemerals("U1")) == 5


@pytest.mark.asyncio
async def test_response_url_replace_original(emu, client):
    posted = await client.chat_postMessage(channel="U1", text="Kom je?")
    url = emu.new_response_url("U1", posted["channel"], posted["ts"])
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"replace_original": True, "text": "Je komt."}) as resp:
            assert resp.status == 200
    assert [v["text"] for v in emu.dm("U1")[0].versions] == ["Kom je?", "Je komt."]


# --- the driver ---------------------------------------------------------------------------------------

@pytest.fixture
async def signed_app():
    """A tiny bot stand-in: verifies signatures like Bolt and records what it got."""
    verifier = SignatureVerifier(SECRET)
    received: list[dict] = []

    async def handle(request: web.Request) -> web.Response:
        body = await request.read()
        if not verifier.is_valid(body, request.headers.get("X-Slack-Request-Timestamp", ""),
                                 request.headers.get("X-Slack-Signature", "")):
            return web.Response(status=401, text="invalid signature")
        entry = {"headers": dict(request.headers), "content_type": request.content_type}
        if request.content_type == "application/json":
            entry["body"] = json.loads(body)
        else:
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            entry["body"] = json.loads(form["payload"]) if "payload" in form else form
        received.append(entry)
        payload = entry["body"]
        if payload.get("type") == "url_verification":
            return web.json_response({"challenge": payload["challenge"]})
        state = payload.get("view", {}).get("state", {}).get("values", {})
        if payload.get("type") == "view_submission" and not state["b_reden"]["reden"]["value"]:
            return web.json_response({"response_action": "errors", "errors": {"b_reden": "Vul dit in"}})
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/slack/events", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    yield f"http://{host}:{port}/slack/events", received
    await runner.cleanup()


@pytest.fixture
async def drv(emu, signed_app):
    url, _ = signed_app
    async with SlackDriver(bot_url=url, signing_secret=SECRET, emulator=emu, team_id="T0001") as driver:
        yield driver


@pytest.mark.asyncio
async def test_driver_signatures_verify_and_forgeries_do_not(drv, signed_app):
    _, received = signed_app
    assert (await drv.url_verification("abc")).json == {"challenge": "abc"}
    assert (await drv.command("U1", "help")).status == 200
    assert (await drv.command("U1", "help", signature="v0=" + "0" * 64)).status == 401
    assert (await drv.command("U1", "help", timestamp=int(time.time()) - 600)).status == 401
    assert len(received) == 2


@pytest.mark.asyncio
async def test_driver_command_carries_emulator_urls(drv, emu, signed_app, client):
    _, received = signed_app
    response = await drv.command("U1", "status traject:hitte")
    fields = received[-1]["body"]
    assert fields["command"] == "/dialoog" and fields["text"] == "status traject:hitte"
    assert fields["response_url"] == response.response_url and response.response_url.startswith(emu.base_url)
    assert (await client.views_open(trigger_id=response.trigger_id, view=modal()))["ok"]


@pytest.mark.asyncio
async def test_driver_clicks_buttons_the_bot_sent(drv, emu, client, signed_app):
    _, received = signed_app
    blocks = [section("Kom je?"), {"type": "actions", "block_id": "rsvp", "elements": [
        button("Ja", "rsvp_yes", "inv-1"), button("Nee", "rsvp_no", "inv-1")]}]
    await client.chat_postMessage(channel="U1", text="Kom je?", blocks=blocks)
    message = emu.dm("U1")[-1]

    response = await drv.click("U1", message, text="Nee")
    payload = received[-1]["body"]
    assert payload["type"] == "block_actions"
    assert payload["actions"][0] | {"action_ts": None} == {
        "action_id": "rsvp_no", "block_id": "rsvp", "type": "button", "value": "inv-1",
        "text": {"type": "plain_text", "text": "Nee"}, "action_ts": None}
    assert payload["container"] == {"type": "message", "message_ts": message.ts,
                                    "channel_id": message.channel, "is_ephemeral": False}
    assert payload["response_url"] == response.response_url
    assert payload["message"]["blocks"][1]["block_id"] == "rsvp"

    with pytest.raises(AssertionError, match="rsvp_yes"):
        await drv.click("U1", message, action_id="misschien")


@pytest.mark.asyncio
async def test_driver_submits_views_and_applies_the_answer(drv, emu, client, signed_app):
    _, received = signed_app
    reason = {"type": "input", "block_id": "b_reden", "label": {"type": "plain_text", "text": "Reden"},
              "element": {"type": "plain_text_input", "action_id": "reden"}}
    choice = {"type": "input", "block_id": "b_keuze", "label": {"type": "plain_text", "text": "Keuze"},
              "element": {"type": "static_select", "action_id": "keuze", "options": [
                  {"text": {"type": "plain_text", "text": "Goed"}, "value": "goed"},
                  {"text": {"type": "plain_text", "text": "Slecht"}, "value": "slecht"}]}}
    await client.views_open(trigger_id=emu.new_trigger_id("U1"), view=modal([reason, choice]))

    rejected = await drv.submit_view("U1", values={"keuze": "Goed"})
    assert rejected.json == {"response_action": "errors", "errors": {"b_reden": "Vul dit in"}}
    assert len(emu.open_views("U1")) == 1
    sent_state = received[-1]["body"]["view"]["state"]["values"]
    assert sent_state["b_keuze"]["keuze"]["selected_option"]["value"] == "goed"

    accepted = await drv.submit_view("U1", values={"reden": "ziek", "keuze": "slecht"})
    assert accepted.status == 200 and emu.open_views("U1") == []
    assert received[-1]["body"]["view"]["state"]["values"]["b_reden"]["reden"] == {
        "type": "plain_text_input", "value": "ziek"}


@pytest.mark.asyncio
async def test_driver_events_and_retries(drv, emu, signed_app):
    _, received = signed_app
    first = await drv.dm_message("U1", "help")
    await drv.event(received[-1]["body"]["event"], event_id=first.event_id, retry_num=1)
    again = received[-1]
    assert again["body"]["event_id"] == first.event_id
    assert again["headers"]["X-Slack-Retry-Num"] == "1"
    assert again["body"]["event"]["channel_type"] == "im"
    assert emu.dm("U1")[-1].text == "help" and emu.dm("U1")[-1].user == "U1"

    await drv.app_home_opened("U1")
    assert received[-1]["body"]["event"]["type"] == "app_home_opened"


@pytest.mark.asyncio
async def test_driver_selects_and_clicks_on_the_home_tab(drv, emu, client, signed_app):
    _, received = signed_app
    status = {"type": "static_select", "action_id": "status", "options": [
        {"text": {"type": "plain_text", "text": "Klaar"}, "value": "done"},
        {"text": {"type": "plain_text", "text": "Bezig"}, "value": "busy"}]}
    home = {"type": "home", "blocks": [section("Afspraak 1", block_id="c1", accessory=status),
                                       {"type": "actions", "elements": [button("Vernieuw", "refresh")]}]}
    published = await client.views_publish(user_id="U1", view=home)

    await drv.select("U1", emu.home("U1"), "status", "Bezig")
    payload = received[-1]["body"]
    assert payload["container"] == {"type": "view", "view_id": published["view"]["id"]}
    assert payload["actions"][0]["selected_option"]["value"] == "busy"
    assert payload["actions"][0]["block_id"] == "c1"
    assert "response_url" not in payload

    await drv.click("U1", emu.home("U1"), action_id="refresh")
    assert received[-1]["body"]["actions"][0]["action_id"] == "refresh"


@pytest.mark.asyncio
async def test_driver_and_emulator_work_with_bolt(emu, client):
    """The payloads the driver builds are the ones Bolt understands, end to end."""
    app = AsyncApp(client=client, signing_secret=SECRET)
    form = modal([{"type": "input", "block_id": "b", "label": {"type": "plain_text", "text": "Naam"},
                   "element": {"type": "plain_text_input", "action_id": "naam"}}])

    @app.command("/dialoog")
    async def on_command(ack, body, client, respond):
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=form)
        await respond("Formulier geopend")
        await client.chat_postMessage(channel=body["user_id"], text="Kom je?",
                                      blocks=[{"type": "actions", "elements": [button("Ja", "rsvp_yes", "s1")]}])

    @app.view("cb")
    async def on_submit(ack, view):
        if not view["state"]["values"]["b"]["naam"]["value"]:
            await ack(response_action="errors", errors={"b": "Vul je naam in"})
        else:
            await ack()

    @app.action("rsvp_yes")
    async def on_yes(ack, respond):
        await ack()
        await respond(replace_original=True, text="Je komt")

    async def handle(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.router.add_post("/slack/events", handle)
    runner = web.AppRunner(web_app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        async with SlackDriver(f"http://{host}:{port}/slack/events", SECRET, emulator=emu) as drv:
            command = await drv.command("U1", "evaluatie")
            assert command.status == 200
            await emu.wait_for(lambda: emu.responses(command.response_url) and emu.dm("U1"))
            assert emu.responses(command.response_url) == [{"text": "Formulier geopend"}]
            assert (await drv.submit_view("U1", values={"naam": ""})).json["response_action"] == "errors"
            assert len(emu.open_views("U1")) == 1
            assert (await drv.submit_view("U1", values={"naam": "Ann"})).status == 200
            assert emu.open_views("U1") == []

            message = emu.dm("U1")[-1]
            assert (await drv.click("U1", message, text="Ja")).status == 200
            await emu.wait_for(lambda: message.text == "Je komt")
            assert (await drv.command("U1", "x", signature="v0=" + "0" * 64)).status == 401
    finally:
        await runner.cleanup()
    assert emu.problems == []
