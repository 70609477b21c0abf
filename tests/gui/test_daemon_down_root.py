"""When the system libvirt service is not running, Bilik says so in plain words with what to
do, offers Try Again, and the list appears once the service is back. Runs as root (it stops
and starts the daemon)."""

import subprocess

import harness
from harness import App


def libvirtd(action):
    subprocess.run(["/project/build-aux/libvirtd-ctl", action], check=True)


def test_service_not_running_is_explained_and_try_again_works():
    libvirtd("stop")
    try:
        app = App(["--connect", "qemu:///system"])
        # The setup check opens by itself and names the problem and its fix.
        app.find("The libvirt service is not running, so machines", roles=["label"])
        fix = app.find("Fix…", roles=["button"], exact=True)
        # The button's tooltip (its accessible description) says what it will run.
        described = fix.get_description() or ""
        assert "systemctl enable --now libvirtd.socket" in described, described
        app.screenshot("15-setup-check-daemon-down")
        app.click(app.find("Close", roles=["button"], exact=True))
        app.find("The libvirt service is not running")
        texts = " ".join(app.texts())
        assert "systemctl enable --now libvirtd" in texts, texts
        app.find("Run Setup Check", roles=["button"], exact=True)
        app.click(app.find("Details", roles=["toggle button", "button"]))
        assert any("libvirt-sock" in t for t in app.texts()), "the raw libvirt error is shown"
        app.screenshot("14-service-not-running")
        libvirtd("start")
        app.click(app.find("Try Again", roles=["button"], exact=True))
        app.gone("The libvirt service is not running")
        app.find("This computer (system)")
        app.quit()
    finally:
        libvirtd("start")
