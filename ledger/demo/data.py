"""The demo organisation: Karlsborgs kommun as a realistic but fictional ledger.

Administrations and units follow Karlsborg's real structure loosely; operators, their
organisation numbers (valid check digits, 556900-xxxx series) and every phone number, IMEI
and person are fictional. Partner municipalities' organisation numbers are demo values too,
except Karlsborg's own (212000-1629).
"""

from __future__ import annotations

from dataclasses import dataclass, field

KARLSBORG = ("Karlsborgs kommun", "212000-1629", "1446")
#: name, organisationsnummer (demo values with valid check digits), kommunkod
PARTNERS = [
    ("Skövde kommun", "212000-1603", "1496"),
    ("Hjo kommun", "212000-1637", "1497"),
    ("Tibro kommun", "212000-1645", "1472"),
    ("Töreboda kommun", "212000-1652", "1473"),
]


@dataclass(frozen=True)
class UnitDef:
    ansvar: str
    name: str
    fee_funded: bool = False
    carries_switchboard: bool = False
    #: how many staff phones the unit has, roughly
    size: int = 8


@dataclass(frozen=True)
class AdministrationDef:
    code: str
    name: str
    units: list[UnitDef] = field(default_factory=list)


def _units(table: str) -> list[UnitDef]:
    """Units from a table of lines ``ansvar  staff phones  name``: ``[fee-funded]`` marks an
    intäktsfinansierad unit, ``[switchboard]`` the one that carries the switchboard."""
    units = []
    for line in table.strip().splitlines():
        ansvar, size, name = line.split(maxsplit=2)
        fee_funded, switchboard = name.endswith("[fee-funded]"), name.endswith("[switchboard]")
        name = name.removesuffix("[fee-funded]").removesuffix("[switchboard]").strip()
        units.append(UnitDef(ansvar, name, fee_funded=fee_funded, carries_switchboard=switchboard, size=int(size)))
    return units


ADMINISTRATIONS = [
    AdministrationDef("KS", "Kommunstyrelseförvaltningen", _units("""
        1100   8  Kommunledningskontoret
        1110  10  Kanslienheten  [switchboard]
        1120  10  Ekonomienheten
        1130   8  HR-enheten
        1140  14  IT-enheten
        1150   9  Kontaktcenter
        1160   5  Kommunikationsenheten
        1170   5  Näringsliv och turism
    """)),
    AdministrationDef("SBF", "Samhällsbyggnadsförvaltningen", _units("""
        2100   5  Förvaltningsledning samhällsbyggnad
        2110  10  Plan och bygg
        2120   8  Miljö- och hälsoskydd
        2130  14  Gata och park
        2140  16  Fastighetsenheten
        2150  16  VA-verksamheten  [fee-funded]
        2160  10  Renhållning  [fee-funded]
        2170  14  Räddningstjänsten
    """)),
    AdministrationDef("BUF", "Barn- och utbildningsförvaltningen", _units("""
        3100   6  Förvaltningsledning barn och utbildning
        3110  14  Förskolor centrala Karlsborg
        3120   7  Förskola Mölltorp
        3130   5  Förskola Forsvik
        3140  14  Ekbackeskolan F–6
        3150   9  Mölltorps skola F–6
        3160   6  Forsviks skola F–6
        3170  14  Carlsborgsskolan 7–9
        3180   8  Elevhälsan
        3190   5  Kulturskolan
        3195   5  Vuxenutbildning
    """)),
    AdministrationDef("SOC", "Socialförvaltningen", _units("""
        4100   6  Förvaltningsledning socialtjänst
        4110  22  Hemtjänst norra
        4120  22  Hemtjänst södra
        4130  16  Särskilt boende Strandgården
        4140  16  Särskilt boende Solgården
        4150  18  Funktionsstöd LSS
        4160  14  Individ- och familjeomsorg
        4170   8  Arbetsmarknadsenheten
        4180  16  Hemsjukvård
    """)),
    AdministrationDef("KOF", "Kultur och fritid", _units("""
        5100   6  Biblioteket
        5110   5  Fritidsgården
        5120   7  Idrottsanläggningar
        5130   5  Turistbyrå och museum
    """)),
]


@dataclass(frozen=True)
class SupplierDef:
    key: str
    name: str
    organisation_number: str
    counterparty_code: str | None = None


SUPPLIERS = [
    SupplierDef("mobile", "Demotel Mobil AB (demo)", "556900-0010"),
    SupplierDef("other_operator", "Nordnät Demo AB (demo)", "556900-0028"),
    SupplierDef("switchboard", "Växeltjänst Demo AB (demo)", "556900-0036"),
    SupplierDef("equipment", "Demoprylar Telefoni AB (demo)", "556900-0044"),
    SupplierDef("offcontract_equipment", "Lokala Mobilbutiken Demo AB (demo)", "556900-0051"),
    SupplierDef("hjo", "Hjo kommun", "212000-1637", counterparty_code="82"),
]

#: (unit ansvar list, username, display name, role) — one user per role, plus a second
#: department user for the fee-funded units.
USERS = [
    ((), "admin", "Alva Admin", "admin"),
    ((), "ekonomi", "Elin Ekonom", "finance"),
    ((), "upphandling", "Ulf Upphandlare", "procurement"),
    ((), "revisor", "Rut Revisor", "auditor"),
    (("3110", "3120", "3130"), "forskola", "Frida Förskolechef", "department"),
    (("2150", "2160"), "va", "Valter VA-chef", "department"),
    ((), "kontaktcenter", "Kim Kontaktcenter", "contact_centre"),
]
#: The cooperation's administrator works for the lead party of its framework contracts.
COOPERATION_ORGANISATION = "Skövde kommun"
COOPERATION_USERS = [((), "samverkan", "Sam Samverkan", "cooperation")]
DEMO_PASSWORD = "karlsborg-demo"

HANDSET_MODELS = [
    ("iPhone 15", "TEL-IP15", "35391611"),
    ("iPhone 13", "TEL-IP13", "35328411"),
    ("Samsung Galaxy A55", "TEL-SGA55", "35086175"),
    ("Samsung Galaxy XCover7", "TEL-XC7", "35194376"),
    ("Doro 8100", "TEL-DORO", "35767311"),
]


#: Hjo kommun keeps a small ledger of its own in the same deployment: it runs the switchboard
#: it shares with Karlsborg and Tibro. (ansvar, name, carries switchboard, phones)
HJO_UNITS = [
    ("1010", "Kontaktcenter och växel", True, 6),
    ("1020", "Kommunledning Hjo", False, 4),
    ("4010", "Guldkroksskolan", False, 8),
]
HJO_ADMINISTRATION = ("KS", "Kommunstyrelseförvaltningen Hjo")
#: (unit ansvar list, username, display name, role) of Hjo's own people
HJO_USERS = [
    ((), "hjo-admin", "Hugo Hjo-admin", "admin"),
    ((), "hjo-ekonomi", "Hanna Ekonom Hjo", "finance"),
]
#: Hjo's numbers: the 0503 area code, demo series
HJO_NUMBER_PREFIX = "+46503350"
