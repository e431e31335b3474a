"""Importing trajectory files: through the CLI (`python -m bot check|import`) against the
emulator and the test database, and re-imports of edited files whose consequences
(updated invitations, notices, calendar files) reach Slack through the dispatcher."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import Invitation, OutboxMessage, Person, Session, Trajectory
from tests.conftest import example, local
from tests.slack_emulator import Message
from tests.e2e.conftest import (
    AMB_LINDE,
    AMB_WELZIJN,
    BESTUUR_LINDE,
    BESTUUR_THUISZORG,
    HITTEPLAN,
    NEERSLAG,
    START_INVITEES,
    TREKKER,
    buttons_of,
    calendars_in_dm,
    count,
    dump,
    error_lines,
    example_data,
    full_text,
    harness_env,
    header_of,
    invitation_of,
    invitations_to,
    messages_containing,
    outbox_snapshot,
    posts_to,
    reply_text,
    run_cli,
    session_row,
    session_spec,
    vevent,
    without_pacing,
)

BESTUURLIJK = [TREKKER, BESTUUR_LINDE, BESTUUR_THUISZORG]
TITLE = "Bestuurlijke bijeenkomst hitteplan"


async def cli_import(h, path, *extra: str):
    return await run_cli("import", str(path), *extra, env=harness_env(h), cwd=path.parent)


async def trajectory_row(h, key: str = HITTEPLAN) -> Trajectory | None:
    async with h.ctx.db.sessionmaker() as s:
        return (await s.execute(select(Trajectory).where(Trajectory.key == key))).scalar_one_or_none()


async def state(h) -> dict:
    """Everything an import could touch, to compare before and after."""
    async with h.ctx.db.sessionmaker() as s:
        trajectories = [(t.id, t.key, t.title, t.updated_at) for t in (await s.execute(select(Trajectory))).scalars()]
        sessions = [(x.id, x.key, x.sequence, x.starts_at, x.location, x.cancelled, x.ics_token)
                    for x in (await s.execute(select(Session).order_by(Session.id))).scalars()]
        people = [(p.id, p.email, p.name, p.slack_user_id, p.active)
                  for p in (await s.execute(select(Person).order_by(Person.id))).scalars()]
        invitations = [(i.id, i.status, i.revision, i.invited_at)
                       for i in (await s.execute(select(Invitation).order_by(Invitation.id))).scalars()]
    return {"trajectories": trajectories, "sessions": sessions, "people": people, "invitations": invitations,
            "outbox": await outbox_snapshot(h)}


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the CLI ------------------------------------------------------------------------------


async def test_both_examples_check_and_import(harness, tmp_path):
    h = harness
    for name, key, counts in (("hitteplan.yaml", HITTEPLAN, "5 organisaties, 8 mensen, 3 sessies"),
                              ("neerslag.yaml", NEERSLAG, "8 organisaties, 10 mensen, 6 sessies")):
        checked = await run_cli("check", str(example(name)), env=harness_env(h), cwd=tmp_path)
        assert checked.code == 0, checked.both
        assert "in orde" in checked.out
        imported = await run_cli("import", str(example(name)), env=harness_env(h), cwd=tmp_path)
        assert imported.code == 0, imported.both
        assert f"Traject {key} is aangemaakt." in imported.out
        assert counts in imported.out
        assert "Niet gevonden" not in imported.out

    async with h.ctx.db.sessionmaker() as s:
        assert sorted((await s.execute(select(Trajectory.key))).scalars()) == [HITTEPLAN, NEERSLAG]
        people = (await s.execute(select(Person.email, Person.slack_user_id))).all()
    assert len(people) == 18 and await count(h, Session) == 9
    # Everyone was matched to their Slack account by e-mail.
    assert {email: uid for email, uid in people} == h.users
    assert len(h.emu.calls_to("users.lookupByEmail")) == 18
    # Importing sends nothing (and queues nothing to send).
    assert h.emu.calls_to("chat.postMessage") == [] and h.emu.calls_to("files.completeUploadExternal") == []
    assert await count(h, OutboxMessage) == 0
    assert await h.tick() == 0


async def test_reimporting_the_same_file_changes_nothing_and_sends_nothing(harness, tmp_path):
    h = harness
    first = await cli_import(h, example("hitteplan.yaml"))
    assert first.code == 0, first.both
    await h.command(TREKKER, "uitnodigen start")
    await h.drain()
    [message] = invitations_to(h.emu, h.uid(AMB_LINDE))
    await h.drv.click(h.uid(AMB_LINDE), message, text="Ik kom")
    await h.drain()
    before = await state(h)
    assert before["trajectories"][0][3] is not None  # updated_at was set by the first import
    calls = len(h.emu.calls)

    again = await cli_import(h, example("hitteplan.yaml"))
    assert again.code == 0, again.both
    assert f"Traject {HITTEPLAN}: niets veranderd." in again.out
    assert "Gewijzigd" not in again.out and "Gaat niet door" not in again.out
    assert await state(h) == before
    assert await h.tick() == 0
    # Not a single Slack call: linked people are not looked up again, nothing is sent.
    assert [c.method for c in h.emu.calls[calls:]] == []

    # A dry run of an edited file reports, but writes and sends nothing.
    data = example_data()
    session_spec(data, "start")["location"] = "Elders"
    dry = await cli_import(h, write(tmp_path, "dry.yaml", dump(data)), "--dry-run")
    assert dry.code == 0, dry.both
    assert "Proefdraai" in dry.out and "Zou wijzigen: start" in dry.out
    assert await state(h) == before
    assert await h.tick() == 0


async def test_cli_import_of_an_edited_file_updates_in_place_by_key(harness, tmp_path):
    h = harness
    assert (await cli_import(h, example("hitteplan.yaml"))).code == 0
    before = await state(h)
    ids = {row[1]: row[0] for row in before["sessions"]}

    data = example_data()
    session_spec(data, "start").update(starts="2027-03-09 15:00", ends="2027-03-09 17:30")
    session_spec(data, "doelen")["cancelled"] = True
    data["sessions"] = [s for s in data["sessions"] if s["key"] != "bestuurlijk"]
    h.clock.advance(hours=1)
    edited = await cli_import(h, write(tmp_path, "hitteplan-bewerkt.yaml", dump(data)))
    assert edited.code == 0, edited.both
    assert f"Traject {HITTEPLAN} is bijgewerkt." in edited.out
    assert "Gewijzigd: start" in edited.out
    cancelled_line = next(line for line in edited.out.splitlines() if line.startswith("Gaat niet door:"))
    assert "doelen" in cancelled_line and "bestuurlijk" in cancelled_line

    after = await state(h)
    rows = {row[1]: row for row in after["sessions"]}
    assert {key: row[0] for key, row in rows.items()} == ids  # same rows, updated by key
    assert rows["start"][2] == 1 and rows["start"][3] == local(2027, 3, 9, 15, 0)
    assert rows["doelen"][5] is True and rows["doelen"][2] == 1
    assert rows["bestuurlijk"][5] is True and rows["bestuurlijk"][2] == 1
    assert after["trajectories"][0][0] == before["trajectories"][0][0]
    assert after["trajectories"][0][3] == h.clock.now() != before["trajectories"][0][3]
    assert [p[:2] for p in after["people"]] == [p[:2] for p in before["people"]]

    # Importing the edited file once more: nothing.
    again = await cli_import(h, write(tmp_path, "hitteplan-bewerkt.yaml", dump(data)))
    assert "niets veranderd" in again.out
    assert await state(h) == after


BROKEN = """\
version: 1
trajectory:
  key: kapot-traject
  title: Kapot traject
  timezone: Europe/Amsterdam
