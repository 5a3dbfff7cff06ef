"""Land: contracts, tenure security, lease-out decisions and the village rental market.

State. A household holds a contract to `Households.land_mu` mu of its village's land until
`Households.contract_end`. Each year it farms the land itself, leases part of it out for
the year (`leased_out_mu`) or leaves it idle (`idle_mu`, kept by `farming` each sub-step:
own land no one in the household farms). Land given up by settlers, or left by households
that died out, returns to the village collective (`collective_mu`), which leases it out
or reallocates it. In every village, contracted + collective land = land farmed by
households + leased + idle. Members of the village collective are the household members
holding the village's hukou (person column `contract_member`).

Tenure security. Villages readjust land. A household perceives a standing yearly chance
h_0 = `reallocation_risk` of a readjustment and, as its contract nears its end without an
extension, a rising one,

    h_end,h = expiry_reallocation_risk * exp(-Y_h / horizon),

Y_h the years left on the contract (0 once it has ended); rho_h = min(1, h_0 + h_end,h).
The extension lever gives a share of villages (by a lasting draw per village) 30 more
years from the lever's year. In a readjustment a household keeps the land it farms and,
while present, its idle land. Leased-out land is lost at the hazard

    lambda_h = min(1, h_0 (1 - R) + h_end,h):

separate, leasable management rights (the three-rights separation lever R) protect a lease
during the contract, not beyond its end. While the household is absent (no working-age
member living in the county, or nobody at all) it also loses a share `absent_land_loss` of
its unleased land, at the hazard rho_h. A mu is worth its capitalised return V = a / delta,
where a is a family farm's return to a mu of land (`Farming.land_return`). Readjustments
are expectations that shape decisions; the model does not carry them out (the contract
law forbids large readjustments during a contract): land changes hands only by surrender,
the death of a household and the collective's reallocation.

Lease-out decisions. Land a household does not farm (all of it if it has no farmers,
otherwise what exceeds the land its farmers want at the rent, `Farming.land_wanted`) is
offered if the rent covers the extra expected loss of leasing it rather than holding it:

    r >= r_res,h = xi_h V (lambda_h - absent_land_loss * rho_h * absent_h),

xi_h a lasting household view of that risk (lognormal, mean 1). An absent household's idle
land is at risk too, which makes leasing relatively cheaper for it.

Rental market, per village. Operators' demand is D(r) = K (1 - r / r_max)+. r_max is the
zero-profit rent of an operator who hires at the rural wage (`Farming`). K is the land
operators could take: local specialised households and cooperatives, plus the outside
agribusiness that leasable and pledgeable management rights bring in,
K = arable (local + R outside). Operators' values of land are thus spread evenly between 0
and r_max. Supply S(r) is the land offered at r plus the collective's land. The rent solves
D(r) = S(r), found by bisection in all villages at once. If land is left over even at rent
0, the rent is 0, operators take K, and each offer is leased in the same proportion q (the
chance an offer finds a tenant). What the collective cannot lease it reallocates to the
village's farming households in proportion to their farm labour.

Informal lending. Land still neither farmed by its household nor leased formally is lent
for the year to kin and neighbours of the same village with spare farm labour
(`kin_tenancy`): household h lends `lent_mu` and borrows `borrowed_mu`. The lender keeps
the contract right, so lent land counts as its unleased land in a readjustment.

Incomes. Rent reaches the leasing household, shared equally among its members. The
collective's rent is paid as a dividend to the village's hukou holders.

Location choice and settlement. A member's share of the household's contract land (t_i mu,
the land per collective member of the household) is worth, per year, in options where the
person does not farm it:
  living in the county:  E_P = q max(r - lambda V, 0)
  living outside it:     E_A = q max(r - lambda V, -rho a_abs V) - (1 - q) rho a_abs V
That is rent if the land can be leased securely, otherwise the expected loss from
reallocation while away (a_abs = `absent_land_loss`). The value enters the utility as
income_weight * log(1 + t_i E / y), y the option's expected earnings, so it adds to income
as the choice's own income term does. A settler gives up the share with chance 1 - keep
(the `hukou.settlers_keep_land` lever): a yearly loss of t_i a that enters the net gain of
settling in the same way. The surrender takes effect at the next land step (the start of
the next contract year). These terms are in `land_choice.py`.

With the whole village as one farming unit (the Harris-Todaro limit) there are no
household contracts to lease, and the module only records land use.
"""

