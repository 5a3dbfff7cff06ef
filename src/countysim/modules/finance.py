"""Public finance: the county's public-service budget and the capacity it builds and runs.

The county's budget (own revenue and transfers from above) pays for the public services
of its places (schools, clinics, culture and their administration), whose capacity is
followed place by place; what they do not need is counted as other spending. Each year:

1. Money available: S = revenue + transfers + rewards + last year's balance, with
   revenue = tau * non-farm output of the county's places (manufacturing output plus
   service revenue); transfers from above = t_y * ((1 - m) * registered + m * residents)
   of the county, t_y growing at a yearly rate and m the share paid per resident (a
   lever); rewards = a sum per person settling in the county this year (a lever).

2. Allocation to places by the planning population

       P_j = (1 - a) * registered_j + a * users_j,    A_j = S * P_j / sum_k P_k

   a is the lever `resident_based_allocation`: 0 plans and pays by hukou population (the
   rule of 2012), 1 by the residents each place serves (users: hukou holders living there
   and other residents as far as access opens to them, see `services`).

3. Capacity C_j, in users served at the place's standard: it wears out at rate delta,
   costs c_t per unit and year to run (staff, upkeep, whether used or not) and k * c_t to
   build. A place runs what it has; capacity it cannot pay for is closed, C_j = A_j / c_t.
   What is left builds towards the planning population,

       build_j = min(max(P_j - C_j, 0), (A_j - c_t C_j) / (k c_t)),

   and what is still left returns to the county. So spending never exceeds the money
   available, and a place that loses residents but keeps its registered population keeps
   (and rebuilds) capacity that sits idle.

4. Balance: the county carries over what services did not spend, up to a reserve of a
   share of the year's service spending (a budget stabilisation fund); the rest goes to its
   other spending (roads, administration), which is counted but not followed. Without the
   cap, budgets that outgrow service costs would pile up unused for ever.

5. Quality: capacity per user, capped, times the level's standard (`services`); idle
   capacity is max(C_j - users_j, 0).

6. Staff: a share s_B of what each place spends on its services is the pay of its staff
   (teachers, doctors, township and county officials), residents who work there. The
   posts follow a staffing standard per unit of capacity run (establishment quotas,
   bianzhi, set per pupil and per resident served: Central Staffing Office, Ministry of
   Education and Ministry of Finance, Notice on unified staffing standards for urban and
   rural primary and secondary schools, 2014), and the wage bill pays them in the next
   year's labour market of the place where the staff work (`labour`), so public spending
   becomes the income of those who fill the posts instead of leaving the county, and pay
   per post follows the running cost of services (public-sector pay). Staff of a village's
   services work in its township seat, a share v of them: since the school consolidation
   of 2001 (State Council, Decision on the reform and development of basic education, May
   2001) most rural pupils go to central schools in the township seat, and township
   hospitals and the township government sit there; the rest (teaching points, village
   clinics) stay in the village. Personnel pay is a large part of county spending, most of
   it for schools, clinics and their administration ("wage finance", chi fan caizheng;
   Wong 2009, China Quarterly 200). The rest of the spending, and the county's other
   spending, buys building, upkeep and supplies, a share of it from the county's own
   businesses (`public_purchases`): revenue of the local services of the place where the
   staff work (the county town for other spending), and so local jobs (`services`).

The initial capacity is what hukou-based planning built before the first year: each
place's registered population. The running cost c is calibrated in the first year so that
the budget of that rule (revenue plus transfers per registered person) exactly runs and
renews it, c_0 = S_0 / (sum C_0 * (1 - delta + delta k)), and grows at a yearly rate after
that (public-sector pay). Neither depends on the levers, so a reform acts from its first
year on the same starting county; the 2012 rule starts in its own steady state, and
whether budgets then outgrow costs, and where the money goes, is the dynamics.
"""

from __future__ import annotations

import numpy as np

from countysim.modules.base import Module
from countysim.modules.services import coverage, service_users
from countysim.world import COUNTY_TOWN, TOWNSHIP, VILLAGE

COUNTY_LEVELS = ((COUNTY_TOWN, "county_town"), (TOWNSHIP, "township"), (VILLAGE, "village"))


