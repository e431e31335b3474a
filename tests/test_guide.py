"""The guides (docs/handleiding.md, docs/guide.md) and their pictures: every picture they
link to is in docs/img/, and docs/screenshots.py makes every one of them again from the
demo data.  The script needs headless Chromium and npm; without them that test skips
with the reason, unless ``REQUIRE_BROWSER=1`` (CI): then it fails."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

DOCS = Path(__file__).resolve().parent.parent / "docs"
GUIDES = (DOCS / "handleiding.md", DOCS / "guide.md")
PICTURE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
JARGON = ("outbox", "mrkdwn", "Action.Execute", "Action.Submit", "view-model", "payload")


def linked(guide: Path) -> list[tuple[str, str]]:
    return PICTURE.findall(guide.read_text(encoding="utf-8"))


def pictures() -> set[str]:
    return {target for guide in GUIDES for _, target in linked(guide)}


def screenshots_module():
    sys.path.insert(0, str(DOCS))
    try:
        import screenshots
    finally:
        sys.path.remove(str(DOCS))
    return screenshots


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_every_picture_the_guide_links_to_exists(guide):
    found = linked(guide)
    assert found, f"{guide.name} links to no picture"
    for alt, target in found:
        assert alt.strip(), f"{target} has no text alternative"
        assert target.startswith("img/") and target.endswith(".png"), target
        path = DOCS / target
        assert path.is_file(), f"{guide.name} links to {target}, which does not exist"
        with Image.open(path) as image:
            assert image.format == "PNG" and image.width <= 1280 and image.height <= 2400, (target, image.size)
        assert path.stat().st_size < 300_000, f"{target} is too big ({path.stat().st_size} bytes)"


def test_the_dutch_guide_has_no_jargon():
    text = (DOCS / "handleiding.md").read_text(encoding="utf-8").lower()
    assert not [word for word in JARGON if word.lower() in text]


def test_the_script_makes_exactly_the_pictures_the_guides_link_to():
    made = {f"img/{name}.png" for name in screenshots_module().PICTURES}
    assert made == pictures()


def test_the_screenshot_script_makes_every_picture_again(tmp_path):
    reason = screenshots_module().missing()
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    out = tmp_path / "img"
    run = subprocess.run([sys.executable, str(DOCS / "screenshots.py"), "--out", str(out)],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    for target in sorted(pictures()):
        path = out / Path(target).name
        assert path.is_file(), f"the script did not make {target}"
        with Image.open(path) as image:
            assert image.format == "PNG" and image.width >= 300 and image.height >= 150, (target, image.size)