from __future__ import annotations

import numpy as np

from countysim.modules import kin_tenancy
from countysim.modules.base import Module
from countysim.modules.land_choice import LandChoiceTerms
from countysim.modules.land_offers import hazards_by_end, offer_curve, sum_by_place
from countysim.population import FARMER
from countysim.world import VILLAGE

_BISECTION_STEPS = 24
SLICE = 1 << 16  # persons per slice of the rent incomes' sum (bounds its temporaries)


class Land(LandChoiceTerms, Module):
    name = "land"

    def setup(self, model) -> None:
        world, hh, lp = model.world, model.households, model.scenario.land
        n = world.n
        self.active = model.scenario.farming.unit == "household"
        self.village = world.level == VILLAGE
        self.collective_mu = np.zeros(n)
        self.collective_idle_mu = np.zeros(n)
        self.leased_mu = np.zeros(n)  # land operators farm, per place
        self.rent = np.zeros(n)  # yuan per mu per year
        self.tenant_share = np.zeros(n)  # q: share of the land offered that found a tenant
        self.returned_mu = np.zeros(n)  # land returned to the collective this year
        self.household_rent = np.zeros(len(hh))  # yuan per year per (real) household
        self.collective_rent = np.zeros(n)
        hh.leased_out_mu = np.zeros(len(hh))
        hh.idle_mu = np.zeros(len(hh))
        hh.lent_mu = np.zeros(len(hh))  # lent informally to kin or neighbours this year
        hh.borrowed_mu = np.zeros(len(hh))
        hh.contract_end = np.full(len(hh), lp.contract_end_last, dtype=np.int32)
        p = model.persons
        p.add_column("contract_member", np.bool_, False)
        p.contract_member = self._members(model)
        self.extended = np.zeros(n, dtype=bool)
        if self.active:
            rng = model.rng
            end = rng.integers(lp.contract_end_first, lp.contract_end_last + 1, size=n)
            hh.contract_end = end[hh.home].astype(np.int32)
            self.extension_draw = rng.random(n)
            sd = lp.reservation_dispersion
            self.risk_view = rng.lognormal(-0.5 * sd**2, sd, len(hh))  # xi_h
            model.choice_terms.append(self.choice_term)
            model.settlement_terms.append(self.settlement_term)
            model.income_sources.append(self.rent_income)
        self._tenure(model)
        self._land_per_member(model)

    def levers(self, scenario) -> dict[str, object]:
        return {
            "land.contract_extension": scenario.land.contract_extension,
            "land.leasable_rights": scenario.land.leasable_rights,
            "hukou.settlers_keep_land": scenario.hukou.settlers_keep_land,
        }

    def apply_levers(self, model) -> None:
        """Villages drawn into the extension get `extension_years` more, once."""
        if not self.active:
            return
        share = model.levers["land.contract_extension"]
        newly = self.village & ~self.extended & (self.extension_draw < share)
        if newly.any():
            hh = model.households
            hh.contract_end = hh.contract_end + np.where(
                newly[hh.home], model.scenario.land.extension_years, 0
            ).astype(np.int32)
            self.extended |= newly
            self._tenure(model)

    # ------------------------------------------------------------------ the year
    def step(self, model) -> None:
        """Returns to the collective, this year's tenure security, leases and rents."""
        if not self.active:
            return
        # Members of each household by (member before, member after), counted once: nobody
        # joins or leaves a household, or changes membership, after the surrender this step.
        surrendered, members = self._surrender(model)
        # Column by column: a sum along rows of four is eight times slower than three adds.
        size = members[:, 0] + members[:, 1] + members[:, 2] + members[:, 3]
        self.returned_mu = surrendered + self._return_empty_households(model, size)
        # Members after, kept; the four counts (32 bytes a household) go before the leases.
        members = members[:, 1] + members[:, 3]
        del size
        self.collective_mu += self.returned_mu
        self._tenure(model)
        self._lease(model)
        self._land_per_member(model, members)

    def _members(self, model) -> np.ndarray:
        """Persons holding the hukou of their household's home village."""
        p = model.persons
        home = model.households.home.take(p.hh)
        return (p.hukou_place == home) & self.village.take(home)

    def _surrender(self, model) -> tuple[np.ndarray, np.ndarray]:
        """Members who settled elsewhere since the last land step give up their share of the
        household's land with chance 1 - keep. Returns the land given up per place, and the
        persons of each household by membership before (2) and after (1), as columns 0-3."""
        p, hh, scale = model.persons, model.households, model.scenario.simulation.scale
        now = self._members(model)
        settled = np.flatnonzero(p.contract_member & ~now)
        keep = model.levers["hukou.settlers_keep_land"]
        gives_up = settled[model.rng.random(len(settled)) >= keep]
        # One count by household and membership instead of a sum for each (the same counts).
        kind = p.hh.astype(np.int64)
        kind *= 4
        kind += p.contract_member * np.int64(2)
        kind += now
        counts = np.bincount(kind, minlength=4 * len(hh)).reshape(len(hh), 4)
        del kind
        members = counts[:, 2] + counts[:, 3]
        leaving = np.bincount(p.hh.take(gives_up), minlength=len(hh))
        # Only households someone leaves give land (all have members): the others give 0.
        giving = np.flatnonzero(leaving > 0)  # a mask: ten times quicker than of counts
        given = np.zeros(len(hh))
        given[giving] = hh.land_mu.take(giving) * (leaving.take(giving) / members.take(giving))
        hh.land_mu = hh.land_mu - given
        p.contract_member = now
        return sum_by_place(hh.home, given, giving, model.world.n, scale), counts

    def _return_empty_households(self, model, size: np.ndarray) -> np.ndarray:
        """Land of households with no member left (`size`: persons of each household)
        returns to the collective."""
        hh, scale = model.households, model.scenario.simulation.scale
        empty = np.flatnonzero(size == 0)
        given = np.zeros(len(hh))
        given[empty] = hh.land_mu.take(empty)
        hh.land_mu = hh.land_mu - given
        return sum_by_place(hh.home, given, empty, model.world.n, scale)

    def _tenure(self, model) -> None:
        """Readjustment hazards by year of contract end (`hazards_by_end`), and the value
        of a mu."""
        hh, lp = model.households, model.scenario.land
        tables = hazards_by_end(hh.contract_end, model.year, lp)
        self.first_end, self.expiry_by_end, self.risk_by_end = tables  # h_end, rho
        self.land_value = model.farming.land_return() / lp.discount_rate  # V, yuan per mu

    def _by_end(self, model, table: np.ndarray, households: np.ndarray | None = None):
        """`table` (by year of contract end) for every household, or for `households`."""
        end = model.households.contract_end
        if households is not None:
            end = end.take(households)
        return table.take(end - self.first_end)

    def _lease_hazard(self, model, households: np.ndarray | None = None) -> np.ndarray:
        """lambda: the yearly chance that a household's leased-out land is lost, of every
        household or of those in `households` (the choice asks for its choosers' only)."""
        rights = model.levers["land.leasable_rights"]
        h0 = model.scenario.land.reallocation_risk
        expiry = self._by_end(model, self.expiry_by_end, households)
        return np.minimum(1.0, h0 * (1 - rights) + expiry)

    def _land_per_member(self, model, members: np.ndarray | None = None) -> None:
        """Contract land per member of the village collective, of every household (`members`
        of each household, if counted already)."""
        hh, p = model.households, model.persons
        if members is None:
            members = np.bincount(p.hh, weights=p.contract_member, minlength=len(hh))
        self.land_per_member = np.divide(
            hh.land_mu, members, out=np.zeros(len(hh)), where=members > 0
        )

    def _absent(self, model) -> np.ndarray:
        """Households with no working-age member living in the county, or nobody there."""
        p, hh = model.persons, model.households
        in_county = model.world.is_county.take(p.residence)
        working_age = (p.age >= 16) & (p.age < model.scenario.demography.retirement_age)
        n = len(hh)
        # Members of each household by (working age, in the county), in one count.
        kind = p.hh.astype(np.int64)
        kind *= 4
        kind += working_age * np.int64(2)
        kind += in_county
        members = np.bincount(kind, minlength=4 * n).reshape(n, 4)
        del kind
        working = members[:, 2] + members[:, 3]
        working_in, anyone_in = members[:, 3], members[:, 1] + members[:, 3]
        return ((working > 0) & (working_in == 0)) | (anyone_in == 0)

    def _lease(self, model) -> None:
        """Offers, the rent that clears each village's market, leases and reallocation."""
        hh, lp, world = model.households, model.scenario.land, model.world
        scale, n = model.scenario.simulation.scale, world.n
        rights = model.levers["land.leasable_rights"]
        farm = model.farming
        labour = farm.household_labour(model)
        absent = self._absent(model)
        at_risk = (
            self._lease_hazard(model)
            - lp.absent_land_loss * self._by_end(model, self.risk_by_end) * absent
        )
        reservation = self.risk_view * self.land_value * at_risk
        ceiling = np.where(self.village, farm.operator_rent_ceiling(farm.rural_wage(model)), 0.0)
        # Only households that could offer land at some rent up to the ceiling take part.
        with np.errstate(invalid="ignore"):  # places without farmland: 0 * inf, not used
            most_spare = hh.land_mu - labour * farm.land_wanted_per_worker(ceiling).take(hh.home)
        can = (hh.land_mu > 0) & (reservation < ceiling.take(hh.home)) & (most_spare > 0)
        # By index, not by mask: a mask in no order mispredicts a branch for every other row.
        can = np.flatnonzero(can)
        home, land, farmers = hh.home.take(can), hh.land_mu.take(can), labour.take(can)
        reservation, farmers_all = reservation.take(can), farmers
        # Households with farmers keep what their farmers want; the others offer it all.
        with_farmers = np.flatnonzero(farmers > 0)
        farmers_home, farmers_land = home[with_farmers], land[with_farmers]
        farmers = farmers[with_farmers]

        def offered(rent: np.ndarray) -> np.ndarray:
            """Land each taking-part household offers at its village's rent: all of it
            without farmers, else what its farmers do not want."""
            wanted = farmers * farm.land_wanted_per_worker(rent).take(farmers_home)
            np.subtract(farmers_land, wanted, out=wanted)
            surplus = land.copy()
            surplus[with_farmers] = np.maximum(wanted, 0.0, out=wanted)
            surplus[np.flatnonzero(~(rent.take(home) >= reservation))] = 0.0
            return surplus

        def supply(rent: np.ndarray) -> np.ndarray:
            households = scale * np.bincount(home, weights=offered(rent), minlength=n)
            return households + self.collective_mu

        capacity = np.where(
            self.village,
            world.arable_mu * (lp.local_operator_capacity + rights * lp.outside_operator_capacity),
            0.0,
        )

        def demand(rent: np.ndarray) -> np.ndarray:
            fall = np.divide(rent, ceiling, out=np.ones(n), where=ceiling > 0)
            return capacity * np.maximum(1.0 - fall, 0.0)

        zero = np.zeros(n)
        positive = (demand(zero) > supply(zero)) & (ceiling > 0)
        # The search asks the offers at many rents: from the households sorted once by the
        # rent at which each starts to offer (`offer_curve`), the same supply but for the
        # order of its sums. Where demand and that supply are nearly equal (they can be
        # equal), the supply summed household by household decides, as it always did. Only
        # the villages with a positive rent use the answers.
        offers = offer_curve(
            farm, home, land, np.where(farmers_all > 0, farmers_all, 0.0), reservation, n
        )
        lo, hi = zero.copy(), ceiling.copy()
        for _ in range(_BISECTION_STEPS):
            mid = 0.5 * (lo + hi)
            wanted = demand(mid)
            with np.errstate(invalid="ignore"):  # villages without a positive rent: unused
                quick = scale * offers(mid) + self.collective_mu
                short = wanted > quick
                close = positive & ~(np.abs(wanted - quick) > 1e-9 * (np.abs(quick) + 1.0))
            if close.any():
                short = np.where(close, wanted > supply(mid), short)
            lo = np.where(short, mid, lo)
            hi = np.where(short, hi, mid)
        self.rent = np.where(positive, hi, 0.0)
        total = supply(self.rent)
        # Demand does not exceed supply at the rent found, so q <= 1 leases exactly D(r).
        self.tenant_share = np.minimum(
            1.0, np.divide(demand(self.rent), total, out=np.zeros(n), where=total > 0)
        )
        hh.leased_out_mu = np.zeros(len(hh))
        hh.leased_out_mu[can] = self.tenant_share[home] * offered(self.rent)
        collective_leased = self.tenant_share * self.collective_mu
        self.leased_mu = sum_by_place(hh.home, hh.leased_out_mu, can, n, scale) + collective_leased
        self.household_rent = hh.leased_out_mu * self.rent[hh.home]
        self.collective_rent = collective_leased * self.rent
        self._reallocate(model, self.collective_mu - collective_leased, labour)
        self.collective_idle_mu = self.collective_mu - collective_leased
        self._lend_informally(model, labour)

    def _lend_informally(self, model, labour: np.ndarray) -> None:
        """Kin and neighbour tenancy of the land left after the formal market, at the
        informal rent (`kin_tenancy`)."""
        hh, lp = model.households, model.scenario.land
        hh.lent_mu, hh.borrowed_mu = kin_tenancy.lend(
            hh.home,
            hh.land_mu - hh.leased_out_mu,
            labour,
            self.village[hh.home],
            lp.informal_capacity_mu_per_worker,
            lp.informal_take_up,
            model.world.n,
        )
        informal_rent = lp.informal_rent_share * model.farming.land_return()
        self.household_rent = self.household_rent + informal_rent * (hh.lent_mu - hh.borrowed_mu)

    def _reallocate(self, model, unleased: np.ndarray, labour: np.ndarray) -> None:
        """The collective's unleased land goes to the village's farming households in
        proportion to their farm labour (none where no one farms)."""
        hh, scale = model.households, model.scenario.simulation.scale
        village_labour = scale * np.bincount(hh.home, weights=labour, minlength=model.world.n)
        given = np.where(village_labour > 0, unleased, 0.0)
        # Shares of the households with farm labour, by index (the same quotients as a masked
        # divide, which mispredicts a branch for every other household).
        farming = np.flatnonzero(labour > 0)
        share = np.zeros(len(hh))
        share[farming] = labour.take(farming) / village_labour.take(hh.home.take(farming))
        hh.land_mu = hh.land_mu + given.take(hh.home) * share
        self.collective_mu = self.collective_mu - given

    # ------------------------------------------------------------ extension points
    def rent_income(self, model) -> np.ndarray:
        """Each person's rent for the year: the household's rent shared among its members,
        plus the collective's dividend to the village's hukou holders."""
        p, n = model.persons, model.world.n
        members = np.bincount(p.hh, minlength=len(model.households))
        per_member = np.divide(
            self.household_rent, members, out=np.zeros(len(members)), where=members > 0
        )
        holders = model.scenario.simulation.scale * np.bincount(p.hukou_place, minlength=n)
        dividend = np.divide(self.collective_rent, holders, out=np.zeros(n), where=holders > 0)
        income = per_member.take(p.hh)
        # Added in place by slices: one array of every person, not two, at the incomes' peak.
        for start in range(0, len(income), SLICE):
            income[start : start + SLICE] += dividend.take(p.hukou_place[start : start + SLICE])
        return income

    # ------------------------------------------------------------------ outputs
    def outputs(self, model) -> dict[str, float]:
        p, st, hh = model.persons, model.state, model.households
        scale, v = model.scenario.simulation.scale, self.village
        in_village = np.flatnonzero(v.take(hh.home))  # once, by index: the same sums
        arable = scale * float(hh.land_mu.take(in_village).sum()) + float(self.collective_mu.sum())
        farmed, leased = float(st.land_farmed[v].sum()), float(self.leased_mu[v].sum())
        own_farmed = hh.land_mu - hh.leased_out_mu - hh.lent_mu + hh.borrowed_mu - hh.idle_mu
        lent = scale * float(hh.lent_mu.take(in_village).sum())
        farms = scale * int(np.count_nonzero(own_farmed > 0))
        workers = scale * int(np.count_nonzero(p.status == FARMER))
        contracted = np.flatnonzero(hh.land_mu > 0)
        weights = hh.land_mu.take(contracted)
        risk = (
            float(np.average(self._by_end(model, self.risk_by_end, contracted), weights=weights))
            if self.active and len(contracted)
            else 0.0
        )
        return {
            "land_leased_share": _ratio(leased, arable),
            "land_idle_share": _ratio(float(st.land_idle[v].sum()), arable),
            "land_informal_share": _ratio(lent, arable),
            "farm_size_mu": _ratio(farmed, farms),
            "land_per_farm_worker_mu": _ratio(farmed + leased, workers),
            "farm_output_per_mu": _ratio(float(st.farm_output[v].sum()), arable),
            "land_rent_yuan_per_mu": _ratio(float((self.rent * self.leased_mu).sum()), leased),
            "land_returned_mu": float(self.returned_mu.sum()),
            "land_collective_mu": float(self.collective_mu.sum()),
            "land_readjustment_risk": risk,
            **self._away_shares(model),
        }

    def _away_shares(self, model) -> dict[str, float]:
        """Out-of-county migration: the share of the village collectives' working-age
        members living outside the county, overall and for the land-rich (land per member
        above the county median)."""
        p = model.persons
        working_age = (p.age >= 16) & (p.age < model.scenario.demography.retirement_age)
        rows = np.flatnonzero(p.contract_member & working_age)
        away = ~model.world.is_county.take(p.residence.take(rows))
        share = self.land_per_member.take(p.hh.take(rows))
        rich = share > np.median(share) if len(rows) else np.zeros(0, dtype=bool)
        return {
            "away_share_rural": _ratio(float(np.count_nonzero(away)), len(rows)),
            "away_share_land_rich": _ratio(
                float(np.count_nonzero(away & rich)), int(np.count_nonzero(rich))
            ),
        }

    def place_outputs(self, model) -> dict[str, np.ndarray]:
        hh, n = model.households, model.world.n
        scale = model.scenario.simulation.scale
        return {
            "land_contracted_mu": scale * np.bincount(hh.home, weights=hh.land_mu, minlength=n),
            "land_collective_mu": self.collective_mu.copy(),
            "land_leased_mu": self.leased_mu.copy(),
            "land_rent_yuan_per_mu": self.rent.copy(),
        }


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else 0.0
