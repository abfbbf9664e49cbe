#!/usr/bin/env python3
# Copyright 2026 Membership Management contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl.html).
"""Take the README's screenshots from a running `make run` (demo data).

    make run                    # in another terminal, wait for "Odoo: http://..."
    python3 dev/screenshots.py  # writes readme/screenshots/*.png

Drives a headless Chromium over the DevTools protocol (``websocket-client``,
which Odoo's browser tours need too): signs in as the demo officer or the
demo portal member, opens each page at desktop (1440 px) or phone (390 px)
width and saves it. Nothing leaves 127.0.0.1.
"""

import argparse
import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket

ROOT = Path(__file__).resolve().parent.parent
DESKTOP = {"width": 1440, "height": 900, "deviceScaleFactor": 1, "mobile": False}
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}

# (file, login, url path, viewport, full page): the back office as staff see
# it, the portal as a member sees it
SHOTS = [
    ("backoffice-dashboard", "admin", "/odoo/membership-dashboard", DESKTOP, False),
    ("backoffice-members", "admin", "/odoo/membership-members", DESKTOP, False),
    (
        "backoffice-member-form",
        "admin",
        "/odoo/membership-members/{member}",
        DESKTOP,
        False,
    ),
    ("backoffice-dues", "admin", "/odoo/membership-dues", DESKTOP, False),
    ("backoffice-dues-runs", "admin", "/odoo/dues-runs", DESKTOP, False),
    ("portal-membership", "portal", "/my/membership", DESKTOP, False),
    ("portal-events", "portal", "/my/membership/events", DESKTOP, False),
    ("phone-membership", "portal", "/my/membership", PHONE, True),
    ("phone-events", "portal", "/my/membership/events", PHONE, True),
    ("phone-join", None, "/membership", PHONE, True),
]


class Browser:
    """One headless Chromium tab, driven by DevTools commands."""

    def __init__(self, port=9333):
        binary = next(
            filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None
        )
        if not binary:
            raise SystemExit("Chromium is needed (Debian: apt install chromium).")
        self.profile = tempfile.mkdtemp(prefix="mm-shots-")
        self.process = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--remote-debugging-port={port}",
                "--remote-allow-origins=*",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _attempt in range(50):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json") as r:
                    tabs = json.load(r)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("Chromium did not start.")
        page = next(t for t in tabs if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"])
        self.next_id = 0

    def send(self, method, **params):
        self.next_id += 1
        self.ws.send(
            json.dumps({"id": self.next_id, "method": method, "params": params})
        )
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate",
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
        )
        return result.get("result", {}).get("value")

    def open(self, url, viewport, settle=4):
        self.send("Emulation.setDeviceMetricsOverride", **viewport)
        self.send("Page.navigate", url=url)
        deadline = time.time() + 30
        while time.time() < deadline:
            time.sleep(0.3)
            if self.evaluate("document.readyState") == "complete":
                break
        time.sleep(settle)  # the web client renders after the load event

    def screenshot(self, path, full_page):
        params = {"format": "png"}
        if full_page:
            height = self.evaluate("document.documentElement.scrollHeight") or 0
            params.update(
                captureBeyondViewport=True,
                clip={
                    "x": 0,
                    "y": 0,
                    "width": self.evaluate("window.innerWidth"),
                    "height": min(height, 2400),
                    "scale": 1,
                },
            )
        data = self.send("Page.captureScreenshot", **params)["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self):
        self.ws.close()
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)


def sign_in(browser, base, login):
    browser.send("Network.enable")
    browser.send("Network.clearBrowserCookies")
    if not login:
        return
    browser.open(f"{base}/web/login", DESKTOP, settle=0.5)
    browser.evaluate(
        f"""
        document.querySelector('input[name=login]').value = {json.dumps(login)};
        document.querySelector('input[name=password]').value = {json.dumps(login)};
        document.querySelector('form.oe_login_form').submit();
        """
    )
    time.sleep(3)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--out", default=str(ROOT / "readme" / "screenshots"))
    parser.add_argument("--member", default="1", help="member id for the form view")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    browser = Browser()
    try:
        current = object()
        for name, login, path, viewport, full_page in SHOTS:
            if login != current:
                sign_in(browser, args.url, login)
                current = login
            browser.open(args.url + path.format(member=args.member), viewport)
            target = out / f"{name}.png"
            browser.screenshot(target, full_page)
            print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
    finally:
        browser.close()


if __name__ == "__main__":
    main()
