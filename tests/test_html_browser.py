"""The HTML brief in a real browser: headless Chromium, driven over the DevTools protocol.

Every image loads, the console shows no error, the page never scrolls sideways on a phone (390 px) or a
desktop (1280 px) (wide tables scroll in their own box), and the text is set in the brief's own fonts,
embedded in the file, whatever fonts the machine has. Chromium is Debian's (`/usr/bin/chromium`);
`.ci/run` installs it. Without it the tests are skipped, saying why.

The protocol runs over a pipe (``--remote-debugging-pipe``: file descriptors 3 and 4, messages
separated by NUL), so no network port is opened and no client library is needed.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from csto_brief import paths

CHROMIUM = os.environ.get("CSTO_BRIEF_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
BRIEF = paths.REPORT_DIR / "brief.html"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars"]
FAMILIES = ("Source Sans Pro", "Source Serif Pro")

if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
    reason = (f"Chromium not found at {CHROMIUM}: install it with `apt-get install chromium` (as root; "
              ".ci/run does) to run the browser tests of the HTML brief")
    print(f"\n{__name__}: skipped: {reason}")
    pytestmark = pytest.mark.skip(reason=reason)


class DevTools:
    """A minimal Chrome DevTools Protocol client over --remote-debugging-pipe."""

    def __init__(self, user_data_dir: Path):
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire():  # in the child: the protocol's read end on fd 3, its write end on fd 4
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.proc = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={user_data_dir}",
                                      "--remote-debugging-pipe", "about:blank"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     preexec_fn=wire, pass_fds=(3, 4))
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict] = []

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_chrome], [], [], left)[0]:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe: " + self.proc.stderr.read().decode()[-2000:])
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 60) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        for i, ev in enumerate(self.events):
            if ev.get("method") == method:
                return self.events.pop(i)
        while True:
            ev = self._read_message(deadline)
            if ev.get("method") == method:
                return ev
            self.events.append(ev)

    def close(self):
        try:
            self.send("Browser.close", timeout=10)
        except Exception:  # noqa: BLE001 - closing anyway
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    tools = DevTools(tmp_path_factory.mktemp("chromium-profile"))
    yield tools
    tools.close()


def open_brief(browser: DevTools, width: int, height: int = 900) -> str:
    """A new tab at ``width`` x ``height`` CSS pixels with the brief loaded; returns its session id."""
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "DOM", "CSS"):
        browser.send(f"{domain}.enable", session=session)
    browser.send("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}, session=session)
    browser.send("Page.navigate", {"url": BRIEF.resolve().as_uri()}, session=session)
    browser.wait_for("Page.loadEventFired", timeout=120)
    evaluate(browser, session, "document.fonts.ready.then(() => true)")
    return session


def evaluate(browser: DevTools, session: str, expression: str):
    res = browser.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True},
                       session=session)
    if "exceptionDetails" in res:
        raise AssertionError(f"{expression}: {res['exceptionDetails']}")
    return res["result"].get("value")


def console_errors(browser: DevTools, session: str) -> list[str]:
    out = []
    for ev in browser.events:
        if ev.get("sessionId") != session:
            continue
        p = ev.get("params", {})
        if ev.get("method") == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            out.append("console: " + " ".join(str(a.get("value", a.get("description"))) for a in p.get("args", [])))
        elif ev.get("method") == "Runtime.exceptionThrown":
            out.append("exception: " + json.dumps(p.get("exceptionDetails", {}))[:300])
        elif ev.get("method") == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            out.append(f"log: {p['entry'].get('text')} {p['entry'].get('url', '')}")
    return out


@pytest.mark.parametrize("width", [390, 1280])
def test_the_brief_loads_cleanly_without_sideways_scrolling(browser, width):
    session = open_brief(browser, width)
    images = evaluate(browser, session, """[...document.images].map(i => ({src: i.src.slice(0, 60),
        complete: i.complete, w: i.naturalWidth}))""")
    assert len(images) >= 10
    broken = [i["src"] for i in images if not (i["complete"] and i["w"] > 0)]
    assert broken == [], f"images that did not load: {broken}"
    assert console_errors(browser, session) == []
    scroll = evaluate(browser, session, """({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
        body: document.body.scrollWidth})""")
    assert scroll["inner"] == width
    assert scroll["scroll"] <= scroll["inner"], f"the page scrolls sideways at {width} px: {scroll}"
    # tables wider than the screen scroll inside their own box, not the page
    tables = evaluate(browser, session, """[...document.querySelectorAll('table')].map(t => {
        let box = t.parentElement; while (box && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
        return {wide: t.scrollWidth > window.innerWidth, boxed: !!box && box !== document.body
                && box !== document.documentElement && box.getBoundingClientRect().right <= window.innerWidth + 1}; })""")
    assert tables and all(t["boxed"] for t in tables if t["wide"]), tables


def test_the_text_is_set_in_the_brief_s_own_embedded_fonts(browser):
    session = open_brief(browser, 1280)
    faces = evaluate(browser, session, """[...document.fonts].map(f => ({family: f.family.replace(/["']/g, ''),
        weight: f.weight, style: f.style, status: f.status}))""")
    loaded = {(f["family"], f["weight"], f["style"]) for f in faces if f["status"] == "loaded"}
    for family in FAMILIES:
        assert (family, "400", "normal") in loaded and (family, "400", "italic") in loaded, faces
    assert all(f["status"] != "error" for f in faces), faces
    # the fonts the renderer actually used for sample elements: embedded (custom) faces of the brief only
    doc = browser.send("DOM.getDocument", {"depth": 1}, session=session)["root"]["nodeId"]
    used = {}
    for selector in ("h1.title", "h2", "main .prose p", "figcaption", "table td", "ol.sources li i", ".summary-box li"):
        node = browser.send("DOM.querySelector", {"nodeId": doc, "selector": selector}, session=session)["nodeId"]
        assert node, f"no element {selector!r} in the brief"
        fonts = browser.send("CSS.getPlatformFontsForNode", {"nodeId": node}, session=session)["fonts"]
        used[selector] = [(f["familyName"], f["isCustomFont"]) for f in fonts]
    for selector, fonts in used.items():
        # a face's own name: "Source Sans Pro Semibold", "Source Serif Pro" ...
        assert fonts and all(custom and name.startswith(FAMILIES) for name, custom in fonts), (selector, fonts)
    assert {fam for fonts in used.values() for name, _ in fonts for fam in FAMILIES if name.startswith(fam)} == set(FAMILIES)
