"""The walkthrough page in a real headless browser: load it, press keys, read the DOM."""

import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest

from autograd import Value
from autograd.viz import walkthrough

websockets_sync = pytest.importorskip("websockets.sync.client",
                                      reason="needs the `websockets` package (test extra)")

BROWSER = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
                if shutil.which(name)), None)
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="no chromium on PATH (apt-get install chromium); .ci/run installs it")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--window-size=1400,900"]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Page:
    """A minimal Chrome DevTools Protocol client for one tab."""

    def __init__(self, ws):
        self.ws, self.next_id = ws, 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=30))
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def js(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    def key(self, key, code, keycode):
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key=key, code=code,
                      windowsVirtualKeyCode=keycode)


@pytest.fixture(scope="module")
def browser():
    port = _free_port()
    profile = tempfile.mkdtemp(prefix="seedgrad-chromium-")
    process = subprocess.Popen([BROWSER, *FLAGS, f"--user-data-dir={profile}",
                                f"--remote-debugging-port={port}", "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as r:
                    tabs = [t for t in json.load(r) if t.get("type") == "page"]
                if tabs:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.skip("chromium did not start its DevTools endpoint")
            time.sleep(0.2)
        with websockets_sync.connect(tabs[0]["webSocketDebuggerUrl"], max_size=None) as ws:
            yield Page(ws)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(profile, ignore_errors=True)


def _load(page, path):
    page.call("Page.enable")
    page.call("Page.navigate", url=path.as_uri())
    deadline = time.monotonic() + 20
    while page.js("document.readyState + ':' + (document.body && document.body.dataset.frame)") \
            != "complete:0":
        assert time.monotonic() < deadline, "the walkthrough page did not initialise"
        time.sleep(0.05)


def test_keys_step_through_the_backward_pass(browser, tmp_path):
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    L = c + a  # a is used twice: its gradient is a sum
    L.label = "L"
    path = walkthrough(L, tmp_path / "w.html")
    _load(browser, path)
    page = browser
    assert page.js("document.getElementById('counter').textContent") == "step 0 of 2"
    assert page.js("document.querySelector('#v0 text.grad').textContent") == "grad ?"

    page.key("ArrowRight", "ArrowRight", 39)
    assert page.js("document.body.dataset.frame") == "1"
    caption = page.js("document.getElementById('caption').textContent")
    assert "Step 1 of 2: L (op +)" in caption
    assert page.js("document.querySelector('.value.active').id") == f"v{_index(L, L)}"
    flow = page.js("Array.from(document.querySelectorAll('.edge.flow')).map(e => e.id).sort()")
    assert len(flow) == 3  # two inputs of + and the op's own edge

    page.key("ArrowRight", "ArrowRight", 39)
    caption = page.js("document.getElementById('caption').textContent")
    assert "∂L/∂b += ∂L/∂c · ∂c/∂b = 1 × 2 = 2" in caption
    assert "a is used 2 times" in caption
    grad_a = page.js(f"document.querySelector('#v{_index(L, a)} text.grad').textContent")
    assert grad_a == "grad −2"  # 1 (from +) + b = −3 (from *)

    page.key("ArrowRight", "ArrowRight", 39)  # past the end: stays on the last frame
    assert page.js("document.body.dataset.frame") == "2"
    page.key("ArrowLeft", "ArrowLeft", 37)
    assert page.js("document.body.dataset.frame") == "1"
    assert page.js(f"document.querySelector('#v{_index(L, b)} text.grad').textContent") \
        == "grad ?"
    page.js("document.getElementById('next').click()")
    assert page.js("document.body.dataset.frame") == "2"
    page.key("Home", "Home", 36)
    assert page.js("document.body.dataset.frame") == "0"
    shot = page.call("Page.captureScreenshot", format="png")["data"]
    assert len(shot) > 1000


def test_a_script_label_stays_text(browser, tmp_path):
    x = Value(1.0, label="<script>document.title='pwned'</script>")
    y = x.tanh()
    y.label = "</script><b>y</b>"
    _load(browser, walkthrough(y, tmp_path / "x.html"))
    assert browser.js("document.title") != "pwned"
    assert browser.js("document.querySelectorAll('script').length") == 2
    assert browser.js("document.querySelectorAll('b').length") == 0
    browser.key("End", "End", 35)
    assert "</script><b>y</b>" in browser.js("document.getElementById('caption').textContent")


def _index(root, node):
    from autograd import topological_order

    return topological_order(root).index(node)
