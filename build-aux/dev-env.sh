# Sourced by build-aux/run and build-aux/test inside the dev root: builds Bilik, compiles
# the GSettings schema and translations into target/, and exports where they are.
# shellcheck shell=bash

PROJECT_DIR=${PROJECT_DIR:-/project}
RUN_USER=bilik

# Re-enter through the dev root when called from the host.
# The entry scripts all live in build-aux/; inside the root the project is at /project, so
# the script is named by its project-relative path (the host path does not exist there).
enter_devroot() { # SCRIPT ARGS…
    if [ -z "${BILIK_DEVROOT:-}" ]; then
        local script=$1
        shift
        exec "$(dirname "$script")/devenv" "build-aux/$(basename "$script")" "$@"
    fi
}

# Where a path inside the root is on the host (for messages the developer reads).
host_path() {
    printf '%s%s' "${BILIK_HOST_PROJECT:-$PROJECT_DIR}" "${1#"$PROJECT_DIR"}"
}

build_bilik() {
    cargo build --quiet --bin bilik
    mkdir -p target/gsettings
    glib-compile-schemas --strict --targetdir=target/gsettings data/
    local po lang
    for po in po/*.po; do
        [ -e "$po" ] || continue
        lang=$(basename "$po" .po)
        mkdir -p "target/locale/$lang/LC_MESSAGES"
        msgfmt --check -o "target/locale/$lang/LC_MESSAGES/bilik.mo" "$po"
    done
    # The unprivileged user reads the build and writes screenshots.
    mkdir -p target/screenshots
    chmod -R a+rX target/gsettings target/locale target/debug/bilik 2>/dev/null || true
    chmod 1777 target/screenshots
    export GSETTINGS_SCHEMA_DIR=$PROJECT_DIR/target/gsettings
    export BILIK_LOCALEDIR=$PROJECT_DIR/target/locale
    export BILIK_BIN=$PROJECT_DIR/target/debug/bilik
}
