"""The demo's contact centre: how each of Karlsborg's (and Hjo's) units is reached, and a few
changes of the last days for the change feed.

Every unit gets what it answers for, and most their opening hours, phone times, a functional
e-mail box and some a web form (all at ``karlsborg.example`` and ``hjo.example``: the demo's
addresses reach no one). The history the demo loads (a subscription's start years ago, a move in
March) is dated on the day it took effect, as if it had been recorded then, so that the feed of
the last days holds only what happened in them: a department's move request approved yesterday,
a move finance recorded three days ago and a switchboard extension given notice two days ago
(each from next month), and the preschools' new phone times told yesterday. Run again, it adds
nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from ledger.access.models import User
from ledger.contact_centre import details, recording
from ledger.contact_centre.models import ChangeKind, DirectoryChange, UnitContactDetails
from ledger.core import clock
from ledger.database import db
from ledger.inventory import edits, moves
from ledger.inventory.models import Assignment, Subscription, SubscriptionKind
from ledger.organisation.models import BudgetUnit, Organisation

WEEKDAYS = "Mån–fre"
OFFICE = f"{WEEKDAYS} 08.00–16.30"
#: ansvar → function, opening hours, phone times, e-mail box (at the municipality's domain), web form path
KARLSBORG: dict[str, tuple[str, str | None, str | None, str | None, str | None]] = {
    "1100": ("Kommundirektör och kommunledning, övergripande frågor", OFFICE, None, "kommunledning", None),
    "1110": ("Nämndadministration, diarium, allmänna handlingar och växeln", OFFICE, f"{WEEKDAYS} 09–12, 13–15",
             "kansli", "/kontakt/allmanna-handlingar"),
    "1120": ("Fakturor, leverantörsreskontra, budget och redovisning", OFFICE, f"{WEEKDAYS} 09–11",
             "ekonomi", "/kontakt/faktura"),
    "1130": ("Anställning, lön, arbetsmiljö och pension", OFFICE, "Mån–tors 09–11", "hr", "/kontakt/lon"),
    "1140": ("IT-support för kommunens anställda, telefoni och konton", "Mån–fre 07.30–16.30",
             "Mån–fre 07.30–16.00 (support)", "itsupport", "/kontakt/it-support"),
    "1150": ("Kommunens kontaktcenter och växel: frågor om allt kommunen gör", "Mån–fre 07.30–17.00",
             "Mån–tors 07.30–17.00, fre 07.30–16.00", "kontaktcenter", "/kontakt"),
    "1160": ("Webb, press och kommunens information", OFFICE, None, "kommunikation", None),
    "1170": ("Företagsfrågor, etablering och turism", OFFICE, f"{WEEKDAYS} 09–12", "naringsliv", None),
    "2100": ("Ledning av samhällsbyggnadsförvaltningen", OFFICE, None, "samhallsbyggnad", None),
    "2110": ("Bygglov, detaljplaner och kartor", "Mån–tors 08.00–16.30, fre 08.00–15.00", "Mån–tors 09–11",
             "bygglov", "/kontakt/bygglov"),
    "2120": ("Livsmedelskontroll, tillsyn, buller och enskilda avlopp", OFFICE, f"{WEEKDAYS} 09–11",
             "miljo", "/kontakt/miljo"),
    "2130": ("Gator, belysning, parker och snöröjning", None, f"{WEEKDAYS} 07.00–15.30", "gatapark",
             "/felanmalan"),
    "2140": ("Kommunens lokaler, fastighetsskötsel och felanmälan i lokaler", None, f"{WEEKDAYS} 07.00–15.30",
             "fastighet", "/felanmalan"),
    "2150": ("Vatten och avlopp: vattenläckor, mätare och anslutningar", None,
             f"{WEEKDAYS} 07.00–16.00; jour dygnet runt via växeln", "va", "/felanmalan/va"),
    "2160": ("Sophämtning, återvinningscentral och slam", "Återvinningscentralen tis–tors 12–19, lör 9–14",
             f"{WEEKDAYS} 08–12", "renhallning", "/kontakt/sophamtning"),
    "2170": ("Räddningstjänst, brandskydd och tillstånd för brandfarlig vara (vid nödläge: 112)", OFFICE,
             f"{WEEKDAYS} 08–12", "raddningstjanst", None),
    "3100": ("Ledning av barn- och utbildningsförvaltningen", OFFICE, None, "barnochutbildning", None),
    "3110": ("Förskoleplatser, köer och barnomsorg i centrala Karlsborg", "Mån–fre 06.00–18.30",
             f"{WEEKDAYS} 08.00–09.30", "forskola.centrala", "/forskola/ansokan"),
    "3120": ("Förskolan i Mölltorp", "Mån–fre 06.00–18.30", None, "forskola.molltorp", None),
    "3130": ("Förskolan i Forsvik", "Mån–fre 06.30–18.00", None, "forskola.forsvik", None),
    "3140": ("Ekbackeskolan F–6 och fritidshemmet", "Mån–fre 07.30–16.00; fritids 06.00–18.30",
             f"{WEEKDAYS} 07.30–08.15 (frånvaro)", "ekbackeskolan", "/skola/franvaro"),
    "3150": ("Mölltorps skola F–6 och fritidshemmet", "Mån–fre 07.30–16.00", None, "molltorpsskola", None),
    "3160": ("Forsviks skola F–6", "Mån–fre 07.30–16.00", None, "forsviksskola", None),
    "3170": ("Carlsborgsskolan 7–9", "Mån–fre 07.30–16.00", f"{WEEKDAYS} 07.30–08.15 (frånvaro)",
             "carlsborgsskolan", "/skola/franvaro"),
    "3180": ("Skolsköterskor, kurator och skolpsykolog", None, "Mån–tors 08.00–08.45", "elevhalsan", None),
    "3190": ("Kulturskolan: musik, dans och teater för barn och unga", "Mån–tors 13–19", None, "kulturskolan",
             "/kulturskolan/anmalan"),
    "3195": ("Vuxenutbildning, SFI och studievägledning", "Mån–fre 08.00–16.00", f"{WEEKDAYS} 10–12", "vux",
             "/vuxenutbildning/ansokan"),
    "4100": ("Ledning av socialförvaltningen", OFFICE, None, "socialforvaltningen", None),
    "4110": ("Hemtjänst norra: insatser i hemmet och trygghetslarm", None, f"{WEEKDAYS} 07.30–16.00",
             "hemtjanst.norra", None),
    "4120": ("Hemtjänst södra: insatser i hemmet och trygghetslarm", None, f"{WEEKDAYS} 07.30–16.00",
             "hemtjanst.sodra", None),
    "4130": ("Särskilt boende Strandgården", "Besök alla dagar 10–20", None, "strandgarden", None),
    "4140": ("Särskilt boende Solgården", "Besök alla dagar 10–20", None, "solgarden", None),
    "4150": ("Stöd enligt LSS: boende, daglig verksamhet och personlig assistans", None, f"{WEEKDAYS} 09–11",
             "lss", None),
    "4160": ("Ekonomiskt bistånd, barn och familj, missbruk (akut: via växeln)", OFFICE,
             "Mån–tors 09–10.30 (mottagning)", "ifo", "/kontakt/socialtjanst"),
    "4170": ("Arbetsmarknadsinsatser och feriearbete", OFFICE, f"{WEEKDAYS} 09–11", "arbetsmarknad", None),
    "4180": ("Kommunal hemsjukvård och rehabilitering", None, f"{WEEKDAYS} 08.00–09.00", "hemsjukvard", None),
    "5100": ("Biblioteket: lån, e-böcker och meröppet", "Mån–tors 10–19, fre 10–16, lör 10–13",
             "Mån–fre 10–16", "bibliotek", "/bibliotek/kontakt"),
    "5110": ("Fritidsgården för unga 13–18 år", "Tis–fre 15–21", None, "fritidsgarden", None),
    "5120": ("Idrottshallar, badhus och bokning av anläggningar", "Badhuset mån–fre 06.30–20, lör–sön 9–16",
             f"{WEEKDAYS} 08–12", "idrott", "/boka-lokal"),
    "5130": ("Turistbyrå och Karlsborgs museum", "Juni–augusti alla dagar 10–18, annars tis–lör 11–16", None,
             "turism", None),
}
HJO: dict[str, tuple[str, str | None, str | None, str | None, str | None]] = {
    "1010": ("Kontaktcenter och växel för Hjo, Tibro och Karlsborg", "Mån–fre 07.30–17.00", "Mån–fre 07.30–17.00",
             "kontaktcenter", "/kontakt"),
    "1020": ("Kommunledning i Hjo", "Mån–fre 08.00–16.30", None, "kommunledning", None),
    "4010": ("Guldkroksskolan", "Mån–fre 07.30–16.00", "Mån–fre 07.30–08.15 (frånvaro)", "guldkroksskolan", None),
}


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=clock.ZONE)


def _fill(organisation: Organisation, domain: str,
          table: dict[str, tuple[str, str | None, str | None, str | None, str | None]]) -> int:
    units = {u.ansvar: u for u in db.session.scalars(sa.select(BudgetUnit).where(
        BudgetUnit.organisation_id == organisation.id, BudgetUnit.ansvar.in_(table)))}
    for ansvar, (function, opening, phone, box, form) in table.items():
        if ansvar in units:
            db.session.add(UnitContactDetails(
                unit_id=units[ansvar].id, organisation_id=organisation.id, function=function, opening_hours=opening,
                phone_hours=phone, email=f"{box}@{domain}" if box else None,
                web_form_url=f"https://www.{domain}{form}" if form else None))
    db.session.flush()
    return len(units)


def _date_the_history(today: date) -> None:
    """The changes this load wrote so far were history: recorded on the day each took effect."""
    ids = recording.written_in_this_unit_of_work()
    before_now = datetime.now(clock.ZONE) - timedelta(minutes=1)
    for change in db.session.scalars(sa.select(DirectoryChange).where(DirectoryChange.id.in_(ids))):
        if change.effective_on <= today:
            change.recorded_at = min(_at(change.effective_on, 8), before_now)
    db.session.flush()


def _user(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == username))


def _number_at(organisation: Organisation, ansvar: str, today: date,
               kind: SubscriptionKind = SubscriptionKind.MOBILE_VOICE) -> Subscription | None:
    """The unit's first number of ``kind`` (by number) in service there today and on: the same
    choice each time."""
    return db.session.scalars(
        sa.select(Subscription).join(Assignment, Assignment.asset_id == Subscription.id)
        .join(BudgetUnit, BudgetUnit.id == Assignment.unit_id)
        .where(Subscription.organisation_id == organisation.id, BudgetUnit.ansvar == ansvar,
               Subscription.kind == kind, Subscription.end_date.is_(None),
               Assignment.in_force_on(today), Assignment.valid_to.is_(None))
        .order_by(Subscription.identifier).limit(1)).first()


def _recorded(organisation: Organisation, since: datetime, at: datetime) -> None:
    """The organisation's changes recorded from ``since`` on (the last step's) as recorded at ``at``."""
    db.session.flush()
    for change in db.session.scalars(sa.select(DirectoryChange).where(
            DirectoryChange.organisation_id == organisation.id, DirectoryChange.recorded_at >= since)):
        change.recorded_at = at
        if change.kind == ChangeKind.CONTACT_DETAILS:  # told that day, true from that day
            change.effective_on = at.date()
    db.session.flush()


def _first_of_next_month(today: date) -> date:
    return date(today.year + (today.month == 12), today.month % 12 + 1, 1)


def _recent_changes(organisation: Organisation, today: date) -> None:
    """What happened in the last days, through the services that do it, dated when it happened.

    Each takes effect next month: the demo's invoices and allocation of this month are made
    again on a second run, and must come out as the first time (a mobile's end would also
    change which numbers the private-use lines pick, so the end is a switchboard extension's)."""
    finance, preschools = _user("ekonomi"), _user("forskola")
    units = {u.ansvar: u for u in db.session.scalars(sa.select(BudgetUnit).where(
        BudgetUnit.organisation_id == organisation.id))}
    asked, moving = _number_at(organisation, "3110", today), _number_at(organisation, "4110", today)
    ending = _number_at(organisation, "2130", today, SubscriptionKind.SWITCHBOARD_EXTENSION)
    if finance is None or preschools is None or asked is None or moving is None or ending is None:
        return
    yesterday, first = today - timedelta(days=1), _first_of_next_month(today)
    start = datetime.now(clock.ZONE)
    outcome = moves.move_asset(preschools, asked, units["3120"], first, reason="Ny tjänst på förskolan i Mölltorp")
    assert outcome.request is not None
    request = moves.decide_request(finance, outcome.request.id, approve=True)
    request.requested_at, request.decided_at = _at(yesterday - timedelta(days=2), 9, 5), _at(yesterday, 14, 10)
    _recorded(organisation, start, _at(yesterday, 14, 10))
    start = datetime.now(clock.ZONE)
    first_monday = first + timedelta(days=-first.weekday() % 7)
    moves.move_asset(finance, moving, units["4120"], first_monday, reason="Byter arbetslag")
    _recorded(organisation, start, _at(today - timedelta(days=3), 10, 40))
    start = datetime.now(clock.ZONE)
    edits.end_subscription(finance, ending, _first_of_next_month(first) - timedelta(days=1))
    _recorded(organisation, start, _at(today - timedelta(days=2), 15, 20))
    start = datetime.now(clock.ZONE)
    details.update(preschools, units["3110"], {"phone_hours": "Mån–fre 08.00–09.30 och 14.00–15.00"})
    _recorded(organisation, start, _at(yesterday, 9, 30))


def load_contact_centre(organisation: Organisation, today: date) -> int:
    """Contact details for the demo's units and the feed's last days; the number of units given
    details (none when they have them already)."""
    if db.session.scalar(sa.select(UnitContactDetails.unit_id).where(
            UnitContactDetails.organisation_id == organisation.id).limit(1)) is not None:
        return 0
    _date_the_history(today)
    added = _fill(organisation, "karlsborg.example", KARLSBORG)
    hjo = db.session.scalar(sa.select(Organisation).where(Organisation.organisation_number == "212000-1637"))
    if hjo is not None:
        added += _fill(hjo, "hjo.example", HJO)
    _recent_changes(organisation, today)
    return added
