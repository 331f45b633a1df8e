"""Uploading a scenario file: plain text only, checked and tried before it replaces anything.

The file is parsed, never executed (TOML), and the upload limit is 1 MB
(``server.maxUploadSize`` in ``.streamlit/config.toml``, and the parser's own
limit).  A file that parses is then run for every region before it becomes
the base scenario, so a file the model cannot run (an end year it cannot
score, a value that overflows) is refused with one line, and the settings
before it stay as they were.  Messages name the file, never a server folder,
and show as plain text.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from innosim.core.scenarios import parse_scenario
from innosim.errors import InputError

from . import compute, display, i18n, state


def _try(m, scenario) -> None:
    """Run what the page will run, for every region, so that a bad file fails here and not in the page."""
    for region in m.regions:
        keys = state.key(dict(scenario.levers)), state.inputs_key(dict(scenario.parameters), state.run_settings(scenario))
        compute.scorecard(region, *keys)


def accept(m, raw: bytes, name: str) -> tuple[str, str]:
    """Validate and try an upload; on success it becomes the base scenario.  Returns (kind, one line)."""
    filename = Path(name).name or "upload.toml"
    try:
        scenario = parse_scenario(raw, Path(filename), m)
        _try(m, scenario)
    except InputError as exc:
        return "error", i18n.t("upload_error", state.ss().s_lang) + display.scrub(str(exc))
    except Exception as exc:  # noqa: BLE001 - an uploaded file is untrusted: any failure is its problem, one line
        kind = type(exc).__name__
        return "error", i18n.t("upload_run_error", state.ss().s_lang) + f"{filename}: {kind}: " + \
            display.scrub(str(exc))[:200]
    state.remember()
    state.set_base(scenario, None)
    return "ok", i18n.t("upload_ok", state.ss().s_lang) + scenario.title(state.ss().s_lang)


def _on_upload(m) -> None:
    """A file chosen or removed: handled before the page draws, so the levers show the new base at once."""
    upload = st.session_state.get("w-upload")
    state.ss().s_upload_message = None if upload is None else accept(m, upload.getvalue(), upload.name)


def upload_box(m, lang: str) -> None:
    s = state.ss()
    with st.expander(i18n.t("upload", lang), expanded=bool(s.get("s_upload_message"))):
        st.file_uploader(i18n.t("upload", lang), type=["toml"], key="w-upload", label_visibility="collapsed",
                         on_change=_on_upload, args=(m,), max_upload_size=1)
        kind, text = s.get("s_upload_message") or ("", "")
        if kind == "ok":
            st.success(display.plain(text))
            regions = state.base().regions
            if s.s_region not in regions:
                st.info(i18n.t("upload_other_region", lang, regions=", ".join(i18n.region(r, lang) for r in regions)))
        elif kind == "error":
            st.error(display.plain(text))
