"""The numbers that shape the distributor's history, each with what it means, in one place.

Every random draw of the generator takes its probability or range from here, so that the
business can be read (and tuned) without reading the simulation. The values are those the
history was tuned with: changing one changes the generated data (tests/sim/test_generator.py pins it)
and may hide a planted problem from the KPIs (the other tests there check each one). Ranges
`(lo, hi)` are inclusive whole numbers unless said uniform; shares are probabilities per
document or line; volumes are at scale 1.
"""

# --- calendar and volumes ---------------------------------------------------------------------
DAYS = 180  # days of history, day 0 the first and the as-of date the last
LAST_DAY = DAYS - 1  # the as-of date's day number
GO_LIVE_DAYS = 400  # the master data was imported this many days before day 0
PRODUCTS = 1500  # stockable goods in the catalogue
VENDORS = 40
CUSTOMERS = 300
SALE_ORDERS = 3000  # about this many sale orders over the whole history
WEEKDAY_ORDERS, WEEKEND_ORDERS = 1.3, 0.25  # a day's orders as a multiple of the daily mean (averages 1)

# --- hours of the working day: a document's time is drawn between them -------------------------
OFFICE_HOURS = (7, 17)  # sale orders, purchase orders, returns
RECEIVING_HOURS = (6, 11)  # receipts from vendors
PUT_AWAY_HOURS = (12, 16)  # two-step receipts stored from Input to Stock
PICKING_HOURS = (6, 8)  # deliveries picked to Output
SHIPPING_HOURS = (9, 18)  # deliveries handed to the carrier
COUNTING_HOURS = (15, 17)  # cycle-count adjustments

# --- the company, its warehouses and carriers -------------------------------------------------
EUR_RATE = 0.92  # company currency (USD) -> EUR, Odoo's `currency_rate` convention
WAREHOUSES = (  # name, code, share of the customers (and so of the demand), two-step reception
    ("Main Warehouse", "WH", 0.5, True),
    ("North Hub", "NRT", 0.3, False),
    ("South Hub", "STH", 0.2, False),
)
CARRIERS = (  # name, code, service level in days, fixed fee
    ("FastFreight Express", "FFX", 1, 25.0),
    ("Regional Road", "RRD", 2, 15.0),
    ("Parcel Post", "PPS", 3, 9.5),
)

# --- catalogue ----------------------------------------------------------------------------------
PRICE_RANGE = (2, 900)  # list prices are log-uniform between these
CATEGORY_COST_RATIO = (0.58, 0.72)  # a category's typical cost as a share of the list price, uniform
COST_RATIO_SPREAD = 0.02  # a product's cost ratio is its category's give or take up to this, uniform
INACTIVE_PRODUCT_SHARE = 0.03  # products archived
# the product of popularity rank r (0 the best seller) sells in proportion to 1 / (r + 5) ** 0.9
POPULARITY_OFFSET, POPULARITY_EXPONENT = 5, 0.9
DEFECT_RANKS = (20, 400)  # the master-data defects hit popularity ranks 20 to 399: products that sell regularly
DEFECTIVE_PRODUCTS = 5  # products with each defect: zero cost, no vendor, no category

# --- partners -----------------------------------------------------------------------------------
LATE_VENDOR_SHARE = 0.08  # share of the products bought from the chronically late vendor
VENDOR_LEAD_DAYS = (3, 12)  # a product's vendor lead time
INACTIVE_CUSTOMER_SHARE = 0.02  # customers archived
EUR_CUSTOMER_SHARE = 0.05  # customers who order in EUR
DELIVERY_ADDRESS_SHARE = 0.15  # customers with a separate delivery address

# --- sales --------------------------------------------------------------------------------------
# an order's state: a uniform roll below a bound gives that state (the bounds are cumulative: 5% of
# the orders are cancelled, 4% drafts, 3% sent quotations); above them all the order is confirmed
ORDER_STATES = (("cancel", 0.05), ("draft", 0.09), ("sent", 0.12))
PROMISE_DAYS = (1, 2, 2, 3, 3, 5, 7)  # days from order to promised delivery (the customer lead), one drawn per order
COMMITMENT_SHARE = 0.15  # orders with a delivery date the customer asked for (commitment date)
COMMITMENT_EXTRA_DAYS = (1, 4)  # which is this many days after the usual promise
CARRIER_WEIGHTS = (4, 3, 3, 1.5)  # how often orders go with each of CARRIERS, and (last) with none
CUSTOMER_REF_SHARE = 0.6  # orders that carry the customer's purchase order number
DIRECT_SALES_SHARE = 0.7  # orders of the Direct Sales team; the others are Key Accounts'
QUOTATION_VALIDITY_DAYS = 30
SECTION_SHARE = 0.1  # orders whose lines start with a section
GOODS_PER_ORDER = 3.0  # mean product lines per order (geometric)
MAX_GOODS_LINES = 15  # product lines drawn per order at most (a product drawn twice counts once)
QTY_CHOICES = (1, 1, 2, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 24, 30, 50)  # units on a product line, one drawn per line
LINE_DISCOUNTS = (0.0,) * 7 + (5.0,)  # a line's discount (%), one drawn per line: one line in eight gets 5%
EROSION_DISCOUNTS = (20.0, 25.0, 30.0)  # the discount (%) instead, on the eroded category in its last EROSION_DAYS
PRICE_FACTOR = (0.95, 1.0)  # a line's price as a share of the list price, uniform
SERVICE_SHARE = 0.08  # orders with an installation or training line
SERVICE_HOURS = (1, 6)  # hours on such a line
DELIVERY_FEE_SHARE = 0.4  # orders with a carrier that are charged its fee
EARLY_PICK_SHARE = 0.2  # deliveries prepared the day before their promised day
CANCEL_AFTER_DAYS = (0, 1)  # days after a cancelled order was placed that it is cancelled

