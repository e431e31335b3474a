"""The trekker's dashboard on the web: ``/dashboard/...`` (sign-in, the page per
trajectory, its actions and downloads).  Parse, call the use cases, render."""

from __future__ import annotations

from aiohttp import web


def register(app: web.Application) -> None:
    from handlers.dashboard import actions, pages, signin

    # The fixed words first: a trajectory key is matched last.
    app.router.add_get("/dashboard/in/{token}", signin.sign_in_page)
    app.router.add_post("/dashboard/in/{token}", signin.sign_in)
    app.router.add_post("/dashboard/uit", signin.sign_out)
    app.router.add_get("/dashboard/ics/{feed}.ics", pages.calendar_feed)
    app.router.add_get("/dashboard/{key}", pages.dashboard)
    app.router.add_get("/dashboard/{key}/afspraken.xlsx", pages.commitments_file)
    app.router.add_get("/dashboard/{key}/evaluatie/{session}.xlsx", pages.evaluation_file)
    app.router.add_get("/dashboard/{key}/evaluatie/{session}", pages.evaluation)
    app.router.add_get("/dashboard/{key}/formulier/{form}", pages.form)
    app.router.add_post("/dashboard/{key}/actie/{action}", actions.act)
