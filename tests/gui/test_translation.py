"""Bilik ships Indonesian beside English: started in an Indonesian locale, it speaks it."""

import harness
from harness import App


def test_speaks_indonesian():
    app = App(env={"LANG": "id_ID.UTF-8", "LANGUAGE": "id"})
    app.find("Belum ada mesin virtual di sini")
    app.find("Sesi pengguna saya")
    texts = " ".join(app.texts())
    assert "No virtual machines here" not in texts, texts
    app.screenshot("20-indonesian")
    app.quit()
