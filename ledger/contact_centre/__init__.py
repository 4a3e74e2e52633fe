"""The contact centre: how each unit is reached, and the feed of changes to who answers a number.

Importing the package registers the change feed's listeners (``recording``): the app loads
every feature's models (``features.load_models``), and with ``models`` this package, wherever
the ledger runs — pages, API, commands, tests — so no change of who answers a number is missed.
"""

from ledger.contact_centre import recording as recording
