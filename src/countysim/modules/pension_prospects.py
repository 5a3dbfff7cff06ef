"""The pension a person would retire with at a residence and workplace, which the pensions'
choice and settlement terms value (`modules/pensions.py`, "Choice" and "Settlement"): the
yearly chance of enrolment in the employee scheme by hukou type, and the retirement income R
from the entitlement and years kept (times portability in another area) and, until
retirement age, the accrual of a formal job there times the chances of having one and of
being enrolled."""

from __future__ import annotations

import numpy as np


class RetirementProspects:
    """Enrolment and prospective retirement income of `Pensions`, which holds the pooling
    areas of places and the accrual rates they read."""

    def enrolment(self, model, hukou_urban: np.ndarray) -> np.ndarray:
        """Yearly chance that a formal employee is enrolled in the employee scheme."""
        pen = model.scenario.pensions
        # Looked up by the flag's byte: the same chances as a select, without its branches.
        chance = np.array([model.levers["pensions.migrant_enrolment"], pen.urban_enrolment])
        return chance[np.asarray(hukou_urban, dtype=bool).view(np.uint8)]

    def retirement_income(
        self, model, rows, res, work, enrolment, age=None, skill=None
    ) -> np.ndarray:
        """Yearly pension (current wages) each person would retire with if she lived at `res`
        and worked at `work` (-1: farming) until retirement age, shape like `res`.

        Entitlement and years are kept, times portability if `res` is in another area; until
        retirement a formal job there (chance job_prob) that enrols her (chance `enrolment`)
        adds accrual_rate * skill * wage and one contribution year per year. The arrays are
        updated in place: the first sub-step of a run asks this of every adult at once.
        `age`, `skill`: the persons', if already gathered."""
        parts = self._retirement_parts(model, rows, res, work, age, skill)
        return self._retirement_income_at(model, parts, enrolment, in_place=True)

    def _retirement_parts(self, model, rows, res, work, age=None, skill=None) -> tuple:
        """`retirement_income`'s terms that do not depend on the chance of enrolment."""
        p, st = model.persons, model.state
        age = p.age.take(rows) if age is None else age
        skill = p.skill.take(rows) if skill is None else skill
        left = np.maximum(model.scenario.demography.retirement_age - age, 0)
        area = p.pension_area.take(rows)[:, None]
        # Place tables with a last entry for workplace -1 (farming: no formal job), which
        # `take` reads there; take: quicker than indexing, the same values. Masked ufuncs
        # and copies below, not boolean indexing: no index arrays are built.
        job = np.append(st.job_prob, 0.0).take(work)
        kept = np.where(
            (area >= 0) & (self.area_of_place.take(res) != area),
            model.levers["pensions.portability"],
            1.0,
        )
        years = kept * p.pension_years.take(rows)[:, None]
        kept *= p.pension_entitlement.take(rows)[:, None]
        wage = np.append(st.wage, 0.0).take(work)
        accrual = (self.accrual_rate * skill)[:, None]
        return left, job, years, kept, wage, accrual, p.pension_resident.take(rows)[:, None]

    def _retirement_income_at(self, model, parts, enrolment, in_place=False) -> np.ndarray:
        """`retirement_income` from its parts (written into if `in_place`)."""
        left, job, years, entitlement, wage, accrual, resident = parts
        covered_years = np.multiply(job, (enrolment * left)[:, None], out=job if in_place else None)
        full = np.add(years, covered_years, out=years if in_place else None)
        short = full < model.scenario.pensions.minimum_years
        pension = entitlement if in_place else entitlement.copy()
        covered_years *= wage
        covered_years *= accrual
        pension += covered_years
        # Short of the minimum years: the individual-account share plus the basic pension.
        np.multiply(pension, self.account_share, out=pension, where=short)
        np.add(pension, model.levers["pensions.resident_basic_pension"], out=pension, where=short)
        pension += resident
        return pension