# --- deliveries and returns ---------------------------------------------------------------------
TRANSIT_OFFSETS = (-1, 0, 0, 0)  # days from its service level a multi-day carrier takes, one drawn per shipment
CARRIER_LATE_SHARE = 0.05  # shipments delivered a day after the service level instead
DELIVERY_HOURS = (1, 6)  # hours after the shipping time of day that a parcel is delivered
RETURN_SHARE = 0.025  # shipped lines a customer sends back
RETURN_AFTER_DAYS = (3, 10)  # days after shipping that they come back
MAX_RETURN_UNITS = 3  # a return is of 1 to this many units, at most what was shipped

# --- purchasing and receipts --------------------------------------------------------------------
SAFETY_UNITS = 20.0  # safety stock: about two typical order lines
COVER_EXTRA_DAYS = 7  # the reorder point covers the demand over the vendor's lead time plus these days
REVIEW_DAYS = 4  # a purchase covers a few days of demand: fast movers are bought twice a week
PACK_SIZE = 5  # vendors sell in packs of this many units
FALLBACK_COST_RATIO = 0.6  # a product without a cost is bought at this share of its list price
OPENING_ORDER_DAY = -14  # the opening stock was ordered this day and received on day 0
LATE_VENDOR_LATE_SHARE = 0.9  # receipts of the chronically late vendor that arrive late
LATE_VENDOR_DELAY_DAYS = (4, 12)  # days late they arrive (the opening stock's too)
VENDOR_LATE_SHARE = 0.07  # receipts of the other vendors that arrive late
VENDOR_DELAY_DAYS = (1, 4)  # days late they arrive
# days from the planned date that the other vendors' receipts arrive when not late (negative: early)
VENDOR_ON_TIME_OFFSETS = (-2, -1, 0, 0, 0)
PARTIAL_RECEIPT_SHARE = 0.1  # receipts that arrive in two parts
PARTIAL_LINE_SHARE = 0.5  # lines of such a receipt that are split, among those of MIN_SPLIT_QTY units or more
MIN_SPLIT_QTY = 4
FIRST_PART_SHARE = (0.5, 0.9)  # share of a split line's units in the first part, uniform
REST_AFTER_DAYS = (2, 6)  # days after the first part that the rest arrives

# --- inventory ----------------------------------------------------------------------------------
COUNT_WEEKDAY = 4  # cycle counts happen on Fridays
COUNTS_PER_WAREHOUSE = 10  # products counted per warehouse and week
COUNT_MIN_QTY = 3  # products with less free stock are not counted
COUNT_MAX_COST = 150  # nor products that cost this much or more
COUNT_DIFFERENCES = (-2, -1, 1, 2)  # units found missing or extra, one drawn per count
COUNT_MAX_VALUE = 450  # a difference worth this much or more is cut to one unit, below DISCREPANCY_MIN_VALUE
DISCREPANCY_MIN_QTY = 5  # the planted discrepancies hit products with at least this free stock
DISCREPANCY_MIN_COST = 40  # that cost at least this
DISCREPANCY_VALUE = (600, 2500)  # the value written off, uniform (capped by the stock)
DISCREPANCY_MIN_VALUE = 500  # kept only when worth this much: truth.py flags adjustments from 500

# --- invoicing ----------------------------------------------------------------------------------
TAX_RATE = 0.15
PAYMENT_DAYS = 30  # invoices and bills are due this many days after their date; paid if due by the as-of date
BILLED_ELSEWHERE_SHARE = 0.5  # vendors whose bills are entered in another system, not in Odoo

# --- the planted problems -----------------------------------------------------------------------
CONGESTED_WAREHOUSE = "NRT"  # the warehouse congested in its last CONGESTION_DAYS
CONGESTION_DAYS = 14
CONGESTION_DELAY_DAYS = (2, 5)  # days its deliveries wait before shipping
DISRUPTION_DAYS = 7  # the last days in which one carrier is disrupted
DISRUPTION_SHIP_DELAY_DAYS = (1, 3)  # extra days before it collects a delivery
DISRUPTION_TRANSIT_DAYS = (2, 5)  # days beyond its service level it takes to deliver
EROSION_DAYS = 7  # the last days in which one category's lines are discounted heavily
DISCREPANCY_WAREHOUSE = "STH"  # the warehouse with large stock write-offs in its last DISCREPANCY_DAYS
DISCREPANCY_DAYS = 60
