"""The standard test models (SDXorg/test-models) through the compiled engine, against Vensim's own output.

Every vendored model (tests/conformance/) must pass at PySD's tolerances in the scalar variant, and its
vector variant must give the scalar run's numbers for every member.  The totals are printed.
"""
from __future__ import annotations

import numpy as np
import pytest
from conformance.compare import canonical, first_failure, manifest

from innosim.core.engines import CompiledEngine
from innosim.mdl.errors import UnsupportedConstruct


def _vector_matches_scalar(engine: CompiledEngine) -> str | None:
    scalar = engine.run().to_numpy()
    with np.errstate(all="ignore"):
        vector = engine.run_vector(n=3, variant="vector")
    scale = np.maximum(np.nanmax(np.abs(scalar), axis=0, initial=0.0), 1e-12)
    for member in range(3):
        gap = np.abs(vector[:, :, member] - scalar) / scale
        bad = ~((gap <= 1e-9) | (np.isnan(scalar) & np.isnan(vector[:, :, member])))
        if bad.any():
            i, j = np.argwhere(bad)[0]
            return f"vector member {member} differs from the scalar run in {engine.saved[j]!r} (row {i})"
    return None


@pytest.mark.slow
def test_every_vendored_test_model_passes_in_both_variants(capsys):
    models = manifest()
    passed, unsupported, failed = [], [], []
    for model in models:
        expected = canonical(model.canonical)
        try:
            engine = CompiledEngine(model.path, data_files=model.data_files)
        except UnsupportedConstruct as exc:
            unsupported.append(f"{model.name}: {exc}")
            continue
        try:
            with np.errstate(all="ignore"):
                frame = engine.frame()
            why = first_failure(frame, expected, model.rtol, model.atol) or _vector_matches_scalar(engine)
        except Exception as exc:         # counted and reported with the others, not a crash of the test
            why = f"{exc.__class__.__name__}: {exc}"
        (failed if why else passed).append(f"{model.name}: {why}" if why else model.name)
    with capsys.disabled():
        print(f"\nconformance (SDXorg/test-models, compiled engine): {len(passed)} passed, "
              f"{len(unsupported)} unsupported, {len(failed)} failed, of {len(models)} vendored")
        for line in unsupported + failed:
            print("  " + line)
    assert len(models) >= 100
    assert not failed and not unsupported
