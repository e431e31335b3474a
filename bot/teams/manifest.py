"""The Teams app package: ``manifest.json`` (schema 1.17), ``color.png`` (192x192),
``outline.png`` (32x32, white on transparent) and ``en-us.json`` (the English strings),
zipped, ready to upload in Teams ("Apps" > "Manage your apps" > "Upload an app").

The command lists use the same words as the Slack subcommands (Dutch in the manifest,
the English aliases in the localisation file); Teams shows them as suggestions.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any
from urllib.parse import urlparse

from bot.i18n import t
from bot.manifest import is_https_url as is_web_url  # the same rule as Slack's: https:// and a host

SCHEMA = "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
MANIFEST_VERSION = "1.17"
ACCENT = "#1F5F4A"
# The schema's ``guid``: 8-4-4-4-12 hex digits, nothing around them.
GUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")

# (Dutch word, English alias): the Slack subcommands, plus ``koppel`` (Teams only).
PERSONAL_COMMANDS = [
    ("help", "help"),
    ("mijn", "mine"),
    ("uitnodigen", "invite"),
    ("herinneren", "remind"),
    ("status", "status"),
    ("afspraak", "commitment"),
    ("memo", "memo"),
    ("evaluatie", "evaluate"),
    ("fase", "phase"),
    ("ondertekenen", "signoff"),
]
TEAM_COMMANDS = [
    ("koppel", "link"),
    ("help", "help"),
    ("status", "status"),
    ("uitnodigen", "invite"),
    ("herinneren", "remind"),
    ("afspraak", "commitment"),
    ("memo", "memo"),
    ("evaluatie", "evaluate"),
    ("fase", "phase"),
    ("ondertekenen", "signoff"),
]


def is_guid(value: str) -> bool:
    return GUID.fullmatch(value) is not None


def _commands(commands: list[tuple[str, str]], lang: str) -> list[dict[str, str]]:
    out = []
    for dutch, english in commands:
        word = dutch if lang == "nl" else english
        out.append({"title": word[:32], "description": t(lang, f"teams.manifest.commands.{dutch}")[:128]})
    return out


def build_manifest(app_id: str, public_url: str | None = None, version: str = "1.0.0") -> dict[str, Any]:
    base = (public_url or "https://dialoogbot.example").rstrip("/")
    host = urlparse(base).hostname
    return {
        "$schema": SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "developer": {
            "name": "Dialoogbot",
            "websiteUrl": base,
            "privacyUrl": f"{base}/privacy",
            "termsOfUseUrl": f"{base}/voorwaarden",
        },
        "name": {"short": "Dialoogbot", "full": t("nl", "teams.manifest.name_full")[:100]},
        "description": {
            "short": t("nl", "teams.manifest.description_short")[:80],
            "full": t("nl", "teams.manifest.description_full")[:4000],
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": ACCENT,
        "bots": [
            {
                "botId": app_id,
                "scopes": ["personal", "team"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {"scopes": ["personal"], "commands": _commands(PERSONAL_COMMANDS, "nl")},
                    {"scopes": ["team"], "commands": _commands(TEAM_COMMANDS, "nl")},
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [host] if host and public_url else [],
        "localizationInfo": {
            "defaultLanguageTag": "nl-nl",
            "additionalLanguages": [{"languageTag": "en-us", "file": "en-us.json"}],
        },
    }


def english_strings() -> dict[str, Any]:
    """The localisation file: English names, descriptions and command words."""
    strings: dict[str, Any] = {
        "$schema": "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.Localization.schema.json",
        "name.short": "Dialoogbot",
        "name.full": t("en", "teams.manifest.name_full")[:100],
        "description.short": t("en", "teams.manifest.description_short")[:80],
        "description.full": t("en", "teams.manifest.description_full")[:4000],
    }
    for index, commands in enumerate((PERSONAL_COMMANDS, TEAM_COMMANDS)):
        for number, command in enumerate(_commands(commands, "en")):
            strings[f"bots[0].commandLists[{index}].commands[{number}].title"] = command["title"]
            strings[f"bots[0].commandLists[{index}].commands[{number}].description"] = command["description"]
    return strings


def _png(size: int, outline: bool) -> bytes:
    """The icon, drawn now: a speech balloon with two voices (a dialogue)."""
    from PIL import Image, ImageDraw

    scale = 4  # draw large, shrink smoothly
    big = size * scale
    if outline:
        image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
        ink = (255, 255, 255, 255)
    else:
        image = Image.new("RGBA", (big, big), ACCENT)
        ink = (255, 255, 255, 255)
    draw = ImageDraw.Draw(image)
    pad = big * (0.12 if outline else 0.2)
    width = max(scale, int(big * 0.07))
    box = (pad, pad, big - pad, big - pad * 1.6)
    tail = [(big * 0.32, box[3] - width), (big * 0.26, big - pad * 0.9), (big * 0.5, box[3] - width)]
    if outline:
        draw.rounded_rectangle(box, radius=big * 0.16, outline=ink, width=width)
        draw.line(tail, fill=ink, width=width, joint="curve")
    else:
        draw.rounded_rectangle(box, radius=big * 0.16, fill=ink)
        draw.polygon(tail, fill=ink)
        for cx in (0.38, 0.62):
            r = big * 0.06
            cy = (box[1] + box[3]) / 2
            draw.ellipse((big * cx - r, cy - r, big * cx + r, cy + r), fill=ACCENT)
    image = image.resize((size, size), Image.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def build_package(app_id: str, public_url: str | None = None) -> bytes:
    """The zip Teams takes: manifest.json, the two icons and the English strings."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(build_manifest(app_id, public_url), ensure_ascii=False, indent=2))
        archive.writestr("en-us.json", json.dumps(english_strings(), ensure_ascii=False, indent=2))
        archive.writestr("color.png", _png(192, outline=False))
        archive.writestr("outline.png", _png(32, outline=True))
    return buffer.getvalue()
