"""A libvirt service that takes the connection and never answers (a stuck daemon, a
remote host that stopped answering): libvirt's open would wait for ever, and the window
would say "Connecting…" for ever. Bilik gives up after 15 seconds and says the service is
not answering, with Try Again."""

import os
import socket
import threading
import time

from harness import App, button


def test_a_silent_service_is_said_not_to_answer():
    path = f"/tmp/bilik-silent-{os.getpid()}.sock"
    if os.path.exists(path):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o777)
    server.listen(8)
    held = []

    def accept():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)  # kept open, never answered

    threading.Thread(target=accept, daemon=True).start()
    try:
        started = time.monotonic()
        app = App(["--connect", f"qemu:///system?socket={path}"])
        app.find("is not answering", timeout=40)
        took = time.monotonic() - started
        print(f"said 'not answering' after {took:.1f} s")
        assert took >= 14, took
        app.find("Bilik waited 15 seconds")
        button(app, "Try Again")
        app.screenshot("240-not-answering")
        app.quit()
    finally:
        server.close()
        for c in held:
            c.close()
        os.unlink(path)
