#!/usr/bin/env python3
"""Check Bilik's Flatpak manifest for the things that can be checked without flatpak-builder.

Usage: check-flatpak-manifest.py [MANIFEST]   (default: flatpak/io.github.bilik.Bilik.json)

Prints each problem on stderr, then a one-line verdict on stdout; exits 1 if there is a
problem, 0 otherwise. Warnings (e.g. placeholder checksums) are printed but do not fail.
"""

import json
import re
import sys
from pathlib import Path

APP_ID = "io.github.bilik.Bilik"
COMMAND = "bilik"
REQUIRED_KEYS = ("app-id", "runtime", "runtime-version", "sdk", "command", "modules", "finish-args")
PLACEHOLDER_SHA256 = "0" * 64
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
# Sources that carry their content by URL and must have a checksum.
URL_SOURCE_TYPES = {"archive", "file"}


def filesystem_grants(finish_args):
    """Paths granted with --filesystem=PATH[:MODE], as {path: mode}."""
    grants = {}
    for arg in finish_args:
        if isinstance(arg, str) and arg.startswith("--filesystem="):
            value = arg[len("--filesystem="):]
            path, _, mode = value.partition(":")
            grants[path.rstrip("/")] = mode or "rw"
    return grants


def check(manifest_path):
    errors, warnings = [], []
    base = manifest_path.parent

    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except OSError as e:
        return [f"cannot read {manifest_path}: {e.strerror}"], [], None
    except json.JSONDecodeError as e:
        return [f"{manifest_path} is not valid JSON: {e}"], [], None
    if not isinstance(manifest, dict):
        return ["the manifest is not a JSON object"], [], None

    for key in REQUIRED_KEYS:
        if key not in manifest:
            errors.append(f"missing required key '{key}'")

    if manifest.get("app-id", APP_ID) != APP_ID:
        errors.append(f"app-id is '{manifest.get('app-id')}', expected '{APP_ID}'")
    if manifest.get("command", COMMAND) != COMMAND:
        errors.append(f"command is '{manifest.get('command')}', expected '{COMMAND}'")
    for key in ("runtime", "runtime-version", "sdk"):
        if key in manifest and not (isinstance(manifest[key], str) and manifest[key]):
            errors.append(f"'{key}' must be a non-empty string")

    finish_args = manifest.get("finish-args", [])
    if not isinstance(finish_args, list) or not all(isinstance(a, str) for a in finish_args):
        errors.append("'finish-args' must be a list of strings")
        finish_args = []
    duplicates = sorted({a for a in finish_args if finish_args.count(a) > 1})
    if duplicates:
        errors.append(f"duplicate finish-args: {', '.join(duplicates)}")

    grants = filesystem_grants(finish_args)
    # The session daemon's socket lives in $XDG_RUNTIME_DIR/libvirt, the system daemon's in
    # /run/libvirt. A read-only grant is enough to connect() to a Unix socket.
    if "xdg-run/libvirt" not in grants:
        errors.append("libvirt session socket not reachable: add --filesystem=xdg-run/libvirt")
    if "/run/libvirt" not in grants:
        errors.append("libvirt system socket not reachable: add --filesystem=/run/libvirt[:ro]")
    if "--talk-name=org.freedesktop.Flatpak" not in finish_args:
        errors.append("missing --talk-name=org.freedesktop.Flatpak (needed for flatpak-spawn --host)")
    for socket in ("--socket=wayland", "--socket=fallback-x11"):
        if socket not in finish_args:
            errors.append(f"missing {socket}")

    extensions = manifest.get("sdk-extensions", [])
    if not any(isinstance(e, str) and e.startswith("org.freedesktop.Sdk.Extension.rust")
               for e in extensions):
        errors.append("no Rust SDK extension in 'sdk-extensions'")

    modules = manifest.get("modules", [])
    if not isinstance(modules, list) or not modules:
        errors.append("'modules' must be a non-empty list")
        modules = []
    for index, module in enumerate(modules):
        if isinstance(module, str):
            # A module kept in its own file.
            if not (base / module).is_file():
                errors.append(f"module file '{module}' does not exist next to the manifest")
            continue
        if not isinstance(module, dict):
            errors.append(f"module #{index + 1} is neither an object nor a file name")
            continue
        name = module.get("name")
        if not name:
            errors.append(f"module #{index + 1} has no 'name'")
            name = f"#{index + 1}"
        sources = module.get("sources")
        if not isinstance(sources, list) or not sources:
            errors.append(f"module '{name}' has no 'sources'")
            continue
        for source in sources:
            if isinstance(source, str):
                # A JSON file of generated sources (e.g. cargo-sources.json).
                if not (base / source).is_file():
                    warnings.append(f"module '{name}': source file '{source}' is not there yet "
                                    "(generate it before running flatpak-builder)")
                continue
            if not isinstance(source, dict) or "type" not in source:
                errors.append(f"module '{name}' has a source without a 'type'")
                continue
            if source["type"] in URL_SOURCE_TYPES and "url" in source:
                sha = source.get("sha256", "")
                if sha == PLACEHOLDER_SHA256:
                    warnings.append(f"module '{name}': sha256 of {source['url']} is a placeholder")
                elif not SHA256_RE.match(sha):
                    errors.append(f"module '{name}': {source['url']} has no valid sha256")
            if source["type"] == "dir" and not (base / source.get("path", "")).is_dir():
                errors.append(f"module '{name}': dir source '{source.get('path')}' does not exist")

    if modules:
        last = modules[-1]
        if not isinstance(last, dict) or last.get("name") != "bilik":
            errors.append("the last module must be 'bilik'")
        elif last.get("buildsystem") != "meson":
            errors.append("the 'bilik' module must use buildsystem 'meson'")

    return errors, warnings, len(modules)


def main(argv):
    if len(argv) > 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    default = Path(__file__).resolve().parent.parent / "flatpak" / f"{APP_ID}.json"
    manifest_path = Path(argv[1]) if len(argv) == 2 else default

    errors, warnings, module_count = check(manifest_path)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if errors:
        print(f"check-flatpak-manifest: FAILED, {len(errors)} problem(s) in {manifest_path}")
        return 1
    note = f", {len(warnings)} warning(s)" if warnings else ""
    print(f"check-flatpak-manifest: OK ({APP_ID}, {module_count} modules{note})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
