"""Pensions: the urban employee scheme and the urban-rural resident scheme.

Two schemes, as in the rules of 2012:

- the urban employee scheme: a formal employee (status EMPLOYED) is enrolled in a year with
  probability `urban_enrolment` if she holds an urban hukou and `migrant_enrolment` (a lever)
  if not. The employer pays `employer_contribution_rate` and the employee
  `employee_contribution_rate` of the year's wage w into the fund of the pooling area. A year
  of contribution adds to the accrued entitlement e (yuan per year of pension)

      de = (basic_accrual_rate + employee_contribution_rate / annuity_years) * w

  the basic pension (1% of the wage per contribution year) plus the individual account
  paid out over `annuity_years`. Entitlements are indexed by `entitlement_indexation` (the
  basic formula uses the average wage at retirement), so e is in the wages of the current
  year. At retirement age, with at least `minimum_years` of contributions, e is paid for
  life; with fewer only its individual-account share is, on top of the resident pension;
- the urban-rural resident scheme: everyone else of working age joins in a year with
  probability `resident_participation`; the flat `resident_contribution_yuan` is paid in,
  which adds contribution / annuity_years to a resident entitlement. The member pays it out
  of the year's earnings as far as they cover it, and the local government pays the rest:
  the State Council's opinion on a unified basic pension insurance for urban and rural
  residents (February 2014) has local governments pay part or all of the minimum
  contribution for those who cannot (the poor, the severely disabled). So the fund always
  receives the full contribution and no member's income goes below zero through it. At
  retirement age everyone without an employee pension gets the flat basic pension (a
  lever) plus that entitlement. Resident accounts earn no interest before retirement (the
  deposit rate is ignored; the accounts are small).

Pensions in payment are raised by `benefit_indexation` (a lever) every year.

Pooling areas are the county and each outside city. The employee account is held in the
area where its member lives (every option of the location choice works where it lives, or
commutes inside the county). When a member not yet retired lives in another area at the
year's end, the account moves: the share `portability` (a lever) of the entitlement and of
the contribution years survives, and the origin fund pays the destination the capital value
of what survives, annuity_years * portability * e. The rest, (1 - portability) *
annuity_years * e, is lost entitlement: a liability the origin's fund no longer carries, its
money staying there. Retirees draw their pension from the area where they retired, wherever
they live, so returned migrants take home what survived of their accounts. The resident
scheme is pooled in the county, which registered everyone in the model.

Every fund (scheme x area) keeps the identity

    balance = opening + contributions + transfers in - transfers out - benefits + subsidy

where a subsidy from above covers any deficit, and transfers out of all areas equal transfers
into all areas. The resident fund's basic pensions are paid out of taxes, so it runs on the
subsidy. The funds start empty and hold only what the county's people pay and draw (the
cities' funds are the part of those funds that the county's migrants pay into); there is no
investment return.

Income: members pay their own share (the employee's 8%, or what they pay of the resident
contribution) out of their earnings, those of the members of the year's schemes (members of an
earlier year who no longer work pay nothing), and
pensioners receive their pensions (`model.income_sources`), so the per-capita incomes are
disposable incomes as the surveys define them: net of personal social contributions, plus
pensions. The employer's share is a cost of the firm that the labour
market does not see.

Choice (`model.choice_terms`), in the log-income units of the rest of the choice, with
weight income_weight * retirement_income_weight:

- a person of working age values the pension she would retire with at each option:
  log(max(R, income floor)), where R keeps the entitlement (times portability if the
  option is in another area) and adds, until retirement age, the accrual of a formal job
  there times the chance of having one and of being enrolled (by hukou type);
- a pensioner living away from home values the independence her pension gives:
  log(max(pension, floor) / floor) at every option away from home, zero at home.

Settlement (`model.settlement_terms`): settling gives a rural-hukou resident the enrolment
chance of urban-hukou employees, and the gain is the change in log(max(R, floor)) at the
place where she lives and works. R and the enrolment chances are computed in
`pension_prospects.py`.

Outputs (county table): `pension_coverage_migrants` (share of rural-hukou non-farm workers
enrolled in the employee scheme this year, the statistic of the migrant-worker survey),
`pension_coverage_workers` (share of all workers of working age enrolled), pension income per
person of retirement age living in villages and in the county's towns
(`pension_income_rural_elderly`, `pension_income_urban_elderly`), and per scheme (summed over
areas) `pension_<scheme>_contributions`, `_benefits`, `_subsidy` and `_balance`, with
`pension_resident_contributions_government` (the part of the resident contributions that the
local government pays for members),
`pension_employee_transfers` (paid between areas), `_lost` (on moving) and `_forfeited` (at
retirement, capital values).
"""

