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


ADMINISTRATIONS = [
    AdministrationDef("KS", "Kommunstyrelseförvaltningen", [
        UnitDef("1100", "Kommunledningskontoret", size=8),
        UnitDef("1110", "Kanslienheten", carries_switchboard=True, size=10),
        UnitDef("1120", "Ekonomienheten", size=10),
        UnitDef("1130", "HR-enheten", size=8),
        UnitDef("1140", "IT-enheten", size=14),
        UnitDef("1150", "Kontaktcenter", size=9),
        UnitDef("1160", "Kommunikationsenheten", size=5),
        UnitDef("1170", "Näringsliv och turism", size=5),
    ]),
    AdministrationDef("SBF", "Samhällsbyggnadsförvaltningen", [
        UnitDef("2100", "Förvaltningsledning samhällsbyggnad", size=5),
        UnitDef("2110", "Plan och bygg", size=10),
        UnitDef("2120", "Miljö- och hälsoskydd", size=8),
        UnitDef("2130", "Gata och park", size=14),
        UnitDef("2140", "Fastighetsenheten", size=16),
        UnitDef("2150", "VA-verksamheten", fee_funded=True, size=16),
        UnitDef("2160", "Renhållning", fee_funded=True, size=10),
        UnitDef("2170", "Räddningstjänsten", size=14),
    ]),
    AdministrationDef("BUF", "Barn- och utbildningsförvaltningen", [
        UnitDef("3100", "Förvaltningsledning barn och utbildning", size=6),
        UnitDef("3110", "Förskolor centrala Karlsborg", size=14),
        UnitDef("3120", "Förskola Mölltorp", size=7),
        UnitDef("3130", "Förskola Forsvik", size=5),
        UnitDef("3140", "Ekbackeskolan F–6", size=14),
        UnitDef("3150", "Mölltorps skola F–6", size=9),
        UnitDef("3160", "Forsviks skola F–6", size=6),
        UnitDef("3170", "Carlsborgsskolan 7–9", size=14),
        UnitDef("3180", "Elevhälsan", size=8),
        UnitDef("3190", "Kulturskolan", size=5),
        UnitDef("3195", "Vuxenutbildning", size=5),
    ]),
    AdministrationDef("SOC", "Socialförvaltningen", [
        UnitDef("4100", "Förvaltningsledning socialtjänst", size=6),
        UnitDef("4110", "Hemtjänst norra", size=22),
        UnitDef("4120", "Hemtjänst södra", size=22),
        UnitDef("4130", "Särskilt boende Strandgården", size=16),
        UnitDef("4140", "Särskilt boende Solgården", size=16),
        UnitDef("4150", "Funktionsstöd LSS", size=18),
        UnitDef("4160", "Individ- och familjeomsorg", size=14),
        UnitDef("4170", "Arbetsmarknadsenheten", size=8),
        UnitDef("4180", "Hemsjukvård", size=16),
    ]),
    AdministrationDef("KOF", "Kultur och fritid", [
        UnitDef("5100", "Biblioteket", size=6),
        UnitDef("5110", "Fritidsgården", size=5),
        UnitDef("5120", "Idrottsanläggningar", size=7),
        UnitDef("5130", "Turistbyrå och museum", size=5),
    ]),
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
]
DEMO_PASSWORD = "karlsborg-demo"

HANDSET_MODELS = [
    ("iPhone 15", "TEL-IP15", "35391611"),
    ("iPhone 13", "TEL-IP13", "35328411"),
    ("Samsung Galaxy A55", "TEL-SGA55", "35086175"),
    ("Samsung Galaxy XCover7", "TEL-XC7", "35194376"),
    ("Doro 8100", "TEL-DORO", "35767311"),
]