class Finance(Module):
    name = "finance"

    def setup(self, model) -> None:
        world = model.world
        self.county = world.is_county
        n = world.n
        self.users = service_users(model)
        self.capacity = self.planning_population(model, self.users, resident_share=0.0)
        self.allocation = np.zeros(n)
        self.spent = np.zeros(n)
        self.balance = 0.0
        self.first_cost: float | None = None  # running cost per unit in the first year
        self.running_cost = 0.0
        self.flows = dict.fromkeys(
            (
                "budget_revenue",
                "budget_transfers",
                "budget_settlement_rewards",
                "budget_available",
                "budget_spent_services",
                "budget_spent_other",
                "budget_spent",
            ),
            0.0,
        )
        model.services.update_quality(model, self.users)
        world = model.world
        seat = world.township_of()
        self.village = np.flatnonzero(world.level == VILLAGE)
        self.village_seat = seat[self.village]
        self.staff_at_seat = model.scenario.finance.village_staff_at_township_seat

    def last_spending(self, model) -> np.ndarray:
        """Last year's service spending of every place (yuan). Before the first budget year,
        the budget of the 2012 rule (revenue plus transfers per registered person, all spent
        on services) shared by capacity stands in for it."""
        if self.first_cost is not None:
            return self.spent
        f, st, county = model.scenario.finance, model.state, self.county
        revenue = f.revenue_share * float(
            (st.manufacturing_output[county] + st.service_revenue[county]).sum()
        )
        registered = model.scenario.simulation.scale * float(
            np.bincount(model.persons.hukou_place, minlength=model.world.n)[county].sum()
        )
        total = self.capacity.sum()
        budget = revenue + f.transfer_yuan_per_person * registered
        return budget * self.capacity / total if total > 0 else np.zeros_like(self.capacity)

    def public_wage_bill(self, model) -> np.ndarray:
        """Yearly pay of public-service staff by the place where they work (yuan): the staff
        share of last year's service spending, that of villages partly moved to their township
        seat."""
        return self._at_workplace(model.scenario.finance.staff_share * self.last_spending(model))

    def public_purchases(self, model) -> np.ndarray:
        """What last year's public spending bought from the county's own businesses, by place
        (yuan): a share of the services' spending other than staff pay (building, upkeep,
        supplies), where the staff work, and of the county's other spending (roads,
        administration), in the county town."""
        f = model.scenario.finance
        other = np.zeros(model.world.n)
        other[model.world.county_town] = self.flows["budget_spent_other"]
        bought = (1 - f.staff_share) * self.last_spending(model)
        return f.purchases_local_share * (self._at_workplace(bought) + other)

    def public_posts(self, model) -> np.ndarray:
        """Public-service posts (effective workers) by the place where the staff work: the
        staffing standard per unit of capacity the place runs, villages' partly at their
        township seat."""
        f = model.scenario.finance
        return self._at_workplace(f.staff_per_1000_users / 1000 * self.capacity)

    def _at_workplace(self, by_place: np.ndarray) -> np.ndarray:
        """Move the share of villages' staff (pay or posts) that works in the township seat."""
        out = by_place.copy()
        moved = self.staff_at_seat * out[self.village]
        out[self.village] -= moved
        has_seat = self.village_seat >= 0
        out += np.bincount(self.village_seat[has_seat], weights=moved[has_seat], minlength=len(out))
        return out

    def levers(self, scenario) -> dict[str, object]:
        f = scenario.finance
        return {
            "finance.resident_based_transfers": f.resident_based_transfers,
            "finance.resident_based_allocation": f.resident_based_allocation,
            "finance.transfer_per_settled_migrant": f.transfer_per_settled_migrant,
        }

    def planning_population(
        self, model, users: np.ndarray, resident_share: float, holders: np.ndarray | None = None
    ) -> np.ndarray:
        """P_j = (1 - a) * registered_j + a * users_j for county places, 0 for cities
        (`holders`: the rows holding each place's hukou, if counted already)."""
        p, n = model.persons, model.world.n
        scale = model.scenario.simulation.scale
        if holders is None:
            holders = np.bincount(p.hukou_place, minlength=n)
        registered = scale * holders.astype(float)
        basis = (1 - resident_share) * registered + resident_share * users
        return np.where(self.county, basis, 0.0)

    def step(self, model) -> None:
        f, st, p = model.scenario.finance, model.state, model.persons
        scale, n = model.scenario.simulation.scale, model.world.n
        county = self.county
        t = model.year - model.scenario.years.start

        revenue = f.revenue_share * float(
            (st.manufacturing_output[county] + st.service_revenue[county]).sum()
        )
        holders = np.bincount(p.hukou_place, minlength=n)  # counted once for the step
        registered = scale * holders[county].sum()
        # Persons living in a county place, counted (the sum of the places' counts).
        residents = scale * np.count_nonzero(county.take(p.residence))
        per_resident = model.levers["finance.resident_based_transfers"]
        per_person = f.transfer_yuan_per_person * (1 + f.transfer_growth) ** t
        transfers = per_person * ((1 - per_resident) * registered + per_resident * residents)
        settled = float(model.tally.settlements[county].sum())
        rewards = model.levers["finance.transfer_per_settled_migrant"] * settled
        available = revenue + transfers + rewards + self.balance

        delta, k = f.capacity_depreciation, f.construction_cost_years
        if self.first_cost is None:
            old_rule = revenue + f.transfer_yuan_per_person * registered
            total = self.capacity.sum()
            self.first_cost = old_rule / (total * (1 - delta + delta * k)) if total > 0 else 0.0
        self.running_cost = self.first_cost * (1 + f.cost_growth) ** t

        # Nobody moves between here and the recording of the year: these are its users,
        # counted by the services step that has just run.
        self.users = model.services.users
        resident_share = model.levers["finance.resident_based_allocation"]
        plan = self.planning_population(model, self.users, resident_share, holders)
        self.allocation = available * plan / plan.sum() if plan.sum() > 0 else np.zeros(n)
        self.spent = self._build_and_run(plan, delta, k)
        services = float(self.spent.sum())
        left = available - services
        self.balance = min(left, f.reserve_share * services)
        self.flows = {
            "budget_revenue": revenue,
            "budget_transfers": transfers,
            "budget_settlement_rewards": rewards,
            "budget_available": available,
            "budget_spent_services": services,
            "budget_spent_other": left - self.balance,
            "budget_spent": available - self.balance,
        }
        model.services.update_quality(model, self.users)

    def _build_and_run(self, plan: np.ndarray, delta: float, k: float) -> np.ndarray:
        """Wear, run and build the capacity of every place; return what each place spent."""
        cost = self.running_cost
        capacity = (1 - delta) * self.capacity
        if cost <= 0:  # a first year without budget or capacity sets no cost: plan is built
            self.capacity = np.maximum(capacity, plan)
            return np.zeros_like(capacity)
        affordable = self.allocation / cost
        capacity = np.minimum(capacity, affordable)  # what cannot be paid for is closed
        running = cost * capacity
        left = self.allocation - running
        build = np.maximum(plan - capacity, 0.0)
        if k > 0:
            build = np.minimum(build, left / (k * cost))
        self.capacity = capacity + build
        return running + k * cost * build

    def idle_capacity(self) -> np.ndarray:
        """Capacity beyond the users of each county place."""
        return np.maximum(self.capacity - self.users, 0.0) * self.county

    def outputs(self, model) -> dict[str, float]:
        county, level, st = self.county, model.world.level, model.state
        users = self.users
        idle = self.idle_capacity()
        capacity = float(self.capacity[county].sum())
        out = dict(self.flows)
        out["budget_balance"] = self.balance
        out["service_cost_per_unit"] = self.running_cost
        out["service_capacity"] = capacity
        out["service_users"] = float(users[county].sum())
        out["idle_capacity"] = float(idle.sum())
        out["idle_capacity_share"] = float(idle.sum()) / capacity if capacity > 0 else 0.0
        out["idle_capacity_cost"] = self.running_cost * float(idle.sum())
        uncovered = np.maximum(users - self.capacity, 0.0)[county].sum()
        out["service_shortfall_share"] = float(uncovered / max(users[county].sum(), 1.0))
        for code, name in COUNTY_LEVELS:
            at = level == code
            w = users[at]
            out[f"service_quality_{name}"] = (
                float(np.average(st.service_quality[at], weights=w)) if w.sum() > 0 else 0.0
            )
        covered = coverage(self.capacity, users)[county & (users > 0)]
        out["service_coverage_dispersion"] = float(covered.std()) if len(covered) else 0.0
        return out

    def place_outputs(self, model) -> dict[str, np.ndarray]:
        return {
            "service_capacity": self.capacity.copy(),
            "service_users": self.users.copy(),
            "service_quality": model.state.service_quality.copy(),
            "idle_capacity": self.idle_capacity(),
            "service_budget": self.allocation.copy(),
            "service_spent": self.spent.copy(),
        }
