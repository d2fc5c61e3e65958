"""make preview: the HTML brief on 127.0.0.1, rebuilt after a template edit."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

from csto_brief import pipeline


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 20) -> str:
    end = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.read().decode("utf-8")
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.2)


def test_preview_serves_the_brief_and_shows_an_edit(tmp_path):
    root = pipeline.copy_repo(tmp_path / "repo")
    port = _free_port()
    env = {**os.environ, "CSTO_BRIEF_ROOT": str(root)}
    proc = subprocess.Popen([sys.executable, "-m", "csto_brief.preview", "--port", str(port), "--interval", "0.2"],
                            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}/brief.html"
        first = _get(url)
        assert "Key judgments" in first and "A sentence added by a writer" not in first
        t = root / "report/text/06-scenarios.md"
        t.write_text(t.read_text(encoding="utf-8") + "\nA sentence added by a writer.\n", encoding="utf-8")
        end = time.monotonic() + 30
        while "A sentence added by a writer" not in _get(url):
            assert time.monotonic() < end, "the edit did not reach the preview"
            time.sleep(0.2)
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert f"serving http://127.0.0.1:{port}/brief.html" in out
    assert "changed report/text/06-scenarios.md" in out
