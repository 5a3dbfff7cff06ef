"""A pension scheme's accounts by pooling area over a year (`pensions`)."""

from __future__ import annotations

import numpy as np


class Fund:
    """The accounts of one scheme in the current year, one entry per pooling area.

    Money flows (yuan): contributions, transfers in and out, benefits, subsidy. Memo items:
    `contributions_government`, the part of the contributions that a government pays for
    members (yuan); capital value of entitlements (yuan) `lost` on moving between areas and
    `forfeited` by members who retire with fewer than the minimum contribution years."""

    FLOWS = (
        "contributions",
        "contributions_government",
        "transfers_in",
        "transfers_out",
        "benefits",
        "subsidy",
        "lost",
        "forfeited",
    )

    def __init__(self, areas: int) -> None:
        self.balance = np.zeros(areas)
        self.open_year()

    def open_year(self) -> None:
        self.opening = self.balance.copy()
        for name in self.FLOWS:
            setattr(self, name, np.zeros(len(self.balance)))

    def close_year(self) -> None:
        """balance = opening + contributions + transfers in - transfers out - benefits, and a
        subsidy from above covers any deficit so that no fund ends the year below zero."""
        balance = (
            self.opening
            + self.contributions
            + self.transfers_in
            - self.transfers_out
            - self.benefits
        )
        self.subsidy = np.maximum(-balance, 0.0)
        self.balance = balance + self.subsidy
