"""Used by build-aux/run without a display: start Bilik as the user's login would (their own
home folder, settings and user session, nothing pre-set), wait until its window shows its
machine list, a status page or — on a first run — the setup check, and save a screenshot
to $BILIK_SHOTS."""

import os
import sys
import time

import harness

app = harness.App(sys.argv[1:], home=os.environ["HOME"])
try:
    app.window()

    def settled():
        texts = " ".join(app.texts())
        if "Connecting…" in texts:
            return False
        # A first run opens the setup check; wait until its checks have an answer.
        if "Setup Check" in texts:
            return "Checking" not in texts and any(
                t in texts for t in ("ready for virtual machines", "could be better",
                                     "must be fixed"))
        return any(t in texts for t in (
            "No virtual machines here", "Try Again", "Pick a virtual machine"))

    harness.wait_for("the machine list, a status page or the setup check", settled, timeout=60)
    app.screenshot("run")
    seconds = float(os.environ.get("BILIK_RUN_SECONDS", "0"))
    if seconds > 0:
        time.sleep(seconds)
finally:
    app.quit()
