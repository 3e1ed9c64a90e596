"""The simulated bank's code lists: RiskHub's default reference files, as they ship, positions and all."""

from riskhub_assets.lib.reference import default_codes

ACCOUNT_TYPES = tuple(default_codes("account_types"))
ACCOUNT_PRODUCTS = {code: row["product_code"] for code, row in default_codes("account_types").items()}
PRODUCT_SYSTEM_PRODUCTS = tuple(p for p in default_codes("products") if p not in ACCOUNT_PRODUCTS.values())
"""Products held in the product system (product_holdings.csv) rather than as accounts."""
CHANNELS = tuple(default_codes("channels"))
MERCHANT_CATEGORIES = tuple(default_codes("merchant_categories"))
EVENT_TYPES = tuple(default_codes("event_types"))
REGIONS = tuple(default_codes("regions"))
SEGMENTS = tuple(default_codes("segments"))
EMPLOYMENT_STATUSES = tuple(default_codes("employment_statuses"))
CURRENCIES = ("EUR", "USD", "GBP", "CHF")
"""The currencies this bank's accounts are held in (positions used by the simulation)."""
