"""Services of the notices chapter, one module per concern (import the
module you need; nothing is re-exported here).

``areas``: the tenant's notice areas (NOTIF-2). ``notices``: operator notices
and news and their fan-out (NOTIF-3). ``information``: the i list's read
marks (HOME-3). Mail itself is the ``mail`` kit's (``mail.services``).
"""
