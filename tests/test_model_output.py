"""The ids the simulation writes in its ledger (see :mod:`salessim.model.output`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salessim.model import output


@pytest.mark.parametrize("prefix, n", [("L", 0), ("C", 1), ("TS", 9), ("P", 10),
                                       ("REF", 12_345), ("L", 999_999), ("D", 1_000_002)])
def test_ids_are_the_prefix_and_the_number_padded_to_six_digits(prefix, n, monkeypatch):
    built = output._ids(prefix, n)  # written into one Arrow buffer when pyarrow is there
    monkeypatch.setattr(output, "pa", None)  # as without pyarrow: formatted by pandas
    formatted = output._ids(prefix, n)
    expected = [f"{prefix}{k:06d}" for k in (*range(1, min(n, 12) + 1),
                                             *range(max(13, n - 11), n + 1))]
    for ids in (built, formatted):
        assert len(ids) == n
        assert ids.dtype == pd.StringDtype(na_value=np.nan)  # the ledger's text type
        head, tail = list(ids[:12]), list(ids[max(12, n - 12):])
        assert head + tail == expected
    pd.testing.assert_extension_array_equal(built, formatted)
