"""Anonymised statistics for union reps and exact statistics for managers (issue 7).

Modules, in the order a request passes through them:

- ``forms``       the filters (whole months from/to, a unit) shared by the page, the exports and the API
- ``scope``       which units a request covers, whether the figures are exact, and the folding of
                  units with fewer than k employees into their parent
- ``queries``     the counting, done by the database (GROUP BY and conditional counts)
- ``disclosure``  the disclosure control: "< k", complementary suppression (pure Python)
- ``selectors``   puts the three together into ``Statistics`` (tables and key figures)
- ``charts``      server-side SVG charts drawn from the published figures only
- ``exports``     CSV and JSON; ``pdf`` the PDF; ``views``, ``api`` the pages and the endpoint
"""
