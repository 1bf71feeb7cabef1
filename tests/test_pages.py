"""Pages stay light and load nothing from the internet."""

from __future__ import annotations

import re

from telecenter.paths import PACKAGE_DIR, templates_dir

ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')
EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?(?:https?:)?//"""  # <script src="https://..."> and the like
    r"""|url\(["']?(?:https?:)?//"""  # CSS url(https://...), @import url(...)
)


def test_sign_in_page_with_its_assets_is_under_40_kb(client):
    page = client.get("/sign-in")
    total = len(page.data)
    assets = set(ASSET.findall(page.get_data(as_text=True)))
    assert any(path.endswith(".css") for path in assets)
    for path in assets:
        asset = client.get(path)
        assert asset.status_code == 200, path
        total += len(asset.data)
        asset.close()
    assert total < 40 * 1024, f"sign-in page weighs {total} bytes"


def test_no_template_or_static_file_loads_from_the_internet():
    files = [*templates_dir().rglob("*.html"), *(PACKAGE_DIR / "static").rglob("*.*")]
    assert files
    offenders = [
        str(path)
        for path in files
        if path.suffix in {".html", ".css", ".js", ".svg"}
        and EXTERNAL.search(
            path.read_text(encoding="utf-8").replace('xmlns="http://www.w3.org/2000/svg"', "")
        )
    ]
    assert offenders == []