from __future__ import annotations

import numpy as np

from countysim.modules.base import Module
from countysim.modules.pension_fund import Fund
from countysim.modules.pension_prospects import RetirementProspects
from countysim.population import EMPLOYED, FARMER, INFORMAL, IS_WORKING
from countysim.world import CITY, COUNTY_TOWN, TOWNSHIP, VILLAGE

# Scheme of a person: paying into (working age) or drawing from (pensioners).
NO_SCHEME, RESIDENT, EMPLOYEE, RESIDENT_PENSION, EMPLOYEE_PENSION = range(5)
COUNTY_AREA = 0
CONTRIBUTION_SLICE = 1 << 16  # persons per slice of the contributions (bounds temporaries)
NO_AREA = -1  # no employee account


class Pensions(RetirementProspects, Module):
    name = "pensions"

    def setup(self, model) -> None:
        world, pen = model.world, model.scenario.pensions
        cities = np.flatnonzero(world.level == CITY)
        self.area_of_place = np.full(world.n, COUNTY_AREA, dtype=np.int32)
        self.area_of_place[cities] = 1 + np.arange(len(cities), dtype=np.int32)
        self.area_names = ("county", *(world.names[c] for c in cities))
        account_accrual = pen.employee_contribution_rate / pen.annuity_years
        self.accrual_rate = pen.basic_accrual_rate + account_accrual
        self.account_share = account_accrual / self.accrual_rate if self.accrual_rate else 0.0
        self.employee = Fund(len(self.area_names))
        self.resident = Fund(1)

        p = model.persons
        p.add_column("pension_scheme", np.int8, NO_SCHEME)
        p.add_column("pension_years", np.float64, 0.0)  # employee contribution years
        p.add_column("pension_entitlement", np.float64, 0.0)  # employee, yuan per year
        # Pooling area of the account: int8 while the areas (the county and each outside
        # city) number at most 127, which every scenario's few cities keep to.
        area_type = np.int8 if len(self.area_names) <= np.iinfo(np.int8).max else np.int32
        p.add_column("pension_area", area_type, NO_AREA)
        p.add_column("pension_resident", np.float64, 0.0)  # resident account, yuan per year
        self._initial_state(model)

        model.income_sources.extend([self.pension_income, self.contributions_paid])
        model.choice_terms.append(self.choice_utility)
        model.settlement_terms.append(self.settlement_gain)

    def levers(self, scenario) -> dict[str, object]:
        pen = scenario.pensions
        return {
            "pensions.migrant_enrolment": pen.migrant_enrolment,
            "pensions.portability": pen.portability,
            "pensions.benefit_indexation": pen.benefit_indexation,
            "pensions.resident_basic_pension": pen.resident_basic_pension,
        }

    def _initial_state(self, model) -> None:
        """The start year: urban-hukou elderly hold an employee pension with the scenario's
        share, the other elderly the resident pension; urban-hukou persons of working age
        carry the contribution years the urban enrolment rate implies since they left school,
        at the county town's starting wage. Rural-hukou persons start with no employee
        account (migrants were hardly enrolled before the 2008 labour-contract law)."""
        p, pen, d = model.persons, model.scenario.pensions, model.scenario.demography
        old = p.age >= d.retirement_age
        p.pension_scheme[old] = RESIDENT_PENSION
        employee = old & p.hukou_urban
        employee &= model.rng.random(len(p)) < pen.initial_employee_pensioner_share
        p.pension_scheme[employee] = EMPLOYEE_PENSION
        p.pension_entitlement[employee] = pen.initial_employee_pension_yuan
        p.pension_area[employee] = COUNTY_AREA

        leaving = np.asarray(d.leaving_age_by_education)[p.edu]
        members = np.flatnonzero(p.hukou_urban & ~old & (p.age > leaving))
        years = pen.urban_enrolment * (p.age[members] - leaving[members])
        wage = model.scenario.labour.county_town.initial_wage_yuan
        p.pension_years[members] = years
        p.pension_entitlement[members] = years * self.accrual_rate * p.skill[members] * wage
        p.pension_area[members] = COUNTY_AREA

    # ----------------------------------------------------------------- the year
    def step(self, model) -> None:
        """Index, retire, move accounts, enrol and collect, pay, and close the funds."""
        self.employee.open_year()
        self.resident.open_year()
        if model.year == model.scenario.years.start:
            self._open_accounts_where_members_live(model)
        else:  # starting values are the start year's
            self._index(model)
        self.retire(model)
        self.transfer_accounts(model)
        self._enrol_and_collect(model)
        self._pay(model)
        self.employee.close_year()
        self.resident.close_year()

    def _open_accounts_where_members_live(self, model) -> None:
        """The starting contribution histories belong to the area where their members live
        when the first year begins (after the spin-up's moves), with nothing transferred."""
        p = model.persons
        members = (p.pension_area >= 0) & (p.pension_scheme < RESIDENT_PENSION)
        p.pension_area[members] = self.area_of_place[p.residence[members]]

    def _index(self, model) -> None:
        """Entitlements of members follow wages; pensions in payment get the yearly raise."""
        p, pen = model.persons, model.scenario.pensions
        drawing = p.pension_scheme >= RESIDENT_PENSION
        raise_ = model.levers["pensions.benefit_indexation"]
        # Factors written by index (the same products): selects and masks on flags in no
        # order mispredict a branch for every other person.
        drawing = np.flatnonzero(drawing)
        factor = np.full(len(p), 1 + pen.entitlement_indexation)
        factor[drawing] = 1 + raise_
        p.pension_entitlement *= factor
        del factor
        p.pension_resident[drawing] *= 1 + raise_

    def retire(self, model) -> None:
        """Members reaching retirement age start drawing. With fewer than the minimum
        contribution years only the individual-account share of the employee entitlement is
        paid (on top of the resident pension); the rest is forfeited."""
        p, pen, scale = model.persons, model.scenario.pensions, model.scenario.simulation.scale
        rows = np.flatnonzero(
            (p.age >= model.scenario.demography.retirement_age)
            & (p.pension_scheme < RESIDENT_PENSION)
        )
        full = p.pension_years.take(rows) >= pen.minimum_years
        p.pension_scheme[rows] = np.where(full, EMPLOYEE_PENSION, RESIDENT_PENSION)
        short = rows[~full & (p.pension_area.take(rows) >= 0)]
        forfeit = (1 - self.account_share) * p.pension_entitlement[short]
        self.employee.forfeited += (
            scale
            * pen.annuity_years
            * np.bincount(p.pension_area[short], weights=forfeit, minlength=len(self.area_names))
        )
        p.pension_entitlement[short] -= forfeit

    def transfer_accounts(self, model) -> None:
        """Accounts of members (not yet retired) now living in another pooling area move
        there: `portability` of the entitlement and of the contribution years survives; the
        origin pays the destination the capital value of the surviving part, and the rest is
        recorded as lost."""
        p, pen, scale = model.persons, model.scenario.pensions, model.scenario.simulation.scale
        here = self.area_of_place.take(p.residence)
        rows = np.flatnonzero(
            (p.pension_area >= 0) & (p.pension_area != here) & (p.pension_scheme < RESIDENT_PENSION)
        )
        if not len(rows):
            return
        share = model.levers["pensions.portability"]
        value = scale * pen.annuity_years * p.pension_entitlement.take(rows)
        origin, dest, n = p.pension_area.take(rows), here.take(rows), len(self.area_names)
        fund = self.employee
        fund.transfers_out += np.bincount(origin, weights=share * value, minlength=n)
        fund.transfers_in += np.bincount(dest, weights=share * value, minlength=n)
        fund.lost += np.bincount(origin, weights=(1 - share) * value, minlength=n)
        p.pension_entitlement[rows] *= share
        p.pension_years[rows] *= share
        p.pension_area[rows] = dest

    def _enrol_and_collect(self, model) -> None:
        """This year's members of each scheme, their contributions and what they accrue."""
        p, pen, rng = model.persons, model.scenario.pensions, model.rng
        scale = model.scenario.simulation.scale
        working_age = (p.age < model.scenario.demography.retirement_age) & IS_WORKING[p.status]
        formal = (p.status == EMPLOYED) & (p.workplace >= 0) & working_age
        # The draw against each hukou type's chance (`enrolment`), as two comparisons: the
        # same members, without a person-sized array of chances.
        draw = rng.random(len(p))
        urban = p.hukou_urban
        employee = urban & (draw < pen.urban_enrolment)
        employee |= ~urban & (draw < model.levers["pensions.migrant_enrolment"])
        employee &= formal
        del draw
        resident = working_age & ~employee & (rng.random(len(p)) < pen.resident_participation)
        # Last year's members who left work or retired are members of no scheme this year.
        # The codes by arithmetic on the flags (the same codes, no index arrays built):
        # masked copies on flags in no order mispredict a branch for every other person.
        scheme = p.pension_scheme
        scheme *= scheme >= RESIDENT_PENSION  # NO_SCHEME (0) below the pensions' codes
        for code, members in ((RESIDENT, resident), (EMPLOYEE, employee)):
            change = np.subtract(code, scheme, dtype=np.int8)  # the code where a member
            change *= members
            scheme += change
        del change

        rows = np.flatnonzero(employee)
        wage, area = p.wage_income.take(rows), self.area_of_place.take(p.residence.take(rows))
        rate = pen.employer_contribution_rate + pen.employee_contribution_rate
        self.employee.contributions += scale * np.bincount(
            area, weights=rate * wage, minlength=len(self.area_names)
        )
        p.pension_entitlement[rows] += self.accrual_rate * wage
        p.pension_years[rows] += 1
        p.pension_area[rows] = area

        # Members pay what their earnings cover; the local government pays the rest.
        rows, due = np.flatnonzero(resident), pen.resident_contribution_yuan
        earnings = np.maximum(p.wage_income.take(rows) + p.farm_income.take(rows), 0.0)
        own = np.minimum(earnings, due)
        self.resident.contributions[COUNTY_AREA] += scale * due * len(rows)
        self.resident.contributions_government[COUNTY_AREA] += scale * float((due - own).sum())
        p.pension_resident[rows] += due / pen.annuity_years

    def _pay(self, model) -> None:
        """Employee entitlements of pensioners are paid by the fund of their area; the basic
        pension and resident accounts by the county's resident fund."""
        p, scale = model.persons, model.scenario.simulation.scale
        rows = np.flatnonzero(p.pension_scheme >= RESIDENT_PENSION)
        account = rows[p.pension_area.take(rows) >= 0]
        self.employee.benefits += scale * np.bincount(
            p.pension_area[account],
            weights=p.pension_entitlement[account],
            minlength=len(self.area_names),
        )
        resident = self._resident_pension(model, rows)
        self.resident.benefits[COUNTY_AREA] += scale * float(resident.sum())

    # ----------------------------------------------------------------- incomes
    def _resident_pension(self, model, rows: np.ndarray) -> np.ndarray:
        """Basic pension (for those without an employee pension) plus the resident account."""
        p = model.persons
        basic = model.levers["pensions.resident_basic_pension"]
        return basic * (p.pension_scheme.take(rows) == RESIDENT_PENSION) + p.pension_resident.take(
            rows
        )

    def contribution_years(self, model) -> np.ndarray:
        """Employee-scheme contribution years of every person (the insured years that cities
        ask of those who want to settle)."""
        return model.persons.pension_years

    def pension_income(self, model) -> np.ndarray:
        """Pension of every person this year (zero before retirement)."""
        p = model.persons
        income = np.zeros(len(p))
        rows = np.flatnonzero(p.pension_scheme >= RESIDENT_PENSION)
        income[rows] = p.pension_entitlement.take(rows) + self._resident_pension(model, rows)
        return income

    def contributions_paid(self, model) -> np.ndarray:
        """Personal contributions of every person this year, as a negative income: those
        collected from the year's members (`_enrol_and_collect`), worked out again from the
        same earnings (the year's incomes follow the pensions' step, with no earnings
        between) rather than kept in a column of 8 bytes a person."""
        p, pen = model.persons, model.scenario.pensions
        rate, due = pen.employee_contribution_rate, pen.resident_contribution_yuan
        paid = np.empty(len(p))
        # By slices, each scheme's contribution times the flag of its members, added (the
        # same values: a value times 1 is itself, the other scheme's 0 adds nothing): no
        # person-sized temporaries at the incomes' peak, and no masked ufuncs, which
        # mispredict a branch for every other person (four times the time).
        for start in range(0, len(p), CONTRIBUTION_SLICE):
            part = slice(start, start + CONTRIBUTION_SLICE)
            scheme, wage = p.pension_scheme[part], p.wage_income[part]
            out = np.multiply(wage, rate, out=paid[part])
            out *= scheme == EMPLOYEE
            resident = np.add(wage, p.farm_income[part])
            np.maximum(resident, 0.0, out=resident)
            np.minimum(resident, due, out=resident)
            resident *= scheme == RESIDENT
            out += resident
        return np.negative(paid, out=paid)

    # ----------------------------------------------------------------- choices
    def _weight(self, model) -> float:
        c = model.scenario.choice
        return c.income_weight * model.scenario.pensions.retirement_income_weight

    def choice_utility(self, model, rows, res, work) -> np.ndarray:
        """Pension term of the location choice (see the module docstring)."""
        p = model.persons
        floor = model.scenario.choice.income_floor_yuan
        age, skill = model.choice.chooser_age_skill(model, rows)
        # Of the residence only its pooling area counts: computed once for commuting to a
        # place and moving there (by distinct workplace) when the two are in the same area.
        shared = model.choice.shared_work_columns(rows, res, work, self.area_of_place)
        weight = self._weight(model)
        by_work = shared is not None
        u = self._log_retirement_income(
            model, rows, *(shared[:2] if by_work else (res, work)), age, skill
        )
        u *= weight
        # Those who draw a pension already (few of those who weigh options) weigh its
        # independence instead.
        drawing = np.flatnonzero(p.pension_scheme.take(rows) >= RESIDENT_PENSION)
        if len(drawing):
            if by_work:  # independence depends on the residence: by option
                u = u.take(model.choice.work_of_option, axis=1)
            pensioners = rows[drawing]
            pension = p.pension_entitlement.take(pensioners) + self._resident_pension(
                model, pensioners
            )
            home = model.choice.chooser_households(model, rows)[1].take(drawing)[:, None]
            independence = np.log(np.maximum(pension, floor) / floor)[:, None]
            independence *= weight
            u[drawing] = independence * (res[drawing] != home)
        return u

    def _log_retirement_income(self, model, rows, res, work, age, skill) -> np.ndarray:
        enrol = self.enrolment(model, model.persons.hukou_urban.take(rows))
        u = self.retirement_income(model, rows, res, work, enrol, age, skill)
        np.maximum(u, model.scenario.choice.income_floor_yuan, out=u)
        return np.log(u, out=u)

    def settlement_gain(self, model, rows) -> np.ndarray:
        """Gain of joining the local employee scheme on urban-hukou terms by settling."""
        p = model.persons
        floor = model.scenario.choice.income_floor_yuan
        res, work = p.residence.take(rows)[:, None], p.workplace.take(rows)[:, None]
        now = self.enrolment(model, p.hukou_urban.take(rows))
        settled = self.enrolment(model, np.ones(len(rows), dtype=bool))
        # What does not depend on the enrolment computed once for before and after.
        parts = self._retirement_parts(model, rows, res, work)
        before = self._retirement_income_at(model, parts, now)[:, 0]
        after = self._retirement_income_at(model, parts, settled, in_place=True)[:, 0]
        return self._weight(model) * (
            np.log(np.maximum(after, floor)) - np.log(np.maximum(before, floor))
        )

    # ----------------------------------------------------------------- outputs
    def outputs(self, model) -> dict[str, float]:
        p, world = model.persons, model.world
        enrolled = p.pension_scheme == EMPLOYEE
        nonfarm_work = (p.status == EMPLOYED) | (p.status == INFORMAL)
        migrant_workers = nonfarm_work & ~p.hukou_urban & (p.workplace >= 0)
        elderly = np.flatnonzero(p.age >= model.scenario.demography.retirement_age)
        workers = nonfarm_work | (p.status == FARMER)
        workers[elderly] = False
        pension = p.pension_entitlement.take(elderly) + self._resident_pension(model, elderly)
        level = world.level.take(p.residence.take(elderly))
        urban = (level == TOWNSHIP) | (level == COUNTY_TOWN)
        out = {
            "pension_coverage_migrants": _share(enrolled, migrant_workers),
            "pension_coverage_workers": _share(enrolled, workers),
            "pension_income_rural_elderly": _mean(pension, level == VILLAGE),
            "pension_income_urban_elderly": _mean(pension, urban),
        }
        emp, res = self.employee, self.resident
        out.update(
            pension_employee_contributions=float(emp.contributions.sum()),
            pension_employee_benefits=float(emp.benefits.sum()),
            pension_employee_transfers=float(emp.transfers_out.sum()),
            pension_employee_lost=float(emp.lost.sum()),
            pension_employee_forfeited=float(emp.forfeited.sum()),
            pension_employee_subsidy=float(emp.subsidy.sum()),
            pension_employee_balance=float(emp.balance.sum()),
            pension_resident_contributions=float(res.contributions.sum()),
            pension_resident_contributions_government=float(res.contributions_government.sum()),
            pension_resident_benefits=float(res.benefits.sum()),
            pension_resident_subsidy=float(res.subsidy.sum()),
            pension_resident_balance=float(res.balance.sum()),
        )
        return out


def _share(flags: np.ndarray, where: np.ndarray) -> float:
    """Share of `where` with `flags` set, by counting: the mean of the flags there."""
    n = int(np.count_nonzero(where))
    return np.count_nonzero(flags & where) / n if n else 0.0


def _mean(values: np.ndarray, where: np.ndarray) -> float:
    n = int(np.count_nonzero(where))
    return float(values.take(np.flatnonzero(where)).sum() / n) if n else 0.0