organisations:
  - {key: gemeente, name: Gemeente Kapot}
people:
  - {name: Trekker Kapot, email: trekker@kapot.example, organisation: gemeente, roles: [trekker]}
  - {name: Zonder Adres, email: geen-adres, organisation: gemeente, roles: [deelnemer]}
  - {name: Wie Anders, email: wie@kapot.example, organisation: gemeete, roles: [deelnemer]}
sessions:
  - key: start
    title: Start
    phase: 2
    starts: 2027-03-09 14:00
    ends: 2027-03-09 12:00
    invite: {roles: [trekker]}
    locatie: Zaal 1
"""
EXPECTED_ERRORS = [
    (10, "people[1].email", "geen geldig e-mailadres"),
    (11, "people[2].organisation", "Onbekende organisatie 'gemeete'"),
    (17, "sessions[0].ends", "moet na het begin"),
    (19, "sessions[0].locatie", "Onbekend veld 'locatie'"),
]


async def test_a_broken_file_shows_every_error_exits_2_and_writes_nothing(harness, tmp_path):
    h = harness
    path = write(tmp_path, "kapot.yaml", BROKEN)
    for command in (["check"], ["import"]):
        result = await run_cli(*command, str(path), env=harness_env(h), cwd=tmp_path)
        assert result.code == 2, (command, result.both)
        found = [(int(m["line"]), m["field"], m["message"]) for m in error_lines(result.both, str(path))]
        assert [(line, field) for line, field, _ in found] == [(l, f) for l, f, _ in EXPECTED_ERRORS], result.both
        for (_, _, message), (_, _, fragment) in zip(found, EXPECTED_ERRORS):
            assert fragment in message
        assert "4 fouten gevonden. Er is niets opgeslagen." in result.out
    # Nothing was written and nobody was looked up.
    assert await count(h, Trajectory) == 0
    assert await count(h, Person) == 0
    assert await count(h, OutboxMessage) == 0
    assert h.emu.calls == []

    # The same in English; and a file that is not there.
    english = await run_cli("--lang", "en", "check", str(path), env=harness_env(h), cwd=tmp_path)
    assert english.code == 2 and "is not a valid e-mail address" in english.err
    missing = await run_cli("import", str(tmp_path / "weg.yaml"), env=harness_env(h), cwd=tmp_path)
    assert missing.code == 2 and "niet gevonden" in missing.both


class TestUnknownEmail:
    @pytest.fixture
    def unknown_emails(self):
        return {AMB_WELZIJN}

    async def test_an_unknown_address_is_listed_shown_to_the_trekker_and_the_rest_works(self, harness):
        h = harness
        result = await cli_import(h, example("hitteplan.yaml"))
        assert result.code == 0, result.both
        assert "Niet gevonden in Slack (1)" in result.out
        assert "Ambassadeur Welzijn <ambassadeur@welzijn.example>" in result.out

        r = await h.command(TREKKER, "uitnodigen start")
        text = reply_text(h, r)
        assert "5 nieuw verstuurd" in text
        assert "Niet bereikbaar in Slack of Teams (onbekend e-mailadres): Ambassadeur Welzijn" in text
        await h.drain()
        for email in START_INVITEES:
            if email != AMB_WELZIJN:
                assert len(invitations_to(h.emu, h.uid(email))) == 1
        r = await h.command(TREKKER, "status start")
        assert "Niet bezorgd:* Ambassadeur Welzijn" in reply_text(h, r)

        # Once the person joins the workspace, the next run reaches them too.
        h.emu.add_user("U0777", AMB_WELZIJN, "Ambassadeur Welzijn")
        r = await h.command(TREKKER, "uitnodigen start")
        assert "1 nieuw verstuurd, 5 hadden er al een" in reply_text(h, r)
        assert "Niet bereikbaar" not in reply_text(h, r)
        await h.drain()
        [message] = invitations_to(h.emu, "U0777")
        assert "Hallo Ambassadeur Welzijn" in full_text(message)


# -- edited files and what invitees see -------------------------------------------------------


class TestEditedSessions:
    """Calendar files travel as files here, so the tests can read them."""

    @pytest.fixture
    def public_url(self):
        return None

    async def invite_bestuurlijk(self, h):
        without_pacing(h)
        await h.import_example()
        r = await h.command(TREKKER, "uitnodigen bestuurlijk")
        assert "3 nieuw verstuurd" in reply_text(h, r)
        await h.drain()
        [message] = invitations_to(h.emu, h.uid(BESTUUR_LINDE))
        await h.drv.click(h.uid(BESTUUR_LINDE), message, text="Ik kom")
        await h.drain()
        return {email: invitations_to(h.emu, h.uid(email))[0] for email in BESTUURLIJK}

    async def test_moved_and_relocated_session(self, harness):
        h = harness
        originals = await self.invite_bestuurlijk(h)
        session = await session_row(h, "bestuurlijk")
        assert session.sequence == 0
        invitation_ids = {e: (await invitation_of(h, "bestuurlijk", e)).id for e in BESTUURLIJK}

        # 1. The session moves to the afternoon.
        data = example_data()
        session_spec(data, "bestuurlijk").update(starts="2027-04-13 14:00", ends="2027-04-13 15:30")
        await h.import_example(text=dump(data))
        await h.drain()
        moved = await session_row(h, "bestuurlijk")
        assert (moved.id, moved.sequence, moved.ics_token) == (session.id, 1, session.ics_token)
        for email in BESTUURLIJK:
            uid = h.uid(email)
            message = originals[email]
            # The invitation is updated in place, the answer kept.
            assert [m.ts for m in invitations_to(h.emu, uid)] == [message.ts]
            assert "dinsdag 13 april 2027, 14:00-15:30" in full_text(message)
            assert "10:00" not in full_text(message)
            # A notice, and a new calendar file with a higher SEQUENCE.
            [notice] = messages_containing(h.emu, uid, "is gewijzigd")
            assert "Nieuwe tijd: dinsdag 13 april 2027, 14:00-15:30" in full_text(notice)
            cals = calendars_in_dm(h.emu, uid)
            assert [int(vevent(c)["SEQUENCE"]) for c in cals] == [0, 1]
            assert len({str(vevent(c)["UID"]) for c in cals}) == 1
            assert vevent(cals[1])["DTSTART"].dt.strftime("%Y-%m-%d %H:%M") == "2027-04-13 14:00"
            assert str(cals[1]["METHOD"]) == "REQUEST"
            assert (await invitation_of(h, "bestuurlijk", email)).id == invitation_ids[email]
        assert "*Je komt.*" in full_text(originals[BESTUUR_LINDE])
        assert (await invitation_of(h, "bestuurlijk", BESTUUR_LINDE)).status == "yes"

        # 2. The place changes.
        session_spec(data, "bestuurlijk")["location"] = "Stadhuis Voorbeeldstad, raadzaal"
        await h.import_example(text=dump(data))
        await h.drain()
        assert (await session_row(h, "bestuurlijk")).sequence == 2
        for email in BESTUURLIJK:
            uid = h.uid(email)
            assert "*Waar:* Stadhuis Voorbeeldstad, raadzaal" in full_text(originals[email])
            notices = messages_containing(h.emu, uid, "is gewijzigd")
            assert len(notices) == 2 and "Plaats: Stadhuis Voorbeeldstad, raadzaal" in full_text(notices[-1])
            cals = calendars_in_dm(h.emu, uid)
            assert [int(vevent(c)["SEQUENCE"]) for c in cals] == [0, 1, 2]
            assert str(vevent(cals[-1])["LOCATION"]) == "Stadhuis Voorbeeldstad, raadzaal"

        # 3. The same file again: nothing.
        before = await outbox_snapshot(h)
        await h.import_example(text=dump(data))
        assert await h.drain() == 0
        assert await outbox_snapshot(h) == before

        # The reminders follow the new time: 7 days before is now 6 April 14:00, not 10:00.
        def reminded(email):
            return messages_containing(h.emu, h.uid(email), "we hebben nog geen antwoord van je")

        h.clock.set(local(2027, 4, 6, 10, 0))
        await h.tick()
        assert all(reminded(e) == [] for e in BESTUURLIJK)
        h.clock.set(local(2027, 4, 6, 14, 0))
        await h.tick()
        assert [len(reminded(e)) for e in BESTUURLIJK] == [1, 0, 1]

    async def test_cancelled_session(self, harness, tmp_path):
        h = harness
        originals = await self.invite_bestuurlijk(h)
        data = example_data()
        session_spec(data, "bestuurlijk")["cancelled"] = True
        h.clock.advance(days=1)
        result = await cli_import(h, write(tmp_path, "afgelast.yaml", dump(data)))  # through the CLI
        assert result.code == 0 and "Gaat niet door: bestuurlijk" in result.out, result.both
        await h.drain()
        await self.assert_cancelled(h, originals)

    async def test_session_removed_from_the_file_is_cancelled(self, harness):
        h = harness
        originals = await self.invite_bestuurlijk(h)
        data = example_data()
        data["sessions"] = [s for s in data["sessions"] if s["key"] != "bestuurlijk"]
        await h.import_example(text=dump(data))
        await h.drain()
        await self.assert_cancelled(h, originals)
        before = await outbox_snapshot(h)
        await h.import_example(text=dump(data))
        assert await h.drain() == 0
        assert await outbox_snapshot(h) == before

    async def assert_cancelled(self, h, originals):
        session = await session_row(h, "bestuurlijk")
        assert session.cancelled and session.sequence == 1
        for email in BESTUURLIJK:
            uid = h.uid(email)
            message = originals[email]
            assert [m.ts for m in invitations_to(h.emu, uid)] == [message.ts]
            assert header_of(message) == f"Gaat niet door: {TITLE}"
            assert buttons_of(message) == []  # nothing left to answer
            [notice] = messages_containing(h.emu, uid, f"De bijeenkomst {TITLE} op")
            assert "gaat niet door" in full_text(notice)
            assert "dinsdag 13 april 2027" in full_text(notice)
            cals = calendars_in_dm(h.emu, uid)
            assert [int(vevent(c)["SEQUENCE"]) for c in cals] == [0, 1]
            assert str(cals[-1]["METHOD"]) == "CANCEL"
            assert str(vevent(cals[-1])["STATUS"]) == "CANCELLED"
            assert str(vevent(cals[-1])["UID"]) == str(vevent(cals[0])["UID"])

        # The trekker cannot invite for it any more, and it is not offered as a choice.
        r = await h.command(TREKKER, "uitnodigen bestuurlijk")
        assert "gaat niet door" in reply_text(h, r)
        r = await h.command(TREKKER, "uitnodigen")
        assert "`bestuurlijk`" not in reply_text(h, r)
        # A click on a stale copy of the invitation (a client that did not refresh) is refused.
        stale = Message(originals[BESTUUR_THUISZORG].ts, originals[BESTUUR_THUISZORG].channel, None,
                        originals[BESTUUR_THUISZORG].versions[0]["blocks"])
        r = await h.drv.click(h.uid(BESTUUR_THUISZORG), stale, text="Ik kom")
        assert "gaat niet door" in full_text(h.emu.responses(r.response_url)[0])
        assert (await invitation_of(h, "bestuurlijk", BESTUUR_THUISZORG)).status == "pending"
        assert await h.drain() == 0

        # No reminders for a cancelled session.
        bestuurders = [BESTUUR_LINDE, BESTUUR_THUISZORG]
        posts = {e: len(posts_to(h.emu, h.uid(e))) for e in bestuurders}
        for moment in (local(2027, 4, 6, 10, 0), local(2027, 4, 12, 10, 0)):
            h.clock.set(moment)
            await h.tick()
        for email in BESTUURLIJK:
            assert messages_containing(h.emu, h.uid(email), "we hebben nog geen antwoord van je") == []
            assert messages_containing(h.emu, h.uid(email), "tot dinsdag 13 april") == []
        assert {e: len(posts_to(h.emu, h.uid(e))) for e in bestuurders} == posts
